"""The one inference engine that the UI, the command line and the Python API all call.

Images are float tensors [3, H, W] in 0..1 on the CPU at this boundary; the engine
moves work to its device, picks batching or tiling, and hands back full-size results.
"""
from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import torch
from torch import nn

from stylelab.engine import imageops
from stylelab.engine.device import choose_device, describe
from stylelab.engine.measure import measured_speedups
from stylelab.engine.requests import MIN_WORKING_SIDE, Progress, RestyleSettings, StyleMix, check_photo_size
from stylelab.engine.precision import choose_precision, has_int8_dot_product
from stylelab.errors import StyleLabError
from stylelab.models import NUM_STYLES, STYLE_IMAGE_SIZE, NormStats
from stylelab.store.safeload import load_safetensors
from stylelab.engine.tiling import ALIGNMENT, TileLayout, run_tiled
from stylelab.engine.zerogpu import gpu_task
from stylelab.weights.store import load_network

MIN_TILE = 256
OUT_OF_MEMORY_NOTICE = ("The GPU ran short of memory, so the photo was painted in smaller pieces: the same result, "
                        "a little slower.")


@dataclass
class EngineLimits:
    """Sizes in working-resolution pixels; larger images are tiled."""

    max_direct_pixels: int
    tile: int
    overlap: int = 192
    margin: int = 64
    stats_side: int = 1600  # whole-image pass that fixes the instance-norm statistics for tiles
    batch_size: int = 1

    @classmethod
    def for_device(cls, device: torch.device) -> EngineLimits:
        if device.type == "cuda":
            return cls(max_direct_pixels=4096 * 4096, tile=2048, stats_side=2048, batch_size=8)
        return cls(max_direct_pixels=2048 * 2048, tile=1024)


@dataclass
class _Networks:
    multistyle: nn.Module
    predictor: nn.Module
    transformer: nn.Module


