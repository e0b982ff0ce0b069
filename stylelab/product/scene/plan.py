"""A product shot's plan: everything the Blender worker needs, worked out before it renders.

``plan_scene`` turns a user's ``SceneSettings``, the cut-out, the frame and a seed into a
``ScenePlan`` of plain data: the set's shapes and their materials and colours, the key light
(where the photo says, for ``auto``), the gobo's pieces, the camera that puts the product in its
box (looking from the photo's own height, for ``auto``), the product card and the render quality.
Nothing here imports Blender; the plan's ``job()`` is what travels to the worker.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace

import numpy as np
from PIL import Image

from stylelab.errors import StyleLabError
from stylelab.product.scene.camera import Camera, aim_camera, lift_for_pitch
from stylelab.product.scene.contacts import find_contacts
from stylelab.product.scene.choices import MATERIALS, PROP_FINISHES, SCENE_KINDS
from stylelab.product.scene.geometry import Sphere, Sweep, bounds
from stylelab.product.scene.gobos import gobo_pieces
from stylelab.product.scene.kinds import Part, SceneSet, build_set
from stylelab.product.scene.lights import AUTO, KeyLight, kelvin_to_rgb
from stylelab.product.scene.palette import Palette, dominant_colour, harmonised
from stylelab.product.scene.photo_light import LightEstimate, ViewEstimate, estimate_light, estimate_view

LIGHT_DISTANCE = 7.0  # product heights from the product's middle to the key light
GOBO_LIGHT_DISTANCE = 11.0  # further with a gobo, so its shadow is sharp enough to read
LIGHT_JITTER = (8.0, 4.0)  # degrees of azimuth and elevation a seed may move the light
CONFIDENT = 0.35  # below this the photo's shading or outline is not trusted: the studio default is used
DEFAULT_PITCH = 10.0  # degrees: a product photo's usual view, a little from above
PRODUCT_TEXTURE_SIDE = 640  # px on the longer side of the cut-out the worker lays on its cards
MARKETPLACE_SCALE = 0.3  # the marketplace render holds only a soft shadow: rendered small, then scaled up


@dataclass(frozen=True)
class SceneSettings:
    kind: str = "podium"
    material: str = "matte"  # of the podium, or of the surface for table-top kinds
    light: KeyLight = KeyLight()
    camera_height: float | str = AUTO  # over the product's base, in product heights; auto: the photo's view
    palette: Palette | None = None  # None: harmonised with the product
    harmony: str = "analogous"
    f_stop: float = 5.6  # depth of field, focused on the product; 0 = all sharp
    light_on_product: bool | None = None  # gobo and set shadows across the product; None: on for window light
    samples: int | None = None  # None: by the frame's size (a preview needs fewer)

    def __post_init__(self) -> None:
        if self.kind not in SCENE_KINDS:
            raise StyleLabError(f"Choose a scene from: {', '.join(SCENE_KINDS)}.")
        if self.material not in MATERIALS:
            raise StyleLabError(f"Choose a material from: {', '.join(MATERIALS)}.")
        if self.camera_height != AUTO and not (isinstance(self.camera_height, (int, float))
                                               and -0.3 <= self.camera_height <= 3.0):
            raise StyleLabError("Camera height must be auto or from -0.3 to 3 product heights.")
        if self.f_stop and not 1.4 <= self.f_stop <= 22:
            raise StyleLabError("The f-stop must be from 1.4 to 22 (or 0 for everything sharp).")
        if self.samples is not None and not 1 <= self.samples <= 4096:
            raise StyleLabError("Samples must be from 1 to 4096.")

    @property
    def shades_product(self) -> bool:
        return self.kind == "window light" if self.light_on_product is None else bool(self.light_on_product)


@dataclass(frozen=True)
class Quality:
    samples: int
    noise_threshold: float
    denoise: bool = True
    prefilter: str = "FAST"  # the denoiser's albedo/normal prefilter: FAST is enough for clean CG passes
    denoise_quality: str = "BALANCED"


def quality_for(frame: tuple[int, int], samples: int | None) -> Quality:
    """The render quality: a given sample count (tests, power users), else what measured clean at 1080 px."""
    pixels = frame[0] * frame[1]
    if samples is not None:  # tests' tiny renders: no denoiser below a few samples or on thumbnails
        return Quality(samples, 0.05, denoise=samples >= 3 and pixels > 20000, denoise_quality="FAST")
    # measured on 1080x1350 crops: 3 samples and the fast denoiser read as clean as 4 (and 25 % sooner)
    return Quality(3, 0.05, denoise_quality="FAST")


@dataclass(frozen=True)
class ScenePlan:
    frame: tuple[int, int]
    render_size: tuple[int, int]
    seed: int
    kind: str
    sweep: Sweep
    parts: tuple[dict, ...]  # shape name, its parameters, surface role, material and colour
    floor: dict
    wall: dict
    accent: tuple[float, float, float]
    palette: Palette
    light: KeyLight
    light_source: str  # "photo shading", "studio default (the photo's shading is unclear)" or "chosen"
    light_estimate: LightEstimate | None
    view_estimate: ViewEstimate | None
    camera: Camera
    product: dict  # aspect, base (support height) and contacts (footprints where it rests on the surface)
    box: tuple[int, int, int, int]
    gobo: tuple[list, ...]
    f_stop: float
    shade_product: bool
    marketplace: bool
    quality: Quality
    device: str

    def job(self) -> dict:
        """The plan as the worker reads it (plain lists, numbers and strings)."""
        light = self.light
        distance = GOBO_LIGHT_DISTANCE if self.gobo else LIGHT_DISTANCE
        # light through a gobo is sunlight through a window: a small source, so the pattern stays readable
        spread = math.tan(math.radians(0.2 + 3.0 * light.softness)) if self.gobo else light.spread
        focus = float(np.linalg.norm(np.array(self.camera.position) - np.array([0.0, self.product["base"] + 0.5, 0])))
        return {"frame": list(self.frame), "render_size": list(self.render_size), "seed": self.seed, "kind": self.kind,
                "sweep": asdict(self.sweep), "parts": list(self.parts), "floor": self.floor, "wall": self.wall,
                "accent": list(self.accent),
                "light": {"direction": light.direction.tolist(), "elevation": light.elevation,
                          "diameter": 2 * distance * spread, "distance": distance,
                          "colour": list(kelvin_to_rgb(light.temperature))},
                "camera": {"position": list(self.camera.position), "pitch": self.camera.pitch,
                           "lens_mm": self.camera.lens_mm, "shift": list(self.camera.shift), "focus_distance": focus},
                "product": self.product, "gobo": [list(p) for p in self.gobo], "f_stop": self.f_stop,
                "shade_product": self.shade_product, "marketplace": self.marketplace,
                "quality": asdict(self.quality), "device": self.device}

    def record(self) -> dict:
        """The sidecar's scene part: enough to see and reproduce how the shot was made."""
        light = {"azimuth": round(float(self.light.azimuth), 1), "elevation": self.light.elevation,
                 "softness": self.light.softness, "gobo": self.light.gobo, "temperature": self.light.temperature,
                 "source": self.light_source}
        if self.light_estimate is not None:
            light["estimate"] = self.light_estimate.describe()
        camera = self.camera.describe() | {"f_stop": self.f_stop}
        if self.view_estimate is not None:
            camera["view_estimate"] = self.view_estimate.describe()
        return {"scene": "marketplace white" if self.marketplace else self.kind, "seed": self.seed,
                "size": list(self.frame), "camera": camera, "light": light, "palette": self.palette.describe(),
                "material": next((p["material"] for p in self.parts if p["surface"] == "podium"),
                                 self.floor["material"]),
                "set": [{"shape": p["shape"], "surface": p["surface"], "material": p["material"]} for p in self.parts],
                "light_on_product": self.shade_product, "product_box": list(self.box),
                "contacts": [{k: round(v, 3) for k, v in c.items()} for c in self.product["contacts"]],
                "product_base": [0.0, self.product["base"], 0.0], "product_height": 1.0,
                "renderer": {"engine": "Blender Cycles", "samples": self.quality.samples,
                             "denoised": self.quality.denoise, "render_size": list(self.render_size)}}


