"""Shots made here: a backdrop (plain or a scikit-image photo) with a product-like shape whose box is
known, as a shot's sidecar gives it."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from stylelab.creatives.brand import make_kit
from stylelab.creatives.creative import AdSource
from tests.conftest import sample_picture

CHINESE_HEADLINE = "新品上市，限时八折！手工陶瓷马克杯「温暖」每一个清晨。"


def synthetic_shot(size: tuple[int, int], backdrop: str = "plain", at: tuple[float, float] = (0.5, 0.6),
                   share: float = 0.42, name: str = "shot") -> AdSource:
    """A bottle-ish product on a backdrop: 'plain' (light), 'dark' or 'busy' (astronaut)."""
    width, height = size
    if backdrop == "busy":
        image = sample_picture("astronaut", size)
    else:
        image = Image.new("RGB", size, (236, 228, 220) if backdrop == "plain" else (38, 40, 52))
    product_h = round(share * min(size))
    product_w = round(product_h * 0.45)
    x0 = round(at[0] * (width - product_w))
    y0 = round(at[1] * (height - product_h))
    box = (x0, y0, x0 + product_w, y0 + product_h)
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle(box, radius=product_w // 3, fill=(150, 70, 30))
    return AdSource(name, image, box, {"scene": "test", "seed": 1, "product_box": list(box)})


@pytest.fixture(scope="session")
def logo() -> Image.Image:
    """An RGBA logo: a ring on transparency."""
    array = np.zeros((120, 200, 4), dtype=np.uint8)
    y, x = np.mgrid[0:120, 0:200]
    ring = np.abs(np.hypot(x - 60, y - 60) - 40) < 12
    array[ring] = (228, 87, 46, 255)
    array[(np.abs(x - 150) < 25) & (np.abs(y - 60) < 35)] = (31, 42, 68, 255)
    return Image.fromarray(array, "RGBA")


@pytest.fixture(scope="session")
def kit(logo):
    return make_kit("#1F2A44, #E4572E, #F4F1EA", "Noto Sans", "Noto Serif", "Shop now", logo)
