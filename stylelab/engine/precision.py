"""Choosing the number format the networks compute in: fp32, int8, fp16 or bf16.

``auto`` takes int8 on x86 CPUs with VNNI or AMX (uint8 x int8 dot products in int32, so
8-bit weights and the int8 kernels' speed), fp32 on other CPUs (there int8 needs 7-bit
weights and gains nothing) and bf16 (else fp16) on CUDA GPUs. With the most
rounding-sensitive convolutions kept in float, int8 stays at least 35 dB PSNR from fp32 on
all 572 (photo, style) pairs and 110 (photo, style image) pairs of the evaluation product
photos, with either weight width. docs/precision.md has the figures.
"""

from __future__ import annotations

import os
import platform
from functools import lru_cache

import torch

from stylelab.errors import StyleLabError
from stylelab.vocabulary import PRECISION_VARIABLE
from stylelab.vocabulary import PRECISIONS as PRECISION_WORDS

PRECISIONS = tuple(PRECISION_WORDS)
_INT8_DOT_PRODUCT_FLAGS = ("avx512_vnni", "avx_vnni", "amx_int8")


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


def int8_supported() -> bool:
    """oneDNN's int8 convolutions exist for x86-64 CPUs with at least AVX2."""
    x86 = platform.machine().lower() in ("x86_64", "amd64")
    capable = torch.backends.cpu.get_cpu_capability() in ("AVX2", "AVX512")
    return x86 and capable and torch.backends.mkldnn.is_available() and hasattr(torch.ops.onednn, "qconv2d_pointwise")


def choose_precision(requested: str | None, device: torch.device) -> str:
    """``requested`` (or $STYLELAB_PRECISION, else auto) resolved for ``device``."""
    name = (requested or os.environ.get(PRECISION_VARIABLE) or "auto").strip().lower()
    if name not in PRECISIONS:
        raise StyleLabError(f"Unknown precision '{name}'. Use {', '.join(PRECISIONS)}.")
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
        return "int8" if has_int8_dot_product() and int8_supported() else "fp32"
    if name == "fp16":
        raise StyleLabError("fp16 needs a CUDA GPU; on the CPU choose int8, bf16 or fp32 (or auto).")
    if name == "int8" and not int8_supported():
        raise StyleLabError("int8 needs an x86-64 CPU with AVX2 or newer; choose fp32 here (or auto).")
    return name
