"""A generator training run as one job: gather the photos, train into a new numbered folder.

Shared by the admin job and the command line, so both prepare data and name folders alike.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import torch

from stylelab.gan.checkpoints import require_stylegan
from stylelab.gan.dataset import prepare_catalog, to_uint8_batch
from stylelab.gan.metrics import MobileNetFeatures
from stylelab.gan.synthetic import synthetic_catalog
from stylelab.gan.settings import GanProgress, GanResult, GanSettings
from stylelab.gan.train import train_generator
from stylelab.training.runs import new_run_dir
from stylelab.weights.store import load_network

GENERATORS_FOLDER = "generators"
FINETUNE_FREEZE_D = 2  # FreezeD default: from_rgb and the two highest-resolution discriminator blocks


def training_images(sources: Sequence[str | Path] | None, resolution: int, synthetic_count: int = 2000,
                    center_products: bool = True, mirror: bool = False, synthetic_kind: str | None = None
                    ) -> torch.Tensor:
    """The merchant's photos (files, folders, ZIPs) prepared for training, or the synthetic catalog."""
    if sources:
        return prepare_catalog(sources, resolution, center_products=center_products, mirror=mirror)
    images = to_uint8_batch(synthetic_catalog(synthetic_count, side=max(64, resolution), kind=synthetic_kind),
                            resolution)
    return torch.cat([images, images.flip(-1)]) if mirror else images


def run_training(data_dir: Path, name: str, images: torch.Tensor, settings: GanSettings,
                 start_from: Path | None = None, progress_fn: Callable[[GanProgress], None] | None = None,
                 abort_fn: Callable[[], bool] | None = None, device: torch.device | str = "cpu",
                 folder: Path | None = None) -> GanResult:
    """Train into ``<data>/generators/NNNNN-name`` (or ``folder``); the folder lists as a generator at once."""
    folder = folder or new_generator_folder(data_dir, name)
    features = MobileNetFeatures(load_network("arbitrary_predictor")).to(device)
    return train_generator(images, settings, folder, features, start_from, progress_fn, abort_fn, device,
                           extra_record={"name": name})


def source_network(folder: Path) -> dict:
    """GanSettings fields that a fine-tuning run takes over from the generator it starts from."""
    config = require_stylegan(folder)  # refused before the job is queued, not in it
    return {"resolution": config["resolution"], "channel_base": config["channel_base"],
            "channel_max": config["channel_max"], "latent_dim": config["z_dim"]}


def new_generator_folder(data_dir: Path, name: str) -> Path:
    return new_run_dir(data_dir / GENERATORS_FOLDER, name)


def summary(result: GanResult) -> str:
    first, last = result.evaluations[0], result.evaluations[-1]
    return (f"{result.stopped} after {result.steps_run} steps in {result.seconds:.0f} s; FD-MobileNet "
            f"{first['fd_mobilenet']:.1f} → {last['fd_mobilenet']:.1f}, KID-MobileNet "
            f"{first['kid_mobilenet']:.4f} → {last['kid_mobilenet']:.4f}.")
