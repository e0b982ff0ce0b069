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
    assert shot.image.size == (2000, 2000) and max(shot.image.size) >= 2000
    # recompute where product and shadow are, and check everything else is exactly white
    preset = PRESETS["Marketplace main image"]
    from stylelab.product.shots import cutout_from

    product = cutout_from(cutout.convert("RGB"), cutout.getchannel("A"))
    _, box, shadow = place_product(Image.new("RGB", preset.size, (255, 255, 255)), product, preset, Placement())
    covered = np.asarray(shadow) > 0
    covered[box[1]:box[3], box[0]:box[2]] = True
    pixels = np.asarray(shot.image)
    assert (pixels[~covered] == 255).all()
    assert (box[2] - box[0]) == pytest.approx(0.85 * 2000, abs=2) or (box[3] - box[1]) == pytest.approx(0.85 * 2000,
                                                                                                          abs=2)


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


def test_scene_shots_keep_the_product_and_write_a_reproducible_sidecar(engine):
    import json

    from stylelab.product.scene.render import SceneSettings

    cutout = make_cutout((200, 260))
    scene = SceneSettings(kind="arch")
    first = generate_shots(engine, cutout, cutout.getchannel("A"), None, "Social 4:5", count=2, seed=3, scene=scene)
    again = generate_shots(engine, cutout, cutout.getchannel("A"), None, "Social 4:5", count=1, seed=3, scene=scene)
    assert [s.image.size for s in first] == [(1080, 1350)] * 2
    assert first[0].image.tobytes() == again[0].image.tobytes() and first[0].sidecar() == again[0].sidecar()
    record = json.loads(first[1].sidecar())
    assert record["scene"] == "arch" and record["seed"] == 4 and record["preset"] == "Social 4:5"
    assert {"camera", "light", "palette", "material", "product_box"} <= set(record)
    assert all(shot.product_figures.delta_e < 1.0 for shot in first)


def test_marketplace_stays_pure_white_whatever_the_scene(engine):
    from stylelab.product.scene.render import SceneSettings

    cutout = make_cutout((300, 220))
    (shot,) = generate_shots(engine, cutout, cutout.getchannel("A"), INK_WASH, "Marketplace main image", count=1,
                             seed=0, scene=SceneSettings(kind="window light"))
    pixels = np.asarray(shot.image)
    assert shot.record["scene"] == "marketplace white"
    assert (pixels[:200] == 255).all() and (pixels[:, :150] == 255).all(), "no scene, no gobo: white"


def test_a_wall_painted_in_a_template_and_its_palette(engine):
    from stylelab.product.restyle import template_colours
    from stylelab.product.scene.render import SceneSettings

    cutout = make_cutout((120, 160))
    plain, painted = (generate_shots(engine, cutout, cutout.getchannel("A"), INK_WASH, "Social 4:5", count=1, seed=2,
                                     scene=SceneSettings(kind="counter"), paint_wall=paint)[0] for paint in (False, True))
    top = lambda shot: np.asarray(shot.image)[:200].astype(float)  # noqa: E731  (the wall)
    assert top(painted).std() > top(plain).std() + 3, "the style's strokes show on the wall"
    palette = template_colours(engine, INK_WASH)
    assert palette.source == "template colours" and palette.wall != palette.podium
