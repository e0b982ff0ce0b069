"""The operations behind the web app, without a browser: templates, restyling, exports."""
from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest
import skimage.data
from PIL import Image, ImageFilter

from stylelab import StyleLabError
from stylelab.engine import RestyleSettings
from stylelab.metrics import compare_images
from stylelab.settings import AppSettings
from stylelab.studio import Photo, StyleChoice, Studio
from tests.conftest import make_cutout, sample_picture


def make_studio(data_dir: Path, engine) -> Studio:
    settings = AppSettings(data_dir=data_dir, device="cpu", max_side=400, max_files=5, preview_side=128,
                           concurrency=1, queue_size=8, max_upload_mb=10, admin_password=None)
    return Studio(engine, settings, sample_photo=Image.fromarray(skimage.data.coffee()))


@pytest.fixture()
def studio(tmp_path, engine) -> Studio:
    return make_studio(tmp_path / "data", engine)


def test_builtin_thumbnails_are_made_once_for_every_style(studio):
    thumbnails = [t.thumbnail for t in studio.templates()]
    assert len(thumbnails) == 26 and all(path.is_file() for path in thumbnails)
    assert Image.open(thumbnails[0]).size == (240, 160)


def test_saved_templates_persist_and_can_be_renamed_and_deleted(tmp_path, engine, rocket_style):
    studio = make_studio(tmp_path / "data", engine)
    studio.save_template("Spring board", rocket_style)
    again = make_studio(tmp_path / "data", engine)  # a restart
    assert again.template_names()[0] == "Spring board"
    with pytest.raises(StyleLabError, match="already exists"):
        again.save_template("spring BOARD", rocket_style)
    with pytest.raises(StyleLabError, match="already exists"):
        again.save_template("Ink wash", rocket_style)
    again.rename_template("Spring board", "Summer board")
    assert "Summer board" in make_studio(tmp_path / "data", engine).template_names()
    photo = Photo("mug", sample_picture("coffee", (160, 120)))
    (result,) = again.restyle([photo], StyleChoice(template="Summer board"), RestyleSettings())
    assert result.result.size == (160, 120)
    again.delete_template("Summer board")
    assert "Summer board" not in make_studio(tmp_path / "data", engine).template_names()
    assert list((tmp_path / "data" / "trash").iterdir()), "deleted templates go to the trash, not oblivion"


def test_builtin_styles_cannot_be_renamed_or_deleted(studio):
    with pytest.raises(StyleLabError, match="built-in"):
        studio.rename_template("Ink wash", "Mine")
    with pytest.raises(StyleLabError, match="built-in"):
        studio.delete_template("Ink wash")


@pytest.mark.parametrize("name", ["", "   ", "x" * 41, "../../etc", "a/b"])
def test_bad_template_names_are_refused(studio, rocket_style, name):
    with pytest.raises(StyleLabError):
        studio.save_template(name, rocket_style)


def test_an_unfinished_template_folder_is_ignored(studio):
    (studio.store.root / ".partial-broken").mkdir()
    (studio.store.root / "no-metadata").mkdir()
    assert studio.store.custom() == []


def test_restyle_reports_similarity_time_and_device(studio):
    photo = studio.load_photo(_saved(sample_picture("coffee", (300, 200)), studio))
    (result,) = studio.restyle([photo], StyleChoice(template="Starry swirls"), RestyleSettings(strength=0.7))
    assert result.result.size == (300, 200)
    assert 0 < result.similarity.ssim < 1 and 5 < result.similarity.psnr < 40
    assert result.similarity == compare_images(photo.image, result.result)
    assert "SSIM" in result.caption and "CPU" in result.device


def test_blending_a_template_with_a_second_one(studio):
    photo = Photo("mug", sample_picture("coffee", (160, 120)))
    plain = studio.restyle([photo], StyleChoice(template="Ink wash"), RestyleSettings())[0].result
    blended = studio.restyle([photo], StyleChoice(template="Ink wash", blend_template="Starry swirls",
                                                  blend_weight=0.5), RestyleSettings())[0].result
    assert compare_images(plain, blended).ssim < 0.95


def test_large_photos_are_scaled_to_the_maximum_side_with_a_note(studio):
    photo = studio.load_photo(sample_picture("astronaut", (512, 300)))
    assert photo.image.size == (400, 234) and "scaled down from 512x300" in photo.note


