"""Compiled CPU graphs of the stylization networks (OpenVINO) on disk and in memory, without PyTorch.

A graph computes ``(image [N,3,H,W], condition) -> image``, exactly what the PyTorch module's
forward takes (style weights [N,26] or an embedding [N,100]). ``engine.compiled`` exports them
from our modules; this module finds them in the cache, checks them, and runs them on NumPy
arrays, so the torch-free CPU path (``engine.lean``) and the PyTorch engine share one runtime.

A graph's folder is named by a key of the weights and the library versions; a manifest of file
hashes tells a complete folder from a damaged one. OpenVINO keeps its own compiled blobs beside
them (``CACHE_DIR``), so a restart reads kernels instead of compiling them (0.20 -> 0.04 s).
"""
from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

import numpy as np

EXPORT_VERSION = "3"  # raise when models/exportable.py changes what the graph computes
MANIFEST = "manifest.json"
GRAPH_FILE = "graph.xml"
PRECISION_HINTS = {"fp32": "f32", "bf16": "bf16"}
# (name, dtype name, shape, raw bytes) of one weight tensor
WeightRecord = tuple[str, str, tuple[int, ...], bytes]


def openvino_available() -> bool:
    try:
        import openvino  # noqa: F401
    except ImportError:
        return False
    return True


def cache_dir() -> Path:
    """$STYLELAB_CACHE_DIR, else $XDG_CACHE_HOME/stylelab, else ~/.cache/stylelab."""
    configured = os.environ.get("STYLELAB_CACHE_DIR")
    if configured:
        return Path(configured)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "stylelab"


def library_version(name: str) -> str:
    """A package's installed version, read without importing it (importing torch takes 1.4 s)."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "none"


def graph_key(network_kind: str, weights: Iterable[WeightRecord]) -> str:
    """What a cached graph depends on: the network, its weights, the export code and the libraries."""
    digest = hashlib.sha256(f"{EXPORT_VERSION}|{library_version('openvino')}|{library_version('torch')}|"
                            f"{network_kind}".encode())
    for name, dtype, shape, raw in sorted(weights, key=lambda record: record[0]):
        digest.update(f"{name}|{dtype}|{tuple(shape)}".encode())
        digest.update(raw)
    return digest.hexdigest()[:32]


def weights_file_records(path: Path) -> list[WeightRecord]:
    """The key records of a safetensors weights file, read with NumPy."""
    from safetensors.numpy import load_file

    return [(name, array.dtype.name, tuple(array.shape), np.ascontiguousarray(array).tobytes())
            for name, array in load_file(str(path)).items()]


def graph_folder(key: str, directory: Path | None = None) -> Path:
    return (directory or cache_dir()) / "openvino" / key


def file_digests(folder: Path) -> dict[str, str]:
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.iterdir()) if path.name != MANIFEST}


def intact(folder: Path) -> bool:
    """The folder holds exactly the files its manifest lists, byte for byte."""
    try:
        return json.loads((folder / MANIFEST).read_text()) == file_digests(folder)
    except (OSError, ValueError):
        return False


def default_threads() -> int:
    """The CPU threads the graphs use: $OMP_NUM_THREADS, else every CPU this process may run on."""
    configured = os.environ.get("OMP_NUM_THREADS", "")
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


class GraphRunner:
    """One compiled graph on the CPU: ``(image, condition) -> image`` on float32 NumPy arrays.

    ``precision`` is "fp32" or "bf16" (bf16 where the CPU has bf16 instructions; OpenVINO computes
    fp32 elsewhere). Calls are serialized: one infer request.
    """

    def __init__(self, graph_file: Path, precision: str = "fp32", threads: int = 0) -> None:
        import openvino as ov

        core = ov.Core()
        core.set_property({"CACHE_DIR": str(cache_dir() / "openvino-kernels")})
        config = {"INFERENCE_PRECISION_HINT": PRECISION_HINTS[precision], "PERFORMANCE_HINT": "LATENCY",
                  "INFERENCE_NUM_THREADS": threads or default_threads()}
        self.precision = precision
        self._compiled = core.compile_model(core.read_model(graph_file), "CPU", config)
        self.threads = int(self._compiled.get_property("INFERENCE_NUM_THREADS"))
        self._request = self._compiled.create_infer_request()
        self._lock = threading.Lock()

    def __call__(self, image: np.ndarray, condition: np.ndarray) -> np.ndarray:
        inputs = {"image": np.ascontiguousarray(image, dtype=np.float32),
                  "condition": np.ascontiguousarray(condition, dtype=np.float32)}
        with self._lock:
            return self._request.infer(inputs)[0].copy()
