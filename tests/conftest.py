"""Shared fixtures: one CPU engine per test session and small pictures that scikit-image ships."""
from __future__ import annotations

import numpy as np
import pytest
import skimage.data
import torch
from PIL import Image

from stylelab.engine import StyleEngine
from stylelab.imageio import to_tensor


def sample_picture(name: str, size: tuple[int, int] | None = None) -> Image.Image:
    """A scikit-image sample as an RGB (or RGBA for 'logo') PIL image, optionally resized to (w, h)."""
    array = getattr(skimage.data, name)()
    image = Image.fromarray(array)
    image = image.convert("RGBA" if image.mode == "RGBA" else "RGB")
    return image.resize(size, Image.Resampling.LANCZOS) if size else image


@pytest.fixture(scope="session")
def engine() -> StyleEngine:
    return StyleEngine(device_request="cpu")


@pytest.fixture(scope="session")
def coffee() -> Image.Image:
    """A non-square product-like photo: 300x200."""
    return sample_picture("coffee", (300, 200))


@pytest.fixture(scope="session")
def coffee_tensor(coffee: Image.Image) -> torch.Tensor:
    return to_tensor(coffee)


@pytest.fixture(scope="session")
def rocket_style() -> Image.Image:
    return sample_picture("rocket")


def as_array(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("RGB"), dtype=np.float64) / 255.0


def make_cutout(size: tuple[int, int] = (240, 180)) -> Image.Image:
    """A product cutout: the chelsea photo inside an ellipse, fully transparent outside it.

    (scikit-image's RGBA 'logo' is opaque everywhere, so it cannot test transparency.)
    """
    width, height = size
    photo = sample_picture("chelsea", size).convert("RGBA")
    y, x = np.mgrid[0:height, 0:width]
    inside = ((x - width / 2) / (width * 0.4)) ** 2 + ((y - height / 2) / (height * 0.4)) ** 2 <= 1
    photo.putalpha(Image.fromarray((inside * 255).astype(np.uint8)))
    return photo


def make_studio_photo(seed: int = 0, size: tuple[int, int] = (480, 360)) -> tuple[Image.Image, np.ndarray]:
    """A synthetic studio shot and its true product mask: a shaded, coloured object (a bottle-like
    ellipse plus a box) on a light, gently graded backdrop with sensor noise."""
    rng = np.random.default_rng(seed)
    width, height = size
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    backdrop_level = 0.93 + 0.04 * rng.random()
    backdrop = backdrop_level - 0.06 * (y / height) - 0.02 * np.abs(x / width - 0.5)
    image = np.repeat(backdrop[..., None], 3, axis=2) * np.array([1.0, 0.99, 0.97])
    cx, cy = width * (0.4 + 0.2 * rng.random()), height * (0.45 + 0.1 * rng.random())
    rx, ry = width * 0.16, height * 0.3
    ellipse = ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1
    box = (np.abs(x - (cx + rx * 1.1)) < rx * 0.45) & (np.abs(y - (cy + ry * 0.45)) < ry * 0.45)
    truth = ellipse | box
    hue = rng.random(3) * 0.6 + 0.1
    shading = 0.55 + 0.45 * np.clip(1 - ((x - cx + rx * 0.4) / (rx * 2.2)) ** 2 - ((y - cy + ry * 0.3) / (ry * 2.2)) ** 2,
                                    0, 1)
    image[truth] = (hue[None, :] * shading[truth][:, None])
    image += rng.normal(0, 0.01, image.shape)
    picture = Image.fromarray((np.clip(image, 0, 1) * 255).astype(np.uint8))
    return picture, truth


def make_red_mug_and_black_lamp(size: tuple[int, int] = (320, 240)) -> tuple[Image.Image, np.ndarray]:
    """A red mug on a red saucer beside a black lamp, on a wooden table with grain, and the mask of the
    products (mug, saucer, lamp): the colours a buyer checks first, a saturated red and a deep black."""
    width, height = size
    y, x = np.mgrid[0:height, 0:width].astype(np.float64) / height
    grain = 0.5 + 0.5 * np.sin(70 * y + 6 * np.sin(9 * x))
    image = np.stack([0.55 + 0.08 * grain, 0.36 + 0.05 * grain, 0.2 + 0.03 * grain], axis=-1)
    left, right, top, bottom = 0.25, 0.6, 0.35, 0.8  # the mug's body, in heights
    saucer = ((x - (left + right) / 2) / 0.32) ** 2 + ((y - bottom) / 0.07) ** 2 <= 1
    body = (x > left) & (x < right) & (y > top) & (y < bottom)
    handle = np.abs(np.hypot(x - right, y - 0.55) - 0.09) < 0.025
    mug = saucer | body | handle
    across = np.clip((x - left) / (right - left), 0, 1)
    shading = 0.6 + 0.4 * np.sin(np.pi * np.clip(across * 0.9 + 0.1, 0, 1))  # a cylinder lit from the left
    image[mug] = np.array([0.78, 0.08, 0.1]) * shading[mug][:, None]
    lamp = ((x > 1.05) & (x < 1.12) & (y > 0.2) & (y < 0.85)) | (((x - 1.08) / 0.14) ** 2 + ((y - 0.85) / 0.04) ** 2 <= 1)
    lamp |= ((x - 1.08) / 0.16) ** 2 + ((y - 0.2) / 0.1) ** 2 <= 1
    image[lamp] = np.array([0.05, 0.05, 0.06]) + 0.04 * (x[lamp] > 1.08)[:, None]
    picture = Image.fromarray((np.clip(image, 0, 1) * 255).round().astype(np.uint8))
    return picture, mug | lamp


