"""A tiny catalog generator for fast CPU tests: 32 px, few channels, few images."""
from __future__ import annotations

from pathlib import Path

import torch

from stylelab.gan.dataset import to_uint8_batch
from stylelab.gan.metrics import MobileNetFeatures
from stylelab.gan.synthetic import synthetic_catalog
from stylelab.gan.settings import GanResult, GanSettings
from stylelab.gan.train import train_generator
from stylelab.weights.store import load_network

TINY = dict(resolution=32, batch_size=4, channel_base=256, channel_max=32, latent_dim=32, eval_samples=16,
            held_out=16, r1_interval=2)


def tiny_settings(**changes) -> GanSettings:
    return GanSettings(**(TINY | {"steps": 3, "eval_every": 2} | changes))


def tiny_images(count: int = 96, kind: str | None = None) -> torch.Tensor:
    return to_uint8_batch(synthetic_catalog(count, side=64, kind=kind), 32)


_features: MobileNetFeatures | None = None


def features() -> MobileNetFeatures:
    global _features
    if _features is None:
        _features = MobileNetFeatures(load_network("arbitrary_predictor"))
    return _features


def train_tiny(folder: Path, **changes) -> GanResult:
    start_from = changes.pop("start_from", None)
    abort_fn = changes.pop("abort_fn", None)
    images = changes.pop("images", None)
    return train_generator(images if images is not None else tiny_images(), tiny_settings(**changes), folder,
                           features(), start_from=start_from, abort_fn=abort_fn)
