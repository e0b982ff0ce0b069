"""Int8 inference on the CPU: the networks' convolutions on oneDNN's int8 kernels.

Weights are int8 per output channel; each convolution's input is quantized to uint8
with one scale and zero point calibrated on sample images; the convolution hands back
float32, so instance norms (and their statistics), residual sums, ReLUs and the final
sigmoid stay in float and tiling, blends and strength work unchanged.

Mixed precision: the few convolutions whose rounding the networks amplify most (measured
by ``layer_errors`` on the calibration images, chosen by ``choose_float_layers``) may stay
in float32; the rest run in int8.

``onednn::qconv2d_pointwise`` is the kernel PyTorch's PT2E flow with the x86 Inductor
quantizer lowers a quantized convolution to. Calling it directly keeps the networks'
own forward code (norm-statistics replay for tiles included) and skips Inductor's
compile for every new image size, which start-up and odd-sized photos cannot afford.
"""
from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from stylelab.models.layers import ReflectConv, upsample_phase_weights
from stylelab.models.predictor import SameConv

UINT8_MAX = 255
# Largest int8 weight magnitude. CPUs with VNNI or AMX multiply-add uint8 x int8 straight into
# int32; AVX2 without VNNI adds pairs of products in int16 first, which saturates for large
# inputs times large weights (measured: 30 dB against float instead of 41 dB), so there the
# weights get 7 bits, as FBGEMM's reduce_range does for the same reason.
FULL_WEIGHT_MAX = 127
NO_SATURATION_WEIGHT_MAX = 63


@dataclass(frozen=True)
class ActivationRange:
    """How a convolution's input maps to uint8: value = scale * (q - zero_point)."""

    scale: float
    zero_point: int


# Elements quantized per step: a 4 MB float scratch stays in the cache between the passes.
QUANTIZE_CHUNK = 1 << 20


