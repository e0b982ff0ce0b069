"""Set materials as node graphs, one function each, coloured from the scene's palette.

Texture coordinates are the object's own (meshes are built in world units, so a texture's
scale is in product heights on every surface). Each material keeps its mean colour at the
palette's colour, so a palette's hex lands in the render as chosen.
"""
from __future__ import annotations

from typing import Callable

import bpy
import numpy as np

from stylelab.product.scene.blender.nodes import Graph, new_material, out
from stylelab.product.scene.palette import srgb_to_linear

Rgb = tuple[float, float, float]


def linear_rgba(rgb: Rgb) -> tuple[float, float, float, float]:
    """Blender's colours are scene-linear; the palette is sRGB."""
    return (*(float(c) for c in srgb_to_linear(np.array(rgb))), 1.0)  # type: ignore[return-value]


def _shade(rgb: Rgb, factor: float) -> Rgb:
    return tuple(min(1.0, c * factor) for c in rgb)  # type: ignore[return-value]


def _principled(graph: Graph, colour, roughness, **inputs) -> bpy.types.Node:
    bsdf = graph.node("ShaderNodeBsdfPrincipled", {"Base Color": colour, "Roughness": roughness, **inputs})
    graph.node("ShaderNodeOutputMaterial", {"Surface": out(bsdf)})
    return bsdf


def _coordinates(graph: Graph, scale: tuple[float, float, float] = (1.0, 1.0, 1.0), seed: int = 0):
    coords = graph.node("ShaderNodeTexCoord")
    mapping = graph.node("ShaderNodeMapping", {"Vector": out(coords, "Object"), "Scale": scale,
                                               "Location": (seed * 7.31 % 50, seed * 3.17 % 50, 0.0)})
    return out(mapping)


def _ramp(graph: Graph, fac, stops: list[tuple[float, Rgb]]) -> bpy.types.NodeSocket:
    node = graph.node("ShaderNodeValToRGB", {"Fac": fac})
    elements = node.color_ramp.elements
    elements[0].position, elements[0].color = stops[0][0], linear_rgba(stops[0][1])
    elements[1].position, elements[1].color = stops[-1][0], linear_rgba(stops[-1][1])
    for position, colour in stops[1:-1]:
        element = elements.new(position)
        element.color = linear_rgba(colour)
    return out(node, "Color")


def _bump(graph: Graph, height, strength: float, distance: float = 0.02) -> bpy.types.NodeSocket:
    return out(graph.node("ShaderNodeBump", {"Height": height, "Strength": strength, "Distance": distance}))


def matte(name: str, colour: Rgb, accent: Rgb, seed: int) -> bpy.types.Material:
    """Plaster-like matte paint: the colour, a very faint mottling so it is not CG-flat."""
    material, graph = new_material(name)
    noise = graph.node("ShaderNodeTexNoise", {"Vector": _coordinates(graph, seed=seed), "Scale": 3.0, "Detail": 6.0})
    colour_out = _ramp(graph, out(noise, "Fac"), [(0.3, _shade(colour, 0.985)), (0.7, _shade(colour, 1.015))])
    # paint and paper have little sheen: a low specular keeps a saturated colour saturated at grazing views
    _principled(graph, colour_out, 0.85, Normal=_bump(graph, out(noise, "Fac"), 0.02), **{"Specular IOR Level": 0.15})
    return material


def marble(name: str, colour: Rgb, accent: Rgb, seed: int) -> bpy.types.Material:
    """Polished stone with soft veins: wave bands warped by noise, feathered, fading along their length."""
    material, graph = new_material(name)
    vector = _coordinates(graph, (0.9, 0.9, 0.9), seed)
    warp = graph.node("ShaderNodeTexNoise", {"Vector": vector, "Scale": 1.2, "Detail": 8.0, "Roughness": 0.6})
    bands = graph.node("ShaderNodeTexWave", {"Vector": vector, "Scale": 0.9, "Distortion": 9.0, "Detail": 4.0,
                                             "Detail Roughness": 0.6}, wave_type="BANDS", bands_direction="DIAGONAL",
                       wave_profile="SIN")
    ink = tuple(0.8 * c + 0.07 * a for c, a in zip(colour, accent))  # a deeper shade of the stone, a little tinted
    # a soft core in a wide feathered halo: veins, not cracks
    vein = _ramp(graph, out(bands, "Fac"), [(0.0, ink), (0.1, _shade(colour, 0.95)), (0.4, colour), (1.0, colour)])
    cloud = _ramp(graph, out(warp, "Fac"), [(0.35, _shade(colour, 0.97)), (0.65, _shade(colour, 1.03))])
    mix = graph.node("ShaderNodeMix", {"Factor_Float": 0.5, "A_Color": cloud, "B_Color": vein}, data_type="RGBA",
                     blend_type="MULTIPLY")
    _principled(graph, out(mix, "Result_Color"), 0.12, **{"Coat Weight": 0.3, "Coat Roughness": 0.05})
    return material


