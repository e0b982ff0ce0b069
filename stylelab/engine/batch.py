"""Restyling many files: decoding and encoding overlap the engine's work.

Worker threads decode the next photos and encode finished ones (Pillow and NumPy
release the GIL), while the calling thread keeps the engine busy with batches.
Look-ahead and pending writes are bounded, so 10,000 photos need no more memory than 10.
"""
from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import torch
from PIL import Image

from stylelab.engine.style_engine import MIN_WORKING_SIDE, RestyleSettings, StyleEngine, StyleMix
from stylelab.errors import StyleLabError
from stylelab.imageio import load_image, save_image, split_alpha, to_image, to_tensor

Decoded = tuple[torch.Tensor, Image.Image | None]


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
    engine: StyleEngine | None = None,
    quality: int = 92,
    workers: int | None = None,
    on_photo: Callable[[], None] | None = None,
) -> FolderReport:
    """Restyle each (photo, target file) pair; the target's extension picks the format."""
    engine = engine or StyleEngine()
    workers = workers or min(16, os.cpu_count() or 2)
    batch_size = engine.limits.batch_size
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
                ahead.append((*job, pool.submit(_decode, job[0])))

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
            results = engine.restyle([tensor for _, _, (tensor, _) in batch], mix, settings)
            for (path, target, (_, alpha)), result in zip(batch, results):
                writes.append((path, pool.submit(_encode, result, alpha, target, quality)))
            while len(writes) > 2 * workers:
                _collect(writes.popleft(), report, on_photo)
        while writes:
            _collect(writes.popleft(), report, on_photo)
    report.seconds = time.perf_counter() - started
    return report


def _decode(path: Path) -> Decoded:
    return photo_tensor(load_image(path))


def photo_tensor(photo: Image.Image) -> Decoded:
    """What the engine paints (transparent areas on white) and the alpha to put back on the result."""
    rgb, alpha = split_alpha(photo)
    if min(rgb.size) < MIN_WORKING_SIDE:
        raise StyleLabError(f"it is {rgb.width}x{rgb.height} pixels; both sides need at least {MIN_WORKING_SIDE}.")
    return to_tensor(rgb), alpha


def _encode(result: torch.Tensor, alpha: Image.Image | None, target: Path, quality: int) -> Path:
    return save_image(to_image(result, alpha), target, quality=quality)


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
