"""The key light (a soft directional light), its shadows from the scene's casters, and gobos.

Azimuth is where the light comes from, seen from above: 0 = from the camera, 90 = from
the right, 180 = from behind the scene, 270 = from the left. The gobo is a pattern in a
plane square to the light (a window with blinds, a window's panes, leaves) that the light
projects along its direction onto everything it reaches.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from stylelab.errors import StyleLabError
from stylelab.product.scene.noise import Noise
from stylelab.product.scene.choices import COMPASS, GOBOS
from stylelab.product.scene.geometry import Caster, union_sdf



def azimuth_from(value: str | float | int) -> float:
    """A compass word ("front-left") or degrees, as degrees in 0..360."""
    if isinstance(value, str):
        key = value.strip().lower().replace(" ", "-")
        if key in COMPASS:
            return float(COMPASS[key])
        try:
            value = float(value)
        except ValueError:
            raise StyleLabError(f"Light direction must be one of {', '.join(COMPASS)} or degrees 0-360; "
                                f"got '{value}'.") from None
    return float(value) % 360


@dataclass(frozen=True)
class KeyLight:
    azimuth: float = 315.0
    elevation: float = 40.0  # degrees above the horizon
    softness: float = 0.4  # 0 = hard sun, 1 = a large soft box
    gobo: str = "auto"

    def __post_init__(self) -> None:
        if not 5 <= self.elevation <= 85:
            raise StyleLabError("Light elevation must be from 5 to 85 degrees.")
        if not 0 <= self.softness <= 1:
            raise StyleLabError("Shadow softness must be from 0 to 1.")
        if self.gobo not in GOBOS:
            raise StyleLabError(f"Choose a light pattern from: {', '.join(GOBOS)}.")

    @property
    def direction(self) -> torch.Tensor:
        """Unit vector from a surface towards the light."""
        az, el = math.radians(self.azimuth), math.radians(self.elevation)
        return torch.tensor([math.sin(az) * math.cos(el), math.sin(el), math.cos(az) * math.cos(el)])

    @property
    def spread(self) -> float:
        """tan of the light's angular radius: how fast a penumbra widens with distance."""
        return math.tan(math.radians(0.5 + 11.5 * self.softness))


def soft_shadow(casters: list[Caster], points: torch.Tensor, normals: torch.Tensor, light: KeyLight,
                steps: int = 14, reach: float = 6.0) -> torch.Tensor:
    """Key-light visibility in 0..1 from the casters (1 = fully lit), by sphere tracing the union SDF.

    The penumbra is the nearest miss angle h/t over the light's angular radius, as a soft
    area light would give.
    """
    if not casters:
        return torch.ones(points.shape[0], dtype=points.dtype, device=points.device)
    direction = light.direction.to(points)
    origin = points + normals * 2e-3
    lit = torch.ones(points.shape[0], dtype=points.dtype, device=points.device)
    t = torch.full_like(lit, 1e-2)
    for _ in range(steps):
        h = union_sdf(casters, origin + t[:, None] * direction)
        lit = torch.minimum(lit, h / (light.spread * t))
        t = t + h.clamp(0.02, reach / steps)
    lit = lit.clamp(0, 1)
    return lit * lit * (3 - 2 * lit)


def light_plane_coordinates(points: torch.Tensor, light: KeyLight, anchor: torch.Tensor
                            ) -> tuple[torch.Tensor, torch.Tensor]:
    """Where each point's ray towards the light crosses the gobo plane through ``anchor``:
    (across, up) in world units, the plane square to the light."""
    direction = light.direction.to(points)
    across = torch.linalg.cross(torch.tensor([0.0, 1.0, 0.0]).to(points), direction)
    if across.norm() < 1e-6:
        across = torch.tensor([1.0, 0.0, 0.0]).to(points)
    across = across / across.norm()
    up = torch.linalg.cross(direction, across)
    rel = points - anchor.to(points)
    return rel @ across, rel @ up


def gobo(points: torch.Tensor, light: KeyLight, anchor: torch.Tensor, tile: Noise,
         window: tuple[float, float] = (2.6, 4.5)) -> torch.Tensor:
    """Key-light transmission in 0..1 through the light's pattern, for each point."""
    if light.gobo in ("none", "auto"):
        return torch.ones(points.shape[0], dtype=points.dtype, device=points.device)
    u, v = light_plane_coordinates(points, light, anchor)
    edge = 0.015 + 0.12 * light.softness  # world units of blur at the pattern's edges
    if light.gobo == "leaves":
        leaves = tile.fbm(u * 1.6 + 40, v * 1.6 + 40)
        return 1 - _smooth(leaves, 0.5, 2 * edge)
    half_w, half_h = window
    frame = _smooth(half_w - u.abs(), 0, edge) * _smooth(half_h - v.abs(), 0, edge)
    if light.gobo == "blinds":
        phase = torch.remainder(v / 0.32, 1.0)  # slats every 0.32 units, each 55% open
        pattern = _smooth(torch.minimum(phase, 0.55 - phase), 0, edge / 0.32)
    else:  # window panes: 2 x 3 panes with mullions
        cell_u = torch.remainder(u / (half_w), 1.0)
        cell_v = torch.remainder(v / (2 * half_h / 3), 1.0)
        bar_u = torch.minimum(cell_u, 1 - cell_u) * half_w
        bar_v = torch.minimum(cell_v, 1 - cell_v) * (2 * half_h / 3)
        pattern = _smooth(bar_u, 0.06, edge) * _smooth(bar_v, 0.06, edge)
    return frame * pattern


def _smooth(x: torch.Tensor, at: float, width: float) -> torch.Tensor:
    """0 below ``at``, 1 above ``at + width``, smooth in between."""
    s = ((x - at) / max(width, 1e-6)).clamp(0, 1)
    return s * s * (3 - 2 * s)
