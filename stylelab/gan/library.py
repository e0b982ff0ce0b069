"""The trained generators in the data folder (``<data>/generators/<run>/``): list, load, sample."""
from __future__ import annotations

import json
import threading
from pathlib import Path

import torch
from PIL import Image

from stylelab.errors import StyleLabError
from stylelab.gan import checkpoints, sample
from stylelab.gan.networks import Generator

MAX_SAMPLES = 16
MAX_INTERPOLATION_STEPS = 12


class GeneratorLibrary:
    def __init__(self, root: Path, device: torch.device | str = "cpu"):
        self.root = root
        self.device = torch.device(device)
        self._cache: dict[str, tuple[float, Generator]] = {}
        self._lock = threading.Lock()

    def names(self) -> list[str]:
        return checkpoints.list_generators(self.root)

    def folder(self, name: str | None) -> Path:
        """The folder of a listed generator; anything else (including paths) is refused."""
        if not name:
            raise StyleLabError("Choose a trained generator first (train one in the Admin tab).")
        if name not in self.names():
            raise StyleLabError(f"There is no trained generator called '{name}'.")
        return self.root / name

    def load(self, name: str | None) -> Generator:
        """The smoothed generator, reloaded when training has written a newer checkpoint."""
        folder = self.folder(name)
        stamp = (folder / checkpoints.EMA_FILE).stat().st_mtime
        with self._lock:
            cached = self._cache.get(folder.name)
            if cached is None or cached[0] != stamp:
                cached = (stamp, checkpoints.load_generator(folder, self.device))
                self._cache[folder.name] = cached
        return cached[1]

    def samples(self, name: str | None, seed: int, truncation: float, count: int) -> list[tuple[int, Image.Image]]:
        """``count`` images for seeds ``seed``, ``seed + 1``, ... as (seed, image)."""
        seed, count, truncation = _checked_seed(seed), int(count), float(truncation)
        if not 1 <= count <= MAX_SAMPLES:
            raise StyleLabError(f"Make 1 to {MAX_SAMPLES} samples at a time.")
        _check_truncation(truncation)
        seeds = [min(seed + i, sample.MAX_SEED) for i in range(count)]
        return list(zip(seeds, sample.generate(self.load(name), seeds, truncation)))

    def interpolation(self, name: str | None, seed_a: int, seed_b: int, steps: int, truncation: float
                      ) -> list[Image.Image]:
        steps, truncation = int(steps), float(truncation)
        if not 2 <= steps <= MAX_INTERPOLATION_STEPS:
            raise StyleLabError(f"Interpolate in 2 to {MAX_INTERPOLATION_STEPS} steps.")
        _check_truncation(truncation)
        return sample.interpolate(self.load(name), _checked_seed(seed_a), _checked_seed(seed_b), steps, truncation)

    def evaluations(self, name: str | None) -> list[dict]:
        path = self.folder(name) / "metrics.jsonl"
        if not path.is_file():
            return []
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _checked_seed(seed: object) -> int:
    try:
        value = int(seed)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise StyleLabError("The seed must be a whole number.") from None
    if not 0 <= value <= sample.MAX_SEED:
        raise StyleLabError(f"The seed must be from 0 to {sample.MAX_SEED}.")
    return value


def _check_truncation(truncation: float) -> None:
    if not 0 <= truncation <= 1:
        raise StyleLabError("Truncation goes from 0 (the average product) to 1 (full variety).")
