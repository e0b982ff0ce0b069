"""Reading a product photo's light direction and view pitch from the cut-out (synthetic renders)."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest
from PIL import Image

from stylelab.product.scene.photo_light import (DEFAULT_AZIMUTH, LightEstimate, ViewEstimate,
                                                estimate_light, estimate_view)


def circular_difference(a: float, b: float) -> float:
    return abs((a - b + 180.0) % 360.0 - 180.0)


def light_vector(azimuth: float, elevation: float) -> np.ndarray:
    """Towards the light: x right, y up, z towards the camera (as in lights.KeyLight.direction)."""
    az, el = math.radians(azimuth), math.radians(elevation)
    return np.array([math.sin(az) * math.cos(el), math.sin(el), math.cos(az) * math.cos(el)])


def to_srgb(linear: np.ndarray) -> np.ndarray:
    linear = np.clip(linear, 0.0, 1.0)
    return np.where(linear <= 0.0031308, 12.92 * linear, 1.055 * linear ** (1 / 2.4) - 0.055)


def shaded(shape: str, azimuth: float, elevation: float, *, size: tuple[int, int] = (160, 240),
           label: bool = False, specular: float = 0.0, ambient: float = 0.12, seed: int = 0) -> Image.Image:
    """A Lambertian cylinder (vertical axis, seen at eye level) or sphere as an RGBA cut-out."""
    width, height = size
    ys, xs = np.mgrid[0:height, 0:width] + 0.5
    if shape == "cylinder":
        radius = 0.4 * width
        u = (xs - width / 2) / radius
        inside = (np.abs(u) < 1) & (ys > 0.1 * height) & (ys < 0.9 * height)
        u = np.clip(u, -1, 1)
        normal = np.stack([u, np.zeros_like(u), np.sqrt(1 - u ** 2)], axis=-1)
    else:
        radius = 0.4 * min(width, height)
        nx, ny = (xs - width / 2) / radius, -(ys - height / 2) / radius
        inside = nx ** 2 + ny ** 2 < 1
        nz = np.sqrt(np.clip(1 - nx ** 2 - ny ** 2, 0, 1))
        normal = np.stack([nx, ny, nz], axis=-1) * inside[..., None]
    light = light_vector(azimuth, elevation)
    lambert = np.clip(normal @ light, 0, None)
    albedo = np.broadcast_to(np.array([0.55, 0.35, 0.25]), (height, width, 3)).copy()
    if label:  # a horizontal band of another colour, as on a jar or can
        band = (ys > 0.4 * height) & (ys < 0.6 * height)
        albedo[band] = [0.15, 0.45, 0.7]
    linear = albedo * (ambient + (1 - ambient) * lambert)[..., None]
    if specular:  # Blinn-Phong
        half = light + np.array([0.0, 0.0, 1.0])
        half /= np.linalg.norm(half)
        linear = linear + specular * (np.clip(normal @ half, 0, None) ** 60)[..., None]
    rgb = to_srgb(linear) + np.random.default_rng(seed).normal(0, 1.0 / 255, linear.shape)
    rgba = np.dstack([np.clip(rgb, 0, 1) * 255, inside * 255.0]).round().astype(np.uint8)
    return Image.fromarray(rgba, "RGBA")


LIGHT_CASES = [
    # shape, azimuth, elevation, label, specular
    ("cylinder", 300, 30, False, 0.0),
    ("cylinder", 330, 45, False, 0.0),
    ("cylinder", 0, 35, False, 0.0),
    ("cylinder", 30, 20, True, 0.0),
    ("cylinder", 60, 40, False, 0.6),
    ("cylinder", 90, 30, False, 0.0),
    ("cylinder", 270, 25, False, 0.0),
    ("cylinder", 45, 50, False, 0.8),
    ("cylinder", 315, 35, True, 0.5),
    ("sphere", 300, 30, False, 0.0),
    ("sphere", 330, 20, False, 0.6),
    ("sphere", 0, 45, False, 0.0),
    ("sphere", 30, 35, False, 0.0),
    ("sphere", 60, 25, False, 0.0),
    ("sphere", 90, 40, False, 0.0),
    ("sphere", 270, 30, False, 0.5),
    ("sphere", 45, 50, False, 0.0),
    ("sphere", 315, 40, False, 0.8),
]


@pytest.mark.parametrize("shape,azimuth,elevation,label,specular", LIGHT_CASES)
def test_the_light_azimuth_is_read_from_the_shading(shape, azimuth, elevation, label, specular):
    found = estimate_light(shaded(shape, azimuth, elevation, label=label, specular=specular))
    assert circular_difference(found.azimuth, azimuth) <= 30, found
    assert found.confidence >= 0.3, found


def test_a_flat_lit_product_gives_low_confidence():
    rgba = np.zeros((200, 140, 4), np.uint8)
    rgba[20:180, 20:120] = [180, 120, 90, 255]
    found = estimate_light(Image.fromarray(rgba, "RGBA"))
    assert found.confidence < 0.3
    assert found.azimuth == DEFAULT_AZIMUTH


def test_a_busy_texture_under_flat_light_gives_low_confidence():
    rng = np.random.default_rng(3)
    rgba = np.zeros((200, 140, 4), np.uint8)
    rgba[20:180, 20:120, :3] = rng.integers(40, 220, (160, 100, 3))
    rgba[20:180, 20:120, 3] = 255
    assert estimate_light(Image.fromarray(rgba, "RGBA")).confidence < 0.3


def cylinder_outline(pitch: float, *, size: tuple[int, int] = (200, 260), radius: float = 70.0,
                     height: float = 150.0, supersample: int = 4) -> Image.Image:
    """A cylinder's silhouette seen from ``pitch`` degrees above: vertical sides, elliptic top and bottom."""
    width, tall = size
    b = radius * math.sin(math.radians(pitch))
    cx, top = width / 2 + 3.3, 30.0 + b  # off the pixel grid on purpose
    bottom = top + height * math.cos(math.radians(pitch))
    ys, xs = (np.mgrid[0:tall * supersample, 0:width * supersample] + 0.5) / supersample
    t = (xs - cx) / radius
    def in_ellipse(centre: float) -> np.ndarray:
        return t ** 2 + ((ys - centre) / b) ** 2 < 1 if b > 0 else np.zeros_like(t, bool)
    inside = in_ellipse(top) | in_ellipse(bottom) | ((np.abs(t) < 1) & (ys > top) & (ys < bottom))
    alpha = inside.reshape(tall, supersample, width, supersample).mean(axis=(1, 3))
    rgba = np.zeros((tall, width, 4), np.uint8)
    rgba[..., :3] = [120, 140, 160]
    rgba[..., 3] = np.round(alpha * 255)
    return Image.fromarray(rgba, "RGBA")


