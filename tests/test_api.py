"""The Python API as an integrator uses it: files, PIL images, arrays, clear errors."""
from __future__ import annotations

import math

import numpy as np
import pytest
from PIL import Image

import stylelab
from stylelab import StyleLabError
from tests.conftest import as_array, make_cutout, sample_picture


def test_restyle_accepts_a_path_a_pil_image_and_an_array(tmp_path, coffee, engine):
    path = tmp_path / "mug.jpg"
    coffee.save(path, quality=95)
    from_path = stylelab.restyle(path, "Ink wash", engine=engine)
    from_pil = stylelab.restyle(coffee, "ink-wash", engine=engine)
    from_array = stylelab.restyle(np.asarray(coffee), "INK WASH", engine=engine)
    assert from_path.size == from_pil.size == from_array.size == coffee.size
    assert np.abs(as_array(from_pil) - as_array(from_array)).max() == 0


def test_a_builtin_style_can_be_named_by_its_listed_number(coffee, engine):
    by_name = stylelab.restyle(coffee, "Copper tapestry", engine=engine)
    for number in ("25", " 25", 25):
        assert np.array_equal(as_array(stylelab.restyle(coffee, number, engine=engine)), as_array(by_name))
    with pytest.raises(StyleLabError, match="numbers run from 0 to 25"):
        stylelab.restyle(coffee, "26", engine=engine)


def test_a_style_image_path_works_as_a_style(tmp_path, coffee, rocket_style, engine):
    style_path = tmp_path / "moodboard.png"
    rocket_style.save(style_path)
    result = stylelab.restyle(coffee, str(style_path), strength=0.8, engine=engine)
    assert result.size == coffee.size
    assert np.abs(as_array(result) - as_array(coffee)).mean() > 0.02


def test_blends_are_given_as_weighted_pairs_or_a_mapping(coffee, rocket_style, engine):
    with_image = stylelab.restyle(coffee, [("Starry swirls", 0.7), (rocket_style, 0.3)], engine=engine)
    by_name = stylelab.restyle(coffee, {"Starry swirls": 0.7, "Ink wash": 0.3}, engine=engine)
    assert with_image.size == by_name.size == coffee.size


def test_an_rgba_cutout_keeps_its_transparency(engine):
    cutout = make_cutout()
    result = stylelab.restyle(cutout, "Starry swirls", engine=engine)
    assert result.mode == "RGBA" and result.size == cutout.size
    assert np.array_equal(np.asarray(result.getchannel("A")), np.asarray(cutout.getchannel("A")))
    opaque = np.asarray(cutout.getchannel("A")) == 255
    assert np.abs(as_array(result)[opaque] - as_array(cutout)[opaque]).mean() > 0.05, "the product is restyled"


def test_exif_orientation_is_applied(tmp_path, coffee, engine):
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to display"
    path = tmp_path / "rotated.jpg"
    coffee.save(path, exif=exif.tobytes())
    result = stylelab.restyle(path, "Ink wash", engine=engine)
    assert result.size == (coffee.height, coffee.width)


def test_restyle_many_keeps_order_and_sizes(coffee, engine):
    photos = [coffee, coffee.resize((120, 90)), sample_picture("chelsea", (90, 120))]
    results = stylelab.restyle_many(photos, "Bold primaries", engine=engine)
    assert [r.size for r in results] == [p.size for p in photos]


def test_list_styles_names_all_26_builtin_styles():
    styles = stylelab.list_styles()
    assert [s.index for s in styles] == list(range(26))
    assert len({s.name.lower() for s in styles}) == 26
    assert all(s.name and s.description and not s.name.lower().startswith("style") for s in styles)