def make_lifestyle_photo(seed: int = 0, size: tuple[int, int] = (480, 360), blurred: bool = True
                         ) -> tuple[Image.Image, np.ndarray]:
    """A product standing in a scene, and its true alpha (0..1): a sharp, textured object (the
    astronaut photo inside a bottle-like shape with a soft, 2-px edge) in front of scikit-image's
    brick texture, behind a lens-like disk blur when ``blurred``."""
    from scipy import ndimage

    rng = np.random.default_rng(seed)
    width, height = size
    scene = np.asarray(sample_picture("brick", size).convert("RGB"), dtype=np.float64) / 255.0
    scene = scene * np.array([0.9, 0.75, 0.6]) + 0.1  # warm, like a wall
    if blurred:
        radius = max(3, round(0.015 * max(size)))
        y, x = np.mgrid[-radius:radius + 1, -radius:radius + 1]
        disk = (x**2 + y**2 <= radius**2).astype(np.float64)
        scene = np.stack([ndimage.convolve(scene[..., c], disk / disk.sum(), mode="reflect") for c in range(3)], 2)
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    cx, cy = width * (0.42 + 0.16 * rng.random()), height * (0.5 + 0.08 * rng.random())
    rx, ry = width * 0.15, height * 0.3
    # signed distance-like field: negative inside an ellipse joined with a neck
    ellipse = np.sqrt(((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2) - 1
    neck = np.maximum(np.abs(x - cx) / (rx * 0.35), (cy - ry * 0.9 - y) / (ry * 0.5)) - 1
    neck = np.maximum(neck, (y - cy) / ry - 1)
    inside = np.minimum(ellipse * rx, neck * rx * 0.35)
    alpha = np.clip(0.5 - inside / 2.0, 0, 1)  # about 2 px of soft edge
    product = np.asarray(sample_picture("astronaut", size).convert("RGB"), dtype=np.float64) / 255.0
    image = alpha[..., None] * product + (1 - alpha[..., None]) * scene
    image += rng.normal(0, 0.006, image.shape)
    return Image.fromarray((np.clip(image, 0, 1) * 255).round().astype(np.uint8)), alpha


def make_photo_with_blurred_figure(size: tuple[int, int] = (480, 360)) -> tuple[Image.Image, np.ndarray, np.ndarray]:
    """A sharp product (coffee inside an ellipse) on a plain light backdrop, overlapping a busy,
    colourful figure behind it that is out of focus (the astronaut photo, disk-blurred): the photo,
    the product's true mask and the figure's mask."""
    width, height = size
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    figure = ((x - width * 0.66) / (width * 0.2)) ** 2 + ((y - height * 0.5) / (height * 0.42)) ** 2 <= 1
    return _photo_with_figure(size, figure, max(3, round(0.02 * max(size))), product_centre=0.52, product_height=0.36)


def make_photo_with_figure_cut_by_frame(size: tuple[int, int] = (480, 360)
                                        ) -> tuple[Image.Image, np.ndarray, np.ndarray]:
    """Like make_photo_with_blurred_figure, but everything sharp and the figure running off the
    bottom of the frame, as a person or a table behind a product does."""
    width, height = size
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    figure = ((x - width * 0.7) / (width * 0.25)) ** 2 + ((y - height * 0.85) / (height * 0.6)) ** 2 <= 1
    return _photo_with_figure(size, figure, 0, product_centre=0.5, product_height=0.34)


def _photo_with_figure(size: tuple[int, int], figure: np.ndarray, blur_radius: int, product_centre: float,
                       product_height: float) -> tuple[Image.Image, np.ndarray, np.ndarray]:
    """The astronaut photo inside ``figure`` (disk-blurred when ``blur_radius``), the coffee photo in
    an ellipse in front of it, on a plain light backdrop: the photo, the product's mask, the figure's."""
    from scipy import ndimage

    width, height = size
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    image = np.full((height, width, 3), 0.92) - 0.05 * (y / height)[..., None]
    face = np.asarray(sample_picture("astronaut", size), dtype=np.float64) / 255.0
    layer = np.dstack([face * figure[..., None], figure])
    if blur_radius:
        ky, kx = np.mgrid[-blur_radius:blur_radius + 1, -blur_radius:blur_radius + 1]
        disk = (kx**2 + ky**2 <= blur_radius**2).astype(np.float64)
        layer = np.stack([ndimage.convolve(layer[..., c], disk / disk.sum(), mode="reflect") for c in range(4)], 2)
    image = layer[..., :3] + (1 - layer[..., 3:]) * image
    product = (((x - width * 0.38) / (width * 0.14)) ** 2
               + ((y - height * product_centre) / (height * product_height)) ** 2 <= 1)
    image[product] = np.asarray(sample_picture("coffee", size), dtype=np.float64)[product] / 255.0
    return Image.fromarray(np.round(np.clip(image, 0, 1) * 255).astype(np.uint8)), product, figure & ~product