def wood(name: str, colour: Rgb, accent: Rgb, seed: int) -> bpy.types.Material:
    """Grain along one direction: rings stretched along x, broken by noise, with fine fibres."""
    material, graph = new_material(name)
    vector = _coordinates(graph, (0.12, 1.6, 1.6), seed)
    rings = graph.node("ShaderNodeTexWave", {"Vector": vector, "Scale": 1.3, "Distortion": 7.0, "Detail": 5.0,
                                             "Detail Roughness": 0.65}, wave_type="RINGS", rings_direction="X",
                       wave_profile="SIN")
    fibre = graph.node("ShaderNodeTexNoise", {"Vector": _coordinates(graph, (1.0, 60.0, 60.0), seed), "Scale": 1.0,
                                              "Detail": 2.0})
    grain = graph.node("ShaderNodeMix", {"Factor_Float": 0.35, "A_Float": out(rings, "Fac"),
                                         "B_Float": out(fibre, "Fac")}, data_type="FLOAT")
    dark = tuple(0.8 * c + 0.06 * a for c, a in zip(colour, accent))
    tone = _ramp(graph, out(grain, "Result_Float"), [(0.1, _shade(colour, 1.05)), (0.55, colour), (0.95, dark)])
    _principled(graph, tone, 0.45, Normal=_bump(graph, out(grain, "Result_Float"), 0.05))
    return material


def terrazzo(name: str, colour: Rgb, accent: Rgb, seed: int) -> bpy.types.Material:
    """Stone chips of a few sizes in a polished ground: two Voronoi scales, each cell's own tint."""
    material, graph = new_material(name)
    ground = _shade(colour, 1.02)
    chips: bpy.types.NodeSocket | None = None
    for scale, share, tint in ((9.0, 0.32, accent), (22.0, 0.30, _shade(colour, 0.55)), (45.0, 0.38, _shade(accent, 1.25))):
        vector = _coordinates(graph, seed=seed + int(scale))
        cells = graph.node("ShaderNodeTexVoronoi", {"Vector": vector, "Scale": scale, "Randomness": 1.0},
                           feature="DISTANCE_TO_EDGE")
        tints = graph.node("ShaderNodeTexVoronoi", {"Vector": vector, "Scale": scale, "Randomness": 1.0},
                           feature="F1")
        # a chip is a cell shrunk away from its edges: an angular stone, not a round blob
        edge = graph.node("ShaderNodeMath", {"Value": out(cells, "Distance"), "Value_001": share * 0.5},
                          operation="GREATER_THAN")
        keep = graph.node("ShaderNodeSeparateXYZ", {"Vector": out(tints, "Color")})
        picked = graph.node("ShaderNodeMath", {"Value": out(keep, "X"), "Value_001": 0.55}, operation="GREATER_THAN")
        chip = graph.node("ShaderNodeMath", {"Value": out(edge), "Value_001": out(picked)}, operation="MULTIPLY")
        shade = graph.node("ShaderNodeMix", {"Factor_Float": out(keep, "Y"), "A_Color": linear_rgba(tint),
                                             "B_Color": linear_rgba(_shade(tint, 0.8))}, data_type="RGBA")
        base = chips if chips is not None else linear_rgba(ground)
        mixed = graph.node("ShaderNodeMix", {"Factor_Float": out(chip), "A_Color": base,
                                             "B_Color": out(shade, "Result_Color")}, data_type="RGBA")
        chips = out(mixed, "Result_Color")
    _principled(graph, chips, 0.22, **{"Coat Weight": 0.15})
    return material


def linen(name: str, colour: Rgb, accent: Rgb, seed: int) -> bpy.types.Material:
    """A woven fabric: warp and weft bands with slubs, as colour and as bump."""
    material, graph = new_material(name)
    vector = _coordinates(graph, seed=seed)
    warp = graph.node("ShaderNodeTexWave", {"Vector": vector, "Scale": 90.0, "Distortion": 0.6},
                      wave_type="BANDS", bands_direction="X")
    weft = graph.node("ShaderNodeTexWave", {"Vector": vector, "Scale": 90.0, "Distortion": 0.6},
                      wave_type="BANDS", bands_direction="Y")
    slub = graph.node("ShaderNodeTexNoise", {"Vector": _coordinates(graph, (2.0, 30.0, 1.0), seed), "Scale": 1.5})
    weave = graph.node("ShaderNodeMath", {"Value": out(warp, "Fac"), "Value_001": out(weft, "Fac")},
                       operation="MULTIPLY")
    texture = graph.node("ShaderNodeMix", {"Factor_Float": 0.3, "A_Float": out(weave),
                                           "B_Float": out(slub, "Fac")}, data_type="FLOAT")
    tone = _ramp(graph, out(texture, "Result_Float"), [(0.0, _shade(colour, 0.92)), (1.0, _shade(colour, 1.05))])
    _principled(graph, tone, 0.9, Normal=_bump(graph, out(texture, "Result_Float"), 0.25, 0.004),
                **{"Sheen Weight": 0.4})
    return material


