"""Every kind of bad or awkward upload, through the functions the UI calls (WebActions, AdminActions).

Each case: a clear sentence (never a stack trace), nothing written outside the data folder, and
the next good request still works. Files that must be accepted are checked for the right result.
The same corpus goes through the live API in tests/e2e/test_bad_inputs_api.py.
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
import skimage.data
from PIL import Image

from stylelab.web.actions import WebActions
from stylelab.web.auth import AdminAuth
from stylelab.web.admin_actions import AdminActions
from stylelab.errors import UserFacingError
from stylelab.settings import AppSettings
from stylelab.studio import Studio
from tests.bad_inputs import (
    ACCEPTED_PHOTOS,
    BAD_TEMPLATE_NAMES,
    BAD_ZIPS,
    BROKEN_FILES,
    REFUSED_PHOTOS,
    assert_no_metadata,
    check_accepted,
    good_photo,
)

MAX_SIDE = 512
PASSWORD = "correct horse"


class Setup:
    def __init__(self, root: Path, engine, thumbnails: Path):
        self.root = root
        self.data = root / "data"
        shutil.copytree(thumbnails, self.data / "thumbnails")  # made once per session: saves a second a test
        self.inputs = root / "inputs"
        self.temp = root / "tmp"  # where downloads go (Gradio serves them from the temp folder)
        for folder in (self.inputs, self.temp):
            folder.mkdir()
        settings = AppSettings(data_dir=self.data, device="cpu", max_side=MAX_SIDE, max_files=4, preview_side=64,
                               concurrency=1, queue_size=8, max_upload_mb=10, admin_password=PASSWORD)
        studio = Studio(engine, settings, sample_photo=Image.fromarray(skimage.data.coffee()))
        self.actions = WebActions(studio)
        self.admin = AdminActions(studio, AdminAuth(PASSWORD))
        self.good = good_photo(self.inputs)
        self.style = good_photo(self.inputs, "style.png")

    def restyle(self, files: list[Path], image_format: str = "PNG"):
        return self.actions.restyle([str(f) for f in files], "Ink wash", None, 0.0, 1.0, False, "(none)", 0.0,
                                    image_format, 92)

    def snapshot(self) -> set[Path]:
        return {p for p in self.root.rglob("*") if p.is_file()}

    def assert_refused_cleanly(self, call, sentence: str, before: set[Path]) -> None:
        with pytest.raises(UserFacingError) as raised:
            call()
        message = str(raised.value)
        assert sentence in message, message
        assert "Traceback" not in message and "Error:" not in message and "/" + self.root.name not in message
        written = self.snapshot() - before
        assert not written, f"a refused upload wrote {written}"
        self.assert_still_serving()

    def assert_still_serving(self) -> None:
        output = self.restyle([self.good])
        assert output.status.startswith("Restyled 1 photo(s)") and Image.open(output.results[0].result).size == (96, 64)


@pytest.fixture(scope="session")
def thumbnails(tmp_path_factory, engine) -> Path:
    data = tmp_path_factory.mktemp("thumbnails") / "data"
    settings = AppSettings(data_dir=data, device="cpu", max_side=MAX_SIDE, max_files=4, preview_side=64,
                           concurrency=1, queue_size=8, max_upload_mb=10, admin_password=None)
    Studio(engine, settings, sample_photo=Image.fromarray(skimage.data.coffee()))
    return data / "thumbnails"


@pytest.fixture()
def setup(tmp_path, engine, thumbnails, monkeypatch) -> Setup:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    return Setup(tmp_path, engine, thumbnails)


@pytest.mark.parametrize("case", REFUSED_PHOTOS)
def test_a_bad_photo_is_refused_with_a_sentence(setup, case):
    path = REFUSED_PHOTOS[case].make(setup.inputs)
    before = setup.snapshot()
    setup.assert_refused_cleanly(lambda: setup.restyle([path]), REFUSED_PHOTOS[case].sentence, before)
    # next to a good photo, the good one is restyled and the bad one is named as skipped
    output = setup.restyle([setup.good, path])
    assert "Restyled 1 photo(s)" in output.status and REFUSED_PHOTOS[case].sentence in output.status
    photos, message = setup.actions.load_photos([str(path)])
    assert photos == [] and REFUSED_PHOTOS[case].sentence in message


@pytest.mark.parametrize("case", BROKEN_FILES)
def test_a_bad_style_image_is_refused_with_a_sentence(setup, case):
    path = BROKEN_FILES[case].make(setup.inputs)
    before = setup.snapshot()
    setup.assert_refused_cleanly(lambda: setup.actions.save_template("Spring board", str(path)),
                                 f"The style image file '{path.name}' {BROKEN_FILES[case].sentence}", before)
    setup.assert_refused_cleanly(lambda: setup.actions.style_preview(str(path)), BROKEN_FILES[case].sentence,
                                 setup.snapshot())
    assert setup.actions.custom_template_names() == []


@pytest.mark.parametrize("case", BROKEN_FILES)
def test_a_bad_mask_is_refused_with_a_sentence(setup, case):
    path = BROKEN_FILES[case].make(setup.inputs)
    before = setup.snapshot()
    setup.assert_refused_cleanly(lambda: setup.actions.product_mask(str(setup.good), str(path)),
                                 f"The mask file '{path.name}' {BROKEN_FILES[case].sentence}", before)


@pytest.mark.parametrize("case", ACCEPTED_PHOTOS)
def test_an_awkward_but_real_photo_is_accepted_and_comes_out_right(setup, case):
    path = ACCEPTED_PHOTOS[case](setup.inputs)
    image_format = "JPEG" if case == "JPEG with GPS EXIF" else "PNG"
    output = setup.restyle([path], image_format)
    (kept,) = output.results  # the session keeps the result on disk, not in memory
    result = Image.open(kept.result)
    check_accepted(case, path, result, output.status, MAX_SIDE)
    downloads = [Path(f) for f in output.files[1:]]
    assert downloads and all(f.is_relative_to(setup.temp) for f in downloads)
    for download in downloads:
        assert_no_metadata(download)
        assert Image.open(download).size == result.size, "downloads are the full result"
    if case in ("JPEG with GPS EXIF", "EXIF-rotated JPEG"):
        assert Image.open(path).getexif(), "the upload did carry EXIF"


@pytest.mark.parametrize("case", BAD_TEMPLATE_NAMES)
def test_a_bad_template_name_is_refused_and_nothing_is_written(setup, case):
    name, sentence = BAD_TEMPLATE_NAMES[case]
    before = setup.snapshot()
    setup.assert_refused_cleanly(lambda: setup.actions.save_template(name, str(setup.style)), sentence, before)
    setup.actions.save_template("Spring board", str(setup.style))
    before = setup.snapshot()
    setup.assert_refused_cleanly(lambda: setup.actions.rename_template("Spring board", name), sentence, before)
    assert setup.actions.custom_template_names() == ["Spring board"]
    assert not list(setup.root.parent.glob("evil*")) and not list(setup.root.rglob("evil*"))


@pytest.mark.parametrize("case", BAD_ZIPS)
def test_a_bad_zip_of_training_photos_is_refused(setup, case):
    path = BAD_ZIPS[case].make(setup.inputs)
    before = setup.snapshot()

    def start():
        return setup.admin.start_finetune(PASSWORD, None, str(setup.style), [str(path)], "Zip test", "embedding",
                                          5, 0, 1, 128, 1.0, 2.0, 0.1, 0.0)

    setup.assert_refused_cleanly(start, BAD_ZIPS[case].sentence, before)
    assert setup.admin.jobs.jobs() == [], "no job was queued"
    assert not Path("/tmp/evil-absolute.png").exists() and not list(setup.root.rglob("evil-*"))


def test_too_many_photos_in_one_upload_are_refused(setup):
    photos = [good_photo(setup.inputs, f"photo-{i}.png") for i in range(5)]
    before = setup.snapshot()
    setup.assert_refused_cleanly(lambda: setup.restyle(photos), "at most 4 photos at a time", before)

