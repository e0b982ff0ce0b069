"""The int8 convolutions against the float layers they replace, and calibration."""
from __future__ import annotations

import pytest
import torch

from stylelab.engine.precision import int8_supported
from stylelab.models import MultiStyleNet
from stylelab.models.layers import ReflectConv
from stylelab.models.predictor import SameConv
from stylelab.models.quantized import (NO_SATURATION_WEIGHT_MAX, ActivationRange, Int8Conv, calibrate, int8_conv,
                                       iterate_batches, quantize_network)

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
    assert ours.shape == reference.shape
    assert relative_error(ours, reference) < 0.03  # 7-bit weights, 8-bit inputs


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