@pytest.mark.parametrize(
    ("photo", "style", "options", "message"),
    [
        (42, "Ink wash", {}, "must be a file path, a PIL image or a NumPy array"),
        (np.zeros((0, 0, 3), np.uint8), "Ink wash", {}, "empty"),
        (Image.new("RGB", (0, 0)), "Ink wash", {}, "empty"),
        (np.zeros((5, 5, 3), np.uint8), "Ink wash", {}, "at least 16"),
        (np.zeros((40, 40, 2), np.uint8), "Ink wash", {}, "HxWx3"),
        (np.full((40, 40, 3), np.nan), "Ink wash", {}, "without NaNs"),
        ("no/such/photo.jpg", "Ink wash", {}, "does not exist"),
        (None, "Ink wash", {}, "got NoneType"),
        ("coffee", "Inkk wash", {}, "Unknown style 'Inkk wash'. Did you mean: 'ink wash'"),
        ("coffee", 3.5, {}, "A style must be"),
        ("coffee", 99, {}, "run from 0 to 25"),
        ("coffee", {"Ink wash": -1}, {}, "zero or more"),
        ("coffee", "Ink wash", {"strength": 1.5}, "Strength must be a number from 0 to 1"),
        ("coffee", "Ink wash", {"strength": -0.1}, "Strength must be a number from 0 to 1"),
        ("coffee", "Ink wash", {"strength": math.nan}, "Strength must be a number from 0 to 1"),
        ("coffee", "Ink wash", {"strength": "0.5"}, "Strength must be a number"),
        ("coffee", "Ink wash", {"stroke_scale": 10}, "Stroke scale must be from 0.25 to 4"),
    ],
)
def test_bad_input_raises_one_clear_error_type(coffee, engine, photo, style, options, message):
    photo = coffee if isinstance(photo, str) and photo == "coffee" else photo
    with pytest.raises(StyleLabError) as raised:
        stylelab.restyle(photo, style, engine=engine, **options)
    assert message.lower() in str(raised.value).lower()
    assert "Traceback" not in str(raised.value)


def test_a_file_that_is_not_an_image_gets_a_clear_sentence(tmp_path, engine):
    fake = tmp_path / "invoice.jpg"
    fake.write_text("this is not a JPEG")
    with pytest.raises(StyleLabError, match="is not an image we can read"):
        stylelab.restyle(fake, "Ink wash", engine=engine)


def test_a_truncated_image_gets_a_clear_sentence(tmp_path, coffee, engine):
    path = tmp_path / "cut.jpg"
    coffee.save(path, quality=90)
    path.write_bytes(path.read_bytes()[:2000])
    with pytest.raises(StyleLabError, match="damaged or truncated"):
        stylelab.restyle(path, "Ink wash", engine=engine)


def test_product_shots_in_a_scene_from_python(engine, tmp_path):
    import json


    cutout = tmp_path / "jar.png"
    make_cutout((160, 200)).save(cutout)
    wide = "Link ad 1.91:1"  # the smallest format: each shot is a real Cycles render
    shots = stylelab.product_shots(cutout, scene="steps", preset=wide, count=2, seed=4, light="back-left",
                                   softness=0.1, brand_colours="#F4EDE4", out=tmp_path / "out", engine=engine)
    assert [s.seed for s in shots] == [4, 5] and shots[0].image.size == (1200, 628)
    record = json.loads((tmp_path / "out" / "jar-seed5.json").read_text())
    assert record["scene"] == "steps" and abs(record["light"]["azimuth"] - 225) <= 8  # the seed moves it a little
    assert record["palette"]["wall"] == "#F4EDE4"
    assert Image.open(tmp_path / "out" / "jar-seed5.png").size == (1200, 628)
    again = stylelab.product_shots(cutout, scene="steps", preset=wide, count=1, seed=5, light="back-left",
                                   softness=0.1, brand_colours="#F4EDE4", engine=engine)
    assert again[0].image.tobytes() == shots[1].image.tobytes()
    with pytest.raises(StyleLabError, match="Choose a scene"):
        stylelab.product_shots(cutout, scene="beach", engine=engine)


def test_python_cutout_obeys_a_not_product_click_with_its_whole_region():
    from tests.product.open_products import open_case

    case = open_case("ring", "graded", (240, 180))
    inside = case.hole  # the backdrop seen through the ring
    kept = stylelab.cutout(case.image, include=[inside])  # "product" there, though it is not: obeyed
    assert np.asarray(kept.mask)[int(inside[1]), int(inside[0])] >= 128
    cut = stylelab.cutout(case.image, box=case.box, exclude=[inside])
    assert np.asarray(cut.mask)[int(inside[1]), int(inside[0])] == 0 and cut.source == "box"
