"""Device throughput of the stylization networks: megapixels per second by batch size,
precision, memory layout and compilation, and the roofline fraction of the best setting.

Written for CUDA; every function also runs (slowly, at small sizes) on the CPU, which is
how the tests keep these paths honest on machines without a GPU.
"""
from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass

import torch
from torch import nn

from stylelab.engine.roofline import measure_peaks, network_cost
from stylelab.weights.store import load_network

NETWORKS = {"26 styles": "multistyle26", "any image": "arbitrary_transformer"}
CONDITION_SIZE = {"multistyle26": 26, "arbitrary_transformer": 100}  # style weights / embedding length


@dataclass(frozen=True)
class ThroughputSetting:
    batch: int
    precision: str  # "fp32", "bf16" or "fp16" (autocast, as the engine runs)
    channels_last: bool = True
    compiled: bool = False

    @property
    def label(self) -> str:
        layout = "channels-last" if self.channels_last else "NCHW"
        return f"batch {self.batch}, {self.precision}, {layout}{', compiled' if self.compiled else ''}"


def reduced_precision(device: torch.device) -> str:
    if device.type == "cuda":
        return "bf16" if torch.cuda.is_bf16_supported() else "fp16"
    return "bf16"


def prepared_network(name: str, device: torch.device, setting: ThroughputSetting) -> nn.Module:
    network = load_network(name).to(device)
    if setting.channels_last:
        network = network.to(memory_format=torch.channels_last)
    if setting.compiled:
        network = torch.compile(network, mode="max-autotune-no-cudagraphs", dynamic=False)
    return network


@contextlib.contextmanager
def _precision(device: torch.device, precision: str) -> Iterator[None]:
    with torch.inference_mode():
        if precision == "fp32":
            yield
        else:
            dtype = torch.bfloat16 if precision == "bf16" else torch.float16
            with torch.autocast(device.type, dtype=dtype):
                yield


def megapixels_per_second(name: str, device: torch.device, setting: ThroughputSetting, side: int = 1024,
                          repeats: int = 5) -> float:
    """Steady-state network throughput on ``setting.batch`` images of side x side."""
    network = prepared_network(name, device, setting)
    images = torch.rand(setting.batch, 3, side, side, device=device)
    if setting.channels_last:
        images = images.contiguous(memory_format=torch.channels_last)
    condition = torch.softmax(torch.rand(setting.batch, CONDITION_SIZE[name], device=device), dim=1)
    with _precision(device, setting.precision):
        for _ in range(2 if setting.compiled else 1):  # compilation and autotuning happen here
            network(images, condition)
        _synchronize(device)
        started = time.perf_counter()
        for _ in range(repeats):
            network(images, condition)
        _synchronize(device)
    seconds = (time.perf_counter() - started) / repeats
    return setting.batch * side * side / 1e6 / seconds


def _synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def gpu_throughput_table(device: torch.device, quick: bool = False, side: int = 1024) -> list[str]:
    """Markdown: MP/s per network and setting, then the roofline fraction of the best one."""
    low = reduced_precision(device)
    batches = (1, 8) if quick else (1, 8, 32)
    settings = [ThroughputSetting(b, p, cl) for p in ("fp32", low) for cl in (True, False) for b in batches]
    settings += [ThroughputSetting(b, low, True, compiled=True) for b in batches[1:]]
    lines = [f"Network throughput at {side}x{side} (megapixels per second):", "",
             "| setting | " + " | ".join(NETWORKS) + " |", "|---|" + "---|" * len(NETWORKS)]
    best: dict[str, tuple[float, ThroughputSetting]] = {}
    for setting in settings:
        cells = []
        for label, name in NETWORKS.items():
            try:
                rate = megapixels_per_second(name, device, setting, side)
            except Exception as error:  # a failed compile is a figure to report, not a crash
                cells.append(f"failed: {type(error).__name__}")
                continue
            cells.append(f"{rate:,.0f}")
            if rate > best.get(label, (0.0, setting))[0]:
                best[label] = (rate, setting)
        lines.append(f"| {setting.label} | " + " | ".join(cells) + " |")
    peaks = measure_peaks(device, torch.bfloat16 if low == "bf16" else torch.float16)
    lines += ["", f"Measured peaks: {peaks.flops_per_second / 1e12:.0f} TFLOP/s ({low} matrix product), "
              f"{peaks.bytes_per_second / 1e9:.0f} GB/s (copy).", ""]
    for label, (rate, setting) in best.items():
        name = NETWORKS[label]
        cost = network_cost(load_network(name).to(device), torch.rand(1, CONDITION_SIZE[name]), bytes_per_value=2)
        bound = peaks.bound_seconds(cost, 1.0)
        lines.append(f"- {label}: best {rate:,.0f} MP/s ({setting.label}); {cost.flops_per_megapixel / 1e9:.1f} GFLOP "
                     f"and ≥{cost.bytes_per_megapixel / 1e6:.0f} MB per MP → roofline {1 / bound:,.0f} MP/s; "
                     f"reached {rate * bound:.0%}.")
    return lines
