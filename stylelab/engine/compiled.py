"""The stylization networks as compiled, fused CPU graphs (OpenVINO), built from our own modules.

On the CPU, eager PyTorch passes over every activation once per operation (convolution, norm
statistics, normalization, ReLU, skip); OpenVINO fuses them and, on CPUs with bf16 instructions
(AVX512_BF16, AMX), computes in bf16 — 2.3x faster than eager fp32 at 1024x1024 on a Zen 4 core
pair (docs/performance.md). The graph is exported from ``models.exportable`` (the same weights
as the module), converted once, and kept on disk keyed by the weights and the library versions,
so a restart only reads it; a stale key builds anew, and a damaged file is rebuilt with a
warning. The GPU path stays PyTorch.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from stylelab.models.exportable import ExportableStylizer, modulation

EXPORT_VERSION = "1"  # raise when models/exportable.py changes what the graph computes
LOGGER = logging.getLogger(__name__)
_MANIFEST = "manifest.json"


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


def graph_key(network: nn.Module) -> str:
    """What the cached graph depends on: the weights, the export code and the library versions."""
    import openvino

    digest = hashlib.sha256(f"{EXPORT_VERSION}|{openvino.__version__}|{torch.__version__}|"
                            f"{type(network).__name__}".encode())
    for name, tensor in sorted(network.state_dict().items()):
        value = tensor.detach().cpu().contiguous()
        digest.update(f"{name}|{value.dtype}|{tuple(value.shape)}".encode())
        digest.update(value.view(torch.uint8).numpy().tobytes() if value.numel() else b"")
    return digest.hexdigest()[:32]


def _file_digests(folder: Path) -> dict[str, str]:
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.iterdir()) if path.name != _MANIFEST}


def _export(network: nn.Module, folder: Path) -> None:
    """Convert ``network`` and write it into ``folder`` completely, or not at all."""
    import openvino as ov

    exportable = ExportableStylizer(network).eval()
    width = modulation(network, _example_condition(network)).shape[1]
    example = (torch.rand(1, 3, 64, 48), torch.zeros(1, width))
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the converter traces the module; its deprecation notes are not for users
        model = ov.convert_model(exportable, example_input=example,
                                 input=[("image", [-1, 3, -1, -1]), ("modulation", [-1, width])])
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.", suffix=".partial"))
    try:
        ov.save_model(model, staging / "graph.xml", compress_to_fp16=False)
        (staging / _MANIFEST).write_text(json.dumps(_file_digests(staging)))
        shutil.rmtree(folder, ignore_errors=True)
        os.replace(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _example_condition(network: nn.Module) -> torch.Tensor:
    from stylelab.models.multistyle import MultiStyleNet

    if isinstance(network, MultiStyleNet):
        return torch.full((1, network.num_styles), 1.0 / network.num_styles)
    return torch.zeros(1, network.residual[0].conv1.norm.to_gamma.in_features)


def _intact(folder: Path) -> bool:
    try:
        return json.loads((folder / _MANIFEST).read_text()) == _file_digests(folder)
    except (OSError, ValueError):
        return False


def load_graph(network: nn.Module, directory: Path | None = None):  # -> openvino.Model
    """The network's graph from the cache, built (again) when missing, stale or damaged."""
    import openvino as ov

    folder = (directory or cache_dir()) / "openvino" / graph_key(network)
    if folder.exists() and not _intact(folder):
        LOGGER.warning("The compiled network in %s was damaged; rebuilding it from the weights.", folder)
        shutil.rmtree(folder, ignore_errors=True)
    if not folder.exists():
        _export(network, folder)
    try:
        return ov.Core().read_model(folder / "graph.xml")
    except RuntimeError:
        LOGGER.warning("The compiled network in %s could not be read; rebuilding it from the weights.", folder)
        shutil.rmtree(folder, ignore_errors=True)
        _export(network, folder)
        return ov.Core().read_model(folder / "graph.xml")


@dataclass
class CompiledStylizer:
    """Runs a stylization network as an OpenVINO graph: ``(images, condition) -> images``.

    ``precision`` is "fp32" or "bf16" (bf16 on CPUs with bf16 instructions; OpenVINO computes
    fp32 elsewhere). Calls are serialized: one infer request, as the engine's lock already does.
    """

    network: nn.Module
    precision: str = "fp32"
    threads: int = 0  # 0: as many as torch uses
    directory: Path | None = None

    def __post_init__(self) -> None:
        import openvino as ov

        hint = {"fp32": "f32", "bf16": "bf16"}[self.precision]
        config = {"INFERENCE_PRECISION_HINT": hint, "PERFORMANCE_HINT": "LATENCY",
                  "INFERENCE_NUM_THREADS": self.threads or torch.get_num_threads()}
        self._compiled = ov.Core().compile_model(load_graph(self.network, self.directory), "CPU", config)
        self._request = self._compiled.create_infer_request()
        self._lock = threading.Lock()

    def __call__(self, images: torch.Tensor, condition: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            values = modulation(self.network, condition.cpu()).numpy()
        pixels = images.detach().cpu().float().contiguous().numpy()
        with self._lock:
            result = self._request.infer({"image": pixels, "modulation": values})
            return torch.from_numpy(result[0].copy())
