"""Meshes, lights and the camera of a product shot, built from the plan's plain data.

The plan speaks our scene's coordinates (y up, the camera at +z); Blender's are z up, so a
point (x, y, z) of ours is (x, -z, y) here (``to_blender``). Every mesh is built in world
units with its origin at the world's, so a material's object coordinates are product heights.
"""
from __future__ import annotations

import math
from typing import Sequence

import bmesh
import bpy
from mathutils import Vector

BEVEL = 0.012  # product heights: every set edge is rounded a little, as turned or sanded props are
SEGMENTS = 96  # around a podium: smooth at 2000 px


def to_blender(point: Sequence[float]) -> Vector:
    x, y, z = point
    return Vector((x, -z, y))


def _object(name: str, mesh: bpy.types.Mesh) -> bpy.types.Object:
    obj = bpy.data.objects.new(name, mesh)
    bpy.context.scene.collection.objects.link(obj)
    return obj


def _from_bmesh(name: str, bm: bmesh.types.BMesh, smooth: bool = True) -> bpy.types.Object:
    mesh = bpy.data.meshes.new(name)
    bm.to_mesh(mesh)
    bm.free()
    for polygon in mesh.polygons:
        polygon.use_smooth = smooth
    return _object(name, mesh)


def _bevel(obj: bpy.types.Object, width: float = BEVEL) -> None:
    modifier = obj.modifiers.new("bevel", "BEVEL")
    modifier.width, modifier.segments, modifier.limit_method = width, 4, "ANGLE"
    modifier.harden_normals = True


def sweep(back: float, radius: float, reach: float = 40.0) -> bpy.types.Object:
    """Floor (material slot 0) curving up into the wall (slot 1) along a cove of ``radius``."""
    wall_y = -back  # the wall's distance behind the product, in Blender's y
    profile: list[tuple[float, float, int]] = [(-reach, 0.0, 0), (wall_y - radius, 0.0, 0)]
    if radius > 0:
        for step in range(1, 17):
            angle = -math.pi / 2 + step / 16 * math.pi / 2
            profile.append((wall_y - radius + radius * math.cos(angle), radius + radius * math.sin(angle), 1))
    profile.append((wall_y, reach, 1))
    bm = bmesh.new()
    rows = [[bm.verts.new((x, y, z)) for x in (-reach, reach)] for y, z, _ in profile]
    for (left0, right0), (left1, right1), (_, _, slot) in zip(rows, rows[1:], profile[1:]):
        face = bm.faces.new((left0, right0, right1, left1))
        face.material_index = slot
    bm.normal_update()
    return _from_bmesh("sweep", bm)


def cylinder(name: str, x: float, z: float, radius: float, bottom: float, top: float) -> bpy.types.Object:
    bm = bmesh.new()
    bmesh.ops.create_cone(bm, cap_ends=True, segments=SEGMENTS, radius1=radius, radius2=radius, depth=top - bottom)
    bmesh.ops.translate(bm, verts=bm.verts, vec=to_blender((x, (bottom + top) / 2, z)))
    obj = _from_bmesh(name, bm)
    _bevel(obj, min(BEVEL * 1.5, (top - bottom) / 4))
    return obj


def box(name: str, low: Sequence[float], high: Sequence[float]) -> bpy.types.Object:
    bm = bmesh.new()
    bmesh.ops.create_cube(bm, size=1.0)
    a, b = to_blender(low), to_blender(high)
    size = Vector([abs(p - q) for p, q in zip(a, b)])
    centre = (a + b) / 2
    bmesh.ops.scale(bm, vec=size, verts=bm.verts)
    bmesh.ops.translate(bm, verts=bm.verts, vec=centre)
    obj = _from_bmesh(name, bm)
    _bevel(obj, min(BEVEL * 1.5, min(size) / 4))
    return obj