@pytest.mark.parametrize("pitch", [0, 15, 30, 45])
def test_the_view_pitch_is_read_from_the_base_ellipse(pitch):
    found = estimate_view(cylinder_outline(pitch))
    assert abs(found.pitch - pitch) <= 8, found
    assert found.confidence >= 0.5, found


def test_a_box_seen_straight_on_is_at_eye_level():
    rgba = np.zeros((220, 300, 4), np.uint8)
    rgba[40:190, 60:250] = [200, 60, 60, 255]
    found = estimate_view(Image.fromarray(rgba, "RGBA"))
    assert found.pitch < 8, found
    assert found.confidence >= 0.5, found


def test_an_irregular_outline_gives_low_confidence_and_a_mild_pitch():
    rgba = np.zeros((240, 200, 4), np.uint8)
    xs = np.arange(40, 160)
    lower = 170 + (25 * np.abs(np.sin(xs / 7.0))).astype(int)  # zig-zag lower and upper edges
    upper = 50 - (20 * np.abs(np.cos(xs / 9.0))).astype(int)
    for x, top, bottom in zip(xs, upper, lower):
        rgba[top:bottom, x] = [90, 90, 90, 255]
    found = estimate_view(Image.fromarray(rgba, "RGBA"))
    assert found.confidence < 0.3, found
    assert abs(found.pitch - 10) <= 5, found


def cup_outline(pitch: float, *, bottom_radius: float = 40.0, top_radius: float = 62.0, height: float = 150.0,
                size: tuple[int, int] = (220, 260), supersample: int = 4) -> Image.Image:
    """A cup widening upwards: its sides hide the ends of the base's ellipse, the rim shows whole."""
    width, tall = size
    squash = math.sin(math.radians(pitch))
    cx, top = width / 2 + 1.3, 30.0 + top_radius * squash
    bottom = top + height * math.cos(math.radians(pitch))
    ys, xs = (np.mgrid[0:tall * supersample, 0:width * supersample] + 0.5) / supersample
    radius = top_radius + (bottom_radius - top_radius) * np.clip((ys - top) / (bottom - top), 0, 1)
    inside = (np.abs(xs - cx) < radius) & (ys > top) & (ys < bottom)
    for centre, r in ((top, top_radius), (bottom, bottom_radius)):
        if squash > 0:
            inside |= ((xs - cx) / r) ** 2 + ((ys - centre) / (r * squash)) ** 2 < 1
    alpha = inside.reshape(tall, supersample, width, supersample).mean(axis=(1, 3))
    rgba = np.zeros((tall, width, 4), np.uint8)
    rgba[..., :3] = 230
    rgba[..., 3] = np.round(alpha * 255)
    return Image.fromarray(rgba, "RGBA")


@pytest.mark.parametrize("pitch", [0, 20, 35])
def test_a_cup_widening_upwards_is_read_from_its_rim(pitch):
    found = estimate_view(cup_outline(pitch))
    assert abs(found.pitch - pitch) <= 8, found
    assert found.confidence >= 0.4, found


@pytest.mark.parametrize("size", [(40, 60), (60, 40), (300, 90), (90, 300)])
def test_small_and_non_square_cutouts(size):
    light = estimate_light(shaded("cylinder", 60, 30, size=size))
    view = estimate_view(shaded("cylinder", 60, 30, size=size))
    assert 0 <= light.azimuth < 360 and 0 <= light.confidence <= 1
    assert 0 <= view.pitch <= 60 and 0 <= view.confidence <= 1
    if size == (40, 60):
        assert circular_difference(light.azimuth, 60) <= 30, light
        assert view.pitch < 8, view


@pytest.mark.parametrize("pixels", [0, 1, 3])
def test_nearly_empty_cutouts_give_low_confidence(pixels):
    rgba = np.zeros((50, 70, 4), np.uint8)
    for i in range(pixels):
        rgba[20 + i, 30] = [255, 255, 255, 255]
    image = Image.fromarray(rgba, "RGBA")
    assert estimate_light(image).confidence < 0.3
    assert estimate_view(image).confidence < 0.3


def test_an_rgb_image_counts_as_fully_opaque():
    rgb = shaded("cylinder", 300, 30).convert("RGB")
    assert isinstance(estimate_light(rgb), LightEstimate)
    assert isinstance(estimate_view(rgb), ViewEstimate)


def test_describe_is_json_for_the_sidecar():
    light = LightEstimate(azimuth=312.345, confidence=0.8765)
    assert light.describe() == {"azimuth": 312.3, "confidence": 0.88, "source": "photo shading"}
    view = ViewEstimate(pitch=21.26, confidence=0.4321)
    assert json.loads(json.dumps(view.describe()))["pitch"] == 21.3
