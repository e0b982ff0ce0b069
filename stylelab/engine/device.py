"""Choosing where the networks run: CUDA, then Apple MPS, then the CPU."""
from __future__ import annotations

import os

import torch

from stylelab.errors import StyleLabError

DEVICE_VARIABLE = "STYLELAB_DEVICE"


def choose_device(requested: str | None = None) -> torch.device:
    """``requested`` (or $STYLELAB_DEVICE): "auto", "cpu", "cuda", "cuda:1", "mps"."""
    name = (requested or os.environ.get(DEVICE_VARIABLE) or "auto").strip().lower()
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        device = torch.device(name)
    except RuntimeError:
        raise StyleLabError(f"Unknown device '{name}'. Use auto, cpu, cuda, cuda:N or mps.") from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise StyleLabError(f"Device '{name}' was requested but no CUDA GPU is available here. Use cpu or auto.")
    if device.type == "cuda" and device.index is not None and device.index >= torch.cuda.device_count():
        raise StyleLabError(f"Device '{name}' does not exist: this machine has {torch.cuda.device_count()} GPU(s).")
    if device.type == "mps" and not torch.backends.mps.is_available():
        raise StyleLabError("Device 'mps' was requested but Apple's Metal backend is not available here.")
    if device.type not in ("cpu", "cuda", "mps"):
        raise StyleLabError(f"Device '{name}' is not supported. Use auto, cpu, cuda, cuda:N or mps.")
    return device


def describe(device: torch.device) -> str:
    """A short human-readable name, e.g. 'CPU (2 threads)' or 'NVIDIA H100 (cuda:0)'."""
    if device.type == "cuda":
        index = device.index if device.index is not None else torch.cuda.current_device()
        return f"{torch.cuda.get_device_name(index)} (cuda:{index})"
    if device.type == "mps":
        return "Apple GPU (mps)"
    return f"CPU ({torch.get_num_threads()} threads)"
