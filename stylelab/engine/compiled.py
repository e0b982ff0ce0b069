"""The stylization networks as compiled, fused CPU graphs (OpenVINO), built from our own modules.

On the CPU, eager PyTorch passes over every activation once per operation (convolution, norm
statistics, normalization, ReLU, skip); OpenVINO fuses them and, on CPUs with bf16 instructions
(AVX512_BF16, AMX), computes in bf16 — 2.3x faster than eager fp32 at 1024x1024 on a Zen 4 core
pair (docs/performance.md). The graph is exported from ``models.exportable`` (the same weights
as the module), converted once, and kept on disk keyed by the weights and the library versions
(``engine.graphs``), so a restart only reads it; a stale key builds anew, and a damaged file is
rebuilt with a warning. The GPU path stays PyTorch.
"""
from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from stylelab.engine.graphs import (GRAPH_FILE, MANIFEST, EXPORT_VERSION, GraphRunner, WeightRecord,  # noqa: F401
                                    cache_dir, default_threads, file_digests, graph_folder, intact,
                                    openvino_available)
from stylelab.engine.graphs import graph_key as _graph_key
from stylelab.models.exportable import ExportableStylizer

LOGGER = logging.getLogger(__name__)


def graph_key(network: nn.Module) -> str:
    """The cache key of ``network``'s graph; the same as a weights file with its tensors gives."""
    return _graph_key(type(network).__name__, _weight_records(network))


def _weight_records(network: nn.Module) -> list[WeightRecord]:
    records = []
    for name, tensor in network.state_dict().items():
        value = tensor.detach().cpu().contiguous()
        raw = value.view(torch.uint8).numpy().tobytes() if value.numel() else b""
        records.append((name, str(value.dtype).removeprefix("torch."), tuple(value.shape), raw))
    return records


def _export(network: nn.Module, folder: Path) -> None:
    """Convert ``network`` and write it into ``folder`` completely, or not at all."""
    import openvino as ov

    exportable = ExportableStylizer(network).eval()
    width = exportable.condition_width
    example = (torch.rand(1, 3, 64, 48), torch.full((1, width), 1.0 / width))
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the converter traces the module; its deprecation notes are not for users
        model = ov.convert_model(exportable, example_input=example,
                                 input=[("image", [-1, 3, -1, -1]), ("condition", [-1, width])])
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.", suffix=".partial"))
    try:
        ov.save_model(model, staging / GRAPH_FILE, compress_to_fp16=False)
        (staging / MANIFEST).write_text(json.dumps(file_digests(staging)))
        shutil.rmtree(folder, ignore_errors=True)
        os.replace(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def graph_file(network: nn.Module, directory: Path | None = None, rebuild: bool = False) -> Path:
    """The network's graph file in the cache, built (again) when missing, stale, damaged or ``rebuild``."""
    folder = graph_folder(graph_key(network), directory)
    if folder.exists() and (rebuild or not intact(folder)):
        if not rebuild:
            LOGGER.warning("The compiled network in %s was damaged; rebuilding it from the weights.", folder)
        shutil.rmtree(folder, ignore_errors=True)
    if not folder.exists():
        _export(network, folder)
    return folder / GRAPH_FILE


def load_graph(network: nn.Module, directory: Path | None = None):  # -> openvino.Model
    """The network's graph as an OpenVINO model, from the cache (see ``graph_file``)."""
    import openvino as ov

    try:
        return ov.Core().read_model(graph_file(network, directory))
    except RuntimeError:
        LOGGER.warning("The compiled network for %s could not be read; rebuilding it from the weights.",
                       type(network).__name__)
        return ov.Core().read_model(graph_file(network, directory, rebuild=True))


@dataclass
class CompiledStylizer:
    """Runs a stylization network as an OpenVINO graph on tensors: ``(images, condition) -> images``.

    ``precision`` is "fp32" or "bf16". Calls are serialized: one infer request, as the engine's lock already does.
    """

    network: nn.Module
    precision: str = "fp32"
    threads: int = 0  # 0: as many as torch uses
    directory: Path | None = None

    def __post_init__(self) -> None:
        threads = self.threads or torch.get_num_threads()
        try:
            self._runner = GraphRunner(graph_file(self.network, self.directory), self.precision, threads)
        except RuntimeError:
            LOGGER.warning("The compiled network for %s could not be read; rebuilding it from the weights.",
                           type(self.network).__name__)
            self._runner = GraphRunner(graph_file(self.network, self.directory, rebuild=True), self.precision,
                                       threads)

    def __call__(self, images: torch.Tensor, condition: torch.Tensor) -> torch.Tensor:
        pixels = images.detach().cpu().float().numpy()
        return torch.from_numpy(self._runner(pixels, condition.detach().cpu().float().numpy()))
