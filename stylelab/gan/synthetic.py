"""A procedural product catalog the project makes itself: bottles and mugs with random shapes,
colours and labels, shaded like cylinders on a light studio backdrop with a soft shadow.

Used to test and measure the catalog generator without anyone's photos. Each image comes
with its true product mask. The same seed always gives the same picture.
"""
from __future__ import annotations

import colorsys

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

SUPERSAMPLE = 4  # shapes are drawn 4x larger and scaled down, for smooth edges


def _hsv(rng: np.random.Generator, saturation: tuple[float, float], value: tuple[float, float]) -> np.ndarray:
    return np.array(colorsys.hsv_to_rgb(rng.random(), rng.uniform(*saturation), rng.uniform(*value)))


KINDS = ("bottle", "mug")


def _shape_masks(rng: np.random.Generator, side: int, kind: str | None) -> dict[str, Image.Image]:
    """Body, cap/rim, handle and label layers (L images at ``side``), drawn at SUPERSAMPLE x."""
    big = side * SUPERSAMPLE
    layers = {name: Image.new("L", (big, big), 0) for name in ("body", "accent", "label", "shadow")}
    draw = {name: ImageDraw.Draw(image) for name, image in layers.items()}
    cx = big * rng.uniform(0.44, 0.56)
    bottom = big * rng.uniform(0.82, 0.88)
    is_bottle = rng.random() < 0.5 if kind is None else kind == "bottle"
    if is_bottle:  # a bottle: body, rounded shoulders, neck, cap
        half = big * rng.uniform(0.12, 0.2)
        height = big * rng.uniform(0.42, 0.55)
        shoulder = half * rng.uniform(0.5, 1.0)
        top = bottom - height
        draw["body"].rounded_rectangle([cx - half, top, cx + half, bottom], radius=shoulder, fill=255)
        neck = half * rng.uniform(0.3, 0.45)
        neck_top = top - big * rng.uniform(0.08, 0.14)
        draw["body"].rectangle([cx - neck, neck_top, cx + neck, top + shoulder], fill=255)
        cap = neck * 1.15
        draw["accent"].rounded_rectangle([cx - cap, neck_top - big * 0.06, cx + cap, neck_top + big * 0.01],
                                         radius=cap * 0.3, fill=255)
        label_top = top + height * rng.uniform(0.3, 0.45)
        label_bottom = label_top + height * rng.uniform(0.2, 0.35)
    else:  # a mug: a wider body with a rim and a handle on one side
        half = big * rng.uniform(0.17, 0.25)
        height = big * rng.uniform(0.35, 0.5)
        top = bottom - height
        side_sign = 1 if rng.random() < 0.7 else -1
        handle_w, handle_h = half * rng.uniform(0.55, 0.8), height * rng.uniform(0.45, 0.65)
        hx, hy = cx + side_sign * half, top + height * 0.45
        thickness = max(2, int(half * rng.uniform(0.14, 0.22)))
        draw["body"].ellipse([hx - handle_w, hy - handle_h / 2, hx + handle_w, hy + handle_h / 2], outline=255,
                             width=thickness)
        draw["body"].rounded_rectangle([cx - half, top, cx + half, bottom], radius=half * 0.12, fill=255)
        draw["accent"].ellipse([cx - half, top - big * 0.025, cx + half, top + big * 0.025], fill=255)
        label_top = top + height * rng.uniform(0.2, 0.35)
        label_bottom = label_top + height * rng.uniform(0.25, 0.4)
    draw["label"].rectangle([cx - half * 1.01, label_top, cx + half * 1.01, label_bottom], fill=255)
    draw["shadow"].ellipse([cx - half * 1.4, bottom - big * 0.03, cx + half * 1.6, bottom + big * 0.035], fill=255)
    layers["label"] = Image.fromarray(np.minimum(np.asarray(layers["label"]), np.asarray(layers["body"])))
    layers["shadow"] = layers["shadow"].filter(ImageFilter.GaussianBlur(big * 0.02))
    masks = {name: image.resize((side, side), Image.Resampling.BOX) for name, image in layers.items()}
    masks["center"], masks["half"] = cx / SUPERSAMPLE, half / SUPERSAMPLE  # type: ignore[assignment]
    return masks


def render_product(seed: int, side: int = 64, kind: str | None = None) -> tuple[Image.Image, Image.Image]:
    """One synthetic product photo (RGB, ``side`` x ``side``) and its product mask (L).

    ``kind``: "bottle", "mug", or None for either (half and half)."""
    if kind is not None and kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS} or None")
    rng = np.random.default_rng(seed)
    layers = _shape_masks(rng, side, kind)
    as_float = {k: np.asarray(v, dtype=np.float64)[..., None] / 255 for k, v in layers.items()
                if isinstance(v, Image.Image)}
    y, x = np.mgrid[0:side, 0:side].astype(np.float64)
    level = rng.uniform(0.86, 0.97)
    tint = 1 + rng.uniform(-0.03, 0.03, 3)
    image = (level - 0.08 * (y / side))[..., None] * tint  # a studio backdrop, a little darker at the bottom
    image = image * (1 - 0.35 * as_float["shadow"])
    body_colour = _hsv(rng, (0.35, 0.95), (0.35, 0.95))
    label_colour = _hsv(rng, (0.0, 0.6), (0.75, 1.0))
    accent_colour = _hsv(rng, (0.0, 0.8), (0.1, 0.8))
    # cylindrical shading: light from the upper left, a specular stripe
    u = np.clip((x - layers["center"]) / max(layers["half"], 1.0), -1.2, 1.2)[..., None]
    shade = 0.45 + 0.55 * np.sqrt(np.clip(1 - (u * 0.85) ** 2, 0, 1)) - 0.12 * u
    highlight = 0.35 * np.exp(-(((u + 0.45) / 0.12) ** 2))
    surface = body_colour * (1 - as_float["label"]) + label_colour * as_float["label"]
    if rng.random() < 0.5:  # a stripe of the accent colour across the label
        stripe = (np.abs(y - y[np.argmax(as_float["label"][:, :, 0].sum(1))] - side * 0.02) < side * 0.015)[..., None]
        surface = np.where(stripe & (as_float["label"] > 0.5), accent_colour, surface)
    product = np.clip(surface * shade + highlight, 0, 1)
    image = image * (1 - as_float["body"]) + product * as_float["body"]
    accent = np.clip(accent_colour * (0.7 + 0.3 * shade) + highlight * 0.5, 0, 1)
    image = image * (1 - as_float["accent"]) + accent * as_float["accent"]
    image += rng.normal(0, 0.006, image.shape)
    mask = np.maximum(as_float["body"], as_float["accent"])[..., 0]
    return (Image.fromarray((np.clip(image, 0, 1) * 255 + 0.5).astype(np.uint8)),
            Image.fromarray((mask * 255 + 0.5).astype(np.uint8)))


def synthetic_catalog(count: int, side: int = 64, first_seed: int = 0, kind: str | None = None) -> list[Image.Image]:
    return [render_product(first_seed + i, side, kind)[0] for i in range(count)]
