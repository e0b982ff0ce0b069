"""The memory-saving building blocks must compute exactly what the plain formulas do."""
from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from stylelab.models.layers import channel_moments, conv2d_padded, normalize_and_modulate, upsample_2x_conv3x3_reflect


@pytest.mark.parametrize("kernel, stride", [(9, 1), (3, 1), (3, 2)])
@pytest.mark.parametrize("height, width", [(64, 64), (67, 41), (36, 130), (20, 20)])
@pytest.mark.parametrize("channels_last", [False, True])
@pytest.mark.parametrize("mode", ["reflect", "replicate"])
def test_padded_conv_matches_padding_the_whole_input(kernel, stride, height, width, channels_last, mode):
    generator = torch.Generator().manual_seed(kernel * 100 + height)
    x = torch.rand(2, 5, height, width, generator=generator)
    weight = torch.randn(7, 5, kernel, kernel, generator=generator) * 0.1
    bias = torch.randn(7, generator=generator)
    if channels_last:
        x, weight = x.contiguous(memory_format=torch.channels_last), weight.contiguous(memory_format=torch.channels_last)
    padding = kernel // 2
    expected = F.conv2d(F.pad(x, (padding,) * 4, mode=mode), weight, bias, stride)
    result = conv2d_padded(x, weight, bias, stride, padding, mode)
    assert result.shape == expected.shape
    torch.testing.assert_close(result, expected, rtol=1e-5, atol=1e-5)


def test_reflect_conv_gradients_match():
    x = torch.rand(1, 3, 40, 44, requires_grad=True)
    weight = torch.randn(4, 3, 3, 3, requires_grad=True)
    conv2d_padded(x, weight, None, 2, 1, "reflect").square().sum().backward()
    fast = (x.grad.clone(), weight.grad.clone())
    x.grad, weight.grad = None, None
    F.conv2d(F.pad(x, (1,) * 4, mode="reflect"), weight, None, 2).square().sum().backward()
    torch.testing.assert_close(fast[0], x.grad)
    torch.testing.assert_close(fast[1], weight.grad)


@pytest.mark.parametrize("height, width", [(32, 32), (45, 70), (8, 9)])
@pytest.mark.parametrize("channels_last", [False, True])
def test_upsampling_conv_matches_enlarging_first(height, width, channels_last):
    generator = torch.Generator().manual_seed(height)
    x = torch.rand(2, 6, height, width, generator=generator)
    weight, bias = torch.randn(5, 6, 3, 3, generator=generator) * 0.2, torch.randn(5, generator=generator)
    if channels_last:
        x = x.contiguous(memory_format=torch.channels_last)
    enlarged = F.interpolate(x, scale_factor=2.0, mode="nearest")
    expected = F.conv2d(F.pad(enlarged, (1,) * 4, mode="reflect"), weight, bias)
    result = upsample_2x_conv3x3_reflect(x, weight, bias)
    torch.testing.assert_close(result, expected, rtol=1e-5, atol=1e-5)
    assert result.is_contiguous(memory_format=torch.channels_last) == channels_last


@pytest.mark.parametrize("channels_last", [False, True])
@pytest.mark.parametrize("channels", [3, 32])
def test_channel_moments_match_var_mean(channels_last, channels):
    x = torch.randn(2, channels, 96, 80, generator=torch.Generator().manual_seed(1)) * 3 + 1.5
    if channels_last:
        x = x.contiguous(memory_format=torch.channels_last)
    mean, var = channel_moments(x)
    expected_var, expected_mean = torch.var_mean(x.double(), dim=(2, 3), unbiased=False, keepdim=True)
    torch.testing.assert_close(mean.double(), expected_mean, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(var.double(), expected_var, rtol=1e-4, atol=1e-4)


def test_normalize_overwrites_only_when_allowed():
    x = torch.randn(1, 4, 16, 16).contiguous(memory_format=torch.channels_last)
    gamma, beta = torch.full((1, 4), 2.0), torch.full((1, 4), 0.5)
    kept = x.clone()
    result = normalize_and_modulate(x, gamma, beta, None)
    torch.testing.assert_close(x, kept)  # the default leaves the input alone
    assert result.mean().item() == pytest.approx(0.5, abs=1e-4)
    assert result.std(unbiased=False).item() == pytest.approx(2.0, abs=1e-3)
    with torch.inference_mode():
        overwritten = normalize_and_modulate(x, gamma, beta, None, overwrite=True)
    assert overwritten.data_ptr() == x.data_ptr()
    torch.testing.assert_close(overwritten, result)
    trained_gamma = gamma.clone().requires_grad_()  # fine-tuning: gradients flow to the style parameters
    assert normalize_and_modulate(kept, trained_gamma, beta, None, overwrite=True).data_ptr() != kept.data_ptr()
