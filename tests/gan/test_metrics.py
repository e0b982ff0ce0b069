"""FD and KID (on MobileNetV2 features) are near zero for one distribution and grow apart."""
from __future__ import annotations

import numpy as np
import torch

from stylelab.gan.metrics import frechet_distance, kernel_distance
from tests.gan_fixtures import features, tiny_images


def test_frechet_distance_matches_the_closed_form_for_gaussians():
    rng = np.random.default_rng(0)
    a = rng.normal(0, 1, (4000, 4))
    b = rng.normal(0.5, 2, (4000, 4))
    expected = 4 * 0.25 + 4 * (1 + 4 - 2 * 2)  # |mu diff|² + tr(S_a + S_b - 2 sqrt(S_a S_b))
    assert abs(frechet_distance(a, b) - expected) < 0.3
    assert frechet_distance(a, a) < 1e-6


def test_kid_is_about_zero_for_the_same_distribution_and_positive_for_another():
    rng = np.random.default_rng(1)
    a, same, other = rng.normal(0, 1, (400, 16)), rng.normal(0, 1, (400, 16)), rng.normal(0.3, 1, (400, 16))
    assert abs(kernel_distance(a, same)) < 0.01
    assert kernel_distance(a, other) > 0.05


def test_mobilenet_features_tell_real_products_from_noise():
    real = tiny_images(64).float() / 255
    noise = torch.rand_like(real)
    f_real, f_real2 = features().of_batches(real[:32]), features().of_batches(real[32:])
    f_noise = features().of_batches(noise[:32])
    assert f_real.shape == (32, 1280)
    assert frechet_distance(f_real, f_real2) < frechet_distance(f_real, f_noise) / 3