def concrete(name: str, colour: Rgb, accent: Rgb, seed: int) -> bpy.types.Material:
    """Fine-grained cast concrete: soft mottling and small pores."""
    material, graph = new_material(name)
    vector = _coordinates(graph, seed=seed)
    mottle = graph.node("ShaderNodeTexNoise", {"Vector": vector, "Scale": 4.0, "Detail": 10.0, "Roughness": 0.6})
    pores = graph.node("ShaderNodeTexVoronoi", {"Vector": vector, "Scale": 55.0}, feature="F1")
    pore = graph.node("ShaderNodeMath", {"Value": out(pores, "Distance"), "Value_001": 0.08}, operation="LESS_THAN")
    tone = _ramp(graph, out(mottle, "Fac"), [(0.3, _shade(colour, 0.9)), (0.7, _shade(colour, 1.06))])
    darker = graph.node("ShaderNodeMix", {"Factor_Float": out(pore), "A_Color": tone,
                                          "B_Color": linear_rgba(_shade(colour, 0.6))}, data_type="RGBA")
    height = graph.node("ShaderNodeMath", {"Value": out(mottle, "Fac"), "Value_001": out(pore)}, operation="SUBTRACT")
    _principled(graph, out(darker, "Result_Color"), 0.8, Normal=_bump(graph, out(height), 0.15, 0.01))
    return material


def lacquer(name: str, colour: Rgb, accent: Rgb, seed: int) -> bpy.types.Material:
    """Glossy lacquer or acrylic: the colour under a clear coat that mirrors the product."""
    material, graph = new_material(name)
    _principled(graph, linear_rgba(colour), 0.25, **{"Coat Weight": 1.0, "Coat Roughness": 0.02})
    return material


def glass(name: str, colour: Rgb, accent: Rgb, seed: int) -> bpy.types.Material:
    material, graph = new_material(name)
    tint = tuple(0.85 + 0.15 * c for c in colour)
    _principled(graph, linear_rgba(tint), 0.02, **{"Transmission Weight": 1.0, "IOR": 1.45})
    return material


def brushed_metal(name: str, colour: Rgb, accent: Rgb, seed: int) -> bpy.types.Material:
    material, graph = new_material(name)
    streaks = graph.node("ShaderNodeTexNoise", {"Vector": _coordinates(graph, (1.0, 80.0, 1.0), seed), "Scale": 2.0})
    # rough enough to gather the key light and the sweep's colour: a mirror-smooth ball would show the dark room
    rough = _ramp(graph, out(streaks, "Fac"), [(0.3, (0.38, 0.38, 0.38)), (0.7, (0.5, 0.5, 0.5))])
    metal = tuple(0.7 + 0.3 * c for c in colour)
    _principled(graph, linear_rgba(metal), rough, Metallic=1.0, Anisotropic=0.7)
    return material


MATERIAL_GRAPHS: dict[str, Callable[[str, Rgb, Rgb, int], bpy.types.Material]] = {
    "matte": matte, "marble": marble, "wood": wood, "terrazzo": terrazzo, "linen": linen, "concrete": concrete,
    "lacquer": lacquer, "glass": glass, "brushed metal": brushed_metal,
}


def cutout_material(name: str, image: bpy.types.Image, colour_only: bool = False) -> bpy.types.Material:
    """The product card: its cut-out as colour and alpha (transparent where the cut-out is)."""
    material, graph = new_material(name)
    texture = graph.node("ShaderNodeTexImage", image=image, extension="CLIP", interpolation="Linear")
    if colour_only:  # the light pass: a mid grey that shows only how much light falls on the product
        colour = (0.5, 0.5, 0.5, 1.0)
    else:
        colour = out(texture, "Color")
    _principled(graph, colour, 0.6, Alpha=out(texture, "Alpha"))
    return material


def wall_texture_material(name: str, image: bpy.types.Image) -> bpy.types.Material:
    """The wall painted in a style: the style engine's picture spread over the wall, mirrored past its edges."""
    material, graph = new_material(name)
    coords = graph.node("ShaderNodeTexCoord")
    mapping = graph.node("ShaderNodeMapping", {"Vector": out(coords, "Object"), "Scale": (1 / 3.0, 1 / 2.5, 1 / 2.5),
                                               "Location": (0.5, 0.0, 0.0)})
    picked = graph.node("ShaderNodeSeparateXYZ", {"Vector": out(mapping)})
    uv = graph.node("ShaderNodeCombineXYZ", {"X": out(picked, "X"), "Y": out(picked, "Z")})
    texture = graph.node("ShaderNodeTexImage", {"Vector": out(uv)}, image=image, extension="MIRROR")
    _principled(graph, out(texture, "Color"), 0.85)
    return material