def quantize_uint8(x: torch.Tensor, scale: float, zero_point: int) -> torch.Tensor:
    """round(x / scale) + zero_point, clamped to 0..255, as a channels-last uint8 tensor.

    It runs over bands of rows through one small float scratch: four passes over a full-size
    float temporary took 2-3x as long at 1024x1024 (its memory traffic and first-touch page faults).
    """
    x = x.contiguous(memory_format=torch.channels_last)
    batch, channels, height, width = x.shape
    quantized = torch.empty_like(x, dtype=torch.uint8)
    rows = max(1, QUANTIZE_CHUNK // max(1, batch * channels * width))
    scratch = torch.empty_like(x[:, :, :rows])
    for top in range(0, height, rows):
        band = x[:, :, top : top + rows]
        step = scratch[:, :, : band.shape[2]]
        # +0.5 then truncation (the cast) rounds half up; the clamp keeps it in range
        torch.mul(band, 1.0 / scale, out=step).add_(zero_point + 0.5).clamp_(0, UINT8_MAX)
        quantized[:, :, top : top + rows].copy_(step)
    return quantized


class Int8Conv(nn.Module):
    """A float-in, float-out convolution run in int8 (see the module docstring).

    ``pad`` maps the uint8 input to the padded input of a padding-free convolution
    (mirror, edge or zero padding as the float layer does); ``shuffle`` is set for the
    2x-upsampling convolutions, computed as four phases and interleaved. ``emulate``
    computes the same integer products in float32 instead of oneDNN's kernel: exact for
    what VNNI/AMX CPUs accumulate in int32, so any CPU can measure their quality.
    """

    def __init__(self, weight: torch.Tensor, bias: torch.Tensor | None, stride: int, groups: int,
                 activation: ActivationRange, pad: Callable[[torch.Tensor, int], torch.Tensor], shuffle: bool = False,
                 weight_max: int = FULL_WEIGHT_MAX, emulate: bool = False):
        super().__init__()
        weight = weight.detach().float()
        scales = weight.abs().amax(dim=(1, 2, 3)).clamp_min(1e-8) / weight_max
        int_weight = torch.round(weight / scales[:, None, None, None]).clamp_(-weight_max, weight_max).to(torch.int8)
        self.activation = activation
        self.stride, self.groups, self.pad, self.shuffle, self.emulate = stride, groups, pad, shuffle, emulate
        self.weight_max = weight_max
        self.register_buffer("weight_scales", scales, persistent=False)
        self.register_buffer("weight_zero_points", torch.zeros(len(scales), dtype=torch.int32), persistent=False)
        self.register_buffer("bias", None if bias is None else bias.detach().float(), persistent=False)
        if emulate:
            self.register_buffer("packed", int_weight.float() * scales[:, None, None, None], persistent=False)
        else:
            self.register_buffer("packed", torch.ops.onednn.qconv_prepack(
                int_weight, scales, activation.scale, activation.zero_point, [stride, stride], [0, 0], [1, 1], groups,
                None,
            ), persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        scale, zero_point = self.activation.scale, self.activation.zero_point
        quantized = self.pad(quantize_uint8(x, scale, zero_point), zero_point)
        if self.emulate:
            output = F.conv2d(quantized.float().sub_(zero_point).mul_(scale), self.packed, self.bias, self.stride,
                              groups=self.groups)
        else:
            output = torch.ops.onednn.qconv2d_pointwise(
                quantized.contiguous(memory_format=torch.channels_last), scale, zero_point, self.packed,
                self.weight_scales, self.weight_zero_points, self.bias, [self.stride] * 2, [0, 0], [1, 1], self.groups,
                1.0, 0, torch.float32, "none", [], "",
            )
        return F.pixel_shuffle(output, 2).contiguous(memory_format=torch.channels_last) if self.shuffle else output


def _mirror(padding: int, mode: str) -> Callable[[torch.Tensor, int], torch.Tensor]:
    return lambda q, _zero_point: F.pad(q, (padding,) * 4, mode=mode)


def _same_padding(conv: SameConv) -> Callable[[torch.Tensor, int], torch.Tensor]:
    def pad(q: torch.Tensor, zero_point: int) -> torch.Tensor:
        pads = []
        for size, kernel, stride in zip(reversed(q.shape[2:]), reversed(conv.kernel_size), reversed(conv.stride)):
            total = max((math.ceil(size / stride) - 1) * stride + kernel - size, 0)
            pads += [total // 2, total - total // 2]
        return F.pad(q, pads, value=zero_point) if any(pads) else q  # zero in uint8 is the zero point

    return pad


def int8_conv(layer: nn.Module, activation: ActivationRange, weight_max: int = FULL_WEIGHT_MAX,
              emulate: bool = False) -> Int8Conv:
    """The int8 twin of one of our float convolution layers."""
    if isinstance(layer, ReflectConv):
        conv = layer.conv
        if layer.upsample:
            return Int8Conv(upsample_phase_weights(conv.weight), None if conv.bias is None else
                            conv.bias.repeat_interleave(4), 1, 1, activation, _mirror(1, "replicate"), shuffle=True,
                            weight_max=weight_max, emulate=emulate)
        return Int8Conv(conv.weight, conv.bias, conv.stride[0], 1, activation, _mirror(layer.padding, "reflect"),
                        weight_max=weight_max, emulate=emulate)
    if isinstance(layer, SameConv):
        return Int8Conv(layer.weight, layer.bias, layer.stride[0], layer.groups, activation, _same_padding(layer),
                        weight_max=weight_max, emulate=emulate)
    raise TypeError(f"no int8 version of {type(layer).__name__}")


def _convolutions(network: nn.Module) -> dict[str, nn.Module]:
    return {name: m for name, m in network.named_modules() if isinstance(m, (ReflectConv, SameConv))}


def calibrate(network: nn.Module, run_samples: Callable[[nn.Module], None]) -> dict[str, ActivationRange]:
    """Each convolution's input range, from the float network on the calibration samples.

    Histogram observers pick the range that minimizes the quantization error, so rare
    extreme activations do not coarsen the steps for all others.
    """
    from torch.ao.quantization.observer import HistogramObserver  # only calibration needs it

    observers = {name: HistogramObserver(dtype=torch.quint8, qscheme=torch.per_tensor_affine)
                 for name in _convolutions(network)}
    hooks = [layer.register_forward_pre_hook(lambda _m, args, o=observers[name]: o(args[0].float()))
             for name, layer in _convolutions(network).items()]
    try:
        with torch.no_grad():
            run_samples(network)
    finally:
        for hook in hooks:
            hook.remove()
    ranges = {}
    for name, observer in observers.items():
        scale, zero_point = observer.calculate_qparams()
        ranges[name] = ActivationRange(float(scale), int(zero_point))
    return ranges


def quantize_network(network: nn.Module, ranges: dict[str, ActivationRange], weight_max: int = FULL_WEIGHT_MAX,
                     keep_float: Iterable[str] = (), emulate: bool = False) -> nn.Module:
    """A copy of ``network`` whose convolutions run in int8 (on the CPU, channels-last),
    except those named in ``keep_float``; ``emulate``: see ``Int8Conv``."""
    keep_float = set(keep_float)
    unknown = keep_float - set(_convolutions(network))
    if unknown:
        raise ValueError(f"no convolution named {sorted(unknown)}")
    missing = set(_convolutions(network)) - set(ranges) - keep_float
    if missing:
        raise ValueError(f"no calibrated range for {sorted(missing)}")
    quantized = copy.deepcopy(network).cpu().float()
    for name, layer in _convolutions(quantized).items():
        if name not in keep_float:
            quantized.set_submodule(name, int8_conv(layer, ranges[name], weight_max, emulate))
    return quantized.eval().requires_grad_(False)


def layer_errors(network: nn.Module, ranges: dict[str, ActivationRange], weight_max: int,
                 runs: list[tuple[torch.Tensor, ...]]) -> dict[str, list[float]]:
    """Each convolution's own cost: per run, the mean squared difference from the float
    output when only that convolution runs in int8 (emulated, so 8-bit weights can be
    measured on CPUs without VNNI too)."""
    names = list(_convolutions(network))
    with torch.no_grad():
        references = [network(*arguments) for arguments in runs]
        errors = {}
        for name in names:
            alone = quantize_network(network, ranges, weight_max, keep_float=[n for n in names if n != name],
                                     emulate=True)
            errors[name] = [float((alone(*arguments) - reference).square().mean())
                            for arguments, reference in zip(runs, references)]
    return errors


def choose_float_layers(errors: dict[str, list[float]], target_db: float) -> list[str]:
    """The fewest convolutions to keep in float so that every run's predicted PSNR against
    float reaches ``target_db``, most costly first.

    The layers' roundings are independent, so their squared errors add up (on the worst
    evaluation photo the sum predicted 26.4 dB for the all-int8 26-style network; measured: 26.9 dB).
    """
    budget = 10 ** (-target_db / 10)
    runs = range(len(next(iter(errors.values()), [])))
    order = sorted(errors, key=lambda name: sum(errors[name]), reverse=True)
    kept: list[str] = []
    for name in order:
        if all(sum(errors[n][i] for n in errors if n not in kept) <= budget for i in runs):
            break
        kept.append(name)
    return kept


def multiply_adds(network: nn.Module, *arguments: torch.Tensor) -> dict[str, int]:
    """Multiply-adds of each (float) convolution of ``network`` for one call with ``arguments``,
    which tells how much of the work a mixed-precision network does in int8."""
    counts: dict[str, int] = {}

    def count(name: str, layer: nn.Module, output: torch.Tensor) -> None:
        conv = layer.conv if isinstance(layer, ReflectConv) else layer
        counts[name] = output.numel() * conv.in_channels // conv.groups * math.prod(conv.kernel_size)

    hooks = [layer.register_forward_hook(lambda m, _args, out, n=name: count(n, m, out))
             for name, layer in _convolutions(network).items()]
    try:
        with torch.no_grad():
            network(*arguments)
    finally:
        for hook in hooks:
            hook.remove()
    return counts


def iterate_batches(batches: Iterable[tuple[torch.Tensor, ...]]) -> Callable[[nn.Module], None]:
    """A ``run_samples`` for ``calibrate`` that calls the network on each argument tuple."""
    def run(network: nn.Module) -> None:
        for arguments in batches:
            network(*arguments)

    return run
