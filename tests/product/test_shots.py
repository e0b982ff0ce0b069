"""Generated product shots: sizes, the marketplace white, seeds, the product kept intact."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from stylelab import StyleLabError
from stylelab.engine import StyleMix
from stylelab.product.masks import product_mask
from stylelab.product.restyle import generate_shots
from stylelab.product.shots import PRESETS, Placement, base_canvas, place_product
from tests.conftest import make_cutout, make_studio_photo

INK_WASH = StyleMix(builtin=((2, 1.0),))


@pytest.fixture(scope="module")
def studio_photo():
    photo, _ = make_studio_photo(5, (360, 270))
    return photo, product_mask(photo).mask


@pytest.mark.parametrize("preset", [p for p in PRESETS if not PRESETS[p].plain_white])
def test_each_preset_has_its_exact_size(engine, studio_photo, preset):
    photo, mask = studio_photo
    (shot,) = generate_shots(engine, photo, mask, INK_WASH, preset, count=1, seed=3)
    assert shot.image.size == PRESETS[preset].size
    assert shot.product_figures.delta_e < 1.0, "the product is pasted unchanged"


def test_marketplace_main_image_is_pure_white_around_product_and_shadow(engine):
    cutout = make_cutout((300, 220))
    (shot,) = generate_shots(engine, cutout, product_mask(cutout).mask, INK_WASH, "Marketplace main image",
                             count=1, seed=0)
    assert shot.image.size == (2000, 2000) and shot.record["scene"] == "marketplace white"
    x0, y0, x1, y1 = box = shot.record["product_box"]
    assert max(x1 - x0, y1 - y0) == pytest.approx(0.85 * 2000, abs=2)
    # white everywhere but the product and its contact shadow, which stays close to the product's base
    pixels = np.asarray(shot.image)
    white = (pixels == 255).all(axis=2)
    margin = round(0.1 * (y1 - y0))
    near = np.zeros(white.shape, bool)
    near[max(0, y0 - margin):y1 + margin, max(0, x0 - margin):x1 + margin] = True
    assert white[~near].all()
    product = np.zeros(white.shape, bool)
    from stylelab.product.scene.plan import crop_to_product

    scaled = crop_to_product(cutout).resize((x1 - x0, y1 - y0), Image.Resampling.LANCZOS)
    product[y0:y1, x0:x1] = np.asarray(scaled.getchannel("A")) > 0
    assert white[: (y0 + y1) // 2][~product[: (y0 + y1) // 2]].all(), "no shadow beside the upper half"
    assert pixels[y1 - 4:y1 + 10, x0:x1].min() < 235, "a contact shadow under the product"
    assert shot.product_figures.delta_e < 1.0, list(box)


def test_the_same_seed_gives_the_same_bytes_and_seeds_differ(engine, studio_photo):
    photo, mask = studio_photo
    first = generate_shots(engine, photo, mask, INK_WASH, "Social 4:5", count=2, seed=11)
    again = generate_shots(engine, photo, mask, INK_WASH, "Social 4:5", count=2, seed=11)
    assert [s.seed for s in first] == [11, 12]
    assert [s.image.tobytes() for s in first] == [s.image.tobytes() for s in again]
    assert first[0].image.tobytes() != first[1].image.tobytes()


def test_base_canvases_vary_by_seed():
    kinds = {base_canvas((64, 48), seed)[1].split(" (")[0] for seed in range(40)}
    assert kinds == {"studio sweep", "gradient", "soft noise", "texture"}
    assert base_canvas((64, 48), 7)[0].tobytes() == base_canvas((64, 48), 7)[0].tobytes()


def test_placement_controls_move_and_scale_the_product():
    cutout = make_cutout((200, 150))
    preset = PRESETS["Banner 16:9"]
    backdrop = Image.new("RGB", preset.size, (200, 200, 200))
    _, left_box, _ = place_product(backdrop, cutout, preset, Placement(x=0.0))
    _, right_box, _ = place_product(backdrop, cutout, preset, Placement(x=1.0))
    _, small_box, _ = place_product(backdrop, cutout, preset, Placement(scale=0.5))
    assert left_box[0] < right_box[0]
    assert (small_box[2] - small_box[0]) < (left_box[2] - left_box[0])
    with pytest.raises(StyleLabError):
        Placement(scale=5)


def test_bad_shot_requests_are_clear(engine, studio_photo):
    photo, mask = studio_photo
    with pytest.raises(StyleLabError, match="preset"):
        generate_shots(engine, photo, mask, INK_WASH, "Poster", count=1, seed=0)
    with pytest.raises(StyleLabError, match="1 to 8"):
        generate_shots(engine, photo, mask, INK_WASH, "Social 4:5", count=20, seed=0)
    with pytest.raises(StyleLabError, match="mask is empty"):
        generate_shots(engine, photo, Image.new("L", photo.size, 0), INK_WASH, "Social 4:5", count=1, seed=0)


@pytest.fixture
def tiny_presets(monkeypatch):
    """Small formats, so a scene shot through ``generate_shots`` renders in a fraction of a second."""
    from stylelab.product.shots import Preset

    monkeypatch.setitem(PRESETS, "Tiny 4:5", Preset("Tiny 4:5", (120, 150), 0.7))
    monkeypatch.setitem(PRESETS, "Tiny white", Preset("Tiny white", (150, 150), 0.85, plain_white=True))


def test_scene_shots_keep_the_product_and_write_a_reproducible_sidecar(engine, tiny_presets):
    import json

    from stylelab.product.scene.render import SceneSettings

    cutout = make_cutout((200, 260))
    scene = SceneSettings(kind="arch", samples=4)
    heard = []
    first = generate_shots(engine, cutout, cutout.getchannel("A"), None, "Tiny 4:5", count=2, seed=3, scene=scene,
                           progress=lambda *step: heard.append(step))
    again = generate_shots(engine, cutout, cutout.getchannel("A"), None, "Tiny 4:5", count=1, seed=3, scene=scene)
    assert [s.image.size for s in first] == [(120, 150)] * 2
    assert {step[:2] for step in heard} == {(1, 2), (2, 2)}, "progress hears each shot's samples"
    assert first[0].image.tobytes() == again[0].image.tobytes() and first[0].sidecar() == again[0].sidecar()
    record = json.loads(first[1].sidecar())
    assert record["scene"] == "arch" and record["seed"] == 4 and record["preset"] == "Tiny 4:5"
    assert {"camera", "light", "palette", "material", "product_box"} <= set(record)
    assert all(shot.product_figures.delta_e < 1.0 for shot in first)


def test_marketplace_stays_pure_white_whatever_the_scene(engine, tiny_presets):
    from stylelab.product.scene.lights import KeyLight
    from stylelab.product.scene.render import SceneSettings

    cutout = make_cutout((300, 220))
    scene = SceneSettings(kind="window light", light=KeyLight(azimuth=300, gobo="blinds"))
    (shot,) = generate_shots(engine, cutout, cutout.getchannel("A"), INK_WASH, "Tiny white", count=1, seed=0,
                             scene=scene)
    pixels = np.asarray(shot.image)
    x0, y0, x1, _ = shot.record["product_box"]
    assert shot.record["scene"] == "marketplace white" and shot.record["light"]["gobo"] == "none"
    assert (pixels[:y0] == 255).all() and (pixels[:, :x0] == 255).all() and (pixels[:, x1:] == 255).all(), \
        "no scene, no gobo: white"


def test_a_wall_painted_in_a_template_and_its_palette(engine, tiny_presets):
    from stylelab.product.restyle import template_colours
    from stylelab.product.scene.render import SceneSettings

    cutout = make_cutout((120, 160))
    plain, painted = (generate_shots(engine, cutout, cutout.getchannel("A"), INK_WASH, "Tiny 4:5", count=1, seed=2,
                                     scene=SceneSettings(kind="counter", samples=16), paint_wall=paint)[0]
                      for paint in (False, True))
    top = lambda shot: np.asarray(shot.image)[:shot.record["product_box"][1]].astype(float)  # noqa: E731  (the wall)
    assert top(painted).std() > top(plain).std() + 3, "the style's strokes show on the wall"
    palette = template_colours(engine, INK_WASH)
    assert palette.source == "template colours" and palette.wall != palette.podium
