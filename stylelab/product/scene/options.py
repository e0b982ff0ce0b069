"""Scene options as a user gives them (words, hex codes, compass points) into renderer settings.

One place for the CLI, the Product shots tab and the Python API, so the three accept the
same things and refuse bad ones with the same sentences.
"""
from __future__ import annotations

from dataclasses import dataclass

from stylelab.errors import StyleLabError
from stylelab.product.scene.choices import (KIND_MATERIAL, MATERIAL_CHOICES, PAINTED_BACKDROP, PALETTE_SOURCES,
                                            SHOT_SCENES)
from stylelab.product.scene.lights import KeyLight, azimuth_from
from stylelab.product.scene.palette import from_colours, parse_hex_list
from stylelab.product.scene.render import SceneSettings


@dataclass(frozen=True)
class SceneRequest:
    settings: SceneSettings | None  # None: the painted backdrop
    template_palette: bool = False


def scene_request(kind: str = "podium", material: str = "auto", light: str | float = "front-left",
                  elevation: float = 40.0, softness: float = 0.4, gobo: str = "auto", camera_height: float = 0.55,
                  palette: str = "harmonised", brand_colours: str | list[str] | None = None) -> SceneRequest:
    """Settings for a scene from plain words; brand colours (hex codes) win over ``palette``."""
    if kind not in SHOT_SCENES:
        raise StyleLabError(f"Choose a scene from: {', '.join(SHOT_SCENES)}.")
    if kind == PAINTED_BACKDROP:
        return SceneRequest(None)
    if material not in MATERIAL_CHOICES:
        raise StyleLabError(f"Choose a material from: {', '.join(MATERIAL_CHOICES)}.")
    if palette not in PALETTE_SOURCES:
        raise StyleLabError(f"Choose a palette from: {', '.join(PALETTE_SOURCES)}.")
    brand = parse_hex_list(brand_colours)
    if palette == "brand colours" and not brand:
        raise StyleLabError("Give your brand colours as hex codes, e.g. #E8D5C4, #2F4858.")
    chosen_palette = from_colours(brand, "brand colours") if brand else None
    settings = SceneSettings(
        kind=kind, material=KIND_MATERIAL.get(kind, "matte") if material == "auto" else material,
        light=KeyLight(azimuth_from(light), float(elevation), float(softness), gobo),
        camera_height=float(camera_height), palette=chosen_palette,
        harmony="complementary" if palette == "complementary" else "analogous")
    return SceneRequest(settings, template_palette=palette == "template colours" and not brand)
