"""Pure image operations, checked directly."""
from __future__ import annotations

import torch
from skimage.color import rgb2lab

from stylelab.engine import imageops
from stylelab.engine.tiling import blend_weights, tile_starts


def test_lab_conversion_matches_scikit_image_and_round_trips():
    image = torch.rand(3, 32, 48, generator=torch.Generator().manual_seed(1))
    ours = imageops.rgb_to_lab(image).permute(1, 2, 0).numpy()
    reference = rgb2lab(image.permute(1, 2, 0).numpy())
    assert abs(ours - reference).max() < 0.05
    assert (imageops.lab_to_rgb(imageops.rgb_to_lab(image)) - image).abs().max() < 1e-4


def test_keep_original_colours_takes_lightness_from_one_and_colour_from_the_other():
    photo = torch.rand(3, 16, 16, generator=torch.Generator().manual_seed(2)) * 0.6 + 0.2
    grey = photo.mean(0, keepdim=True).expand(3, -1, -1) * 0.8
    merged = imageops.keep_original_colours(grey, photo)
    merged_lab, photo_lab, grey_lab = (imageops.rgb_to_lab(x) for x in (merged, photo, grey))
    assert (merged_lab[0] - grey_lab[0]).abs().mean() < 0.5
    assert (merged_lab[1:] - photo_lab[1:]).abs().mean() < 1.5
    assert photo.min() >= 0.2, "inputs are not modified"


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
