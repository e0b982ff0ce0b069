"""Seeded, tileable value noise for textures and gobos, sampled with ``grid_sample``.

Fractal noise is baked once per seed into one periodic texture, so a textured surface costs
a single lookup per pixel instead of one per octave.
"""
from __future__ import annotations

from functools import lru_cache

import torch
import torch.nn.functional as F

CELLS = 128  # period of the plain noise, in noise cells
FBM_CELLS = 16  # period of the baked fractal noise
FBM_PIXELS = 32  # baked texels per noise cell: enough for the finest octave
OCTAVES = 5


class Noise:
    def __init__(self, seed: int, device: torch.device | str = "cpu") -> None:
        generator = torch.Generator().manual_seed(int(seed))
        self.plain = _wrapped(torch.rand(CELLS, CELLS, generator=generator)).to(device)
        small = _wrapped(torch.rand(FBM_CELLS, FBM_CELLS, generator=generator))
        coords = torch.arange(FBM_CELLS * FBM_PIXELS, dtype=torch.float32) / FBM_PIXELS
        v, u = torch.meshgrid(coords, coords, indexing="ij")
        total, weight, norm = torch.zeros_like(u), 1.0, 0.0
        for octave in range(OCTAVES):
            scale = 2.0 ** octave
            total = total + weight * _lookup(small, FBM_CELLS, u * scale + 5.3 * octave, v * scale + 9.7 * octave)
            norm += weight
            weight *= 0.5
        self.fractal = _wrapped(total / norm).to(device)

    def sample(self, u: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        """Bilinear value noise in 0..1 at (u, v), one noise cell per unit."""
        return _lookup(self.plain, CELLS, u, v)

    def fbm(self, u: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        """Fractal noise in about 0..1 (five octaves), one base cell per unit."""
        return _lookup(self.fractal, FBM_CELLS, u, v)


@lru_cache(maxsize=8)
def noise_for(seed: int, device: str = "cpu") -> Noise:
    return Noise(seed, device)


def _wrapped(tile: torch.Tensor) -> torch.Tensor:
    """[1, 1, n+1, n+1]: the last row and column repeat the first, so bilinear lookups wrap."""
    tile = torch.cat([tile, tile[:1]], 0)
    return torch.cat([tile, tile[:, :1]], 1)[None, None]


def _lookup(tile: torch.Tensor, period: int, u: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    gu = torch.remainder(u, period) * (2 / period) - 1
    gv = torch.remainder(v, period) * (2 / period) - 1
    grid = torch.stack([gu, gv], -1).reshape(1, 1, -1, 2)
    return F.grid_sample(tile, grid, mode="bilinear", align_corners=True).reshape(u.shape)
