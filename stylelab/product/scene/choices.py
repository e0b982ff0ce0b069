"""The names a user picks from (scene kinds, materials, light patterns, palettes, formats) and
what each means, free of torch so the command line and the web layer can list them without
loading the renderer. The descriptions are the one text the CLI's help, the web app's hints and
the docs (``tools/sync_docs.py``) show."""
from __future__ import annotations

from dataclasses import dataclass

PAINTED_BACKDROP = "painted backdrop"  # the abstract backdrops painted by the style networks
SCENE_DESCRIPTIONS: dict[str, str] = {
    "podium": "the product on a round podium in front of a studio sweep, sometimes with a ball beside it",
    "stacked podium": "a tall podium on a wide low one, with a small podium to one side",
    "steps": "the product on a block between a lower and a taller block, like steps",
    "arch": "a low round podium in front of an arched panel",
    "counter": "the product on a counter top against a wall, seen from a little higher",
    "window light": "the product on a surface by a wall, lit through a window (blinds by default)",
    "plinth": "the product on a tall square plinth, in the dappled shade of leaves",
    "shelf": "the product on a shelf fixed to the wall, seen at eye level",
    PAINTED_BACKDROP: "no set: an abstract backdrop painted by the style networks in the chosen template",
}
SHOT_SCENES = tuple(SCENE_DESCRIPTIONS)
SCENE_KINDS = tuple(kind for kind in SHOT_SCENES if kind != PAINTED_BACKDROP)  # the lit 3-D sets
MATERIAL_DESCRIPTIONS: dict[str, str] = {
    "auto": "the scene's own: marble on the counter, wood by the window and on the shelf, terrazzo on stacked "
            "podiums, concrete steps and plinth, matte elsewhere",
    "matte": "plain matte paint in the palette's colour",
    "marble": "polished stone with soft veins; shows a faint reflection",
    "wood": "wood grain along one direction, lightly glossy",
    "terrazzo": "stone chips of a few sizes in a polished ground",
    "linen": "a woven fabric texture",
    "concrete": "fine-grained cast concrete",
    "lacquer": "glossy lacquer or acrylic under a clear coat; mirrors the product",
}
MATERIAL_CHOICES = tuple(MATERIAL_DESCRIPTIONS)
MATERIALS = MATERIAL_CHOICES[1:]
KIND_MATERIAL = {"counter": "marble", "window light": "wood", "stacked podium": "terrazzo", "steps": "concrete",
                 "plinth": "concrete", "shelf": "wood"}
PROP_FINISHES = ("matte", "brushed metal", "glass")  # what a seed may make a prop of (most often matte)
GOBO_DESCRIPTIONS: dict[str, str] = {
    "auto": "the scene's own: blinds for window light, leaves for the plinth, none elsewhere",
    "none": "an open light, no pattern",
    "blinds": "the stripes of window blinds",
    "window panes": "the cross of window panes",
    "leaves": "dappled shade of leaves",
}
GOBOS = tuple(GOBO_DESCRIPTIONS)
COMPASS = {"front": 0, "front-right": 45, "right": 90, "back-right": 135, "back": 180, "back-left": 225,
           "left": 270, "front-left": 315}
HARMONIES = ("analogous", "complementary")
LIGHT_ON_PRODUCT = ("auto", "on", "off")  # auto: on for window light, off elsewhere and for marketplace images
PALETTE_SOURCES = ("harmonised", "complementary", "brand colours", "template colours")


@dataclass(frozen=True)
class Preset:
    """A shot format: its size and how much of the frame the product may take."""
    name: str
    size: tuple[int, int]  # width, height
    fill: float  # share of the frame's shorter side the product's longer side may take
    plain_white: bool = False
    description: str = ""


PRESETS: dict[str, Preset] = {
    preset.name: preset
    for preset in (
        Preset("Marketplace main image", (2000, 2000), 0.85, plain_white=True,
               description="pure white (255, 255, 255) with only a soft contact shadow, the product ~85 % of "
                           "the frame"),
        Preset("Square 2048", (2048, 2048), 0.7, description="a square shot for shops and feeds"),
        Preset("Feed 1:1", (1080, 1080), 0.7, description="a square feed post or ad"),
        Preset("Social 4:5", (1080, 1350), 0.7, description="a portrait feed post"),
        Preset("Story 9:16", (1080, 1920), 0.6, description="a full-screen story or reel"),
        Preset("Link ad 1.91:1", (1200, 628), 0.7, description="a link ad or a shared link's preview"),
        Preset("Banner 16:9", (1920, 1080), 0.7, description="a wide banner or hero image"),
        Preset("Pin 2:3", (1000, 1500), 0.7, description="a tall pin"),
    )
}
DEFAULT_PRESET = "Social 4:5"


@dataclass(frozen=True)
class ScenePick:
    """The scene controls as a user sets them (the Product shots tab, the API)."""
    kind: str = "podium"
    material: str = "auto"
    palette: str = "harmonised"
    brand_colours: str = ""
    light: str | float = "auto"  # where the photo's own shading says the light came from
    elevation: float = 40.0
    softness: float = 0.4
    gobo: str = "auto"
    camera_height: float | str = "auto"  # from the height the photo was taken from
    paint_wall: bool = False
    f_stop: float = 5.6  # depth of field focused on the product; 0 = all sharp
    light_on_product: str = "auto"  # LIGHT_ON_PRODUCT: gobo and set shadows across the product
    temperature: float = 6500.0  # the key light's colour, kelvin
