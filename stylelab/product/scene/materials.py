"""Procedural surface materials, evaluated at surface coordinates in world units.

Because the coordinates are the hit points' own (not the screen's), every texture sits in
perspective on its surface and does not swim when the camera or product moves.
"""
from __future__ import annotations

import torch

from stylelab.errors import StyleLabError
from stylelab.product.scene.choices import MATERIALS
from stylelab.product.scene.noise import Noise

GLOSS = {"matte": 0.0, "marble": 0.35, "wood": 0.12, "terrazzo": 0.22, "linen": 0.0, "concrete": 0.05}


def check_material(name: str) -> str:
    if name not in MATERIALS:
        raise StyleLabError(f"Choose a material from: {', '.join(MATERIALS)}.")
    return name


def albedo(name: str, uv: torch.Tensor, colour: torch.Tensor, accent: torch.Tensor, tile: Noise
           ) -> torch.Tensor:
    """[N, 3] surface colour of material ``name`` in ``colour`` (``accent`` for veins, chips, grain)."""
    u, v = uv[:, 0], uv[:, 1]
    base, accent = colour.to(uv)[None], accent.to(uv)[None]
    if name == "matte":
        return base.expand(uv.shape[0], 3)
    if name == "marble":
        warp = tile.fbm(u * 1.3, v * 1.3)
        near = 1 - torch.sin((u * 0.9 + v * 1.7) * 3.0 + warp * 9.0).abs()
        # a thin core in a feathered halo, fading in and out along its length: a vein, not a crack
        strength = (tile.fbm(u * 0.5 + 20, v * 0.5 + 20) * 1.8 - 0.4).clamp(0, 1)
        vein = ((0.7 * near.clamp(0, 1) ** 14 + 0.3 * near.clamp(0, 1) ** 4) * strength)[:, None]
        cloud = tile.fbm(u * 0.7 + 50, v * 0.7 + 50)
        stone = base * (0.95 + 0.1 * cloud[:, None])
        ink = base * 0.6 + accent * 0.15  # a deeper shade of the stone, a little tinted
        return stone * (1 - 0.5 * vein) + ink * 0.5 * vein
    if name == "wood":
        ring_noise = tile.fbm(u * 0.4, v * 6.0)
        rings = torch.sin((v * 4.0 + ring_noise * 5.0) * 3.14159).abs() ** 3
        fibre = tile.sample(u * 0.6, v * 60.0)
        grain = (0.65 * rings + 0.35 * fibre)[:, None]
        return base * (1 - 0.22 * grain) + accent * 0.08 * grain
    if name == "terrazzo":
        cell = tile.sample(torch.floor(u * 30) + 0.5, torch.floor(v * 30) + 0.5)
        blob = tile.fbm(u * 24 + 7, v * 24 + 3)
        chip = ((blob > 0.58) & (cell > 0.35)).float()[:, None]
        tint = torch.where((cell > 0.7)[:, None], accent, base * 0.55 + accent * 0.2)
        speck = tile.sample(u * 70, v * 70)[:, None]
        return (base * (0.97 + 0.06 * speck)) * (1 - chip) + tint * chip
    if name == "linen":
        weave = 0.5 + 0.25 * (torch.sin(u * 260) + torch.sin(v * 260))
        slub = tile.fbm(u * 3, v * 40)
        t = (0.06 * (weave - 0.5) + 0.08 * (slub - 0.5))[:, None]
        return base * (1 + t)
    if name == "concrete":
        grain = tile.fbm(u * 3, v * 3)
        pores = (tile.sample(u * 45 + 9, v * 45 + 9) > 0.93).float()
        t = (0.16 * (grain - 0.5) - 0.12 * pores)[:, None]
        return base * (1 + t)
    raise StyleLabError(f"Choose a material from: {', '.join(MATERIALS)}.")