def crop_to_product(cutout: Image.Image) -> Image.Image:
    """The cut-out cropped to its visible pixels, so its lowest row is where it stands."""
    rgba = cutout.convert("RGBA")
    box = rgba.getchannel("A").point(lambda a: 255 if a >= 8 else 0).getbbox()
    if box is None:
        raise StyleLabError("The cut-out is fully transparent: there is no product to place.")
    return rgba.crop(box)


def product_box(cutout_size: tuple[int, int], frame: tuple[int, int], fill: float, scale: float, x: float,
                y: float, padding: float, below: float = 0.0) -> tuple[int, int, int, int]:
    """Where the cut-out goes: the painted backdrops' sizing rules, applied to the product and
    what it stands on (``below`` its own height more), so a podium fits in the frame too."""
    width, height = frame
    pad_x, pad_y = round(padding * width), round(padding * height)
    room_w, room_h = width - 2 * pad_x, height - 2 * pad_y
    group = (cutout_size[0], cutout_size[1] * (1 + below))
    target = fill * scale * min(width, height)
    factor = min(target / max(group), room_w / group[0], room_h / group[1])
    product_w, product_h = max(1, round(cutout_size[0] * factor)), max(1, round(cutout_size[1] * factor))
    group_h = round(group[1] * factor)
    left, top = pad_x + round(x * (room_w - product_w)), pad_y + round(y * (room_h - group_h))
    return left, top, left + product_w, top + product_h


