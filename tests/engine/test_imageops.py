"""Pure image operations, checked directly."""
from __future__ import annotations

import numpy as np
import torch
from PIL import Image
from skimage.color import rgb2lab
from skimage.metrics import structural_similarity

from stylelab.engine import imageops
from stylelab.imageio import to_image, to_tensor
from stylelab.product.region_metrics import seen_colour_difference
from tests.conftest import make_red_mug_and_black_lamp, sample_picture
from stylelab.engine.tiling import blend_weights, tile_starts


def test_lab_conversion_matches_scikit_image_and_round_trips():
    image = torch.rand(3, 32, 48, generator=torch.Generator().manual_seed(1))
    ours = imageops.rgb_to_lab(image).permute(1, 2, 0).numpy()
    reference = rgb2lab(image.permute(1, 2, 0).numpy())
    assert abs(ours - reference).max() < 0.05
    assert (imageops.lab_to_rgb(imageops.rgb_to_lab(image)) - image).abs().max() < 1e-4


def test_keep_original_colours_keeps_the_colour_a_buyer_sees_and_the_brushwork():
    photo_image, products = make_red_mug_and_black_lamp()
    photo = to_tensor(photo_image)
    strokes = (torch.sin(torch.arange(photo.shape[-1]) * 1.3) * torch.cos(torch.arange(photo.shape[-2]) * 0.9)[:, None])
    # what a light pencil style does: the red washed out to salmon, the black lamp light grey, strokes everywhere
    styled = (0.55 + 0.45 * photo) * (0.85 + 0.15 * strokes)
    kept = imageops.keep_original_colours(styled, photo)
    mask = Image.fromarray(products)
    assert seen_colour_difference(photo_image, to_image(styled), mask) > 10, "the style moves the colour"
    assert seen_colour_difference(photo_image, to_image(kept), mask) <= 3
    lamp = (to_tensor(photo_image)[:, products].mean(0) < 0.2)
    assert kept[:, products][:, lamp].mean() < 0.15, "the black lamp stays black, not light grey"
    assert structural_similarity(kept.permute(1, 2, 0).numpy(), photo.permute(1, 2, 0).numpy(), channel_axis=2,
                                 data_range=1.0) < 0.8, "the brushwork shows"
    assert torch.equal(photo, to_tensor(photo_image)), "inputs are not modified"


def test_gaussian_blur_matches_scipy_and_lightness_matches_lab():
    from scipy.ndimage import gaussian_filter

    image = torch.from_numpy(np.asarray(sample_picture("astronaut", (256, 256)).convert("L")) / 255.0).float()
    for sigma in (1.5, 6.0, 12.0):  # direct, and on a shrunk copy
        ours = imageops.gaussian_blur(image[None, None], sigma)[0, 0]
        reference = torch.from_numpy(gaussian_filter(image.double().numpy(), sigma, mode="mirror")).float()
        inner = (slice(40, -40), slice(40, -40))
        assert (ours - reference)[inner].abs().mean() < 2e-3, sigma
    rgb = torch.rand(3, 20, 30, generator=torch.Generator().manual_seed(3))
    assert torch.allclose(imageops.lightness(rgb), imageops.rgb_to_lab(rgb)[:1], atol=1e-3)


def test_mix_endpoints_and_no_input_mutation():
    a, b = torch.zeros(3, 4, 4), torch.ones(3, 4, 4)
    assert torch.equal(imageops.mix(a, b, 0.0), a) and torch.equal(imageops.mix(a, b, 1.0), b)
    assert torch.allclose(imageops.mix(a, b, 0.25), torch.full((3, 4, 4), 0.25))
    assert a.sum() == 0 and b.mean() == 1


def test_pad_to_multiple_and_grain_are_deterministic():
    image = torch.rand(1, 3, 13, 10)
    padded = imageops.pad_to_multiple(image, 4)
    assert padded.shape[-2:] == (16, 12) and torch.equal(padded[..., :13, :10], image)
    grain_a, grain_b = imageops.add_grain(image, 0.01, 0), imageops.add_grain(image, 0.01, 0)
    assert torch.equal(grain_a, grain_b) and (grain_a - image).abs().max() <= 0.01 + 1e-6


def test_tile_weights_cover_every_pixel_and_skip_shared_edges():
    for length in (400, 1000, 2048, 4096):
        starts = tile_starts(length, 256, 128)
        assert starts[0] == 0 and starts[-1] + 256 == length and all(s % 4 == 0 for s in starts)
        total = torch.zeros(length)
        for index, start in enumerate(starts):
            weights = blend_weights(starts, index, 256, length, 32, 64)
            if index > 0:
                assert weights[:32].max() == 0, "tile edges shared with a neighbour get no weight"
            total[start : start + len(weights)] += weights
        assert total.min() > 0
