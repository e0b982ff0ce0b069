"""The render worker's job: build the planned scene in Blender and render it with Cycles.

Called in the worker process as ``run(job, report)`` (see ``scene/worker.py``); ``job`` is the
plan's plain data plus the cut-out (and a painted wall) as arrays; the result is the rendered
frame as an array, and, when light falls across the product, how much of it reaches each
product pixel.
"""
from __future__ import annotations

import math
import os
import re
import tempfile
import time
from typing import Callable

import bpy
import numpy as np
from mathutils import Vector

from stylelab.product.scene.blender import objects
from stylelab.product.scene.blender.materials import MATERIAL_GRAPHS, cutout_material, wall_texture_material
from stylelab.product.scene.blender.objects import to_blender

KEY_ON_FLOOR = 0.43  # what the key light alone gives a white horizontal surface at the product (1 = white)
AMBIENT = 0.13  # the open sky around the set: shadows are never black
FILL_ON_PRODUCT = 0.06  # a weak fill from the camera side
UNIT_METRES = 0.25  # one product height in metres: depth of field is worked out at this real size
_SAMPLES = re.compile(r"Sample (\d+)/(\d+)")


def run(job: dict, report: Callable[[int, int], None]) -> dict:
    started = time.perf_counter()
    plan = job["plan"]
    _reset(plan, job.get("threads", 0))
    product_image = _image("product", job["cutout"])
    if plan["marketplace"]:
        _build_marketplace(plan, product_image)
    else:
        _build_set(plan, job.get("wall"))
        _build_product(plan, product_image, light_pass=False)
        _build_lights(plan)
    _build_camera(plan)
    frame = _render(plan, report, transparent=plan["marketplace"])
    result = {"image": frame, "seconds": 0.0}
    if plan["shade_product"] and not plan["marketplace"]:
        result["product_light"] = _product_light(plan, product_image, report)
    result["seconds"] = time.perf_counter() - started
    result["device"] = bpy.context.scene.cycles.device
    return result


def _reset(plan: dict, threads: int) -> None:
    bpy.ops.wm.read_factory_settings(use_empty=True)
    scene = bpy.context.scene
    scene.render.engine = "CYCLES"
    width, height = plan["render_size"]
    scene.render.resolution_x, scene.render.resolution_y, scene.render.resolution_percentage = width, height, 100
    scene.render.threads_mode = "FIXED" if threads else "AUTO"
    if threads:
        scene.render.threads = threads
    scene.render.dither_intensity = 0.0  # the same plan always gives the same bytes
    scene.unit_settings.scale_length = UNIT_METRES
    view = scene.view_settings
    view.view_transform, view.look, view.exposure, view.gamma = "Standard", "None", 0.0, 1.0  # palette hex in = out
    cycles = scene.cycles
    cycles.device = _device(plan["device"])
    quality = plan["quality"]
    cycles.samples = quality["samples"]
    cycles.use_adaptive_sampling, cycles.adaptive_threshold = True, quality["noise_threshold"]
    cycles.seed = plan["seed"]
    cycles.max_bounces, cycles.diffuse_bounces, cycles.glossy_bounces = 4, 2, 2
    cycles.transmission_bounces, cycles.transparent_max_bounces = 4, 8
    cycles.caustics_reflective = cycles.caustics_refractive = False
    cycles.sample_clamp_indirect = 4.0  # no fireflies from the glossy props
    cycles.blur_glossy = 1.0
    cycles.use_light_tree = False  # two lights and the sky: the tree costs ~15 % and picks no better
    cycles.use_denoising = quality["denoise"]
    if quality["denoise"]:
        cycles.denoiser = "OPENIMAGEDENOISE"
        cycles.denoising_input_passes = "RGB_ALBEDO_NORMAL"
        cycles.denoising_prefilter = quality["prefilter"]
        cycles.denoising_quality = quality["denoise_quality"]
    scene.render.use_persistent_data = True  # the next seed reuses what it can of the built scene


def _device(wanted: str) -> str:
    """GPU where Cycles finds one (OptiX, then CUDA, HIP, oneAPI), else the CPU."""
    if wanted == "cpu":
        return "CPU"
    preferences = bpy.context.preferences.addons["cycles"].preferences
    for backend in ("OPTIX", "CUDA", "HIP", "ONEAPI"):
        try:
            preferences.compute_device_type = backend
        except TypeError:
            continue
        preferences.get_devices()
        gpus = [device for device in preferences.devices if device.type == backend]
        if gpus:
            for device in preferences.devices:
                device.use = device.type == backend
            return "GPU"
    return "CPU"