@dataclass
class StyleEngine:
    """Loads the networks once (lazily, thread-safely) and runs every restyle."""

    device_request: str | None = None
    limits: EngineLimits | None = None
    precision_request: str | None = None  # auto, fp32, int8, fp16, bf16 (default: $STYLELAB_PRECISION or auto)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _networks: _Networks | None = field(default=None, repr=False)
    _tuned: dict[str, nn.Module] = field(default_factory=dict, repr=False)
    _float_transformer: nn.Module | None = field(default=None, repr=False)
    _compiled: dict[int, object] = field(default_factory=dict, repr=False)  # id(module) -> CompiledStylizer

    def __post_init__(self) -> None:
        self.device = choose_device(self.device_request)
        self.precision = choose_precision(self.precision_request, self.device, speedups=measured_speedups)
        # what the app's badge, the CLI and every result record show: where and in which format it ran
        self.device_name = f"{describe(self.device)}, {self.precision}"
        if self.limits is None:
            self.limits = EngineLimits.for_device(self.device)

    # -- loading -----------------------------------------------------------------------

    def networks(self) -> _Networks:
        if self._networks is None:
            with self._lock:
                if self._networks is None:
                    self._networks = _Networks(
                        multistyle=self._load("multistyle26"),
                        predictor=self._load("arbitrary_predictor"),
                        transformer=self._load("arbitrary_transformer"),
                    )
        return self._networks

    def _load(self, network: str) -> nn.Module:
        # the style predictor stays in float: it runs once per style image at 256x256 (milliseconds),
        # and post-training int8 moved its MobileNetV2 embedding by 34-43 %, which changes the style
        if self.precision == "int8" and network != "arbitrary_predictor":
            from stylelab.models.quantized import FULL_WEIGHT_MAX, NO_SATURATION_WEIGHT_MAX
            from stylelab.weights.calibration import load_int8_network

            weight_max = FULL_WEIGHT_MAX if has_int8_dot_product() else NO_SATURATION_WEIGHT_MAX
            return load_int8_network(network, weight_max)  # its convolutions take channels-last input themselves
        return self._prepare(load_network(network))

    def float_transformer(self) -> nn.Module:
        """The pretrained any-image transformer in float32 on the engine's device, whatever the
        precision: what fine-tuning starts from (int8 convolutions have no weights to train)."""
        if self.precision != "int8":
            return self.networks().transformer
        with self._lock:
            if self._float_transformer is None:
                self._float_transformer = self._prepare(load_network("arbitrary_transformer"))
            return self._float_transformer

    def tuned_transformer(self, path: str) -> nn.Module:
        """A fine-tuned transformer, loaded once per weights file (never swapped into the shared one).

        It runs in float even at int8: the calibrated ranges belong to the pretrained weights.
        """
        with self._lock:
            if path not in self._tuned:
                from stylelab.models import ArbitraryStyleTransformer

                module = ArbitraryStyleTransformer()
                module.load_state_dict(load_safetensors(path, "fine-tuned transformer"), strict=True)
                self._tuned[path] = self._prepare(module.eval().requires_grad_(False))
            return self._tuned[path]

    def _prepare(self, network: nn.Module) -> nn.Module:
        # channels-last is faster for these convolutions on CUDA and on the CPU (8-26% at 1-4 MP, measured)
        return network.to(self.device).to(memory_format=self._memory_format)

    @contextlib.contextmanager
    def _inference(self) -> Iterator[None]:
        with torch.inference_mode():
            if self.precision in ("fp16", "bf16") and (self.device.type != "cpu" or self.precision == "fp16"):
                dtype = torch.bfloat16 if self.precision == "bf16" else torch.float16
                with torch.autocast(self.device.type, dtype=dtype):
                    yield
            else:
                yield

    @property
    def _memory_format(self) -> torch.memory_format:
        return torch.channels_last if self.device.type in ("cuda", "cpu") else torch.contiguous_format

    def _to_device(self, batch: torch.Tensor) -> torch.Tensor:
        return batch.to(self.device, non_blocking=True).contiguous(memory_format=self._memory_format)

    # -- style embeddings --------------------------------------------------------------

    @gpu_task
    def embed_styles(self, images: Sequence[torch.Tensor]) -> torch.Tensor:
        """Style embeddings [N, 100] of images [3, H, W] (centre square, 256x256)."""
        squares = [
            imageops.resize(imageops.center_square(image)[None], STYLE_IMAGE_SIZE, STYLE_IMAGE_SIZE)[0]
            for image in images
        ]
        with self._inference():
            return self.networks().predictor(self._to_device(torch.stack(squares))).float().cpu()

    # -- restyling ---------------------------------------------------------------------

    @gpu_task
    def restyle(
        self,
        photos: Sequence[torch.Tensor],
        mix: StyleMix,
        settings: RestyleSettings = RestyleSettings(),
        progress: Progress | None = None,
        notices: list[str] | None = None,
    ) -> list[torch.Tensor]:
        """Restyle each photo [3, H, W]; every result has its photo's exact size.

        ``notices`` collects sentences for the user about fallbacks taken (e.g. tiles after a GPU ran out of memory).
        """
        for photo in photos:
            _check_photo(photo)
        results: list[torch.Tensor | None] = [None] * len(photos)
        batches = list(_same_size_batches(photos, self.limits.batch_size))
        for done, indices in enumerate(batches):
            # a single photo goes in as a view: at 2048x2048 every copy is another 50 MB
            batch = photos[indices[0]][None] if len(indices) == 1 else torch.stack([photos[i] for i in indices])
            for i, result in zip(indices, self._restyle_batch(batch, mix, settings, notices)):
                results[i] = result
            if progress:
                progress((done + 1) / len(batches), f"Restyled {sum(len(b) for b in batches[: done + 1])} of {len(photos)}")
        return results  # type: ignore[return-value]

    def _restyle_batch(self, photos: torch.Tensor, mix: StyleMix, settings: RestyleSettings,
                       notices: list[str] | None = None) -> torch.Tensor:
        height, width = photos.shape[-2:]
        working = imageops.resize(photos, *_working_size(height, width, settings.stroke_scale))
        working = imageops.add_grain(working, imageops.GRAIN_AMPLITUDE, imageops.GRAIN_SEED,
                                     self._memory_format)
        total_weight = sum(w for _, w in mix.builtin) + sum(w for _, w in mix.images) + sum(w for _, w, _ in mix.tuned)
        parts: list[tuple[torch.Tensor, float]] = []
        builtin_weight = sum(w for _, w in mix.builtin)
        if builtin_weight > 0:
            style_weights = torch.zeros(len(photos), NUM_STYLES)
            for index, weight in mix.builtin:
                style_weights[:, index] += weight / builtin_weight
            stylized = self._run(self.networks().multistyle, working, style_weights, notices)
            stylized = self._finish(stylized, photos, settings)
            # no "neutral" style exists in this network, so strength mixes pixels
            parts.append((imageops.mix(photos, stylized, settings.strength), builtin_weight))
        # style images share the pretrained transformer; each fine-tuned style brings its own
        groups: dict[str | None, list[tuple[torch.Tensor, float]]] = {}
        for embedding, weight in mix.images:
            groups.setdefault(None, []).append((embedding, weight))
        for embedding, weight, path in mix.tuned:
            groups.setdefault(path, []).append((embedding, weight))
        own = None
        for path, entries in groups.items():
            group_weight = sum(w for _, w in entries)
            if group_weight <= 0:
                continue
            own = self.embed_styles(list(photos)) if own is None else own
            target = sum(embedding * (w / group_weight) for embedding, w in entries)
            # Ghiasi et al.: interpolate from the photo's own style to the target style
            embeddings = torch.lerp(own, target.expand_as(own), settings.strength)
            transformer = self.networks().transformer if path is None else self.tuned_transformer(path)
            stylized = self._run(transformer, working, embeddings, notices)
            parts.append((self._finish(stylized, photos, settings), group_weight))
        blended = sum(part * (weight / total_weight) for part, weight in parts)
        return blended.clamp(0, 1)

    def _finish(self, stylized: torch.Tensor, photos: torch.Tensor, settings: RestyleSettings) -> torch.Tensor:
        stylized = imageops.resize(stylized, *photos.shape[-2:])
        if settings.keep_colours:
            stylized = imageops.keep_original_colours(stylized, photos)
        return stylized

    def _run(self, network: nn.Module, images: torch.Tensor, condition: torch.Tensor,
             notices: list[str] | None = None) -> torch.Tensor:
        """Run a stylization network at the images' own size, tiling or splitting as needed."""
        height, width = images.shape[-2:]
        padded = imageops.pad_to_multiple(images, ALIGNMENT)
        output = self._run_adaptive(network, padded, condition, self.limits.tile, force_tiles=False,
                                    notices=notices)
        return output[..., :height, :width]

    def _run_adaptive(
        self, network: nn.Module, images: torch.Tensor, condition: torch.Tensor, tile: int, force_tiles: bool,
        notices: list[str] | None = None,
    ) -> torch.Tensor:
        try:
            if not force_tiles and images.shape[-1] * images.shape[-2] <= self.limits.max_direct_pixels:
                return self._forward(network, images, condition, None)
            return self._tiled(network, images, condition, tile)
        except torch.cuda.OutOfMemoryError:
            torch.cuda.empty_cache()
            if notices is not None and OUT_OF_MEMORY_NOTICE not in notices:
                notices.append(OUT_OF_MEMORY_NOTICE)
            if len(images) > 1:  # split the batch first, then shrink the tiles
                half = len(images) // 2
                return torch.cat([
                    self._run_adaptive(network, images[:half], condition[:half], tile, force_tiles, notices),
                    self._run_adaptive(network, images[half:], condition[half:], tile, force_tiles, notices),
                ])
            smaller = max(MIN_TILE, tile // 2 // ALIGNMENT * ALIGNMENT)
            if force_tiles and tile <= MIN_TILE:
                raise StyleLabError("The GPU ran out of memory even for small tiles; try the CPU or a smaller image.")
            return self._run_adaptive(network, images, condition, smaller if force_tiles else tile, force_tiles=True,
                                      notices=notices)

    def _compiled_runtime(self, network: nn.Module):  # -> CompiledStylizer | None
        """The fused OpenVINO graph for ``network`` where it serves: the CPU in fp32 or bf16."""
        if self.device.type != "cpu" or self.precision not in ("fp32", "bf16"):
            return None
        from stylelab.engine.compiled import CompiledStylizer, openvino_available

        if not openvino_available():
            return None
        with self._lock:
            if id(network) not in self._compiled:
                self._compiled[id(network)] = CompiledStylizer(network, self.precision)
            return self._compiled[id(network)]

    def _forward(
        self, network: nn.Module, images: torch.Tensor, condition: torch.Tensor, stats: NormStats | None
    ) -> torch.Tensor:
        # tiles replay whole-image norm statistics, which only the eager modules can do
        compiled = self._compiled_runtime(network) if stats is None else None
        if compiled is not None:
            return compiled(images, condition)
        with self._inference():
            return network(self._to_device(images), condition.to(self.device), stats).float().cpu()

    def _tiled(self, network: nn.Module, images: torch.Tensor, condition: torch.Tensor, tile: int) -> torch.Tensor:
        """Tiles share instance-norm statistics recorded on one whole-image pass."""
        height, width = images.shape[-2:]
        scale = min(1.0, self.limits.stats_side / max(height, width))
        stats_size = (_aligned(height * scale), _aligned(width * scale))
        stats = NormStats()
        self._forward(network, imageops.resize(images, *stats_size), condition, stats)
        stats.start_replay()
        overlap = min(self.limits.overlap, tile // 2)
        layout = TileLayout(tile=tile, overlap=overlap, margin=min(self.limits.margin, overlap // 4))
        return run_tiled(lambda window: self._forward(network, window, condition, stats), images, layout)


def _check_photo(photo: torch.Tensor) -> None:
    if not isinstance(photo, torch.Tensor) or photo.ndim != 3 or photo.shape[0] != 3:
        raise StyleLabError("Each photo must be a [3, H, W] tensor; use stylelab.restyle for files and PIL images.")
    check_photo_size(photo.shape[2], photo.shape[1])


def _aligned(length: float) -> int:
    return max(MIN_WORKING_SIDE, round(length / ALIGNMENT) * ALIGNMENT)


def _working_size(height: int, width: int, stroke_scale: float) -> tuple[int, int]:
    """The size the network paints at: bigger strokes come from a smaller canvas."""
    if stroke_scale == 1.0:
        return height, width
    scale = max(1.0 / stroke_scale, MIN_WORKING_SIDE / min(height, width))
    return max(MIN_WORKING_SIDE, round(height * scale)), max(MIN_WORKING_SIDE, round(width * scale))


def _same_size_batches(photos: Sequence[torch.Tensor], batch_size: int) -> Iterator[list[int]]:
    by_size: dict[tuple[int, int], list[int]] = {}
    for index, photo in enumerate(photos):
        by_size.setdefault(tuple(photo.shape[-2:]), []).append(index)
    for indices in by_size.values():
        for start in range(0, len(indices), batch_size):
            yield indices[start : start + batch_size]

