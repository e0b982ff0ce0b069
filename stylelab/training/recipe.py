"""The parts of the default fine-tuning recipe, each small and testable on its own.

- the learning rate warms up, then decays along a cosine (``warmup_cosine``);
- the style image is seen as crops at several scales (``style_crops``);
- validation uses fixed held-out crops, the same at every evaluation (``validation_crops``);
- the validation curve is smoothed and early stopping counts patience in steps (``EarlyStopping``);
- the evaluated and published weights are an exponential moving average (``WeightAverage``).
"""
from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import nn

from stylelab.engine import imageops
from stylelab.training.data import with_alpha

STYLE_CROP_SCALES = (0.35, 0.5, 0.7, 1.0)  # shares of the style image's shorter side


def warmup_cosine(step: int, steps: int, warmup: int, floor: float = 0.1) -> float:
    """Learning-rate factor at ``step`` (0-based): linear warm-up to 1 over ``warmup`` steps, then a cosine
    decay to ``floor`` at the last step."""
    if step < warmup:
        return (step + 1) / warmup
    remaining = max(1, steps - warmup - 1)
    progress = min(1.0, (step - warmup) / remaining)
    return floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * progress))


def _crop(image: torch.Tensor, side: int, top: int, left: int, size: int) -> torch.Tensor:
    return imageops.resize(image[None, :, top: top + side, left: left + side], size, size)[0]


def style_crops(style: torch.Tensor, size: int, per_scale: int, seed: int,
                scales: Sequence[float] = STYLE_CROP_SCALES) -> torch.Tensor:
    """Square crops of the style image at several scales, each resized to ``size``: [len(scales) * per_scale,
    3, size, size]. Small crops show the brush strokes large, as they appear on a close product shot; the
    whole square shows the composition's colours."""
    generator = torch.Generator().manual_seed(seed)
    height, width = style.shape[-2:]
    crops = []
    for scale in scales:
        side = max(8, round(min(height, width) * scale))
        for _ in range(per_scale):
            top = int(torch.randint(height - side + 1, (1,), generator=generator))
            left = int(torch.randint(width - side + 1, (1,), generator=generator))
            crops.append(_crop(style, side, top, left, size))
    return torch.stack(crops)


def validation_crops(photos: Sequence[torch.Tensor], size: int, per_photo: int, seed: int) -> torch.Tensor:
    """Fixed held-out crops, [len(photos) * per_photo, 4, size, size] with alpha: the centre square of each
    photo first (in photo order), then ``per_photo - 1`` seeded crops of 60-100 % of the shorter side per
    photo. The same arguments give the same crops, so the validation curve moves only when the network does."""
    generator = torch.Generator().manual_seed(seed)
    squares = [imageops.resize(imageops.center_square(with_alpha(p))[None], size, size)[0] for p in photos]
    extra = []
    for photo in photos:
        photo = with_alpha(photo)
        height, width = photo.shape[-2:]
        for _ in range(per_photo - 1):
            side = int(min(height, width) * (0.6 + 0.4 * float(torch.rand(1, generator=generator))))
            top = int(torch.randint(height - side + 1, (1,), generator=generator))
            left = int(torch.randint(width - side + 1, (1,), generator=generator))
            extra.append(_crop(photo, side, top, left, size))
    return torch.stack(squares + extra)


class EarlyStopping:
    """Watches an exponentially smoothed validation curve; stops after ``patience`` steps without a new best.

    ``smoothing`` is the weight of the past: 0 uses the raw values, 0.6 averages roughly the last few
    evaluations, so one lucky or unlucky evaluation neither picks the best step nor stops the run."""

    def __init__(self, patience: int, smoothing: float = 0.6, min_improvement: float = 1e-3):
        self.patience = patience
        self.smoothing = smoothing
        self.min_improvement = min_improvement  # relative: a new best must beat the old by this share
        self.smoothed: float | None = None
        self.best = math.inf
        self.best_step = 0

    def update(self, step: int, value: float) -> bool:
        """Record an evaluation; True when it is a new best of the smoothed curve."""
        self.smoothed = value if self.smoothed is None else (
            self.smoothing * self.smoothed + (1 - self.smoothing) * value)
        if self.smoothed < self.best * (1 - self.min_improvement) or self.best == math.inf:
            self.best, self.best_step = self.smoothed, step
            return True
        return False

    def should_stop(self, step: int) -> bool:
        return step - self.best_step >= self.patience


class WeightAverage:
    """An exponential moving average of the trained parameters only (frozen ones stay bit-for-bit as they
    are, which an average over a whole module would not guarantee). The decay warms up, so the average is
    not dominated by the starting weights in a short run."""

    def __init__(self, parameters: Sequence[nn.Parameter], decay: float):
        self.parameters = list(parameters)
        self.decay = decay
        self.updates = 0
        self.shadow = [p.detach().clone() for p in self.parameters]

    def update(self) -> None:
        self.updates += 1
        decay = min(self.decay, (1 + self.updates) / (10 + self.updates))
        with torch.no_grad():
            for average, parameter in zip(self.shadow, self.parameters):
                average.lerp_(parameter.detach(), 1 - decay)

    def swap(self) -> None:
        """Exchange the live weights and the average (call twice to undo): evaluate the average in place."""
        with torch.no_grad():
            for average, parameter in zip(self.shadow, self.parameters):
                live = parameter.detach().clone()
                parameter.copy_(average)
                average.copy_(live)


def ema_decay_for(steps: int) -> float:
    """Average over roughly the last tenth of the run (a half-life of steps / 10)."""
    return 0.5 ** (1 / max(1.0, steps / 10))
