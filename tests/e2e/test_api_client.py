"""The Gradio API, as an integrator's script uses it with gradio_client."""
from __future__ import annotations

import pytest
from gradio_client import Client, handle_file
from PIL import Image

from tests.conftest import make_cutout, sample_picture


@pytest.fixture()
def client(server):
    return Client(server.url, verbose=False)


def test_restyle_a_file_through_the_api(client, tmp_path):
    photo = tmp_path / "catalog-item.jpg"
    sample_picture("chelsea", (500, 333)).save(photo, quality=92)
    slider, gallery, table, files, status = client.predict(
        photos=[handle_file(str(photo))], template="Ink wash", style_image=None, strength=0.7, stroke_scale=1.0,
        keep_colours=True, blend_template="(none)", blend_weight=0.3, image_format="PNG", quality=92,
        api_name="/restyle",
    )
    assert "Restyled 1 photo(s)" in status
    result_path = next(f for f in files if f.endswith("catalog-item.png"))
    assert Image.open(result_path).size == (500, 333)
    (row,) = table["data"]
    name, size, ssim, psnr, seconds, device = row
    assert (name, size) == ("catalog-item", "500x333")
    assert 0.05 < ssim < 0.99 and 8 < psnr < 40 and seconds > 0 and "CPU" in device
    assert "SSIM" in gallery[0]["caption"]


def test_templates_can_be_saved_listed_and_used_through_the_api(client, tmp_path):
    style = tmp_path / "board.png"
    sample_picture("rocket", (300, 200)).save(style)
    client.predict(name="Launch board", style_image=handle_file(str(style)), api_name="/save_template")
    templates = client.predict(api_name="/list_templates")
    assert templates[0] == {"name": "Launch board", "kind": "custom"}
    assert len(templates) == 27
    cutout = tmp_path / "cutout.png"
    make_cutout().save(cutout)
    *_, files, status = client.predict(
        photos=[handle_file(str(cutout))], template="Launch board", style_image=None, strength=1.0,
        stroke_scale=1.0, keep_colours=False, blend_template="Starry swirls", blend_weight=0.5,
        image_format="PNG", quality=92, api_name="/restyle")
    result = Image.open(next(f for f in files if f.endswith("cutout.png")))
    assert result.mode == "RGBA" and result.size == (240, 180)


def test_compare_through_the_api(client, tmp_path):
    photo = tmp_path / "hero.png"
    sample_picture("coffee", (240, 160)).save(photo)
    gallery, table, status = client.predict(
        photo=handle_file(str(photo)), templates=["Ink wash", "Teal batik"], strength=1.0, stroke_scale=1.0,
        keep_colours=False, api_name="/compare")
    assert [row[0] for row in table["data"]] == ["Ink wash", "Teal batik"]
    assert len(gallery) == 2


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"template": "Watercolour"}, "There is no template called 'Watercolour'"),
        ({"photos": []}, "Upload at least one product photo first"),
    ],
)
def test_bad_api_input_gets_a_clear_sentence(client, tmp_path, overrides, message):
    photo = tmp_path / "item.png"
    sample_picture("coffee", (120, 80)).save(photo)
    arguments = dict(photos=[handle_file(str(photo))], template="Ink wash", style_image=None, strength=0.7,
                     stroke_scale=1.0, keep_colours=True, blend_template="(none)", blend_weight=0.3,
                     image_format="PNG", quality=92) | overrides
    with pytest.raises(Exception) as raised:
        client.predict(**arguments, api_name="/restyle")
    assert message in str(raised.value)
    assert "Traceback" not in str(raised.value)
    # and the app keeps serving
    assert len(client.predict(api_name="/list_templates")) == 26