def _image(name: str, pixels: np.ndarray, linear: bool = False) -> bpy.types.Image:
    """An array [h, w, 3 or 4] (uint8 sRGB or float) as a Blender image, rows flipped (Blender's start at the bottom)."""
    height, width = pixels.shape[:2]
    data = pixels.astype(np.float32) / (255.0 if pixels.dtype == np.uint8 else 1.0)
    if data.shape[2] == 3:
        data = np.concatenate([data, np.ones((height, width, 1), np.float32)], 2)
    image = bpy.data.images.new(name, width, height, alpha=True, float_buffer=False)
    image.colorspace_settings.name = "Non-Color" if linear else "sRGB"
    image.alpha_mode = "STRAIGHT"
    image.pixels.foreach_set(np.ascontiguousarray(data[::-1]).reshape(-1))
    image.pack()
    return image


def _material(spec: dict, accent, seed: int) -> bpy.types.Material:
    return MATERIAL_GRAPHS[spec["material"]](spec["material"], tuple(spec["colour"]), tuple(accent), seed)


def _build_set(plan: dict, wall: np.ndarray | None) -> None:
    accent, seed = plan["accent"], plan["seed"]
    sweep = objects.sweep(plan["sweep"]["back"], plan["sweep"]["radius"])
    sweep.data.materials.append(_material(plan["floor"], accent, seed))
    wall_material = (wall_texture_material("painted wall", _image("wall", wall)) if wall is not None
                     else _material(plan["wall"], accent, seed + 1))
    sweep.data.materials.append(wall_material)
    for index, part in enumerate(plan["parts"]):
        shape, params = part["shape"], part["params"]
        name = f"{part['surface']} {index}"
        if shape == "Cylinder":
            obj = objects.cylinder(name, **params)
        elif shape == "Box":
            obj = objects.box(name, params["low"], params["high"])
        elif shape == "Sphere":
            obj = objects.sphere(name, params["centre"], params["radius"])
        elif shape == "Arch":
            obj = objects.arch(name, **params)
        elif shape == "Shelf":
            w, d, top, t = params["half_width"], params["depth"], params["top"], params["thickness"]
            obj = objects.box(name, (-w, top - t, plan["sweep"]["back"]), (w, top, plan["sweep"]["back"] + d))
        else:
            raise ValueError(shape)
        obj.data.materials.append(_material(part, accent, seed + index + 2))
    for index, polygon in enumerate(plan["gobo"]):
        mesh = bpy.data.meshes.new(f"gobo {index}")
        mesh.from_pydata([tuple(to_blender(p)) for p in polygon], [], [tuple(range(len(polygon)))])
        piece = bpy.data.objects.new(f"gobo {index}", mesh)
        bpy.context.scene.collection.objects.link(piece)
        objects.only_for(piece, shadow=True)
    _sky(AMBIENT)


def _sky(strength: float) -> None:
    """A uniform, neutral sky around the set: shadows are never black, the set's colours stay its own."""
    world = bpy.data.worlds.new("sky")
    bpy.context.scene.world = world
    if world.node_tree is None:  # older Blender: node trees are opt-in
        world.use_nodes = True
    background = world.node_tree.nodes["Background"]
    background.inputs["Color"].default_value = (1.0, 1.0, 1.0, 1.0)
    background.inputs["Strength"].default_value = strength


def _build_product(plan: dict, image: bpy.types.Image, light_pass: bool) -> None:
    """The product as two cards from its cut-out, never seen by the camera: one faces the camera (seen in
    reflections and bounce light), one faces the light (casts the full silhouette's shadow); and its
    footprint, a thin puck that darkens the contact. In the light pass the camera sees a grey card."""
    product = plan["product"]
    base = to_blender((0.0, product["base"], 0.0))
    facing = objects.card("product", product["aspect"], 1.0)
    facing.location = base
    facing.rotation_euler = (-math.radians(plan["camera"]["pitch"]), 0.0, 0.0)  # square to the view
    facing.data.materials.append(cutout_material("product", image, colour_only=light_pass))
    if light_pass:
        objects.only_for(facing, camera=True)
        return
    objects.only_for(facing, diffuse=True, glossy=True)
    caster = objects.card("product shadow", product["aspect"], 1.0)
    caster.location = base
    lx, _, lz = plan["light"]["direction"]
    caster.rotation_euler = (0.0, 0.0, math.atan2(lx, lz))  # its face square to the light, seen from above
    caster.data.materials.append(cutout_material("product shadow", image))
    objects.only_for(caster, shadow=True)
    # every part that rests on the surface (a base, each wheel or foot) gets its footprint there, behind the
    # outline's front edge and out of sight: a tight contact shadow under each
    for index, contact in enumerate(product["contacts"]):
        foot = objects.ellipse_puck(f"footprint {index}", (contact["x"], product["base"], contact["z"]),
                                    contact["half_width"], contact["half_depth"], 0.02)
        objects.only_for(foot, shadow=True, diffuse=True)


