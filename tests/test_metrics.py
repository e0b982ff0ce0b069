"""The SSIM / PSNR figures merchants see are the standard ones: they match scikit-image's."""
from __future__ import annotations

import numpy as np
import pytest
import skimage.data
from PIL import Image, ImageFilter
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from stylelab.metrics import compare_images, mean_ssim, psnr, ssim_map
from stylelab.product.region_metrics import region_figures


def _pairs() -> list[tuple[str, np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(3)
    coffee = skimage.data.coffee()
    noisy = np.clip(coffee.astype(int) + rng.integers(-60, 60, coffee.shape), 0, 255).astype(np.uint8)
    blurred = np.asarray(Image.fromarray(coffee).filter(ImageFilter.GaussianBlur(4)))
    inverted = 255 - coffee
    flat = np.full((50, 45, 3), 200, np.uint8)
    odd = skimage.data.astronaut()[:37, :101]
    return [("noise", coffee, noisy), ("blur", coffee, blurred), ("inverted", coffee, inverted),
            ("flat vs noise", flat, np.clip(flat + rng.integers(-3, 4, flat.shape), 0, 255).astype(np.uint8)),
            ("odd size", odd, np.asarray(Image.fromarray(odd).filter(ImageFilter.GaussianBlur(1)))),
            ("smallest", odd[:7, :7], odd[1:8, 2:9]),
            ("grey", skimage.data.camera(), np.asarray(Image.fromarray(skimage.data.camera()).filter(
                ImageFilter.GaussianBlur(2))))]


@pytest.mark.parametrize("name, a, b", _pairs(), ids=[p[0] for p in _pairs()])
def test_ssim_and_psnr_match_scikit_image(name, a, b):
    channels = 2 if a.ndim == 3 else None
    expected = structural_similarity(a, b, channel_axis=channels, data_range=255)
    assert mean_ssim(a, b) == pytest.approx(expected, abs=1e-6)
    assert psnr(a, b) == pytest.approx(peak_signal_noise_ratio(a, b, data_range=255), abs=1e-9)


@pytest.mark.parametrize("name, a, b", _pairs()[:5], ids=[p[0] for p in _pairs()[:5]])
def test_the_ssim_map_matches_scikit_image_up_to_the_borders(name, a, b):
    _, expected = structural_similarity(a, b, channel_axis=2, data_range=255, full=True)
    ours = ssim_map(a, b)
    assert ours.shape == a.shape[:2]
    np.testing.assert_allclose(ours, expected.mean(axis=2), atol=1e-4)  # float32: ~4 exact digits


def test_identical_images_are_perfect_and_tiny_ones_are_refused():
    coffee = Image.fromarray(skimage.data.coffee())
    same = compare_images(coffee, coffee.copy())
    assert same.ssim == 1.0 and same.psnr == float("inf")
    tiny = np.zeros((6, 20, 3), np.uint8)
    with pytest.raises(ValueError, match="at least 7x7"):
        mean_ssim(tiny, tiny + 1)


def test_a_cutout_is_compared_as_shown_on_white():
    logo = Image.fromarray(skimage.data.logo())  # RGBA
    on_white = Image.new("RGB", logo.size, "white")
    on_white.paste(logo, mask=logo.getchannel("A"))
    assert compare_images(logo, on_white).ssim == 1.0


def test_product_region_figures_count_only_the_product():
    photo = skimage.data.coffee()
    changed = photo.copy()
    changed[:, :200] = 255 - changed[:, :200]  # only the left part is changed
    mask = np.zeros(photo.shape[:2], np.uint8)
    mask[100:300, 300:500] = 255  # the product: far from the change
    figures = region_figures(Image.fromarray(photo), Image.fromarray(changed), Image.fromarray(mask))
    assert figures.ssim == pytest.approx(1.0, abs=1e-6)
    assert figures.psnr == float("inf") and figures.delta_e == 0
    mask[:, 150:250] = 255  # now the product straddles the change
    figures = region_figures(Image.fromarray(photo), Image.fromarray(changed), Image.fromarray(mask))
    assert figures.ssim < 0.8 and figures.delta_e > 5
