"""Open and thin products with a known alpha, drawn with Pillow and NumPy: an articulated desk lamp,
a chair with a slatted back, a ring, a wire basket and a spoked bicycle wheel, each on a plain, a
graded and a textured backdrop. The backdrop shows through every one of them (between a lamp's arm
and shade, between slats, wires and spokes, inside the ring), and their thin parts (arms, wires,
spokes) are a few pixels wide. Shapes are drawn at SUPERSAMPLE times the size and averaged down,
so the truth is an antialiased alpha, as a photo's edge is.

Used by tests/product/test_open_products.py (small sizes) and benchmarks/cutout_open.py.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageDraw

SUPERSAMPLE = 4
PRODUCTS = ("lamp", "chair", "ring", "basket", "wheel")
BACKDROPS = ("plain", "graded", "textured")


@dataclass(frozen=True)
class OpenCase:
    name: str  # "<product>-<backdrop>"
    image: Image.Image  # RGB
    alpha: np.ndarray  # the truth, float 0..1
    box: tuple[float, float, float, float]  # the truth's bounding box plus 3 %, as a user would drag it
    hole: tuple[float, float]  # (x, y) deepest inside the backdrop seen through the product (within its hull)


def open_case(product: str, backdrop: str, size: tuple[int, int] = (640, 480), seed: int = 0) -> OpenCase:
    """One product (of PRODUCTS) on one backdrop (of BACKDROPS), ``size`` = (width, height)."""
    rng = np.random.default_rng(seed + 17 * PRODUCTS.index(product) + BACKDROPS.index(backdrop))
    width, height = size
    draw_product, colour = _DRAWINGS[product]
    layer = Image.new("L", (width * SUPERSAMPLE, height * SUPERSAMPLE), 0)
    draw_product(ImageDraw.Draw(layer), width * SUPERSAMPLE, height * SUPERSAMPLE)
    alpha = np.asarray(layer.resize(size, Image.Resampling.BOX), dtype=np.float64) / 255.0
    scene = _backdrop(backdrop, size, rng)
    paint = colour(size)
    image = alpha[..., None] * paint + (1 - alpha[..., None]) * scene
    image += rng.normal(0, 0.008, image.shape)  # sensor noise
    picture = Image.fromarray(np.round(np.clip(image, 0, 1) * 255).astype(np.uint8))
    return OpenCase(f"{product}-{backdrop}", picture, alpha, padded_box(alpha), seen_through(alpha))


def open_cases(size: tuple[int, int] = (640, 480), products=PRODUCTS, backdrops=BACKDROPS) -> list[OpenCase]:
    return [open_case(product, backdrop, size) for product in products for backdrop in backdrops]


def padded_box(alpha: np.ndarray, pad: float = 0.03) -> tuple[float, float, float, float]:
    ys, xs = np.nonzero(alpha >= 0.5)
    height, width = alpha.shape
    pad_x, pad_y = pad * (xs.max() - xs.min()), pad * (ys.max() - ys.min())
    return (max(0.0, xs.min() - pad_x), max(0.0, ys.min() - pad_y), min(float(width), xs.max() + 1 + pad_x),
            min(float(height), ys.max() + 1 + pad_y))


def seen_through(alpha: np.ndarray) -> tuple[float, float]:
    """The point of the backdrop inside the product's convex hull farthest from the product and the hull's edge."""
    product = (alpha >= 0.5).astype(np.uint8)
    hull = np.zeros_like(product)
    cv2.fillConvexPoly(hull, cv2.convexHull(cv2.findNonZero(product)), 1)
    depth = cv2.distanceTransform((hull & (1 - product)).astype(np.uint8), cv2.DIST_L2, 5)
    y, x = np.unravel_index(int(np.argmax(depth)), depth.shape)
    return float(x), float(y)


# -- backdrops ------------------------------------------------------------------------------

def _backdrop(kind: str, size: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    width, height = size
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    if kind == "plain":  # a light grey wall, lit a little unevenly
        base = 0.84 - 0.03 * (y / height)
        return np.repeat(base[..., None], 3, axis=2) * np.array([1.0, 0.99, 0.97])
    if kind == "graded":  # a studio sweep: light at the top, a darker warm tone at the bottom
        t = (y / height)[..., None]
        return (1 - t) * np.array([0.93, 0.92, 0.88]) + t * np.array([0.62, 0.56, 0.5])
    if kind == "textured":  # plaster: blotches at two scales on a pale green-grey
        noise = _value_noise(size, 8, rng) * 0.6 + _value_noise(size, 40, rng) * 0.4
        return np.array([0.72, 0.76, 0.7]) + (noise[..., None] - 0.5) * np.array([0.22, 0.2, 0.2])
    raise ValueError(kind)


def _value_noise(size: tuple[int, int], cells: int, rng: np.random.Generator) -> np.ndarray:
    """Smooth noise in 0..1: a coarse random grid resized up bicubically."""
    width, height = size
    grid = rng.random((max(2, cells * height // width), cells)).astype(np.float32)
    smooth = np.asarray(Image.fromarray(grid).resize(size, Image.Resampling.BICUBIC), dtype=np.float64)
    return np.clip(smooth, 0, 1)


# -- products (drawn on a supersampled "L" layer of width w, height h) ----------------------

def _lamp(draw: ImageDraw.ImageDraw, w: int, h: int) -> None:
    """An articulated desk lamp: a base, two thin arms and a shade; the wall shows between arm and shade."""
    arm = max(2, round(0.012 * w))
    base = (0.28 * w, 0.86 * h, 0.52 * w, 0.92 * h)
    draw.rounded_rectangle(base, radius=0.02 * w, fill=255)
    foot, elbow, head = (0.40 * w, 0.87 * h), (0.62 * w, 0.38 * h), (0.36 * w, 0.16 * h)
    draw.line([foot, elbow], fill=255, width=arm)
    draw.line([elbow, head], fill=255, width=arm)
    draw.ellipse(_around(elbow, 1.6 * arm), fill=255)
    # the shade hangs down-left from the head: a cone
    draw.polygon([(head[0] + 0.02 * w, head[1] - 0.01 * h), (head[0] - 0.04 * w, head[1] - 0.03 * h),
                  (head[0] - 0.17 * w, head[1] + 0.24 * h), (head[0] - 0.01 * w, head[1] + 0.29 * h)], fill=255)
    draw.ellipse(_around(head, 1.8 * arm), fill=255)


def _chair(draw: ImageDraw.ImageDraw, w: int, h: int) -> None:
    """A chair seen from the front: four legs, a seat, a back frame with five vertical slats."""
    leg = max(2, round(0.018 * w))
    left, right = 0.32 * w, 0.68 * w
    seat_y = 0.58 * h
    draw.rectangle((left, seat_y, right, seat_y + 0.05 * h), fill=255)
    for x in (left, right - leg):
        draw.rectangle((x, 0.1 * h, x + leg, 0.93 * h), fill=255)  # back posts run down into the back legs
    for x in (left + 0.06 * w, right - 0.06 * w - leg):
        draw.rectangle((x, seat_y, x + leg, 0.9 * h), fill=255)  # front legs, a little shorter in view
    draw.rectangle((left, 0.1 * h, right, 0.15 * h), fill=255)  # top rail
    draw.rectangle((left, 0.47 * h, right, 0.5 * h), fill=255)  # bottom rail of the back
    for index in range(1, 6):
        x = left + (right - left) * index / 6 - leg / 2
        draw.rectangle((x, 0.15 * h, x + leg * 0.8, 0.47 * h), fill=255)
    draw.rectangle((left, 0.76 * h, right, 0.775 * h), fill=255)  # a stretcher between the legs


def _ring(draw: ImageDraw.ImageDraw, w: int, h: int) -> None:
    """A ring seen from the front: a band with a round hole, and a stone on top."""
    centre, outer = (0.5 * w, 0.56 * h), 0.28 * h
    draw.ellipse(_around(centre, outer), fill=255)
    draw.ellipse(_around(centre, outer * 0.8), fill=0)
    draw.polygon([(0.5 * w, 0.16 * h), (0.56 * w, 0.26 * h), (0.5 * w, 0.31 * h), (0.44 * w, 0.26 * h)], fill=255)


def _basket(draw: ImageDraw.ImageDraw, w: int, h: int) -> None:
    """A wire basket: a tapered frame of thin wires, crossed by vertical and horizontal wires, two handles."""
    wire = max(2, round(0.007 * w))
    top, bottom = 0.25 * h, 0.85 * h
    top_l, top_r, bot_l, bot_r = 0.22 * w, 0.78 * w, 0.3 * w, 0.7 * w
    for t in np.linspace(0, 1, 6):
        y = top + (bottom - top) * t
        draw.line([(top_l + (bot_l - top_l) * t, y), (top_r + (bot_r - top_r) * t, y)], fill=255, width=wire)
    for t in np.linspace(0, 1, 9):
        draw.line([(top_l + (top_r - top_l) * t, top), (bot_l + (bot_r - bot_l) * t, bottom)], fill=255, width=wire)
    draw.rectangle((bot_l, bottom - 0.015 * h, bot_r, bottom + 0.015 * h), fill=255)  # a solid foot
    for x in (0.36 * w, 0.64 * w):  # handles: arcs above the rim
        draw.arc((x - 0.06 * w, top - 0.11 * h, x + 0.06 * w, top + 0.11 * h), 180, 360, fill=255, width=wire * 2)


def _wheel(draw: ImageDraw.ImageDraw, w: int, h: int) -> None:
    """A bicycle wheel: a thick tyre, a rim, a hub and 20 thin spokes."""
    centre, radius = (0.5 * w, 0.5 * h), 0.42 * h
    draw.ellipse(_around(centre, radius), fill=255)
    draw.ellipse(_around(centre, radius * 0.86), fill=0)
    spoke = max(2, round(0.005 * w))
    for index in range(20):
        angle = 2 * math.pi * index / 20
        end = (centre[0] + math.cos(angle) * radius * 0.87, centre[1] + math.sin(angle) * radius * 0.87)
        start = (centre[0] + math.cos(angle + 0.3) * radius * 0.05, centre[1] + math.sin(angle + 0.3) * radius * 0.05)
        draw.line([start, end], fill=255, width=spoke)
    draw.ellipse(_around(centre, radius * 0.08), fill=255)


def _around(centre: tuple[float, float], radius: float) -> tuple[float, float, float, float]:
    return centre[0] - radius, centre[1] - radius, centre[0] + radius, centre[1] + radius


# -- the products' colours: (height, width, 3) floats for an image of ``size`` -----------------

def _flat(rgb: tuple[float, float, float], shine: float = 0.0) -> Callable[[tuple[int, int]], np.ndarray]:
    def paint(size: tuple[int, int]) -> np.ndarray:
        width, height = size
        y, x = np.mgrid[0:height, 0:width].astype(np.float64)
        # metal: a bright streak running diagonally across the product
        streak = shine * np.exp(-(((x / width + y / height) % 0.5 - 0.25) / 0.06) ** 2)
        return np.clip(np.array(rgb) * (1 - 0.15 * y / height)[..., None] + streak[..., None], 0, 1)
    return paint


_DRAWINGS: dict[str, tuple[Callable, Callable]] = {
    "lamp": (_lamp, _flat((0.08, 0.08, 0.09), shine=0.12)),
    "chair": (_chair, _flat((0.45, 0.3, 0.18))),
    "ring": (_ring, _flat((0.78, 0.6, 0.22), shine=0.25)),
    "basket": (_basket, _flat((0.25, 0.26, 0.28), shine=0.35)),
    "wheel": (_wheel, _flat((0.1, 0.1, 0.11), shine=0.3)),
}
