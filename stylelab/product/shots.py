"""Generated product shots: a product cutout on a generated, styled backdrop.

Backdrops start as procedurally made base canvases (a studio sweep, gradients, soft
noise, textures), chosen and varied by a seed, and are then painted in a template's
style by our networks. The product goes on top with a soft contact shadow. Every
random choice comes from the seed, so a seed always gives the same bytes.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import skimage.data
from PIL import Image, ImageDraw, ImageFilter

from stylelab.errors import StyleLabError
from stylelab.product.scene.choices import PAINTED_BACKDROP  # noqa: F401  (the kind these backdrops are)
from stylelab.product.scene.choices import PRESETS, Preset  # noqa: F401  (the formats, re-exported)

WHITE = (255, 255, 255)


BACKDROP_KINDS = ("studio sweep", "gradient", "soft noise", "texture")
BACKDROP_SOFTNESS = 0.003  # blur radius as a share of the frame: a hint of depth of field behind the product


@dataclass(frozen=True)
class Placement:
    scale: float = 1.0  # 1 = the preset's fill; smaller leaves more room around the product
    x: float = 0.5  # centre of the product across the free space, 0 = left, 1 = right
    y: float = 0.6  # 0 = top, 1 = bottom; a little low looks grounded
    padding: float = 0.05  # share of each side kept clear

    def __post_init__(self) -> None:
        if not 0.1 <= self.scale <= 1.5:
            raise StyleLabError("Product scale must be from 0.1 to 1.5.")
        if not (0 <= self.x <= 1 and 0 <= self.y <= 1):
            raise StyleLabError("Position must be from 0 to 1.")
        if not 0 <= self.padding <= 0.3:
            raise StyleLabError("Padding must be from 0 to 0.3 of the frame.")


def base_canvas(size: tuple[int, int], seed: int) -> tuple[Image.Image, str]:
    """A seeded procedural canvas of the given (width, height), and what kind it is."""
    rng = np.random.default_rng(seed)
    kind = BACKDROP_KINDS[seed % len(BACKDROP_KINDS)]  # consecutive seeds show every kind
    width, height = size
    # work small and scale up: backdrops are smooth, and the networks add the detail
    small_w, small_h = max(8, width // 4), max(8, height // 4)
    y, x = np.mgrid[0:small_h, 0:small_w].astype(np.float64)
    y, x = y / max(small_h - 1, 1), x / max(small_w - 1, 1)
    base = _pastel(rng)
    accent = 0.5 * base + 0.5 * _pastel(rng)  # close colours: a backdrop should not shout over the product
    if kind == "studio sweep":
        horizon = 0.55 + 0.15 * rng.random()
        t = np.clip((y - horizon) / (1 - horizon), 0, 1) ** 0.7
        t = np.where(y < horizon, 0.25 * y / horizon, 0.25 + 0.75 * t)
    elif kind == "gradient":
        angle = rng.random() * np.pi
        t = (np.cos(angle) * x + np.sin(angle) * y)
        t = (t - t.min()) / max(np.ptp(t), 1e-6)
    elif kind == "soft noise":
        coarse = rng.random((6, 6))
        t = np.asarray(Image.fromarray((coarse * 255).astype(np.uint8)).resize((small_w, small_h),
                                                                                 Image.Resampling.BICUBIC)) / 255.0
    else:
        name = ("brick", "grass", "gravel")[int(rng.integers(3))]
        texture = Image.fromarray(getattr(skimage.data, name)()).convert("L")
        t = np.asarray(texture.resize((small_w, small_h), Image.Resampling.BILINEAR)) / 255.0
        kind = f"texture ({name})"
    t = np.clip(t, 0, 1)[..., None]
    canvas = (1 - t) * base + t * accent
    image = Image.fromarray(np.clip(canvas * 255, 0, 255).astype(np.uint8)).resize(size, Image.Resampling.BICUBIC)
    return image, kind


def _pastel(rng: np.random.Generator) -> np.ndarray:
    return 0.55 + 0.45 * rng.random(3)


def cutout_from(image: Image.Image, mask: Image.Image) -> Image.Image:
    """The product alone (RGBA), cropped to its mask's bounding box."""
    rgba = image.convert("RGB").copy()
    rgba.putalpha(mask.convert("L").resize(image.size))
    box = rgba.getchannel("A").point(lambda a: 255 if a >= 8 else 0).getbbox()
    if box is None:
        raise StyleLabError("The product mask is empty: there is no product to place.")
    return rgba.crop(box)


def contact_shadow(size: tuple[int, int], box: tuple[int, int, int, int], strength: float = 0.35) -> Image.Image:
    """A soft elliptical shadow (an "L" opacity map) under the product's base."""
    width, height = size
    left, top, right, bottom = box
    product_w, product_h = right - left, bottom - top
    shadow = Image.new("L", size, 0)
    ellipse_h = max(4, round(product_h * 0.06))
    inset = round(product_w * 0.06)
    ImageDraw.Draw(shadow).ellipse(
        (left + inset, bottom - ellipse_h // 2, right - inset, bottom + ellipse_h // 2), fill=round(255 * strength))
    shadow = shadow.filter(ImageFilter.GaussianBlur(max(2.0, ellipse_h * 0.8)))
    # below 1/255 the shadow would round to nothing anyway: make it exactly nothing
    return shadow.point(lambda a: 0 if a < 2 else a)


def place_product(backdrop: Image.Image, cutout: Image.Image, preset: Preset, placement: Placement,
                  shadow: bool = True) -> tuple[Image.Image, tuple[int, int, int, int], Image.Image]:
    """Scale and place the cutout; returns the shot, the product box and the shadow map."""
    width, height = preset.size
    pad_x, pad_y = round(placement.padding * width), round(placement.padding * height)
    room_w, room_h = width - 2 * pad_x, height - 2 * pad_y
    target = preset.fill * placement.scale * min(width, height)
    factor = min(target / max(cutout.size), room_w / cutout.width, room_h / cutout.height)
    product_w, product_h = max(1, round(cutout.width * factor)), max(1, round(cutout.height * factor))
    product = cutout.resize((product_w, product_h), Image.Resampling.LANCZOS)
    left = pad_x + round(placement.x * (room_w - product_w))
    top = pad_y + round(placement.y * (room_h - product_h))
    box = (left, top, left + product_w, top + product_h)
    shot = backdrop.convert("RGB")
    if not preset.plain_white:
        shot = shot.filter(ImageFilter.GaussianBlur(BACKDROP_SOFTNESS * max(preset.size)))
    else:
        shot = shot.copy()
    shadow_map = contact_shadow(preset.size, box) if shadow else Image.new("L", preset.size, 0)
    shot.paste(Image.new("RGB", preset.size, (0, 0, 0)), (0, 0), shadow_map)
    shot.paste(product, (left, top), product)
    return shot, box, shadow_map