def _light_power(value_on_floor: float, diameter: float, distance: float, elevation: float) -> float:
    """Watts for a disk light so a white horizontal surface at ``distance`` reads ``value_on_floor``.
    (Cycles: a disk of power P has radiance P / (pi * area); a white diffuse surface reads E / pi.)"""
    radius = diameter / 2
    return value_on_floor * math.pi ** 2 * (radius ** 2 + distance ** 2) / max(math.sin(math.radians(elevation)), 0.1)


def _build_lights(plan: dict) -> None:
    light = plan["light"]
    centre = to_blender((0.0, plan["product"]["base"] + 0.5, 0.0))
    direction = to_blender(light["direction"])
    location = centre + direction * light["distance"]
    power = _light_power(KEY_ON_FLOOR, light["diameter"], light["distance"], light["elevation"])
    objects.area_light("key", location, centre, light["diameter"], power, light["colour"])
    camera = to_blender(plan["camera"]["position"])
    fill_at = centre + (camera - centre).normalized() * 6.0 + Vector((0.0, 0.0, 1.5))
    fill_power = _light_power(FILL_ON_PRODUCT, 4.0, (fill_at - centre).length, 90.0)
    objects.area_light("fill", fill_at, centre, 4.0, fill_power, (1.0, 1.0, 1.0))


def _build_marketplace(plan: dict, image: bpy.types.Image) -> None:
    """White seamless: only the product's soft contact shadow on a shadow-catching floor, under a large
    overhead light and a white sky; everything else renders transparent (then pure white)."""
    floor = objects.card("floor", 60.0, 60.0)
    floor.rotation_euler = (math.radians(-90), 0.0, 0.0)
    floor.location = (0.0, -30.0, plan["product"]["base"])
    floor.is_shadow_catcher = True
    _build_product(plan, image, light_pass=False)
    _build_lights(plan)
    _sky(0.03)  # a dim sky: the shadow catcher keeps the overhead light's soft contact shadow, not a haze


def _build_camera(plan: dict) -> None:
    spec = plan["camera"]
    data = bpy.data.cameras.new("camera")
    data.lens, data.sensor_width, data.sensor_fit = spec["lens_mm"], 36.0, "AUTO"
    data.shift_x, data.shift_y = spec["shift"]
    data.clip_start, data.clip_end = 0.05, 500.0
    if plan["f_stop"]:
        data.dof.use_dof = True
        data.dof.focus_distance = spec["focus_distance"]
        data.dof.aperture_fstop = plan["f_stop"]
    camera = bpy.data.objects.new("camera", data)
    bpy.context.scene.collection.objects.link(camera)
    camera.location = to_blender(spec["position"])
    camera.rotation_euler = (math.radians(90.0 - spec["pitch"]), 0.0, 0.0)
    bpy.context.scene.camera = camera


def _render(plan: dict, report: Callable[[int, int], None], transparent: bool) -> np.ndarray:
    scene = bpy.context.scene
    scene.render.film_transparent = transparent
    settings = scene.render.image_settings
    settings.file_format, settings.color_mode, settings.color_depth = "PNG", "RGBA" if transparent else "RGB", "8"
    settings.compression = 0

    def stats(*args) -> None:  # "... Sample 12/32 ..." while Cycles renders
        text = " ".join(str(a) for a in args if isinstance(a, str))
        found = _SAMPLES.search(text)
        if found:
            report(int(found.group(1)), int(found.group(2)))

    bpy.app.handlers.render_stats.append(stats)
    handle, path = tempfile.mkstemp(suffix=".png", prefix="stylelab-render-")
    os.close(handle)
    try:
        scene.render.filepath = path
        bpy.ops.render.render(write_still=True)
        from PIL import Image  # the worker's only image reader: PNG bytes back as an array
        with Image.open(path) as rendered:
            return np.asarray(rendered.convert("RGBA" if transparent else "RGB")).copy()
    finally:
        bpy.app.handlers.render_stats.remove(stats)
        os.unlink(path)


def _product_light(plan: dict, image: bpy.types.Image, report: Callable[[int, int], None]) -> np.ndarray:
    """How much key light reaches each product pixel through the gobo and past the set: the scene
    again, the camera now seeing a grey card where the product is, at a third of the size."""
    for obj in list(bpy.data.objects):
        if obj.name.startswith(("product", "footprint", "fill")):  # only the key light, as the set blocks it
            bpy.data.objects.remove(obj)
    _build_product(plan, image, light_pass=True)
    scene = bpy.context.scene
    scene.world.node_tree.nodes["Background"].inputs["Strength"].default_value = 0.0
    scene.render.resolution_percentage = 40  # the pattern is large: 40 % keeps its edges and costs little
    scene.cycles.samples = min(4, scene.cycles.samples)
    return _render(plan, report, transparent=False)
