"""One Product shots request as the tab gathers it: the photo, its mask, the style and the scene."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from stylelab.product.scene.choices import DEFAULT_PRESET, PAINTED_BACKDROP, ScenePick


@dataclass(frozen=True)
class ShotRequest:
    photo: str | None  # the uploaded photo's path
    drawn: Any = None  # a mask image, a box-and-clicks prompt, or None for the automatic cut-out
    template: str | None = None
    style_image: str | None = None
    preset: str = DEFAULT_PRESET
    count: int = 4
    seed: int = 1
    placement: tuple[float, float, float, float] = (1.0, 0.5, 0.6, 0.05)  # scale, x, y, padding
    strength: float = 0.8
    scene: ScenePick = ScenePick(kind=PAINTED_BACKDROP)
