"""A pinhole camera with a pitch (tilt down) and a shifted principal point.

The principal point shift moves the product in the frame without turning the camera, the
way a shift lens keeps a product's verticals upright.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch


@dataclass(frozen=True)
class Camera:
    position: tuple[float, float, float]
    pitch: float  # degrees below level
    focal: float  # in pixels
    size: tuple[int, int]  # width, height
    centre: tuple[float, float]  # principal point, pixels

    def basis(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Right, up and forward unit vectors (float64 for exact projections)."""
        a = math.radians(self.pitch)
        forward = torch.tensor([0.0, -math.sin(a), -math.cos(a)], dtype=torch.float64)
        up = torch.tensor([0.0, math.cos(a), -math.sin(a)], dtype=torch.float64)
        right = torch.tensor([1.0, 0.0, 0.0], dtype=torch.float64)
        return right, up, forward

    def rays(self, device: torch.device | str = "cpu") -> tuple[torch.Tensor, torch.Tensor]:
        """Origins and directions [H*W, 3] through pixel centres.

        Directions are not normalised: each has a unit step along the view axis, so a hit's
        t is its depth. With no roll, their y and z depend on the row only (see ``row_rays``).
        """
        width, height = self.size
        u = torch.arange(width, dtype=torch.float32, device=device) + 0.5
        v = torch.arange(height, dtype=torch.float32, device=device) + 0.5
        x = ((u - self.centre[0]) / self.focal)[None, :].expand(height, width)
        _, rows = self.row_rays(device)
        d = rows[:, None, :].expand(height, width, 3).clone()
        d[..., 0] = x
        o = torch.tensor(self.position, dtype=torch.float32, device=device).expand(height * width, 3)
        return o, d.reshape(-1, 3)

    def row_rays(self, device: torch.device | str = "cpu") -> tuple[torch.Tensor, torch.Tensor]:
        """One ray per image row through the camera's vertical plane (x = 0): [H, 3] each."""
        height = self.size[1]
        v = torch.arange(height, dtype=torch.float32, device=device) + 0.5
        y = -(v - self.centre[1]) / self.focal
        _, up, forward = (axis.float().to(device) for axis in self.basis())
        d = y[:, None] * up + forward
        o = torch.tensor(self.position, dtype=torch.float32, device=device).expand(height, 3)
        return o, d

    def project(self, points: torch.Tensor) -> torch.Tensor:
        """World points [N, 3] to pixel coordinates [N, 2] and depth [N] along the view axis."""
        right, up, forward = self.basis()
        rel = points.double() - torch.tensor(self.position, dtype=torch.float64)
        depth = rel @ forward
        u = self.centre[0] + self.focal * (rel @ right) / depth
        v = self.centre[1] - self.focal * (rel @ up) / depth
        return torch.stack([u, v], 1), depth

    def describe(self) -> dict:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(self).items()}
