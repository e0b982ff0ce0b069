"""Training photos: a seeded train/validation split and augmentation (crops, flips, scales)."""
from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from pathlib import Path

import torch
from PIL import Image

from stylelab import imageops
from stylelab.errors import StyleLabError
from stylelab.imageio import load_image, split_alpha, to_tensor

PHOTO_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp"}
MAX_TRAINING_PHOTOS = 400


def read_training_photos(sources: Sequence[str | Path], max_side: int = 768) -> list[torch.Tensor]:
    """Photos from files, folders or ZIPs, as tensors no larger than ``max_side``."""
    images: list[Image.Image] = []
    for source in sources:
        path = Path(source)
        if path.is_dir():
            images += [load_image(p) for p in sorted(path.rglob("*")) if p.suffix.lower() in PHOTO_SUFFIXES]
        elif path.suffix.lower() == ".zip":
            with zipfile.ZipFile(path) as bundle:
                for name in sorted(bundle.namelist()):
                    if Path(name).suffix.lower() in PHOTO_SUFFIXES and not name.startswith("__MACOSX"):
                        images.append(load_image(Image.open(io.BytesIO(bundle.read(name)))))
        else:
            images.append(load_image(path))
        if len(images) > MAX_TRAINING_PHOTOS:
            raise StyleLabError(f"Use at most {MAX_TRAINING_PHOTOS} training photos.")
    if len(images) < 2:
        raise StyleLabError("Fine-tuning needs at least 2 training photos (one is kept for validation).")
    tensors = []
    for image in images:
        rgb = split_alpha(image)[0]
        rgb.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
        tensors.append(to_tensor(rgb))
    return tensors


def split(photos: Sequence[torch.Tensor], validation_fraction: float, seed: int
          ) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
    order = torch.randperm(len(photos), generator=torch.Generator().manual_seed(seed)).tolist()
    held_out = max(1, round(len(photos) * validation_fraction))
    return [photos[i] for i in order[held_out:]], [photos[i] for i in order[:held_out]]


def augmented_batch(photos: Sequence[torch.Tensor], batch_size: int, size: int, generator: torch.Generator
                    ) -> torch.Tensor:
    """Random crops (60-100% of the shorter side), random flips, resized to ``size``."""
    crops = []
    for _ in range(batch_size):
        photo = photos[int(torch.randint(len(photos), (1,), generator=generator))]
        height, width = photo.shape[-2:]
        side = int(min(height, width) * (0.6 + 0.4 * float(torch.rand(1, generator=generator))))
        top = int(torch.randint(height - side + 1, (1,), generator=generator))
        left = int(torch.randint(width - side + 1, (1,), generator=generator))
        crop = photo[:, top : top + side, left : left + side]
        if float(torch.rand(1, generator=generator)) < 0.5:
            crop = crop.flip(-1)
        crops.append(imageops.resize(crop[None], size, size)[0])
    return torch.stack(crops)


def validation_batch(photos: Sequence[torch.Tensor], size: int) -> torch.Tensor:
    """Centre squares of the held-out photos: the same every time, so losses compare."""
    return torch.stack([imageops.resize(imageops.center_square(p)[None], size, size)[0] for p in photos])
