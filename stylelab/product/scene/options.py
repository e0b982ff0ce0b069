"""Scene options as a user gives them (a ``ScenePick``: words, hex codes, compass points) into
renderer settings.

One place for the CLI, the Product shots tab and the Python API, so the three accept the
same things and refuse bad ones with the same sentences.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from stylelab.errors import StyleLabError
from stylelab.product.scene.choices import (KIND_MATERIAL, LIGHT_ON_PRODUCT, MATERIAL_CHOICES, PAINTED_BACKDROP,
                                            PALETTE_SOURCES, SHOT_SCENES, ScenePick)
from stylelab.product.scene.lights import AUTO, KeyLight, azimuth_from
from stylelab.product.scene.palette import from_colours, parse_hex_list
from stylelab.product.scene.plan import SceneSettings


@dataclass(frozen=True)
class SceneRequest:
    settings: SceneSettings | None  # None: the painted backdrop
    template_palette: bool = False


def _number(value: object, what: str) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise StyleLabError(f"{what} must be a number; got '{value}'.") from None
    if not math.isfinite(number):
        raise StyleLabError(f"{what} must be a finite number.")
    return number


def camera_height_from(value: float | str) -> float | str:
    if isinstance(value, str) and value.strip().lower() == AUTO:
        return AUTO
    return _number(value, "Camera height")


def scene_request(pick: ScenePick = ScenePick()) -> SceneRequest:
    """Settings for a scene from the user's picks; brand colours (hex codes) win over the palette."""
    if pick.kind not in SHOT_SCENES:
        raise StyleLabError(f"Choose a scene from: {', '.join(SHOT_SCENES)}.")
    if pick.kind == PAINTED_BACKDROP:
        return SceneRequest(None)
    if pick.material not in MATERIAL_CHOICES:
        raise StyleLabError(f"Choose a material from: {', '.join(MATERIAL_CHOICES)}.")
    if pick.palette not in PALETTE_SOURCES:
        raise StyleLabError(f"Choose a palette from: {', '.join(PALETTE_SOURCES)}.")
    if pick.light_on_product not in LIGHT_ON_PRODUCT:
        raise StyleLabError(f"Light on the product must be one of: {', '.join(LIGHT_ON_PRODUCT)}.")
    brand = parse_hex_list(pick.brand_colours)
    if pick.palette == "brand colours" and not brand:
        raise StyleLabError("Give your brand colours as hex codes, e.g. #E8D5C4, #2F4858.")
    chosen_palette = from_colours(brand, "brand colours") if brand else None
    light = KeyLight(azimuth_from(pick.light), _number(pick.elevation, "Light elevation"),
                     _number(pick.softness, "Shadow softness"), pick.gobo,
                     _number(pick.temperature, "Light colour temperature"))
    settings = SceneSettings(
        kind=pick.kind, material=KIND_MATERIAL.get(pick.kind, "matte") if pick.material == "auto" else pick.material,
        light=light, camera_height=camera_height_from(pick.camera_height), palette=chosen_palette,
        harmony="complementary" if pick.palette == "complementary" else "analogous",
        f_stop=_number(pick.f_stop, "The f-stop"),
        light_on_product={"auto": None, "on": True, "off": False}[pick.light_on_product])
    return SceneRequest(settings, template_palette=pick.palette == "template colours" and not brand)
