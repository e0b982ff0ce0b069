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
