"""How far the stylization networks are from the hardware limit.

A roofline bound says a network cannot run faster than the larger of (its arithmetic
/ the machine's peak arithmetic rate) and (the bytes it must move / the memory
bandwidth). The costs here are counted from a real forward pass; the machine's peaks
are measured (a large matrix product and a large copy), not taken from a datasheet.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import torch
from torch import nn

from stylelab.models.layers import ReflectConv


@dataclass(frozen=True)
class NetworkCost:
    """Per megapixel of input. Bytes are a lower bound: each convolution reads its input
    and writes its output once (norm, ReLU and skip fused into it), plus its weights."""

    flops_per_megapixel: float
    bytes_per_megapixel: float

    @property
    def flops_per_byte(self) -> float:
        return self.flops_per_megapixel / self.bytes_per_megapixel


@dataclass(frozen=True)
class MachinePeaks:
    flops_per_second: float
    bytes_per_second: float

    def bound_seconds(self, cost: NetworkCost, megapixels: float) -> float:
        """The fastest any implementation could run ``megapixels`` through the network."""
        return max(cost.flops_per_megapixel / self.flops_per_second,
                   cost.bytes_per_megapixel / self.bytes_per_second) * megapixels


def network_cost(network: nn.Module, condition: torch.Tensor, side: int = 256, bytes_per_value: int = 4) -> NetworkCost:
    """Count the multiply-adds and minimum traffic of every convolution on a side x side input."""
    totals = {"flops": 0.0, "bytes": 0.0}

    def count(module: ReflectConv, inputs: tuple[torch.Tensor, ...], output: torch.Tensor) -> None:
        weight = module.conv.weight
        # an upsampling convolution does as much arithmetic as one over the enlarged input
        totals["flops"] += 2.0 * output.numel() * weight[0].numel()
        totals["bytes"] += (inputs[0].numel() + output.numel() + weight.numel()) * bytes_per_value

    hooks = [m.register_forward_hook(count) for m in network.modules() if isinstance(m, ReflectConv)]
    device = next(network.parameters()).device
    try:
        with torch.inference_mode():
            network(torch.rand(1, 3, side, side, device=device), condition.to(device))
    finally:
        for hook in hooks:
            hook.remove()
    megapixels = side * side / 1e6
    return NetworkCost(totals["flops"] / megapixels, totals["bytes"] / megapixels)


def measure_peaks(device: torch.device, dtype: torch.dtype = torch.float32, repeats: int = 5) -> MachinePeaks:
    """Achievable arithmetic rate (large matrix product) and memory bandwidth (large copy)."""
    size = 4096 if device.type == "cuda" else 2048
    a = torch.rand(size, size, device=device, dtype=dtype)
    b = torch.rand(size, size, device=device, dtype=dtype)
    matmul_seconds = _best_seconds(lambda: torch.mm(a, b), device, repeats)
    source = torch.empty(64 * 2**20 if device.type == "cpu" else 256 * 2**20, device=device, dtype=torch.float32)
    target = torch.empty_like(source)
    copy_seconds = _best_seconds(lambda: target.copy_(source), device, repeats)
    return MachinePeaks(flops_per_second=2 * size**3 / matmul_seconds,
                        bytes_per_second=2 * source.numel() * source.element_size() / copy_seconds)


def _best_seconds(work, device: torch.device, repeats: int) -> float:
    work()
    best = float("inf")
    for _ in range(repeats):
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        started = time.perf_counter()
        work()
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        best = min(best, time.perf_counter() - started)
    return best


def measure_int8_peak(repeats: int = 5) -> float:
    """Achievable int8 multiply-add rate (ops/s) of the CPU, on the kernel the int8 networks use:
    oneDNN's uint8 x int8 convolution, 3x3 over 256 channels at 128x128."""
    channels, side = 256, 128
    x = torch.randint(0, 255, (1, channels, side, side), dtype=torch.uint8).contiguous(memory_format=torch.channels_last)
    weight = torch.randint(-63, 64, (channels, channels, 3, 3), dtype=torch.int8)
    scales = torch.full((channels,), 0.01)
    packed = torch.ops.onednn.qconv_prepack(weight, scales, 0.1, 0, [1, 1], [0, 0], [1, 1], 1, None)
    zero_points = torch.zeros(channels, dtype=torch.int32)
    seconds = _best_seconds(lambda: torch.ops.onednn.qconv2d_pointwise(
        x, 0.1, 0, packed, scales, zero_points, None, [1, 1], [0, 0], [1, 1], 1, 1.0, 0, torch.float32, "none", [], ""),
        torch.device("cpu"), repeats)
    return 2 * channels * channels * 9 * (side - 2) ** 2 / seconds
