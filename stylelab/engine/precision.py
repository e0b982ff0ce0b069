"""Choosing the number format the networks compute in: fp32, bf16, int8 or fp16.

``auto`` on a GPU takes bf16 (else fp16). On the CPU it measures, once per machine, how much
faster each reduced precision this CPU can run is than fp32 on both stylization networks
(bf16 through OpenVINO on CPUs with AVX512_BF16 or AMX; int8 through oneDNN on CPUs with VNNI
or AMX), and takes the fastest that is at least ``REDUCED_MIN_SPEEDUP`` faster on every network
and passes the quality gate (35 dB PSNR from fp32); otherwise fp32. docs/precision.md has the
figures.
"""
from __future__ import annotations

import os
import platform
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING

from stylelab.errors import StyleLabError
from stylelab.vocabulary import PRECISION_VARIABLE
from stylelab.vocabulary import PRECISIONS as PRECISION_WORDS

if TYPE_CHECKING:  # only choose_precision and int8_supported need PyTorch; they import it themselves
    import torch

PRECISIONS = tuple(PRECISION_WORDS)
_INT8_DOT_PRODUCT_FLAGS = ("avx512_vnni", "avx_vnni", "amx_int8")
_BF16_FLAGS = ("avx512_bf16", "amx_bf16")
REDUCED_MIN_SPEEDUP = 1.5  # a reduced precision costs a little quality; it must buy at least this much speed
QUALITY_GATE_DB = 35.0  # PSNR from the fp32 result that a reduced precision must keep
# {precision: {network: {"speedup": x, "psnr": dB}}}, as measure.measured_speedups returns it
Speedups = dict[str, dict[str, dict[str, float]]]


@lru_cache(maxsize=1)
def cpu_flags() -> frozenset[str]:
    """The CPU's feature flags as Linux reports them (empty elsewhere)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("flags"):
                    return frozenset(line.split(":", 1)[1].split())
    except OSError:
        pass
    return frozenset()


def has_int8_dot_product() -> bool:
    """VNNI or AMX: uint8 x int8 products accumulate in int32 without saturating."""
    return any(flag in cpu_flags() for flag in _INT8_DOT_PRODUCT_FLAGS)


def has_bf16() -> bool:
    """AVX512_BF16 or AMX: bf16 dot products in hardware, which OpenVINO's CPU plugin uses."""
    return any(flag in cpu_flags() for flag in _BF16_FLAGS)


def int8_supported() -> bool:
    """oneDNN's int8 convolutions exist for x86-64 CPUs with at least AVX2."""
    import torch

    x86 = platform.machine().lower() in ("x86_64", "amd64")
    capable = torch.backends.cpu.get_cpu_capability() in ("AVX2", "AVX512")
    return x86 and capable and torch.backends.mkldnn.is_available() and hasattr(torch.ops.onednn, "qconv2d_pointwise")


def cpu_candidates() -> tuple[str, ...]:
    """The reduced precisions worth measuring on this CPU."""
    from stylelab.engine.graphs import openvino_available

    if not openvino_available():  # the fp32 reference that candidates are measured against is the compiled graph
        return ()
    candidates = []
    if has_bf16():
        candidates.append("bf16")
    if has_int8_dot_product() and int8_supported():  # 7-bit weights elsewhere: no faster, less exact
        candidates.append("int8")
    return tuple(candidates)


def pick_cpu_precision(speedups: Speedups) -> str:
    """The fastest precision that pays on every network and keeps the quality gate, else fp32."""
    paying = {
        name: min(figures["speedup"] for figures in by_network.values())
        for name, by_network in speedups.items()
        if by_network and all(figures["speedup"] >= REDUCED_MIN_SPEEDUP and figures["psnr"] >= QUALITY_GATE_DB
                              for figures in by_network.values())
    }
    return max(paying, key=paying.get) if paying else "fp32"


def requested_precision(requested: str | None) -> str:
    """``requested``, else $STYLELAB_PRECISION, else auto; checked against the known words."""
    name = (requested or os.environ.get(PRECISION_VARIABLE) or "auto").strip().lower()
    if name not in PRECISIONS:
        raise StyleLabError(f"Unknown precision '{name}'. Use {', '.join(PRECISIONS)}.")
    return name


def choose_precision(requested: str | None, device: torch.device,
                     speedups: Callable[[], Speedups] | None = None) -> str:
    """``requested`` (or $STYLELAB_PRECISION, else auto) resolved for ``device``.

    ``speedups`` gives the measured speed-ups for auto on the CPU (``measure.measured_speedups``, which
    the engine passes); without it auto stays fp32 there.
    """
    import torch

    name = requested_precision(requested)
    if device.type == "cuda":
        if name == "auto":
            return "bf16" if torch.cuda.is_bf16_supported() else "fp16"
        if name == "int8":
            raise StyleLabError("int8 runs on the CPU only; on a GPU choose fp16, bf16 or fp32 (or auto).")
        if name == "bf16" and not torch.cuda.is_bf16_supported():
            raise StyleLabError("This GPU has no bf16 support; choose fp16 or fp32 (or auto).")
        return name
    if device.type == "mps":
        if name not in ("auto", "fp32"):
            raise StyleLabError("On Apple GPUs StyleLab computes in fp32; choose fp32 or auto.")
        return "fp32"
    if name == "auto":
        if not cpu_candidates():
            return "fp32"
        if speedups is None:  # nothing measured (the engine always passes its measurement): the exact choice
            return "fp32"
        return pick_cpu_precision(speedups())
    if name == "fp16":
        raise StyleLabError("fp16 needs a CUDA GPU; on the CPU choose int8, bf16 or fp32 (or auto).")
    if name == "int8" and not int8_supported():
        raise StyleLabError("int8 needs an x86-64 CPU with AVX2 or newer; choose fp32 here (or auto).")
    return name
