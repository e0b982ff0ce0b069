"""The generator's and discriminator's building blocks behave as StyleGAN2's do."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from stylelab.gan.augment import diff_augment
from stylelab.gan.discriminator import Discriminator
from stylelab.gan.networks import Generator, GeneratorConfig, ema_update, modulated_conv2d

SMALL = GeneratorConfig(resolution=32, z_dim=32, w_dim=32, channel_base=256, channel_max=32)


def test_modulated_conv_equals_modulating_and_demodulating_the_kernel_per_sample():
    torch.manual_seed(0)
    x, weight, styles = torch.randn(3, 8, 6, 6), torch.randn(5, 8, 3, 3), torch.rand(3, 8) + 0.5
    out = modulated_conv2d(x, weight, styles)
    for n in range(3):  # the textbook form: one modulated, demodulated kernel per sample
        w = weight * styles[n][None, :, None, None]
        w = w / w.square().sum(dim=(1, 2, 3), keepdim=True).sqrt()
        torch.testing.assert_close(out[n : n + 1], F.conv2d(x[n : n + 1], w, padding=1), atol=1e-5, rtol=1e-4)


def test_generator_makes_images_of_its_size_and_truncation_zero_gives_the_average_product():
    generator = Generator(SMALL).eval()
    z = torch.randn(4, SMALL.z_dim)
    with torch.no_grad():
        images = generator(z, noise_mode="const")
        average = generator(z, truncation=0.0, noise_mode="const")
    assert images.shape == (4, 3, 32, 32) and torch.isfinite(images).all()
    assert not torch.allclose(images[0], images[1])
    torch.testing.assert_close(average[0], average[3])  # every seed collapses onto w_avg


def test_ema_copy_moves_towards_the_trained_weights():
    model, ema = Generator(SMALL), Generator(SMALL)
    before = (ema.const - model.const).abs().mean()
    ema_update(ema, model, beta=0.9)
    assert (ema.const - model.const).abs().mean() < before * 0.95


def test_discriminator_scores_each_image_and_names_its_lower_blocks_from_the_input():
    discriminator = Discriminator(SMALL)
    assert list(discriminator.blocks) == ["b32", "b16", "b8"]
    assert discriminator(torch.randn(4, 3, 32, 32)).shape == (4,)
    lower = discriminator.lower_modules(2)
    assert lower[0] is discriminator.from_rgb and lower[1:] == [discriminator.blocks["b32"], discriminator.blocks["b16"]]


def test_diff_augment_changes_images_but_lets_gradients_through():
    torch.manual_seed(0)
    x = torch.rand(4, 3, 32, 32, requires_grad=True)
    y = diff_augment(x)
    assert y.shape == x.shape and not torch.allclose(y, x)
    y.sum().backward()
    assert x.grad is not None and x.grad.abs().sum() > 0
    cut = diff_augment(torch.ones(2, 3, 32, 32), "cutout")
    assert abs(float((cut == 0).float().mean()) - 0.25) < 0.02  # one square of half the side blanked
