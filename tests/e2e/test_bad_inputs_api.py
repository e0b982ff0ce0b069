"""The bad-input corpus (tests/bad_inputs.py) through the live API with gradio_client: one app start
for the whole module. Each refusal is a sentence (no stack trace), nothing lands outside the data
folder, and the app answers the next good request; accepted files come out right."""
from __future__ import annotations

from pathlib import Path

import pytest
from gradio_client import Client, handle_file
from PIL import Image

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
from tests.e2e.conftest import AppServer

PASSWORD = "correct horse"
MAX_SIDE = 512
MAX_FILES = 4
MAX_UPLOAD_MB = 5


class Live:
    def __init__(self, root: Path):
        self.root = root
        self.data = root / "data"
        self.inputs = root / "inputs"
        self.data.mkdir()
        self.inputs.mkdir()
        self.server = AppServer(self.data, extra_env={
            "STYLELAB_ADMIN_PASSWORD": PASSWORD, "STYLELAB_MAX_SIDE": str(MAX_SIDE),
            "STYLELAB_MAX_FILES": str(MAX_FILES), "STYLELAB_MAX_UPLOAD_MB": str(MAX_UPLOAD_MB)}).start()
        self.client = Client(self.server.url, verbose=False)
        self.good = good_photo(self.inputs)
        self.style = good_photo(self.inputs, "style.png")

    def restyle(self, files: list[Path], image_format: str = "PNG"):
        return self.client.predict(
            photos=[handle_file(str(f)) for f in files], template="Ink wash", style_image=None, strength=0.0,
            stroke_scale=1.0, keep_colours=False, blend_template="(none)", blend_weight=0.0,
            image_format=image_format, quality=92, mode="whole photo", api_name="/restyle")

    def data_files(self) -> set[Path]:
        return {p for p in self.data.rglob("*") if p.is_file()}

    def assert_refused(self, call, *sentences: str | None) -> str:
        """Refused with one of ``sentences`` (StyleLab's, or Gradio's own where an upload field only
        takes some file types)."""
        before = self.data_files()
        with pytest.raises(Exception) as raised:
            call()
        message = str(raised.value)
        assert any(s in message for s in sentences if s is not None), message
        assert "Traceback" not in message and 'File "' not in message
        assert self.data_files() == before, "a refused upload changed the data folder"
        assert not list(self.root.rglob("evil*")) and not Path("/tmp/evil-absolute.png").exists()
        *_, status = self.restyle([self.good])
        assert status.startswith("Restyled 1 photo(s)"), "the app answers the next good request"
        return message


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    live = Live(tmp_path_factory.mktemp("bad-inputs-api"))
    yield live
    live.server.stop()


@pytest.mark.parametrize("case", REFUSED_PHOTOS)
def test_a_bad_photo_is_refused_through_the_api(live, case):
    path = REFUSED_PHOTOS[case].make(live.inputs)
    live.assert_refused(lambda: live.restyle([path]), REFUSED_PHOTOS[case].sentence,
                        REFUSED_PHOTOS[case].upload_sentence)


@pytest.mark.parametrize("case", BROKEN_FILES)
def test_a_bad_style_image_and_a_bad_mask_are_refused_through_the_api(live, case):
    path = BROKEN_FILES[case].make(live.inputs)
    sentence, upload_sentence = BROKEN_FILES[case].sentence, BROKEN_FILES[case].upload_sentence
    live.assert_refused(lambda: live.client.predict(name="Spring board", style_image=handle_file(str(path)),
                                                    api_name="/save_template"), sentence, upload_sentence)
    live.assert_refused(lambda: live.client.predict(photo=handle_file(str(live.good)),
                                                    mask_image=handle_file(str(path)), api_name="/product_mask"),
                        f"The mask file '{path.name}' {sentence}", upload_sentence)


@pytest.mark.parametrize("case", ACCEPTED_PHOTOS)
def test_an_awkward_but_real_photo_comes_out_right_through_the_api(live, case):
    path = ACCEPTED_PHOTOS[case](live.inputs)
    image_format = "JPEG" if case == "JPEG with GPS EXIF" else "PNG"
    _, _, table, files, status = live.restyle([path], image_format)
    result = Path(next(f for f in files if not f.endswith(".zip")))
    check_accepted(case, path, Image.open(result), status, MAX_SIDE)
    for file in files:
        if not file.endswith(".zip"):
            assert_no_metadata(Path(file))


@pytest.mark.parametrize("case", BAD_TEMPLATE_NAMES)
def test_a_bad_template_name_is_refused_through_the_api(live, case):
    name, sentence = BAD_TEMPLATE_NAMES[case]
    live.assert_refused(lambda: live.client.predict(name=name, style_image=handle_file(str(live.style)),
                                                    api_name="/save_template"), sentence)
    templates = live.client.predict(api_name="/list_templates")
    assert [t for t in templates if t["kind"] == "custom"] == []


@pytest.mark.parametrize("case", BAD_ZIPS)
def test_a_bad_zip_is_refused_through_the_admin_api(live, case):
    path = BAD_ZIPS[case].make(live.inputs)
    live.assert_refused(lambda: live.client.predict(
        credential=PASSWORD, template=None, style_image=handle_file(str(live.style)), photos=[handle_file(str(path))],
        name="Zip test", trainable="embedding", steps=5, learning_rate=0, batch_size=1, image_size=128,
        style_weight=1.0, content_weight=2.0, tv_weight=0.1, embedding_weight=0.0, api_name="/start_finetune"),
        BAD_ZIPS[case].sentence)
    assert live.client.predict(credential=PASSWORD, api_name="/list_jobs")["data"] == [], "no job was queued"


def test_upload_count_and_size_limits_through_the_api(live):
    photos = [good_photo(live.inputs, f"photo-{i}.png") for i in range(MAX_FILES + 1)]
    live.assert_refused(lambda: live.restyle(photos), f"Please upload at most {MAX_FILES} photos at a time.")
    too_big = live.inputs / "too-big.png"
    too_big.write_bytes(b"\0" * (MAX_UPLOAD_MB * 1024 * 1024 + 1))
    live.assert_refused(lambda: live.restyle([too_big]), f"exceeds the maximum file size of {5 * 1024 * 1024} bytes")