def test_load_photos_keeps_good_files_and_explains_bad_ones(studio, tmp_path):
    good = _saved(sample_picture("coffee", (100, 80)), studio)
    bad = tmp_path / "notes.jpg"
    bad.write_text("hello")
    photos, problems = studio.load_photos([good, str(bad)])
    assert [p.name for p in photos] == [Path(good).stem]
    assert problems == ["The photo file 'notes.jpg' is not an image we can read (use JPEG, PNG or WebP)."]
    with pytest.raises(StyleLabError, match="at most 5 photos"):
        studio.load_photos([good] * 6)


def test_preview_is_small_and_keeps_transparency(studio):
    preview = studio.preview(Photo("cutout", make_cutout((300, 200))), StyleChoice(template="Ink wash"),
                             RestyleSettings())
    assert max(preview.size) == 128 and preview.mode == "RGBA"


def test_compare_up_to_four_templates(studio):
    photo = Photo("hero", sample_picture("coffee", (160, 120)))
    results = studio.compare(photo, ["Ink wash", "Starry swirls", "Coloured pencil", "Bold primaries"],
                             RestyleSettings())
    assert [r.name for r in results] == ["Ink wash", "Starry swirls", "Coloured pencil", "Bold primaries"]
    with pytest.raises(StyleLabError, match="at most 4"):
        studio.compare(photo, ["Ink wash", "Starry swirls", "Coloured pencil", "Bold primaries", "Teal batik"],
                       RestyleSettings())


def test_exports_are_full_resolution_files_and_one_zip(studio):
    photo = Photo("mug", sample_picture("coffee", (300, 200)))
    results = studio.restyle([photo, Photo("mug", make_cutout())], StyleChoice(template="Ink wash"),
                             RestyleSettings())
    files, archive = studio.export(results, "JPEG", 85)
    assert [f.name for f in files] == ["mug.jpg", "mug-2.jpg"]
    with zipfile.ZipFile(archive) as bundle:
        assert bundle.namelist() == ["mug.jpg", "mug-2.jpg"]
        with bundle.open("mug.jpg") as stream:
            assert Image.open(stream).size == (300, 200)
    png_files, _ = studio.export(results, "PNG", 92)
    assert Image.open(png_files[1]).mode == "RGBA"


def _saved(image: Image.Image, studio: Studio) -> str:
    path = studio.settings.data_dir / "upload.png"
    image.save(path)
    return str(path)


def test_preview_follows_the_mode(studio):
    from tests.conftest import make_studio_photo

    photo, truth = make_studio_photo(1, (256, 192))
    whole = studio.preview(Photo("studio", photo), StyleChoice(template="Starry swirls"), RestyleSettings())
    background = studio.preview(Photo("studio", photo), StyleChoice(template="Starry swirls"), RestyleSettings(),
                                mode="background only")
    shrunk = np.asarray(photo.resize(background.size))
    inner = np.asarray(Image.fromarray(truth).resize(background.size)) & (np.asarray(
        Image.fromarray(truth).resize(background.size).filter(ImageFilter.MinFilter(9))) > 0)
    assert np.abs(np.asarray(background, float) - shrunk)[inner].mean() < 2
    assert np.abs(np.asarray(whole, float) - shrunk)[inner].mean() > 10


def test_the_box_tool_shows_a_brushed_mask_once_it_is_kept(tmp_path, studio):
    from PIL import ImageDraw

    from stylelab.web.actions import WebActions

    actions = WebActions(studio)
    photo = sample_picture("coffee", (320, 240))
    path = tmp_path / "photo.png"
    photo.save(path)
    painted = Image.new("L", photo.size, 0)
    ImageDraw.Draw(painted).rectangle((20, 20, 120, 200), fill=255)  # the user's own mask, far from the cut-out's
    picture, _, status, prompt = actions.box_view(str(path), "", "", "", painted)
    assert prompt is None and "your own mask" in status
    tinted = np.abs(np.asarray(picture, float) - np.asarray(photo.resize(picture.size), float)).sum(axis=2) > 30
    assert not tinted[70, 70] and tinted[120, 250], "the painted area shows as product, the rest is tinted"
    _, _, status, _ = actions.box_view(str(path), "10,10,200,200", "", "", painted)
    assert "your box" in status, "a new box wins over the painted mask"