def horizon_row(camera: Camera, sweep: Sweep) -> float:
    """Image row of the line where the floor turns into the wall (the middle of the cove)."""
    r, back = sweep.radius, sweep.back
    (pixel,), _ = camera.project(np.array([[0.0, r * (1 - math.sqrt(0.5)), back + r * (1 - math.sqrt(0.5))]]))
    return float(pixel[1])


def clear_horizon(scene: SceneSet, camera: Camera, box: tuple[int, int, int, int]) -> SceneSet:
    """Move the wall closer until its line is not across the product's middle (lower 15% is fine)."""
    top, bottom = box[1], box[3]
    limit = bottom - 0.15 * (bottom - top)
    nearest = max((-low[2] for low, _ in map(bounds, (part.shape for part in scene.parts))), default=0.0) + 0.15
    while scene.sweep.back < -max(0.3, nearest):
        row = horizon_row(camera, scene.sweep)
        hidden = not scene.floor_is_surface and row > top + 0.85 * (bottom - top)
        if row >= limit or row < top - 0.05 * (bottom - top) or hidden:
            break
        scene = replace(scene, sweep=Sweep(back=scene.sweep.back * 0.9, radius=scene.sweep.radius))
    return scene


def _finish(part: Part, material: str, rng: np.random.Generator) -> str:
    """A podium takes the chosen material; a ball beside it may be glass or brushed metal by the seed;
    other props (a base, a panel, a block) stay matte so they never outshine the product."""
    if part.surface == "podium":
        return material
    if not isinstance(part.shape, Sphere):
        return "matte"
    return PROP_FINISHES[int(rng.choice(len(PROP_FINISHES), p=(0.7, 0.15, 0.15)))]


def _varied(light: KeyLight, rng: np.random.Generator) -> KeyLight:
    """The seed moves the light a little within what was chosen (a few degrees round and up or down),
    so seeds differ in their shadows too, never so much that the light changes sides."""
    azimuth = (float(light.azimuth) + rng.uniform(-LIGHT_JITTER[0], LIGHT_JITTER[0])) % 360
    elevation = float(np.clip(light.elevation + rng.uniform(-LIGHT_JITTER[1], LIGHT_JITTER[1]), 5, 85))
    return replace(light, azimuth=round(azimuth, 1), elevation=round(elevation, 1))


def _resolve_light(settings: SceneSettings, cutout: Image.Image, default_gobo: str
                   ) -> tuple[KeyLight, str, LightEstimate | None]:
    light, estimate = settings.light, None
    gobo = default_gobo if light.gobo == "auto" else light.gobo
    if light.azimuth != AUTO:
        return replace(light, gobo=gobo), "chosen", None
    estimate = estimate_light(cutout)
    if estimate.confidence >= CONFIDENT:
        return replace(light, azimuth=estimate.azimuth, gobo=gobo), "photo shading", estimate
    return replace(light, azimuth=315.0, gobo=gobo), "studio default (the photo's shading is unclear)", estimate


