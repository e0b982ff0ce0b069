"""Restyling with the built-in styles on the CPU without loading PyTorch.

Importing PyTorch alone takes 1.4 s on a 2-core CPU, longer than painting a 1024x1024 photo.
For the commonest request — built-in styles on a CPU-only machine, at the photo's own stroke
size, without keep-colours — the work is one compiled graph (``engine.graphs``) plus a few
array operations, so this path does it with NumPy and OpenVINO alone: the command line and
``stylelab.restyle`` start in well under a second and give the very pixels ``StyleEngine``
gives (same graph, same grain, same mix; tested to within one grey level).

It takes over only where it computes exactly what the engine would, and only once the engine
has run here before: the compiled graph must be in the cache and, for ``auto``, the measured
precision figures too (the engine builds and measures both at its first use). Anything else —
a GPU, style images, fine-tuned styles, keep-colours, bigger strokes, photos too large for one
pass, int8 — goes to ``StyleEngine``.
"""
from __future__ import annotations

import os
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from stylelab.engine.grain import grain_field
from stylelab.engine.graphs import (GRAPH_FILE, GraphRunner, graph_folder, graph_key, intact, openvino_available,
                                    weights_file_records)
from stylelab.engine.requests import RestyleSettings, StyleMix
from stylelab.styles import BUILTIN_STYLES
from stylelab.weights.paths import weights_path

NETWORK = "multistyle26"
NETWORK_KIND = "MultiStyleNet"  # the module class the graph was exported from (part of its cache key)
MAX_PIXELS = 2048 * 2048  # the engine paints up to this in one pass on the CPU; above it tiles (PyTorch)
ALIGNMENT = 4  # the networks downsample by 4 (as engine.tiling.ALIGNMENT)
_GPU_DEVICE_FILES = ("/dev/nvidiactl", "/dev/nvidia0", "/dev/kfd", "/dev/dxg")
_runners: dict[tuple[str, str], GraphRunner] = {}
_runners_lock = threading.Lock()


@dataclass(frozen=True)
class LeanRestyler:
    """The 26-style graph on the CPU: whole photos (uint8 HxWx3 arrays) in, restyled arrays out."""

    runner: GraphRunner

    @property
    def device_name(self) -> str:
        """As ``StyleEngine.device_name`` says it: where and in which format it ran."""
        return f"CPU ({self.runner.threads} threads), {self.runner.precision}"

    @staticmethod
    def fits(width: int, height: int) -> bool:
        return width * height <= MAX_PIXELS

    def restyle(self, rgb: np.ndarray, mix: StyleMix, settings: RestyleSettings) -> np.ndarray:
        """The photo restyled by ``mix`` at ``settings.strength``; the result has the photo's size."""
        photo = rgb.astype(np.float32)  # H, W, 3: the layout Pillow reads and writes
        photo /= 255.0
        height, width = photo.shape[:2]
        grain = grain_field((3, height, width))
        working = np.add(photo.transpose(2, 0, 1), grain, out=np.empty_like(grain))
        np.clip(working, 0, 1, out=working)
        padded = _pad_to_multiple(working, ALIGNMENT)
        stylized = self.runner(padded[None], style_weights(mix)[None])[0, :, :height, :width].transpose(1, 2, 0)
        # the engine's torch.lerp(photo, stylized, strength), then clamp and round as imageio.to_image does
        mixed = np.subtract(stylized, photo, out=np.empty_like(photo))
        mixed *= np.float32(settings.strength)
        mixed += photo
        np.clip(mixed, 0, 1, out=mixed)
        mixed *= 255.0
        mixed += 0.5
        return mixed.astype(np.uint8)


def style_weights(mix: StyleMix) -> np.ndarray:
    """The 26-style network's condition: the built-in weights, normalized to sum to one."""
    total = sum(weight for _, weight in mix.builtin)
    weights = np.zeros(len(BUILTIN_STYLES), dtype=np.float32)
    for index, weight in mix.builtin:
        weights[index] += np.float32(weight / total)
    return weights


def lean_restyler(mix: StyleMix, settings: RestyleSettings, device_request: str | None = None,
                  precision_request: str | None = None) -> LeanRestyler | None:
    """The torch-free restyler where it paints exactly what ``StyleEngine`` would, else None."""
    if not (mix.builtin_only and settings.stroke_scale == 1.0 and not settings.keep_colours):
        return None
    if not cpu_only(device_request) or not openvino_available():
        return None
    precision = _precision(precision_request)
    if precision is None:
        return None
    runner = _runner(precision)
    return LeanRestyler(runner) if runner is not None else None


def cpu_only(device_request: str | None) -> bool:
    """The engine would run on the CPU: asked for, or auto on a Linux machine that shows no GPU."""
    name = (device_request or os.environ.get("STYLELAB_DEVICE") or "auto").strip().lower()
    if name == "cpu":
        return True
    return name == "auto" and sys.platform.startswith("linux") and not any(
        Path(path).exists() for path in _GPU_DEVICE_FILES)


def _precision(requested: str | None) -> str | None:
    """fp32 or bf16 as the engine would choose them; None where only the engine can choose (or runs int8)."""
    from stylelab.engine.precision import has_bf16, has_int8_dot_product, pick_cpu_precision, requested_precision

    name = requested_precision(requested)
    if name in ("fp32", "bf16"):
        return name
    if name != "auto":
        return None  # int8 (PyTorch's oneDNN kernels) or fp16 (a GPU's)
    if not has_bf16() and not has_int8_dot_product():
        return "fp32"  # nothing to measure: auto is fp32 on such CPUs
    from stylelab.engine.measure import kept_speedups

    figures = kept_speedups()
    if figures is None:
        return None  # not measured here yet: the engine measures once and keeps the figures
    chosen = pick_cpu_precision(figures)
    return chosen if chosen in ("fp32", "bf16") else None


def _runner(precision: str) -> GraphRunner | None:
    """The compiled 26-style graph, when the engine has built it here for these weights."""
    path = weights_path(NETWORK)
    with _runners_lock:
        cached = _runners.get((str(path), precision))
        if cached is not None:
            return cached
        if not path.is_file():
            return None
        folder = graph_folder(graph_key(NETWORK_KIND, weights_file_records(path)))
        if not intact(folder):
            return None  # missing or damaged: the engine (re)builds it with a sentence
        try:
            runner = GraphRunner(folder / GRAPH_FILE, precision)
        except RuntimeError:
            return None
        _runners[(str(path), precision)] = runner
        return runner


def _pad_to_multiple(image: np.ndarray, multiple: int) -> np.ndarray:
    """Mirror-pad bottom and right to multiples of ``multiple``, as ``imageops.pad_to_multiple`` does."""
    height, width = image.shape[-2:]
    pad_bottom, pad_right = -height % multiple, -width % multiple
    if not pad_bottom and not pad_right:
        return image
    mode = "edge" if min(height, width) <= multiple else "reflect"
    return np.pad(image, ((0, 0), (0, pad_bottom), (0, pad_right)), mode=mode)
