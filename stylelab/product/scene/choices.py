"""The names a user picks from (scene kinds, materials, light patterns, palettes), free of torch
so the command line and the web layer can list them without loading the renderer."""
from __future__ import annotations

from dataclasses import dataclass

SCENE_KINDS = ("podium", "stacked podium", "steps", "arch", "counter", "window light")
PAINTED_BACKDROP = "painted backdrop"  # the abstract backdrops painted by the style networks
SHOT_SCENES = (*SCENE_KINDS, PAINTED_BACKDROP)
MATERIALS = ("matte", "marble", "wood", "terrazzo", "linen", "concrete")
MATERIAL_CHOICES = ("auto", *MATERIALS)  # auto: the scene's own
KIND_MATERIAL = {"counter": "marble", "window light": "wood", "stacked podium": "terrazzo", "steps": "concrete"}
GOBOS = ("auto", "none", "blinds", "window panes", "leaves")  # auto: the scene's own (blinds by a window)
COMPASS = {"front": 0, "front-right": 45, "right": 90, "back-right": 135, "back": 180, "back-left": 225,
           "left": 270, "front-left": 315}
HARMONIES = ("analogous", "complementary")
PALETTE_SOURCES = ("harmonised", "complementary", "brand colours", "template colours")


@dataclass(frozen=True)
class ScenePick:
    """The scene controls as a user sets them (the Product shots tab, the API)."""
    kind: str = "podium"
    material: str = "auto"
    palette: str = "harmonised"
    brand_colours: str = ""
    light: str | float = "front-left"
    elevation: float = 40.0
    softness: float = 0.4
    gobo: str = "auto"
    camera_height: float = 0.55
    paint_wall: bool = False
