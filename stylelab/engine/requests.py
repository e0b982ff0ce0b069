"""What a restyle is asked to do: the style mix and the settings, as frozen records.

Kept free of PyTorch so the torch-free CPU path (``engine.lean``) and the command line can
build and check a request before — or without — loading the networks.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from stylelab.errors import StyleLabError
from stylelab.styles import BUILTIN_STYLES

if TYPE_CHECKING:
    import torch

Progress = Callable[[float, str], None]
MIN_STROKE_SCALE, MAX_STROKE_SCALE = 0.25, 4.0
MIN_WORKING_SIDE = 16


def check_photo_size(width: int, height: int) -> None:
    """The networks need both sides at least MIN_WORKING_SIDE pixels: say so, in one sentence."""
    if min(width, height) < MIN_WORKING_SIDE:
        raise StyleLabError(f"The photo is {width}x{height} pixels; both sides need at least {MIN_WORKING_SIDE}.")


@dataclass(frozen=True)
class StyleMix:
    """What to paint with: built-in styles and/or style-image embeddings, each with a weight.

    Weights need not sum to one; the engine normalizes them.
    """

    builtin: tuple[tuple[int, float], ...] = ()
    images: tuple[tuple[torch.Tensor, float], ...] = ()
    # fine-tuned styles: (embedding, weight, path of their own transformer weights)
    tuned: tuple[tuple[torch.Tensor, float, str], ...] = ()

    def __post_init__(self) -> None:
        weights = [w for _, w in self.builtin] + [w for _, w in self.images] + [w for _, w, _ in self.tuned]
        if not weights:
            raise StyleLabError("Choose at least one style.")
        if any(not (w >= 0) for w in weights) or sum(weights) <= 0:
            raise StyleLabError("Style weights must be zero or more, and at least one must be above zero.")
        if any(not 0 <= index < len(BUILTIN_STYLES) for index, _ in self.builtin):
            raise StyleLabError(f"Built-in style numbers run from 0 to {len(BUILTIN_STYLES) - 1}.")

    @property
    def builtin_only(self) -> bool:
        """Only the 26-style network paints (no style image, no fine-tuned style has weight)."""
        return sum(w for _, w in self.builtin) > 0 and not any(w for _, w in self.images) and not any(
            w for _, w, _ in self.tuned)


@dataclass(frozen=True)
class RestyleSettings:
    """strength 0..1 (0 = the photo, 1 = full style); stroke_scale > 1 paints bigger strokes."""

    strength: float = 1.0
    stroke_scale: float = 1.0
    keep_colours: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.strength, (int, float)) or not 0.0 <= self.strength <= 1.0:
            raise StyleLabError(f"Strength must be a number from 0 to 1; got {self.strength!r}.")
        if not isinstance(self.stroke_scale, (int, float)) or not (
            MIN_STROKE_SCALE <= self.stroke_scale <= MAX_STROKE_SCALE
        ):
            raise StyleLabError(
                f"Stroke scale must be from {MIN_STROKE_SCALE} to {MAX_STROKE_SCALE}; got {self.stroke_scale!r}."
            )
