"""Saving results: right format, no metadata from the upload, never half-written."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from stylelab import StyleLabError, save_image
from tests.conftest import make_cutout


def test_saved_files_carry_no_exif_or_gps(tmp_path, coffee):
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {2: (51.0, 30.0, 0.0)}  # GPS latitude
    tagged = tmp_path / "tagged.jpg"
    coffee.save(tagged, exif=exif.tobytes())
    loaded = Image.open(tagged)
    assert loaded.getexif()
    for name in ("out.jpg", "out.png", "out.webp"):
        path = save_image(loaded, tmp_path / name)
        reopened = Image.open(path)
        assert not reopened.getexif(), name
        assert "exif" not in reopened.info, name
        assert reopened.size == coffee.size


def test_jpeg_quality_changes_the_file_size(tmp_path, coffee):
    small = save_image(coffee, tmp_path / "low.jpg", quality=40).stat().st_size
    large = save_image(coffee, tmp_path / "high.jpg", quality=95).stat().st_size
    assert small < large


def test_png_keeps_transparency_and_jpeg_flattens_on_white(tmp_path):
    logo = make_cutout()
    png = Image.open(save_image(logo, tmp_path / "logo.png"))
    assert png.mode == "RGBA"
    assert np.array_equal(np.asarray(png), np.asarray(logo))
    jpeg = Image.open(save_image(logo, tmp_path / "logo.jpg"))
    transparent = np.asarray(logo.getchannel("A")) == 0
    assert np.asarray(jpeg.convert("L"))[transparent].mean() > 240


def test_unknown_extension_is_refused_and_nothing_is_written(tmp_path, coffee):
    with pytest.raises(StyleLabError, match=".png, .jpg or .webp"):
        save_image(coffee, tmp_path / "out.bmp")
    assert list(tmp_path.iterdir()) == []


def test_a_failed_save_leaves_the_previous_file_intact(tmp_path, coffee, monkeypatch):
    path = save_image(coffee, tmp_path / "keep.png")
    before = path.read_bytes()

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(Image.Image, "save", fail)
    with pytest.raises(OSError):
        save_image(coffee.rotate(90), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["keep.png"]
