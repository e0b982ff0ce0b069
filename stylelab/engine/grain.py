"""The faint, seeded grain the engine adds to a photo before the networks paint it.

The networks turn perfectly flat areas (a blown-out white backdrop) into flat blocks of colour;
a grain below what the eye sees (about ±2.5 grey levels) gives them texture to paint. One fixed
field per size, drawn by NumPy, so the PyTorch engine and the torch-free CPU path add the very
same numbers, and a photo's result is identical however it is batched.
"""
from __future__ import annotations

import functools
import math

import numpy as np

GRAIN_AMPLITUDE = 0.01
GRAIN_SEED = 0
# drawing the noise costs ~10 ms per megapixel, so repeated sizes (previews, catalogs) reuse it;
# up to 1 MP only, because a cached field stays in memory
GRAIN_CACHE_VALUES = 3 * 1024 * 1024


def grain_field(shape: tuple[int, ...], amplitude: float = GRAIN_AMPLITUDE, seed: int = GRAIN_SEED) -> np.ndarray:
    """Uniform noise in ±amplitude, float32, of ``shape``; shared between calls, so never modify it."""
    if math.prod(shape) <= GRAIN_CACHE_VALUES:
        return _cached_field(tuple(shape), float(amplitude), int(seed))
    return _field(tuple(shape), float(amplitude), int(seed))


def _field(shape: tuple[int, ...], amplitude: float, seed: int) -> np.ndarray:
    noise = np.random.default_rng(seed).random(shape, dtype=np.float32)
    noise *= 2 * amplitude
    noise -= amplitude
    return noise


_cached_field = functools.lru_cache(maxsize=4)(_field)