def sphere(name: str, centre: Sequence[float], radius: float) -> bpy.types.Object:
    bm = bmesh.new()
    bmesh.ops.create_uvsphere(bm, u_segments=64, v_segments=32, radius=radius)
    bmesh.ops.translate(bm, verts=bm.verts, vec=to_blender(centre))
    return _from_bmesh(name, bm)


def arch(name: str, x: float, half_width: float, shoulder: float, z_back: float, thickness: float
         ) -> bpy.types.Object:
    """A panel: a rectangle with a half-disc on top, ``thickness`` deep."""
    outline = [(x - half_width, 0.0), (x + half_width, 0.0)]
    for step in range(49):
        angle = step / 48 * math.pi
        outline.append((x + half_width * math.cos(angle), shoulder + half_width * math.sin(angle)))
    bm = bmesh.new()
    front = bm.faces.new([bm.verts.new(to_blender((px, py, z_back))) for px, py in outline])
    extruded = bmesh.ops.extrude_face_region(bm, geom=[front])
    moved = [item for item in extruded["geom"] if isinstance(item, bmesh.types.BMVert)]
    bmesh.ops.translate(bm, verts=moved, vec=Vector((0.0, thickness, 0.0)))
    bmesh.ops.recalc_face_normals(bm, faces=bm.faces)
    obj = _from_bmesh(name, bm)
    _bevel(obj)
    return obj


def card(name: str, width: float, height: float) -> bpy.types.Object:
    """A flat rectangle in Blender's x-z plane facing -y (the camera), its bottom edge's middle at the
    origin, with UVs over the whole cut-out."""
    mesh = bpy.data.meshes.new(name)
    mesh.from_pydata([(-width / 2, 0, 0), (width / 2, 0, 0), (width / 2, 0, height), (-width / 2, 0, height)], [],
                     [(0, 1, 2, 3)])
    uv = mesh.uv_layers.new(name="UVMap")
    for loop, corner in zip(uv.data, ((0, 0), (1, 0), (1, 1), (0, 1))):
        loop.uv = corner
    return _object(name, mesh)


def ellipse_puck(name: str, centre: Sequence[float], half_x: float, half_depth: float, height: float
                 ) -> bpy.types.Object:
    """A flat elliptic puck (the product's footprint), for its contact shadow."""
    bm = bmesh.new()
    bmesh.ops.create_cone(bm, cap_ends=True, segments=48, radius1=1.0, radius2=1.0, depth=1.0)
    bmesh.ops.scale(bm, vec=Vector((half_x, half_depth, height)), verts=bm.verts)
    bmesh.ops.translate(bm, verts=bm.verts, vec=to_blender(centre) + Vector((0, 0, height / 2)))
    return _from_bmesh(name, bm)


def only_for(obj: bpy.types.Object, *, camera: bool = False, diffuse: bool = False, glossy: bool = False,
             shadow: bool = False, transmission: bool = False) -> None:
    """Which kinds of rays see ``obj`` (a shadow-only gobo, a product card seen only in reflections)."""
    obj.visible_camera, obj.visible_diffuse, obj.visible_glossy = camera, diffuse, glossy
    obj.visible_shadow, obj.visible_transmission, obj.visible_volume_scatter = shadow, transmission, False


def aim(obj: bpy.types.Object, target: Vector) -> None:
    """Turn a light or camera so its -Z axis looks at ``target``."""
    obj.rotation_euler = (target - obj.location).to_track_quat("-Z", "Y").to_euler()


def area_light(name: str, location: Vector, target: Vector, diameter: float, power: float,
               colour: Sequence[float]) -> bpy.types.Object:
    light = bpy.data.lights.new(name, "AREA")
    light.shape, light.size, light.energy, light.color = "DISK", diameter, power, tuple(colour)
    obj = bpy.data.objects.new(name, light)
    bpy.context.scene.collection.objects.link(obj)
    obj.location = location
    aim(obj, target)
    return obj