def plan_scene(cutout: Image.Image, frame: tuple[int, int], settings: SceneSettings, seed: int, fill: float = 0.7,
               scale: float = 1.0, x: float = 0.5, y: float = 0.6, padding: float = 0.05,
               marketplace: bool = False, device: str = "cpu") -> ScenePlan:
    """The plan of one shot of the RGBA ``cutout`` (cropped to the product) in ``frame`` (width, height)."""
    rng = np.random.default_rng(seed)
    aspect = cutout.width / cutout.height
    scene = build_set(settings.kind, aspect, rng)
    palette = settings.palette or harmonised(dominant_colour(cutout), settings.harmony, rng)
    if marketplace:
        scene = replace(scene, parts=(), support=0.0, camera_lift=0.0, default_gobo="none")
        light = replace(settings.light, azimuth=0.0, elevation=78.0, softness=1.0, gobo="none", temperature=6500.0)
        light_source, light_estimate = "marketplace (soft light from above)", None
        shade = False
    else:
        light, light_source, light_estimate = _resolve_light(settings, cutout, scene.default_gobo)
        light = _varied(light, rng)
        shade = settings.shades_product
    below = scene.support + 0.12 if scene.frame_below is None else scene.frame_below
    box = product_box(cutout.size, frame, fill, scale, x, y, padding, below=0.0 if marketplace else below)
    view_estimate = None
    if settings.camera_height == AUTO:
        view_estimate = estimate_view(cutout)
        pitch = view_estimate.pitch if view_estimate.confidence >= CONFIDENT else DEFAULT_PITCH
        lift = lift_for_pitch(frame, box, pitch) + scene.camera_lift
    else:
        lift = float(settings.camera_height) + scene.camera_lift
    camera = aim_camera(frame, box, scene.support, lift)
    if not marketplace:
        scene = clear_horizon(scene, camera, box)
    floor_material = settings.material if scene.floor_is_surface else "matte"
    # a studio sweep is one sheet of paper: its floor takes the wall's colour; a table top is its own surface
    floor_colour = palette.floor if scene.floor_is_surface else palette.wall
    colours = {"podium": palette.podium, "prop": tuple(0.8 * p + 0.2 * a for p, a in zip(palette.podium, palette.accent))}
    parts = tuple({"shape": type(part.shape).__name__, "params": asdict(part.shape), "surface": part.surface,
                   "material": _finish(part, settings.material, rng), "colour": list(colours[part.surface])}
                  for part in scene.parts)
    centre = np.array([0.0, scene.support + 0.5, 0.0])
    gobo = tuple(gobo_pieces(light.gobo, light.direction, centre, rng))
    render_size = frame
    if marketplace:  # one factor for both sides: the small render keeps the frame's shape, so the shadow lands
        factor = min(1.0, max(MARKETPLACE_SCALE, 64 / min(frame)))  # under the product when scaled back up
        render_size = (max(1, round(frame[0] * factor)), max(1, round(frame[1] * factor)))
        camera = aim_camera(render_size, _scaled(box, factor), scene.support, lift)
    contacts = find_contacts(cutout, _scaled(box, render_size[0] / frame[0]), camera, scene.support)
    return ScenePlan(frame, render_size, int(seed), settings.kind, scene.sweep, parts,
                     {"material": floor_material, "colour": list(floor_colour)},
                     {"material": "matte", "colour": list(palette.wall)}, tuple(palette.accent), palette, light,
                     light_source, light_estimate, view_estimate, camera,
                     {"aspect": aspect, "base": scene.support,
                      "contacts": [asdict(contact) for contact in contacts]}, box, gobo,
                     0.0 if marketplace else float(settings.f_stop), shade, marketplace,
                     Quality(16, 0.02, denoise_quality="FAST") if marketplace and settings.samples is None
                     else quality_for(render_size, settings.samples), device)


def _scaled(box: tuple[int, int, int, int], factor: float) -> tuple[int, int, int, int]:
    return tuple(round(v * factor) for v in box)  # type: ignore[return-value]
