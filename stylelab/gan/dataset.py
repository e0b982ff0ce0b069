"""Catalog photos prepared for the generator: the product (found with stylelab.product.masks) centred
and scaled on a clean white backdrop, cropped square, resized, optionally mirrored.

A GAN learns whatever varies in its data; centring products and cleaning backdrops leaves
it the product itself to learn.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from stylelab.errors import StyleLabError
from stylelab.imageio import load_image
from stylelab.product.masks import product_mask
from stylelab.store.safezip import PHOTO_SUFFIXES, check_zip, zip_photos

MAX_CATALOG_PHOTOS = 20000
MIN_CATALOG_PHOTOS = 10  # a fifth is held out for the quality figures
MAX_CATALOG_UNPACKED = 8_000_000_000  # bytes of photos a catalog ZIP may unpack to (20,000 photos of 400 KB)


def check_catalog_zips(sources: Sequence[str | Path]) -> None:
    """Refuse an unsafe catalog ZIP before any work is queued (the same sentences as when it is read)."""
    for source in sources:
        if Path(source).suffix.lower() == ".zip" and not Path(source).is_dir():
            check_zip(Path(source), MAX_CATALOG_PHOTOS, MAX_CATALOG_UNPACKED)


def catalog_images(sources: Sequence[str | Path]) -> Iterator[Image.Image]:
    """Images from files, folders and ZIPs, in a stable (sorted) order."""
    for source in sources:
        path = Path(source)
        if path.is_dir():
            for file in sorted(path.rglob("*")):
                if file.suffix.lower() in PHOTO_SUFFIXES and file.is_file():
                    yield load_image(file)
        elif path.suffix.lower() == ".zip":  # the same checks and sentences as fine-tuning's ZIPs
            yield from zip_photos(path, MAX_CATALOG_PHOTOS, MAX_CATALOG_UNPACKED)
        else:
            yield load_image(path)


def prepare_photo(image: Image.Image, side: int, fill: float = 0.8, mask: Image.Image | None = None) -> Image.Image:
    """The product centred on white, its longer side ``fill`` of the square, at ``side`` px."""
    mask = (mask or product_mask(image).mask).convert("L").resize(image.size)
    rgb = image.convert("RGB")
    clean = Image.composite(rgb, Image.new("RGB", rgb.size, (255, 255, 255)), mask)
    array = np.asarray(mask) > 127
    if not array.any():  # no product found: the whole photo, centre-cropped
        box = (0, 0, rgb.width, rgb.height)
        clean = rgb
    else:
        ys, xs = np.nonzero(array)
        box = (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)
    square = max(box[2] - box[0], box[3] - box[1]) / fill
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    crop_box = (round(cx - square / 2), round(cy - square / 2), round(cx + square / 2), round(cy + square / 2))
    canvas = Image.new("RGB", (crop_box[2] - crop_box[0], crop_box[3] - crop_box[1]), (255, 255, 255))
    canvas.paste(clean.crop(crop_box), (0, 0))  # crop() pads outside the photo with black...
    outside = Image.new("L", rgb.size, 255).crop(crop_box)  # ...so paint those parts white again
    canvas = Image.composite(canvas, Image.new("RGB", canvas.size, (255, 255, 255)), outside)
    return canvas.resize((side, side), Image.Resampling.LANCZOS)


def to_uint8_batch(images: Sequence[Image.Image], side: int) -> torch.Tensor:
    """[N, 3, side, side] uint8: a catalog of thousands fits in memory this way."""
    arrays = [np.asarray(i.convert("RGB").resize((side, side), Image.Resampling.LANCZOS)) for i in images]
    return torch.from_numpy(np.stack(arrays)).permute(0, 3, 1, 2).contiguous()


def prepare_catalog(sources: Sequence[str | Path], side: int, center_products: bool = True,
                    mirror: bool = False) -> torch.Tensor:
    """Read, (centre,) resize and (mirror) a catalog into a uint8 batch."""
    prepared = []
    for image in catalog_images(sources):
        prepared.append(prepare_photo(image, side) if center_products else image)
        if len(prepared) > MAX_CATALOG_PHOTOS:
            raise StyleLabError(f"Use at most {MAX_CATALOG_PHOTOS} catalog photos.")
    if len(prepared) < MIN_CATALOG_PHOTOS:
        raise StyleLabError(f"Training a generator needs at least {MIN_CATALOG_PHOTOS} photos of one product "
                            f"category; got {len(prepared)}.")
    batch = to_uint8_batch(prepared, side)
    return torch.cat([batch, batch.flip(-1)]) if mirror else batch
