"""Training photos: a seeded train/validation split and augmentation (crops, flips, scales)."""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import torch
from PIL import Image

from stylelab.engine import imageops
from stylelab.errors import StyleLabError
from stylelab.imageio import load_image, split_alpha, to_tensor
from stylelab.product.compose import composite
from stylelab.store.safezip import PHOTO_SUFFIXES, zip_photos

MAX_TRAINING_PHOTOS = 400


def read_training_photos(sources: Sequence[str | Path], max_side: int = 768) -> list[torch.Tensor]:
    """Photos from files, folders or ZIPs, as tensors no larger than ``max_side``: [3, H, W], or
    [4, H, W] for a transparent cut-out (its colours on white, then its alpha; see ``with_alpha``)."""
    images: list[Image.Image] = []
    for source in sources:
        path = Path(source)
        if path.is_dir():
            images += [load_image(p) for p in sorted(path.rglob("*")) if p.suffix.lower() in PHOTO_SUFFIXES]
        elif path.suffix.lower() == ".zip":
            images += zip_photos(path, MAX_TRAINING_PHOTOS)
        else:
            images.append(load_image(path))
        if len(images) > MAX_TRAINING_PHOTOS:
            raise StyleLabError(f"Use at most {MAX_TRAINING_PHOTOS} training photos.")
    if len(images) < 2:
        raise StyleLabError("Fine-tuning needs at least 2 training photos (one is kept for validation).")
    return [training_tensor(image, max_side) for image in images]


def training_tensor(image: Image.Image, max_side: int) -> torch.Tensor:
    """A cut-out trains as the merchant sees its result: on white, and its alpha travels along so the
    losses look only at the product (the transparent ground is no content to keep or paint)."""
    rgb, alpha = split_alpha(image)
    rgb.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    tensor = to_tensor(rgb)
    if alpha is None or alpha.getextrema()[0] == 255:
        return tensor
    alpha = alpha.resize(rgb.size, Image.Resampling.LANCZOS)
    return torch.cat([tensor, to_tensor(alpha)[:1]])


def with_alpha(photo: torch.Tensor) -> torch.Tensor:
    """[4, H, W]: the photo's colours and its alpha (all ones for an opaque photo)."""
    return photo if photo.shape[0] == 4 else torch.cat([photo, torch.ones_like(photo[:1])])


def colours_and_alpha(batch: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Split a [N, 4, H, W] training batch into colours [N, 3, H, W] and alpha [N, 1, H, W]."""
    return batch[:, :3], batch[:, 3:]


def on_white(image: torch.Tensor, alpha: torch.Tensor) -> torch.Tensor:
    """What a cut-out's result looks like to the merchant: the image where alpha is 1, white elsewhere."""
    return composite(image, torch.ones_like(image), alpha)


def split(photos: Sequence[torch.Tensor], validation_fraction: float, seed: int
          ) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
    order = torch.randperm(len(photos), generator=torch.Generator().manual_seed(seed)).tolist()
    held_out = max(1, round(len(photos) * validation_fraction))
    return [photos[i] for i in order[held_out:]], [photos[i] for i in order[:held_out]]


def augmented_batch(photos: Sequence[torch.Tensor], batch_size: int, size: int, generator: torch.Generator
                    ) -> torch.Tensor:
    """Random crops (60-100% of the shorter side), random flips, resized to ``size``: [N, 4, size, size]
    (colours and alpha, see ``colours_and_alpha``)."""
    crops = []
    for _ in range(batch_size):
        photo = with_alpha(photos[int(torch.randint(len(photos), (1,), generator=generator))])
        height, width = photo.shape[-2:]
        side = int(min(height, width) * (0.6 + 0.4 * float(torch.rand(1, generator=generator))))
        top = int(torch.randint(height - side + 1, (1,), generator=generator))
        left = int(torch.randint(width - side + 1, (1,), generator=generator))
        crop = photo[:, top : top + side, left : left + side]
        if float(torch.rand(1, generator=generator)) < 0.5:
            crop = crop.flip(-1)
        crops.append(imageops.resize(crop[None], size, size)[0])
    return torch.stack(crops)

