"""Product masks and product-aware restyling."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image
from skimage.color import deltaE_ciede2000, rgb2lab

from stylelab.product import compose
from stylelab.engine import RestyleSettings, StyleMix
from stylelab.product.masks import automatic_mask, mask_from_drawing, overlay, product_mask
from stylelab.product.restyle import restyle_with_mask
from stylelab.product.region_metrics import region_figures
from tests.conftest import make_cutout, make_studio_photo, sample_picture

STARRY = StyleMix(builtin=((19, 1.0),))


def iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / (a | b).sum())


@pytest.mark.parametrize("seed", range(6))
def test_automatic_mask_finds_the_product_on_studio_photos(seed):
    photo, truth = make_studio_photo(seed)
    found = product_mask(photo)
    assert found.source == "automatic"
    assert iou(np.asarray(found.mask) >= 128, truth) >= 0.9
    assert found.confidence >= 0.6


def test_a_busy_background_gets_low_confidence():
    busy = sample_picture("astronaut", (400, 400))
    assert automatic_mask(busy).confidence < 0.6


def test_an_rgba_cutout_uses_its_alpha_exactly():
    cutout = make_cutout()
    found = product_mask(cutout)
    assert found.source == "alpha" and found.confidence == 1.0
    assert np.array_equal(np.asarray(found.mask), np.asarray(cutout.getchannel("A")))


def test_a_drawn_mask_and_the_overlay():
    photo, truth = make_studio_photo(1)
    drawing = Image.fromarray(np.where(truth[..., None], [255, 0, 255, 200], [0, 0, 0, 0]).astype(np.uint8), "RGBA")
    drawn = mask_from_drawing(photo.size, drawing)
    assert iou(np.asarray(drawn.mask) >= 128, truth) > 0.97
    shown = overlay(photo, drawn.mask)
    assert shown.size == photo.size
    inside, outside = truth, ~truth
    assert np.abs(np.asarray(shown, float) - np.asarray(photo, float))[inside].mean() < 3
    assert np.abs(np.asarray(shown, float) - np.asarray(photo, float))[outside].mean() > 30


def test_background_only_keeps_the_product_photo_true(engine):
    photo, truth = make_studio_photo(2)
    mask = product_mask(photo).mask
    result = restyle_with_mask(engine, photo, mask, STARRY, RestyleSettings(), "background only")
    eroded = torch.from_numpy(truth)[None].float()
    eroded = 1 - compose.dilate(1 - eroded, 4)  # away from a thin edge band
    inside = eroded[0].bool().numpy()
    difference = deltaE_ciede2000(rgb2lab(np.asarray(photo)[inside][None] / 255.0),
                                  rgb2lab(np.asarray(result)[inside][None] / 255.0))
    assert difference.mean() < 1 and np.percentile(difference, 99) < 1
    outside = ~compose.dilate(torch.from_numpy(truth)[None].float(), 8)[0].bool().numpy()
    assert np.abs(np.asarray(result, float) - np.asarray(photo, float))[outside].mean() > 10, "the scene is restyled"


def test_product_only_restyles_the_product_and_keeps_the_scene(engine):
    photo, truth = make_studio_photo(3)
    result = restyle_with_mask(engine, photo, product_mask(photo).mask, STARRY, RestyleSettings(), "product only")
    far = ~compose.dilate(torch.from_numpy(truth)[None].float(), 8)[0].bool().numpy()
    assert np.abs(np.asarray(result, float) - np.asarray(photo, float))[far].max() <= 1
    assert np.abs(np.asarray(result, float) - np.asarray(photo, float))[truth].mean() > 10


def test_region_figures_are_perfect_for_an_untouched_product(engine):
    photo, truth = make_studio_photo(4)
    mask = Image.fromarray((truth * 255).astype(np.uint8))
    same = region_figures(photo, photo, mask)
    assert same.delta_e == 0 and same.ssim == pytest.approx(1.0) and same.psnr == float("inf")
    styled = restyle_with_mask(engine, photo, mask, STARRY, RestyleSettings(), "whole photo")
    figures = region_figures(photo, styled, mask)
    assert figures.delta_e > 5 and figures.ssim < 0.9


def test_fill_masked_leaves_known_pixels_and_fills_the_hole_smoothly():
    image = torch.zeros(3, 64, 64)
    image[0] = torch.linspace(0, 1, 64)[None, :]
    hole = torch.zeros(1, 64, 64)
    hole[:, 20:40, 20:40] = 1
    filled = compose.fill_masked(image, hole)
    assert torch.equal(filled[:, hole[0] == 0], image[:, hole[0] == 0])
    assert (filled[0, 20:40, 20:40] - image[0, 20:40, 20:40]).abs().max() < 0.15
