"""The int8 convolutions against the float layers they replace, and calibration."""
from __future__ import annotations

import pytest
import torch

from stylelab.engine.precision import int8_supported
from stylelab.models import MultiStyleNet
from stylelab.models.layers import ReflectConv
from stylelab.models.predictor import SameConv
from stylelab.models.quantized import (NO_SATURATION_WEIGHT_MAX, QUANTIZE_CHUNK, ActivationRange, Int8Conv, calibrate,
                                       choose_float_layers, int8_conv, iterate_batches, multiply_adds, quantize_network,
                                       quantize_uint8)

pytestmark = pytest.mark.skipif(not int8_supported(), reason="int8 needs an x86-64 CPU with AVX2 (oneDNN)")


def relative_error(ours: torch.Tensor, reference: torch.Tensor) -> float:
    return float((ours - reference).abs().mean() / reference.abs().mean())


@pytest.mark.parametrize("layer", [
    ReflectConv(3, 16, 9),  # mirror padding
    ReflectConv(16, 16, 3, stride=2),
    ReflectConv(16, 8, 3, upsample=True),  # four phase kernels and a pixel shuffle
    SameConv(16, 16, 3, stride=2, groups=16),  # TensorFlow "SAME" zero padding, depthwise, odd size
], ids=["reflect 9x9", "reflect stride 2", "upsample 2x", "same depthwise stride 2"])
def test_int8_layer_matches_its_float_layer_on_odd_sizes(layer):
    torch.manual_seed(0)
    channels = layer.conv.in_channels if isinstance(layer, ReflectConv) else layer.in_channels
    x = (torch.rand(1, channels, 37, 50) * 2).contiguous(memory_format=torch.channels_last)
    with torch.inference_mode():
        reference = layer(x)
        ours = int8_conv(layer, ActivationRange(2 / 255, 0), NO_SATURATION_WEIGHT_MAX)(x)
        emulated = int8_conv(layer, ActivationRange(2 / 255, 0), NO_SATURATION_WEIGHT_MAX, emulate=True)(x)
    assert ours.shape == reference.shape
    assert relative_error(ours, reference) < 0.03  # 7-bit weights, 8-bit inputs
    # the float emulation computes the kernel's integer products: what VNNI CPUs get with 8-bit weights
    assert relative_error(emulated, ours) < 1e-4


def test_quantizing_in_bands_of_rows_gives_every_pixel_its_rounded_uint8_value():
    torch.manual_seed(0)
    x = (torch.randn(2, 8, 301, 257) * 4).contiguous(memory_format=torch.channels_last)  # bands of 255 rows
    assert x.numel() > QUANTIZE_CHUNK
    scale, zero_point = 0.03, 128
    ours = quantize_uint8(x, scale, zero_point)
    expected = torch.floor(x / scale + zero_point + 0.5).clamp(0, 255).to(torch.uint8)
    assert ours.is_contiguous(memory_format=torch.channels_last)
    # float rounding may move a value sitting on a half step by one; nothing else differs
    assert (ours.int() - expected.int()).abs().max() <= 1
    assert (ours != expected).float().mean() < 1e-4
    assert ours[0, :, 0].min() == 0 and ours[1, :, -1].max() == 255  # clamped at both ends, first and last band


def test_calibration_covers_every_convolution_and_the_quantized_network_follows_the_float_one():
    torch.manual_seed(0)
    network = MultiStyleNet().eval()
    samples = [(torch.rand(1, 3, 64, 64), torch.eye(26)[i : i + 1]) for i in (0, 9)]
    ranges = calibrate(network, iterate_batches(samples))
    convolutions = [n for n, m in network.named_modules() if isinstance(m, ReflectConv)]
    assert sorted(ranges) == sorted(convolutions)
    assert all(r.scale > 0 and 0 <= r.zero_point <= 255 for r in ranges.values())
    quantized = quantize_network(network, ranges, NO_SATURATION_WEIGHT_MAX)
    assert sum(isinstance(m, Int8Conv) for m in quantized.modules()) == len(convolutions)
    with torch.inference_mode():
        image = samples[0][0].contiguous(memory_format=torch.channels_last)
        assert relative_error(quantized(image, samples[0][1]), network(image, samples[0][1])) < 0.05
    with pytest.raises(ValueError, match="no calibrated range"):
        quantize_network(network, {}, NO_SATURATION_WEIGHT_MAX)


def test_the_costliest_convolutions_stay_in_float_until_the_rest_reach_the_target():
    # squared errors per run (two runs); 30 dB allows 1e-3 per run
    errors = {"a": [8e-4, 1e-4], "b": [2e-4, 5e-4], "c": [1e-4, 1e-4], "d": [5e-5, 5e-5]}
    assert choose_float_layers(errors, 30.0) == ["a"]  # b+c+d: 3.5e-4 and 6.5e-4
    assert choose_float_layers(errors, 33.0) == ["a", "b"]  # 5e-4 allowed: c+d 1.5e-4
    assert choose_float_layers(errors, 20.0) == []
    assert choose_float_layers(errors, 60.0) == ["a", "b", "c", "d"]


def test_a_mixed_precision_network_keeps_the_named_convolutions_in_float():
    torch.manual_seed(0)
    network = MultiStyleNet().eval()
    image, style = torch.rand(1, 3, 64, 64), torch.eye(26)[:1]
    ranges = calibrate(network, iterate_batches([(image, style)]))
    mixed = quantize_network(network, ranges, NO_SATURATION_WEIGHT_MAX, keep_float=["contract.1.conv"])
    assert isinstance(mixed.get_submodule("contract.1.conv"), ReflectConv)
    assert isinstance(mixed.get_submodule("contract.2.conv"), Int8Conv)
    counts = multiply_adds(network, image, style)
    assert counts["contract.0.conv"] == 64 * 64 * 32 * 3 * 81 and counts["expand.0.conv"] == 32 * 32 * 8 * 32 * 9
    with pytest.raises(ValueError, match="no convolution named"):
        quantize_network(network, ranges, NO_SATURATION_WEIGHT_MAX, keep_float=["contract.9.conv"])
