"""Catalog preparation: products centred and scaled on white, from folders and ZIPs; the synthetic set."""
from __future__ import annotations

import zipfile

import numpy as np
import torch
import pytest
from PIL import Image

from stylelab.errors import StyleLabError
from stylelab.gan.dataset import prepare_catalog, prepare_photo
from stylelab.gan.synthetic import render_product


def _off_centre_photo() -> Image.Image:
    """A synthetic product in the lower-left of a wide light-grey studio photo."""
    product, mask = render_product(5, 96)
    photo = Image.new("RGB", (300, 200), (232, 232, 230))
    photo.paste(product, (10, 100), mask)
    return photo


def test_prepare_photo_centres_the_product_on_white_at_the_requested_size():
    prepared = prepare_photo(_off_centre_photo(), 64)
    array = np.asarray(prepared).astype(int)
    assert prepared.size == (64, 64)
    product = array.sum(axis=2) < 3 * 235  # darker than the white backdrop
    ys, xs = np.nonzero(product)
    assert abs(xs.mean() - 31.5) < 4 and abs(ys.mean() - 31.5) < 6
    height = ys.max() - ys.min() + 1
    assert 0.7 * 64 <= max(height, xs.max() - xs.min() + 1) <= 0.9 * 64  # longer side fills ~80%
    assert (array[:3, :3] >= 250).all() and (array[-3:, -3:] >= 250).all()  # a clean white backdrop


def test_synthetic_products_come_with_their_true_masks_and_repeat_by_seed():
    image, mask = render_product(11, 64)
    again, _ = render_product(11, 64)
    assert image.tobytes() == again.tobytes()
    assert 0.05 < (np.asarray(mask) > 127).mean() < 0.5
    assert render_product(12, 64)[0].tobytes() != image.tobytes()


def test_prepare_catalog_reads_zips_and_folders_and_mirrors(tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()
    for i in range(5):
        render_product(i, 80)[0].save(folder / f"p{i}.png")
    bundle = tmp_path / "more.zip"
    with zipfile.ZipFile(bundle, "w") as archive:
        for i in range(5, 10):
            path = tmp_path / f"z{i}.jpg"
            render_product(i, 80)[0].save(path)
            archive.write(path, f"photos/z{i}.jpg")
        archive.writestr("__MACOSX/._z5.jpg", b"junk")
    batch = prepare_catalog([folder, bundle], 32, mirror=True)
    assert batch.shape == (20, 3, 32, 32) and batch.dtype == torch.uint8
    assert (batch[10:] == batch[:10].flip(-1)).all()


def test_too_few_photos_get_a_clear_sentence(tmp_path):
    render_product(0, 64)[0].save(tmp_path / "one.png")
    with pytest.raises(StyleLabError, match="at least 10 photos"):
        prepare_catalog([tmp_path], 32)
    (tmp_path / "broken.zip").write_bytes(b"not a zip")
    with pytest.raises(StyleLabError, match="not a ZIP"):
        prepare_catalog([tmp_path / "broken.zip"], 32)
