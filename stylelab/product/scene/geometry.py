"""Scene geometry: analytic ray hits and signed distances, vectorised over rays.

World: y up, the floor at y = 0, the camera in front (+z) looking towards -z. Every
primitive answers ``hit(origins, directions) -> (t, normal)`` for [N, 3] rays (t = inf on
a miss) and ``sdf(points)`` for the soft shadows and ambient occlusion of the casters.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

INF = float("inf")
EPS = 1e-6


def _miss_like(o: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    return torch.full(o.shape[:1], INF, dtype=o.dtype, device=o.device), torch.zeros_like(o)


def _axis(vector: tuple[float, float, float], like: torch.Tensor) -> torch.Tensor:
    return torch.tensor(vector, dtype=like.dtype, device=like.device).expand_as(like)


@dataclass(frozen=True)
class Plane:
    """A one-sided infinite plane n·p = offset (seen from the side its normal points to)."""
    normal: tuple[float, float, float]
    offset: float

    def hit(self, o: torch.Tensor, d: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        n = torch.tensor(self.normal, dtype=o.dtype, device=o.device)
        facing = d @ n
        t = (self.offset - o @ n) / torch.where(facing.abs() < EPS, torch.full_like(facing, -EPS), facing)
        t = torch.where((facing < -EPS) & (t > EPS), t, torch.full_like(t, INF))
        return t, n.expand_as(o)


@dataclass(frozen=True)
class Sweep:
    """A studio sweep: floor (y = 0) curving up into a wall at z = back, along a cove of ``radius``.

    The three parts answer for themselves; each keeps only hits inside its own region.
    """
    back: float
    radius: float

    def parts(self) -> tuple[str, ...]:
        return ("floor", "cove", "wall")

    def hit_parts(self, o: torch.Tensor, d: torch.Tensor) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
        r, corner_z = self.radius, self.back + self.radius
        t_floor, n_floor = Plane((0.0, 1.0, 0.0), 0.0).hit(o, d)
        z_floor = o[:, 2] + t_floor * d[:, 2]
        t_floor = torch.where(z_floor >= corner_z, t_floor, torch.full_like(t_floor, INF))
        t_wall, n_wall = Plane((0.0, 0.0, 1.0), self.back).hit(o, d)
        y_wall = o[:, 1] + t_wall * d[:, 1]
        t_wall = torch.where(y_wall >= r, t_wall, torch.full_like(t_wall, INF))
        parts = {"floor": (t_floor, n_floor), "wall": (t_wall, n_wall)}
        if r > EPS:  # the inside of a cylinder along x, axis at (y = r, z = corner_z): the far root
            oy, oz = o[:, 1] - r, o[:, 2] - corner_z
            a = d[:, 1] ** 2 + d[:, 2] ** 2
            b = 2 * (oy * d[:, 1] + oz * d[:, 2])
            c = oy ** 2 + oz ** 2 - r * r
            disc = b * b - 4 * a * c
            root = torch.sqrt(disc.clamp_min(0))
            best = torch.full_like(a, INF)
            for sign in (-1.0, 1.0):
                t = (-b + sign * root) / (2 * a.clamp_min(EPS))
                y, z = o[:, 1] + t * d[:, 1], o[:, 2] + t * d[:, 2]
                ok = (disc >= 0) & (t > EPS) & (y <= r + EPS) & (z <= corner_z + EPS)
                best = torch.where(ok & (t < best), t, best)
            p = o + best.clamp_max(1e6)[:, None] * d
            normal = torch.stack([torch.zeros_like(a), r - p[:, 1], corner_z - p[:, 2]], dim=1) / r
            parts["cove"] = (best, normal)
        else:
            parts["cove"] = _miss_like(o)
        return parts


@dataclass(frozen=True)
class Cylinder:
    """An upright cylinder standing on y = bottom, with a flat top at y = top."""
    x: float
    z: float
    radius: float
    bottom: float
    top: float

    def hit(self, o: torch.Tensor, d: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        ox, oz = o[:, 0] - self.x, o[:, 2] - self.z
        a = (d[:, 0] ** 2 + d[:, 2] ** 2).clamp_min(EPS)
        b = 2 * (ox * d[:, 0] + oz * d[:, 2])
        c = ox ** 2 + oz ** 2 - self.radius ** 2
        disc = b * b - 4 * a * c
        t_side = (-b - torch.sqrt(disc.clamp_min(0))) / (2 * a)
        y = o[:, 1] + t_side * d[:, 1]
        side_ok = (disc >= 0) & (t_side > EPS) & (y >= self.bottom) & (y <= self.top)
        t_side = torch.where(side_ok, t_side, torch.full_like(t_side, INF))
        t_top, _ = Plane((0.0, 1.0, 0.0), self.top).hit(o, d)
        px, pz = ox + t_top * d[:, 0], oz + t_top * d[:, 2]
        t_top = torch.where(px ** 2 + pz ** 2 <= self.radius ** 2, t_top, torch.full_like(t_top, INF))
        p = o + t_side.clamp_max(1e6)[:, None] * d
        side_normal = torch.stack([p[:, 0] - self.x, torch.zeros_like(a), p[:, 2] - self.z], dim=1) / self.radius
        use_top = t_top < t_side
        return torch.minimum(t_top, t_side), torch.where(use_top[:, None], _axis((0.0, 1.0, 0.0), o), side_normal)

    def sdf(self, p: torch.Tensor) -> torch.Tensor:
        radial = torch.hypot(p[:, 0] - self.x, p[:, 2] - self.z) - self.radius
        half, mid = (self.top - self.bottom) / 2, (self.top + self.bottom) / 2
        vertical = (p[:, 1] - mid).abs() - half
        outside = torch.hypot(radial.clamp_min(0), vertical.clamp_min(0))
        return outside + torch.maximum(radial, vertical).clamp_max(0)


@dataclass(frozen=True)
class Box:
    """An axis-aligned box from ``low`` to ``high`` corners."""
    low: tuple[float, float, float]
    high: tuple[float, float, float]

    def hit(self, o: torch.Tensor, d: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        low = torch.tensor(self.low, dtype=o.dtype, device=o.device)
        high = torch.tensor(self.high, dtype=o.dtype, device=o.device)
        safe = torch.where(d.abs() < EPS, torch.full_like(d, EPS), d)
        t1, t2 = (low - o) / safe, (high - o) / safe
        near, far = torch.minimum(t1, t2), torch.maximum(t1, t2)
        t_near, axis = near.max(dim=1)
        t_far = far.min(dim=1).values
        ok = (t_near <= t_far) & (t_near > EPS)
        normal = torch.zeros_like(o).scatter_(1, axis[:, None], 1.0) * -torch.sign(safe)
        return torch.where(ok, t_near, torch.full_like(t_near, INF)), normal

    def sdf(self, p: torch.Tensor) -> torch.Tensor:
        low = torch.tensor(self.low, dtype=p.dtype, device=p.device)
        high = torch.tensor(self.high, dtype=p.dtype, device=p.device)
        q = (p - (low + high) / 2).abs() - (high - low) / 2
        return q.clamp_min(0).norm(dim=1) + q.max(dim=1).values.clamp_max(0)


@dataclass(frozen=True)
class Sphere:
    centre: tuple[float, float, float]
    radius: float

    def hit(self, o: torch.Tensor, d: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        c = torch.tensor(self.centre, dtype=o.dtype, device=o.device)
        oc = o - c
        a = (d * d).sum(1)
        b = (oc * d).sum(1)
        disc = b * b - a * ((oc * oc).sum(1) - self.radius ** 2)
        t = (-b - torch.sqrt(disc.clamp_min(0))) / a
        t = torch.where((disc >= 0) & (t > EPS), t, torch.full_like(t, INF))
        p = o + t.clamp_max(1e6)[:, None] * d
        return t, (p - c) / self.radius

    def sdf(self, p: torch.Tensor) -> torch.Tensor:
        return (p - torch.tensor(self.centre, dtype=p.dtype, device=p.device)).norm(dim=1) - self.radius


@dataclass(frozen=True)
class Arch:
    """A free-standing arch panel: a rectangle with a half-disc on top, ``thickness`` deep in z."""
    x: float
    half_width: float
    shoulder: float  # height where the round top begins
    z_back: float
    thickness: float

    def hit(self, o: torch.Tensor, d: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        z0, z1 = self.z_back, self.z_back + self.thickness
        t_box, n_box = Box((self.x - self.half_width, 0.0, z0), (self.x + self.half_width, self.shoulder, z1)).hit(o, d)
        # the round top: a cylinder along z through (x, shoulder), front face plus curved rim above the shoulder
        t_face, n_face = Plane((0.0, 0.0, 1.0), z1).hit(o, d)
        p = o + t_face.clamp_max(1e6)[:, None] * d
        in_disc = ((p[:, 0] - self.x) ** 2 + (p[:, 1] - self.shoulder) ** 2 <= self.half_width ** 2) & (
            p[:, 1] >= self.shoulder)
        t_face = torch.where(in_disc, t_face, torch.full_like(t_face, INF))
        ox, oy = o[:, 0] - self.x, o[:, 1] - self.shoulder
        a = (d[:, 0] ** 2 + d[:, 1] ** 2).clamp_min(EPS)
        b = 2 * (ox * d[:, 0] + oy * d[:, 1])
        disc = b * b - 4 * a * (ox ** 2 + oy ** 2 - self.half_width ** 2)
        t_rim = (-b - torch.sqrt(disc.clamp_min(0))) / (2 * a)
        q = o + t_rim.clamp_max(1e6)[:, None] * d
        rim_ok = (disc >= 0) & (t_rim > EPS) & (q[:, 1] >= self.shoulder) & (q[:, 2] >= z0) & (q[:, 2] <= z1)
        t_rim = torch.where(rim_ok, t_rim, torch.full_like(t_rim, INF))
        n_rim = torch.stack([q[:, 0] - self.x, q[:, 1] - self.shoulder, torch.zeros_like(a)], 1) / self.half_width
        t = torch.minimum(torch.minimum(t_box, t_face), t_rim)
        normal = torch.where((t == t_face)[:, None], n_face, torch.where((t == t_rim)[:, None], n_rim, n_box))
        return t, normal

    def sdf(self, p: torch.Tensor) -> torch.Tensor:
        # 2-D distance to the arch outline, extruded over the thickness
        px, py = (p[:, 0] - self.x).abs(), p[:, 1]
        rect = torch.stack([px - self.half_width, (py - self.shoulder / 2).abs() - self.shoulder / 2], 1)
        d_rect = rect.clamp_min(0).norm(dim=1) + rect.max(dim=1).values.clamp_max(0)
        d_disc = torch.hypot(px, py - self.shoulder) - self.half_width
        d_disc = torch.where(py >= self.shoulder, d_disc, torch.full_like(d_disc, INF))
        flat = torch.minimum(d_rect, d_disc)
        depth = (p[:, 2] - (self.z_back + self.thickness / 2)).abs() - self.thickness / 2
        return torch.hypot(flat.clamp_min(0), depth.clamp_min(0)) + torch.maximum(flat, depth).clamp_max(0)


Caster = Cylinder | Box | Sphere | Arch


def union_sdf(casters: list[Caster], p: torch.Tensor) -> torch.Tensor:
    distance = torch.full(p.shape[:1], 1e3, dtype=p.dtype, device=p.device)
    for caster in casters:
        distance = torch.minimum(distance, caster.sdf(p))
    return distance
