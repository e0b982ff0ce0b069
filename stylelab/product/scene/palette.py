"""Scene palettes: from brand hex codes, from given main colours, or harmonised with the product."""
from __future__ import annotations

import colorsys
import re
from dataclasses import dataclass

import numpy as np
from PIL import Image

from stylelab.errors import StyleLabError
from stylelab.product.scene.choices import HARMONIES

HEX = re.compile(r"^#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")
Rgb = tuple[float, float, float]


@dataclass(frozen=True)
class Palette:
    wall: Rgb
    floor: Rgb
    podium: Rgb
    accent: Rgb
    source: str

    def describe(self) -> dict:
        return {"source": self.source, **{role: to_hex(getattr(self, role))
                                          for role in ("wall", "floor", "podium", "accent")}}


def srgb_to_linear(srgb: np.ndarray) -> np.ndarray:
    """sRGB values in 0..1 (any shape) as linear light: what a renderer and Lambert's law work in."""
    c = np.asarray(srgb, dtype=np.float64)
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def linear_to_srgb(linear: np.ndarray) -> np.ndarray:
    """Linear light (any shape) back to sRGB values in 0..1, clipped."""
    c = np.clip(linear, 0, 1)
    return np.where(c <= 0.0031308, c * 12.92, 1.055 * c ** (1 / 2.4) - 0.055)


def parse_hex(text: str) -> Rgb:
    match = HEX.match(text.strip())
    if not match:
        raise StyleLabError(f"'{text}' is not a hex colour like #E8D5C4.")
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return tuple(int(digits[i:i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def parse_hex_list(text: str | list[str] | None) -> list[Rgb]:
    if not text:
        return []
    items = re.split(r"[,\s;]+", text.strip()) if isinstance(text, str) else list(text)
    return [parse_hex(item) for item in items if item]


def to_hex(rgb: Rgb) -> str:
    return "#" + "".join(f"{round(min(max(c, 0), 1) * 255):02X}" for c in rgb)


def _shade(rgb: Rgb, lightness: float) -> Rgb:
    h, l, s = colorsys.rgb_to_hls(*rgb)
    return colorsys.hls_to_rgb(h, min(max(l + lightness, 0), 1), s)  # type: ignore[return-value]


ACCENT_LIGHTNESS = (0.35, 0.6)  # a derived accent is a mid tone: it reads on light and on dark surfaces


def from_colours(colours: list[Rgb], source: str) -> Palette:
    """Brand or template colours in order: wall, podium, floor, accent; missing ones are derived from
    the given ones (a podium and floor are shades of the wall, the accent is the most colourful given
    colour as a mid tone — never a shade of black when the podium is dark)."""
    if not colours:
        raise StyleLabError("Give at least one colour for the palette.")
    wall = colours[0]
    podium = colours[1] if len(colours) > 1 else _shade(wall, 0.07)
    floor = colours[2] if len(colours) > 2 else _shade(wall, -0.05)
    accent = colours[3] if len(colours) > 3 else derived_accent(colours)
    return Palette(wall, floor, podium, accent, source)


def derived_accent(colours: list[Rgb]) -> Rgb:
    """An accent from the given colours: the most saturated one, its lightness moved into the mid tones."""
    hue, lightness, saturation = max((colorsys.rgb_to_hls(*c) for c in colours), key=lambda hls: hls[2])
    low, high = ACCENT_LIGHTNESS
    return colorsys.hls_to_rgb(hue, min(max(lightness, low), high), saturation)  # type: ignore[return-value]


def dominant_colour(cutout: Image.Image) -> Rgb:
    """The product's main colour: the biggest of a few colour clusters among its opaque pixels,
    preferring a coloured cluster over white, black or grey ones of similar size."""
    small = cutout.convert("RGBA")
    small.thumbnail((96, 96))
    pixels = np.asarray(small)
    opaque = pixels[pixels[..., 3] > 200][:, :3]
    if len(opaque) < 8:
        return (0.6, 0.6, 0.6)
    strip = Image.fromarray(opaque[None].astype(np.uint8))
    quantised = strip.quantize(colors=5, method=Image.Quantize.MEDIANCUT)
    counts = quantised.getcolors() or []
    palette = quantised.getpalette() or []
    best, best_score = (0.6, 0.6, 0.6), -1.0
    for count, index in counts:
        rgb = tuple(c / 255 for c in palette[3 * index:3 * index + 3])
        saturation = colorsys.rgb_to_hls(*rgb)[2]
        score = count * (0.4 + saturation)
        if score > best_score:
            best, best_score = rgb, score
    return best  # type: ignore[return-value]


def harmonised(product: Rgb, harmony: str, rng: np.random.Generator) -> Palette:
    """Soft, light set colours whose hue is analogous or complementary to the product's, so the
    product stays the most saturated thing in the frame."""
    if harmony not in HARMONIES:
        raise StyleLabError(f"Choose a harmony from: {', '.join(HARMONIES)}.")
    hue, _, saturation = colorsys.rgb_to_hls(*product)
    if saturation < 0.12:  # a grey or white product: any gentle hue works
        hue = rng.random()
    offset = (rng.uniform(-0.09, 0.09)) if harmony == "analogous" else 0.5 + rng.uniform(-0.04, 0.04)
    base = (hue + offset) % 1
    sat = rng.uniform(0.22, 0.42)
    wall = colorsys.hls_to_rgb(base, rng.uniform(0.78, 0.86), sat)
    podium = colorsys.hls_to_rgb((base + rng.uniform(-0.03, 0.03)) % 1, rng.uniform(0.83, 0.9), sat * 0.9)
    floor = colorsys.hls_to_rgb(base, rng.uniform(0.72, 0.8), sat * 0.8)
    accent = colorsys.hls_to_rgb((base + 0.5 * (harmony == "analogous")) % 1, 0.55, 0.35)
    return Palette(wall, floor, podium, accent, f"harmonised ({harmony})")  # type: ignore[arg-type]
