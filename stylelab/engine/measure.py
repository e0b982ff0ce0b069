"""Measuring, once per machine, how much faster each reduced precision runs than fp32.

``auto`` on the CPU picks by these figures (``precision.pick_cpu_precision``): the speed-up of
each candidate over the fp32 runtime on both stylization networks at 768x768, and its PSNR from
the fp32 result on a real photo (scikit-image's astronaut). The figures are kept in the cache
folder under a key of the CPU and the library versions, so later starts only read them; the
first measurement takes a few seconds and is logged.
"""
from __future__ import annotations

import fcntl
import functools
import hashlib
import json
import logging
import platform
import time
from collections.abc import Callable
from pathlib import Path

from typing import TYPE_CHECKING

from stylelab.engine.graphs import EXPORT_VERSION, cache_dir, default_threads, library_version
from stylelab.engine.precision import Speedups, cpu_candidates, cpu_flags, has_int8_dot_product

if TYPE_CHECKING:  # measuring needs PyTorch; reading the kept figures (the torch-free CPU path) does not
    import torch

MEASURE_SIDE = 768  # large enough that the gains show as they do on photos (at 512 px bf16 gains less)
NETWORKS = ("multistyle26", "arbitrary_transformer")
LOGGER = logging.getLogger(__name__)


@functools.lru_cache(maxsize=1)  # reading package versions costs milliseconds, on every restyle otherwise
def _machine_key() -> str:
    model = next((line.split(":", 1)[1].strip() for line in _cpuinfo_lines() if line.startswith("model name")), "")
    text = "|".join([model, platform.machine(), " ".join(sorted(cpu_flags())), library_version("torch"),
                     library_version("openvino"), EXPORT_VERSION, str(default_threads())])
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def _cpuinfo_lines() -> list[str]:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            return info.readlines()
    except OSError:
        return []


def _figures_path() -> Path:
    return cache_dir() / "precision" / f"{_machine_key()}.json"


def kept_speedups() -> Speedups | None:
    """The figures measured earlier on this machine, or None (read without PyTorch)."""
    try:
        return json.loads(_figures_path().read_text())["speedups"]
    except (OSError, ValueError, KeyError):
        return None


def measured_speedups() -> Speedups:
    """The figures for this machine: read from the cache, else measured now and kept."""
    path = _figures_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    # one process measures while the others wait and then read its figures: processes that start together
    # (an app's workers, Ray's) would otherwise measure each other's load and could choose differently
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            return json.loads(path.read_text())["speedups"]
        except (OSError, ValueError, KeyError):
            pass
        LOGGER.warning("Measuring which number format is fastest on this CPU (once; a few seconds).")
        speedups = measure_speedups(cpu_candidates())
        from stylelab.store.files import atomic_write_text

        atomic_write_text(path, json.dumps({"cpu": platform.processor() or platform.machine(), "speedups": speedups},
                                           indent=1))
        return speedups


def measure_speedups(candidates: tuple[str, ...], side: int = MEASURE_SIDE, repeats: int = 3) -> Speedups:
    """{precision: {network: {"speedup", "psnr"}}} for ``candidates`` against the fp32 runtime."""
    import torch
    from skimage.data import astronaut

    from stylelab.engine import imageops
    from stylelab.engine.compiled import CompiledStylizer
    from stylelab.weights.store import load_network

    photo = torch.from_numpy(astronaut()).permute(2, 0, 1)[None].float() / 255
    photo = imageops.resize(photo, side, side)
    figures: Speedups = {name: {} for name in candidates}
    for network_name in NETWORKS:
        network = load_network(network_name).eval()
        condition = _condition(network_name)
        reference_seconds, reference = _timed(CompiledStylizer(network, "fp32"), photo, condition, repeats)
        for name in candidates:
            run = _runner(name, network_name, network)
            seconds, result = _timed(run, photo, condition, repeats)
            figures[name][network_name] = {"speedup": round(reference_seconds / seconds, 3),
                                           "psnr": round(_psnr(result, reference), 2)}
    return figures


def _condition(network_name: str) -> torch.Tensor:
    import torch

    if network_name == "multistyle26":
        return torch.eye(26)[[19]]
    return torch.full((1, 100), 0.1)


def _runner(precision: str, network_name: str, network: torch.nn.Module) -> Callable[..., torch.Tensor]:
    import torch

    from stylelab.engine.compiled import CompiledStylizer

    if precision == "bf16":
        return CompiledStylizer(network, "bf16")
    from stylelab.models.quantized import FULL_WEIGHT_MAX, NO_SATURATION_WEIGHT_MAX
    from stylelab.weights.calibration import load_int8_network

    int8 = load_int8_network(network_name, FULL_WEIGHT_MAX if has_int8_dot_product() else NO_SATURATION_WEIGHT_MAX)
    return lambda images, condition: int8(images.contiguous(memory_format=torch.channels_last), condition)


def _timed(run: Callable[..., torch.Tensor], photo: torch.Tensor, condition: torch.Tensor,
           repeats: int) -> tuple[float, torch.Tensor]:
    import torch

    with torch.inference_mode():
        result = run(photo, condition)  # the first call sets up kernels: not timed
        best = float("inf")
        for _ in range(repeats):
            start = time.perf_counter()
            result = run(photo, condition)
            best = min(best, time.perf_counter() - start)
    return best, result.float()


def _psnr(result: torch.Tensor, reference: torch.Tensor) -> float:
    import torch

    error = torch.mean((result - reference) ** 2).item()
    return 99.0 if error == 0 else float(10 * torch.log10(torch.tensor(1.0 / error)))
