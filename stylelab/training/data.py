"""Training photos: a seeded train/validation split and augmentation (crops, flips, scales)."""
from __future__ import annotations

import io
import re
import stat
import zipfile
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

import torch
from PIL import Image

from stylelab.engine import imageops
from stylelab.errors import StyleLabError
from stylelab.imageio import decode, load_image, split_alpha, to_tensor
from stylelab.product.compose import composite

PHOTO_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp"}
MAX_TRAINING_PHOTOS = 400
MAX_ZIP_UNPACKED = 2_000_000_000  # bytes of photos a training ZIP may unpack to
MAX_ZIP_RATIO = 100  # photos barely compress; a member 100x its packed size is a zip bomb
MIN_BOMB_BYTES = 1_000_000  # small members (a blank PNG, a text file) may compress well


def read_training_photos(sources: Sequence[str | Path], max_side: int = 768) -> list[torch.Tensor]:
    """Photos from files, folders or ZIPs, as tensors no larger than ``max_side``: [3, H, W], or
    [4, H, W] for a transparent cut-out (its colours on white, then its alpha; see ``with_alpha``)."""
    images: list[Image.Image] = []
    for source in sources:
        path = Path(source)
        if path.is_dir():
            images += [load_image(p) for p in sorted(path.rglob("*")) if p.suffix.lower() in PHOTO_SUFFIXES]
        elif path.suffix.lower() == ".zip":
            images += zip_photos(path)
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


def zip_photos(path: Path) -> list[Image.Image]:
    """The photos in a ZIP, read in memory (nothing is unpacked to disk), after refusing unsafe ZIPs."""
    try:
        bundle = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise StyleLabError(f"'{path.name}' is not a ZIP file we can read.") from None
    with bundle:
        members = [m for m in bundle.infolist() if not m.is_dir() and not m.filename.startswith("__MACOSX")]
        for member in members:
            _check_member(member, path.name)
        photos = sorted((m for m in members if PurePosixPath(m.filename).suffix.lower() in PHOTO_SUFFIXES),
                        key=lambda m: m.filename)
        if len(photos) > MAX_TRAINING_PHOTOS:
            raise StyleLabError(f"'{path.name}' holds {len(photos)} photos; use at most {MAX_TRAINING_PHOTOS}.")
        if sum(m.file_size for m in photos) > MAX_ZIP_UNPACKED:
            raise _bomb(path.name)
        images = []
        for member in photos:
            try:
                data = bundle.read(member)
            except (zipfile.BadZipFile, OSError, ValueError):
                raise StyleLabError(f"'{member.filename}' in '{path.name}' is damaged.") from None
            images.append(load_image(decode(io.BytesIO(data), PurePosixPath(member.filename).name)))
        return images


def _check_member(member: zipfile.ZipInfo, archive: str) -> None:
    name = member.filename.replace("\\", "/")
    parts = PurePosixPath(name).parts
    if name.startswith("/") or re.match(r"[A-Za-z]:", name) or ".." in parts:
        raise StyleLabError(f"The ZIP '{archive}' was refused: it contains the unsafe path '{member.filename}' "
                            "(every path must stay inside the ZIP).")
    if stat.S_ISLNK(member.external_attr >> 16):
        raise StyleLabError(f"The ZIP '{archive}' was refused: '{member.filename}' is a symbolic link.")
    if member.file_size > MIN_BOMB_BYTES and member.file_size > MAX_ZIP_RATIO * max(member.compress_size, 1):
        raise _bomb(archive)


def _bomb(archive: str) -> StyleLabError:
    return StyleLabError(f"The ZIP '{archive}' was refused: it would unpack to far more than it holds "
                         "(a 'zip bomb').")


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

