"""The default fine-tuning recipe, part by part, and one short run that must bring a style closer."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn

from stylelab.imageio import to_image, to_tensor
from stylelab.training.finetune import FinetuneSettings
from stylelab.training.recipe import (EarlyStopping, WeightAverage, style_crops, validation_crops, warmup_cosine)
from stylelab.training.runs import HeldOutFigures, new_run_dir, publish_refusal, run_finetune_job, verdict
from tests.conftest import sample_picture


def test_validation_crops_are_the_same_at_every_evaluation_and_start_with_the_centre_squares():
    ramp = torch.linspace(0, 1, 120).expand(3, 90, 120)  # brightness rises from left to right
    photos = [ramp * 0.5, ramp, ramp.flip(-1)]
    first = validation_crops(photos, 64, per_photo=3, seed=5)
    assert first.shape == (9, 4, 64, 64), "three crops per photo, with an alpha channel"
    assert torch.equal(first, validation_crops(photos, 64, per_photo=3, seed=5)), "fixed: no noise in the curve"
    assert not torch.equal(first, validation_crops(photos, 64, per_photo=3, seed=6))
    centre = torch.linspace(15 / 119, 104 / 119, 64).expand(3, 64, 64)  # columns 15..104 of the second photo
    assert torch.allclose(first[1, :3], centre, atol=0.02), "the second crop is the second photo's centre square"
    assert torch.allclose(first[:, 3], torch.ones(9, 64, 64)), "opaque photos carry an all-ones alpha"


def test_style_crops_cover_several_scales():
    style = torch.zeros(3, 200, 300)
    style[:, :, ::20] = 1.0  # one-pixel lines every 20 px: a small crop shows fewer, wider lines
    crops = style_crops(style, 50, per_scale=2, seed=0, scales=(0.25, 1.0))
    assert crops.shape == (4, 3, 50, 50)
    close, whole = crops[:2].std(dim=-1).mean(), crops[2:].std(dim=-1).mean()
    assert close > whole * 1.5, "the close-up crops show the lines larger and stronger"


def test_learning_rate_warms_up_then_decays_to_its_floor():
    factors = [warmup_cosine(step, 100, warmup=10, floor=0.1) for step in range(100)]
    assert factors[0] == pytest.approx(0.1) and factors[9] == pytest.approx(1.0)
    assert all(a < b for a, b in zip(factors[:10], factors[1:10])), "rises during the warm-up"
    assert all(a >= b for a, b in zip(factors[10:], factors[11:])), "never rises again"
    assert factors[-1] == pytest.approx(0.1)


def test_smoothed_early_stopping_ignores_one_lucky_evaluation_and_counts_patience_in_steps():
    stopping = EarlyStopping(patience=30, smoothing=0.6)
    stopping.update(0, 1.0)
    for step, value in [(10, 0.8), (20, 0.7), (30, 0.4), (40, 0.75), (50, 0.72)]:  # 0.4 is a lucky dip
        stopping.update(step, value)
    assert stopping.best_step in (30, 40, 50) and stopping.best > 0.6, "the smoothed curve never reaches the dip"
    falling = EarlyStopping(patience=30, smoothing=0.6)
    for step in range(0, 200, 10):
        falling.update(step, 1.0 / (1 + step))
        assert not falling.should_stop(step), "a curve that keeps falling never stops"
    flat = EarlyStopping(patience=30, smoothing=0.6)
    flat.update(0, 1.0)
    stopped = next(step for step in range(10, 200, 10) if (flat.update(step, 1.0), flat.should_stop(step))[1])
    assert stopped == 30, "patience is counted in steps since the best, not in evaluations"


def test_weight_average_lags_behind_the_live_weights_and_swaps_back_exactly():
    model = nn.Linear(3, 2)
    frozen = nn.Linear(3, 2).requires_grad_(False)
    frozen_before = frozen.weight.clone()
    average = WeightAverage(list(model.parameters()), decay=0.9)
    start = model.weight.detach().clone()
    for _ in range(50):
        with torch.no_grad():
            model.weight.add_(0.1)
        average.update()
    live = model.weight.detach().clone()
    average.swap()
    averaged = model.weight.detach().clone()
    assert torch.all(averaged > start) and torch.all(averaged < live), "the average trails the live weights"
    average.swap()
    assert torch.equal(model.weight, live), "swapping twice restores the live weights bit for bit"
    assert torch.equal(frozen.weight, frozen_before)


def _figures(style_after: float, ssim_after: float) -> HeldOutFigures:
    return HeldOutFigures(style_loss_before=0.04, style_loss_after=style_after, ssim_before=0.50, ssim_after=ssim_after,
                          psnr_before=15.0, psnr_after=15.5, embedding_distance_before=2.0,
                          embedding_distance_after=1.5)


def test_the_verdict_says_in_words_whether_a_run_is_worth_publishing():
    assert verdict(_figures(0.0276, 0.48)) == "style closer by 31 %, product similarity −0.02: worth publishing"
    assert verdict(_figures(0.0400, 0.50)).startswith("no improvement")
    assert verdict(_figures(0.0400, 0.50)).endswith("not worth publishing")
    assert "look at the before/after" in verdict(_figures(0.02, 0.30)), "closer, but the product changed a lot"
    assert publish_refusal(_figures(0.0276, 0.48)) is None
    assert "did not bring the style closer" in publish_refusal(_figures(0.0395, 0.50))


def stripes(size: int = 256, period: int = 16) -> torch.Tensor:
    """A strong texture no photo has: diagonal red and black stripes."""
    y, x = np.mgrid[:size, :size]
    band = ((x + y) // (period // 2)) % 2 == 0
    image = np.zeros((size, size, 3), np.float32)
    image[band] = (0.9, 0.1, 0.1)
    return torch.from_numpy(image).permute(2, 0, 1)


def test_a_short_default_run_brings_a_stripe_style_closer_on_held_out_photos(engine, tmp_path):
    """Fails if training does nothing: the held-out style distance must fall clearly, in all three views."""
    photos = [to_tensor(sample_picture(name, (160, 120))) for name in ("coffee", "chelsea", "astronaut", "rocket")]
    networks = engine.networks()
    settings = FinetuneSettings(trainable="upper", steps=10, image_size=96, batch_size=2, validation_fraction=0.5)
    result, figures = run_finetune_job(networks.predictor, engine.float_transformer(), stripes(), photos, settings,
                                       new_run_dir(tmp_path, "stripes"))
    assert result.best_step > 0
    assert figures.style_gain >= 0.25, f"held-out style distance fell by only {figures.style_gain:.0%}"
    assert figures.embedding_distance_after < figures.embedding_distance_before
    assert figures.palette_distance_after < figures.palette_distance_before, "the colours move to red and black"
    assert figures.improved and "style closer by" in verdict(figures)
    assert math.isfinite(figures.ssim_after)


def test_the_cli_refuses_to_publish_a_run_that_did_not_improve_unless_forced(tmp_path):
    from stylelab.store.templates import TemplateStore
    from tests.test_cli import run_cli

    to_image(stripes(128)).save(tmp_path / "stripes.png")
    for index, name in enumerate(("coffee", "chelsea", "astronaut")):
        sample_picture(name, (96, 72)).save(tmp_path / f"photo{index}.png")
    # one step at a vanishing learning rate: a run that changes nothing
    words = ["finetune", "--style", "stripes.png", "--photos", "photo0.png", "photo1.png", "photo2.png", "--name",
             "Stripes", "--steps", "1", "--lr", "1e-9", "--image-size", "64", "--batch-size", "1", "--quiet",
             "--publish"]
    refused = run_cli(*words, cwd=tmp_path)
    assert refused.returncode == 2, refused.stderr
    assert "verdict: no improvement" in refused.stdout
    assert "Not published" in refused.stderr and "--force" in refused.stderr
    assert "Stripes" not in TemplateStore(tmp_path / "stylelab-data").names(), "nothing was published"
    forced = run_cli(*words, "--force", cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert "published 'Stripes' v001" in forced.stdout
