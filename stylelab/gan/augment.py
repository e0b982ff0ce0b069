"""Differentiable augmentation (DiffAugment, Zhao et al. 2020) for limited data.

The same random colour, translation and cutout are applied to real and generated images
before the discriminator sees them, and gradients flow through to the generator, so the
discriminator cannot memorise a small catalog.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

POLICIES = ("color", "translation", "cutout")


def diff_augment(x: torch.Tensor, policy: str = "color,translation,cutout") -> torch.Tensor:
    for name in [p for p in policy.split(",") if p]:
        if name not in POLICIES:
            raise ValueError(f"unknown augmentation '{name}'; use {', '.join(POLICIES)}")
        for function in AUGMENTATIONS[name]:
            x = function(x)
    return x.contiguous()


def _rand(x: torch.Tensor, *shape: int) -> torch.Tensor:
    return torch.rand(x.shape[0], *shape, dtype=x.dtype, device=x.device)


def brightness(x: torch.Tensor) -> torch.Tensor:
    return x + (_rand(x, 1, 1, 1) - 0.5)


def saturation(x: torch.Tensor) -> torch.Tensor:
    mean = x.mean(dim=1, keepdim=True)
    return (x - mean) * (_rand(x, 1, 1, 1) * 2) + mean


def contrast(x: torch.Tensor) -> torch.Tensor:
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    return (x - mean) * (_rand(x, 1, 1, 1) + 0.5) + mean


def translation(x: torch.Tensor, ratio: float = 0.125) -> torch.Tensor:
    """Shift by up to ``ratio`` of the side, filling with zeros (grid sampling keeps it differentiable)."""
    n, _, h, w = x.shape
    shift = (_rand(x, 2) * 2 - 1) * ratio * 2  # in normalized coordinates (-1..1 spans the side)
    theta = torch.zeros(n, 2, 3, dtype=x.dtype, device=x.device)
    theta[:, 0, 0] = theta[:, 1, 1] = 1
    theta[:, :, 2] = shift
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, mode="nearest", padding_mode="zeros", align_corners=False)


def cutout(x: torch.Tensor, ratio: float = 0.5) -> torch.Tensor:
    """Blank one random square of half the side per image."""
    n, _, h, w = x.shape
    ch, cw = int(h * ratio + 0.5), int(w * ratio + 0.5)
    top = (_rand(x, 1, 1) * (h - ch + 1)).long()
    left = (_rand(x, 1, 1) * (w - cw + 1)).long()
    ys = torch.arange(h, device=x.device)[None, :, None]
    xs = torch.arange(w, device=x.device)[None, None, :]
    inside = (ys >= top) & (ys < top + ch) & (xs >= left) & (xs < left + cw)
    return x * (~inside)[:, None].to(x.dtype)


AUGMENTATIONS = {"color": [brightness, saturation, contrast], "translation": [translation], "cutout": [cutout]}
