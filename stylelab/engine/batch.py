"""Restyling many files: decoding and encoding overlap the engine's work.

Worker threads decode the next photos and encode finished ones (Pillow and NumPy
release the GIL), while the calling thread keeps the engine busy with batches.
Look-ahead and pending writes are bounded, so 10,000 photos need no more memory than 10.
The painter is the PyTorch ``StyleEngine`` or, where it paints the same pictures, the
torch-free ``LeanRestyler`` (engine.lean), which spares a command-line run PyTorch's start-up.
"""
from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from PIL import Image

from stylelab.engine.lean import LeanRestyler
from stylelab.engine.requests import MIN_WORKING_SIDE, RestyleSettings, StyleMix
from stylelab.errors import StyleLabError
from stylelab.imageio import load_image, save_image, split_alpha, to_image, to_tensor

if TYPE_CHECKING:
    import torch

    from stylelab.engine.style_engine import StyleEngine

Decoded = tuple[Any, Image.Image | None]  # what the painter paints (a tensor or an array), and the alpha to put back


@dataclass
class FolderReport:
    written: list[Path] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # "path: reason", one per photo that could not be done
    seconds: float = 0.0

    @property
    def photos_per_second(self) -> float:
        return len(self.written) / self.seconds if self.seconds else 0.0


def restyle_files(
    jobs: Sequence[tuple[Path, Path]],
    mix: StyleMix,
    settings: RestyleSettings = RestyleSettings(),
    engine: StyleEngine | LeanRestyler | None = None,
    quality: int = 92,
    workers: int | None = None,
    on_photo: Callable[[], None] | None = None,
) -> FolderReport:
    """Restyle each (photo, target file) pair; the target's extension picks the format."""
    painter = _painter(engine)
    workers = workers or min(16, os.cpu_count() or 2)
    batch_size = painter.batch_size
    report = FolderReport()
    started = time.perf_counter()
    with ThreadPoolExecutor(workers, thread_name_prefix="stylelab-io") as pool:
        ahead: deque[tuple[Path, Path, Future[Decoded]]] = deque()
        writes: deque[tuple[Path, Future[Path]]] = deque()
        queue = iter(jobs)

        def top_up() -> None:
            while len(ahead) < 2 * batch_size + workers:
                job = next(queue, None)
                if job is None:
                    return
                ahead.append((*job, pool.submit(_decode, painter, job[0])))

        top_up()
        while ahead:
            batch: list[tuple[Path, Path, Decoded]] = []
            while ahead and len(batch) < batch_size:
                path, target, decoded = ahead.popleft()
                try:
                    batch.append((path, target, decoded.result()))
                except StyleLabError as error:
                    report.failures.append(f"{path}: {error}")
                    if on_photo:
                        on_photo()
            top_up()
            if not batch:
                continue
            results = painter.paint([photo for _, _, (photo, _) in batch], mix, settings)
            for (path, target, (_, alpha)), result in zip(batch, results):
                writes.append((path, pool.submit(_encode, painter, result, alpha, target, quality)))
            while len(writes) > 2 * workers:
                _collect(writes.popleft(), report, on_photo)
        while writes:
            _collect(writes.popleft(), report, on_photo)
    report.seconds = time.perf_counter() - started
    return report


class _Painter(Protocol):
    batch_size: int

    def load(self, rgb: Image.Image) -> Any: ...
    def paint(self, photos: list[Any], mix: StyleMix, settings: RestyleSettings) -> list[Any]: ...
    def image(self, result: Any, alpha: Image.Image | None) -> Image.Image: ...


@dataclass
class _EnginePainter:
    """The PyTorch engine: float tensors [3, H, W], in batches of the engine's size."""

    engine: StyleEngine

    @property
    def batch_size(self) -> int:
        return self.engine.limits.batch_size

    def load(self, rgb: Image.Image) -> torch.Tensor:
        return to_tensor(rgb)

    def paint(self, photos: list[torch.Tensor], mix: StyleMix, settings: RestyleSettings) -> list[torch.Tensor]:
        return self.engine.restyle(photos, mix, settings)

    def image(self, result: torch.Tensor, alpha: Image.Image | None) -> Image.Image:
        return to_image(result, alpha)


@dataclass
class _LeanPainter:
    """The torch-free path: uint8 arrays one at a time; a photo too large for one pass goes to the engine."""

    lean: LeanRestyler
    batch_size: int = 1
    _engine: StyleEngine | None = None

    def load(self, rgb: Image.Image) -> np.ndarray:
        return np.asarray(rgb)

    def paint(self, photos: list[np.ndarray], mix: StyleMix, settings: RestyleSettings) -> list[np.ndarray]:
        return [self.lean.restyle(photo, mix, settings) if self.lean.fits(photo.shape[1], photo.shape[0])
                else self._tiled(photo, mix, settings) for photo in photos]

    def _tiled(self, photo: np.ndarray, mix: StyleMix, settings: RestyleSettings) -> np.ndarray:
        from stylelab.engine.style_engine import StyleEngine

        if self._engine is None:
            self._engine = StyleEngine(device_request="cpu", precision_request=self.lean.runner.precision)
        result = self._engine.restyle([to_tensor(Image.fromarray(photo))], mix, settings)[0]
        return np.asarray(to_image(result))

    def image(self, result: np.ndarray, alpha: Image.Image | None) -> Image.Image:
        image = Image.fromarray(result)
        if alpha is not None:
            image.putalpha(alpha)
        return image


def _painter(engine: StyleEngine | LeanRestyler | None) -> _Painter:
    if isinstance(engine, LeanRestyler):
        return _LeanPainter(engine)
    if engine is None:
        from stylelab.engine.style_engine import StyleEngine

        engine = StyleEngine()
    return _EnginePainter(engine)


def _decode(painter: _Painter, path: Path) -> Decoded:
    rgb, alpha = _checked(load_image(path))
    return painter.load(rgb), alpha


def _checked(photo: Image.Image) -> tuple[Image.Image, Image.Image | None]:
    """What the engine paints (transparent areas on white) and the alpha to put back, if the photo is large enough."""
    rgb, alpha = split_alpha(photo)
    if min(rgb.size) < MIN_WORKING_SIDE:
        raise StyleLabError(f"it is {rgb.width}x{rgb.height} pixels; both sides need at least {MIN_WORKING_SIDE}.")
    return rgb, alpha


def photo_tensor(photo: Image.Image) -> Decoded:
    """What the engine paints, as a tensor, and the alpha to put back on the result."""
    rgb, alpha = _checked(photo)
    return to_tensor(rgb), alpha


def _encode(painter: _Painter, result: Any, alpha: Image.Image | None, target: Path, quality: int) -> Path:
    return save_image(painter.image(result, alpha), target, quality=quality)


def _collect(write: tuple[Path, Future[Path]], report: FolderReport, on_photo: Callable[[], None] | None) -> None:
    path, future = write
    try:
        report.written.append(future.result())
    except StyleLabError as error:
        report.failures.append(f"{path}: {error}")
    except OSError as error:  # a full disk or a read-only folder: this photo fails, the run goes on
        report.failures.append(f"{path}: the result could not be written ({error.strerror or error}).")
    if on_photo:
        on_photo()
