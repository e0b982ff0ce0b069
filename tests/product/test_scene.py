"""Product shots rendered by Blender Cycles: what a user sees in the picture and the sidecar.

Every render is tiny (about 120x150 px) and takes few samples, so each one is a fraction of a
second once the shared render worker has imported Blender.
"""
from __future__ import annotations

import colorsys
import json
import os
import signal
import threading
import time
from dataclasses import replace

import numpy as np
import pytest
from PIL import Image
from scipy import ndimage
from skimage.color import deltaE_ciede2000, rgb2lab

from stylelab import StyleLabError
from stylelab.product.scene import render
from stylelab.product.scene.camera import Camera, aim_camera
from stylelab.product.scene.choices import SCENE_KINDS, ScenePick
from stylelab.product.scene.kinds import build_set
from stylelab.product.scene.lights import KeyLight
from stylelab.product.scene.options import scene_request
from stylelab.product.scene.palette import dominant_colour, harmonised, parse_hex
from stylelab.product.scene.plan import clear_horizon, horizon_row
from stylelab.product.scene.render import SceneSettings, crop_to_product, product_box, render_scene
from stylelab.product.scene.worker import shared_worker
from tests.conftest import make_cutout
from tests.product.test_photo_light import circular_difference, shaded

FRAME = (120, 150)
FAST = 4  # samples: enough to read light, shadow and colour at this size


@pytest.fixture(scope="module")
def cutout() -> Image.Image:
    return make_cutout((120, 180))


def pasted_product(cutout: Image.Image, box: tuple[int, int, int, int]) -> Image.Image:
    """The cut-out as the renderer scales it into ``box`` (cropped to its visible pixels first)."""
    return crop_to_product(cutout).resize((box[2] - box[0], box[3] - box[1]), Image.Resampling.LANCZOS)


def product_delta_e(shot: render.SceneShot, cutout: Image.Image) -> np.ndarray:
    """ΔE2000 of each fully opaque product pixel in the shot against the resized cut-out."""
    product = pasted_product(cutout, shot.box)
    opaque = np.asarray(product.getchannel("A")) == 255
    truth = np.asarray(product.convert("RGB"), dtype=np.float64) / 255
    pasted = np.asarray(shot.image.crop(shot.box), dtype=np.float64) / 255
    return deltaE_ciede2000(rgb2lab(truth), rgb2lab(pasted))[opaque]


def luminance(image: Image.Image, blur: float = 1.0) -> np.ndarray:
    """Grey levels, lightly blurred so a few samples' noise does not read as detail."""
    return ndimage.gaussian_filter(np.asarray(image.convert("L"), dtype=np.float64), blur)


# ---- the product ------------------------------------------------------------------------------

def test_the_products_pixels_are_pasted_untouched(cutout):
    shot = render_scene(cutout, FRAME, SceneSettings(kind="podium", samples=FAST), seed=1)
    assert shot.image.size == FRAME and shot.record["light_on_product"] is False
    delta = product_delta_e(shot, cutout)
    assert delta.size > 500 and delta.max() <= 1.0, delta.max()


def test_light_on_the_product_darkens_it_only_when_asked(cutout):
    """Window light shades the product by default (the blinds fall across it); off, it stays untouched."""
    light = KeyLight(azimuth=300, gobo="blinds")
    on = render_scene(cutout, FRAME, SceneSettings(kind="window light", light=light, samples=FAST), seed=1)
    off = render_scene(cutout, FRAME, SceneSettings(kind="window light", light=light, light_on_product=False,
                                                    samples=FAST), seed=1)
    assert on.record["light_on_product"] is True and off.record["light_on_product"] is False
    assert product_delta_e(off, cutout).max() <= 1.0
    assert np.percentile(product_delta_e(on, cutout), 75) > 5, "the stripes cross the product"


# ---- light, shadow and gobo ---------------------------------------------------------------------

def shadow_offset(shot: render.SceneShot) -> float:
    """Where the cast shadow lies, in px right of the product's middle: the centroid of how much darker each
    pixel is than its row's median, over the floor from the product's middle height down (product excluded)."""
    grey = luminance(shot.image)
    x0, y0, x1, y1 = shot.box
    start = (y0 + y1) // 2
    floor = grey[start:]
    darkness = np.clip(np.median(floor, axis=1, keepdims=True) - floor, 0, None)
    darkness[: y1 - start, x0:x1] = 0  # the product itself
    darkness[darkness < 10] = 0  # noise and gentle shading
    assert darkness.sum() > 2000, "a clear cast shadow"
    columns = np.arange(grey.shape[1])[None, :]
    return float((darkness * columns).sum() / darkness.sum() - (x0 + x1) / 2)


def test_moving_the_light_moves_the_shadow_to_the_other_side(cutout):
    offsets = {}
    for azimuth in (270, 90):  # from the left, from the right
        settings = SceneSettings(kind="counter", light=KeyLight(azimuth=azimuth, elevation=35, softness=0.2,
                                                                gobo="none"), samples=FAST)
        shot = render_scene(cutout, FRAME, settings, seed=1)
        light = shot.record["light"]
        assert circular_difference(light["azimuth"], azimuth) <= 8 and light["source"] == "chosen", light  # seed jitter
        offsets[azimuth] = shadow_offset(shot)
    half_width = (shot.box[2] - shot.box[0]) / 2
    assert offsets[270] > 0.5 * half_width, offsets  # lit from the left: the shadow falls to the right
    assert offsets[90] < -0.5 * half_width, offsets


def test_gobo_stripes_show_on_the_wall(cutout):
    """Blinds stripe the wall above the product: its brightness changes from row to row far more than
    under an open light."""
    variation = {}
    for gobo in ("blinds", "none"):
        settings = SceneSettings(kind="window light", light=KeyLight(azimuth=300, gobo=gobo),
                                 light_on_product=False, samples=FAST)
        shot = render_scene(cutout, FRAME, settings, seed=1)
        assert shot.record["light"]["gobo"] == gobo
        wall = luminance(shot.image)[: shot.box[1]]
        variation[gobo] = float(np.abs(np.diff(wall, axis=0)).mean())
    assert variation["blinds"] > 2.5 * variation["none"], variation


def test_auto_light_reads_the_photos_own_shading():
    for azimuth in (270, 90):
        lit = shaded("cylinder", azimuth, 30)  # a Lambertian cylinder lit from the left, then the right
        settings = SceneSettings(light=KeyLight(azimuth="auto"), samples=1)
        shot = render_scene(lit, FRAME, settings, seed=0)
        light = shot.record["light"]
        assert light["source"] == "photo shading", light
        assert circular_difference(light["azimuth"], azimuth) <= 30, light


# ---- seeds and the sidecar ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def podium_shots(cutout):
    settings = SceneSettings(kind="podium", samples=FAST)
    return [render_scene(cutout, FRAME, settings, seed=seed) for seed in (4, 4, 5)]


def test_the_same_seed_gives_the_same_bytes_and_seeds_vary_the_set(podium_shots):
    first, again, other = podium_shots
    assert first.image.tobytes() == again.image.tobytes(), "Cycles renders the same plan bit for bit"
    assert first.record == again.record
    difference = np.abs(np.asarray(first.image, dtype=np.float64) - np.asarray(other.image, dtype=np.float64))
    assert difference.mean() > 5, "another seed, another set"
    assert first.record["palette"] != other.record["palette"] or first.record["set"] != other.record["set"]


def test_the_sidecar_says_how_the_shot_was_made(podium_shots):
    shot = podium_shots[0]
    record = json.loads(json.dumps(shot.record))
    assert record == shot.record
    assert {"scene", "seed", "size", "camera", "light", "palette", "material", "product_box", "renderer"} <= set(record)
    assert record["scene"] == "podium" and record["seed"] == 4 and record["size"] == list(FRAME)
    assert record["product_box"] == list(shot.box) and record["material"] == "matte"
    assert {"lens_mm", "f_stop"} <= set(record["camera"]) and record["camera"]["f_stop"] == 5.6
    assert {"azimuth", "elevation", "softness", "gobo", "temperature", "source"} <= set(record["light"])
    assert {"wall", "floor", "podium", "accent", "source"} <= set(record["palette"])
    assert record["renderer"]["engine"] == "Blender Cycles" and record["renderer"]["samples"] == FAST
    camera = Camera(**{k: tuple(v) if isinstance(v, list) else v for k, v in record["camera"].items()
                       if k in ("position", "pitch", "focal", "size", "centre")})
    (base,), _ = camera.project(np.array([record["product_base"]]))
    x0, _, x1, y1 = shot.box
    assert base.tolist() == pytest.approx([(x0 + x1) / 2, y1], abs=1.0), "the product stands on its surface"


# ---- the marketplace white ----------------------------------------------------------------------

def test_marketplace_is_exactly_white_but_for_the_product_and_its_contact_shadow(cutout):
    shot = render_scene(cutout, FRAME, SceneSettings(), seed=0, marketplace=True, fill=0.85)
    assert shot.record["scene"] == "marketplace white"
    pixels = np.asarray(shot.image)
    x0, y0, x1, y1 = shot.box
    height = y1 - y0
    assert max(x1 - x0, height) == pytest.approx(0.85 * min(FRAME), abs=1)
    margin = round(0.1 * height)
    product = np.zeros(FRAME[::-1], bool)
    product[y0:y1, x0:x1] = np.asarray(pasted_product(cutout, shot.box).getchannel("A")) > 0
    near = np.zeros(FRAME[::-1], bool)
    near[max(0, y0 - margin):y1 + margin, max(0, x0 - margin):x1 + margin] = True
    upper = np.zeros(FRAME[::-1], bool)
    upper[: (y0 + y1) // 2] = True
    white = (pixels == 255).all(axis=2)
    assert white[~near].all(), "pure white away from the product"
    assert white[upper & ~product].all(), "pure white beside the product's upper half"
    below = pixels[y1 - 2:y1 + 4, x0:x1]
    assert below.min() < 235, "a contact shadow just under the product"
    assert product_delta_e(shot, cutout).max() <= 1.0


# ---- colour --------------------------------------------------------------------------------------

@pytest.mark.parametrize("brand, podium", [("#E8D5C4, #7A9E9F, #D9CBBE", "#7A9E9F"),  # a mid tone on a light set
                                           ("#2F4858, #E8D5C4", "#E8D5C4")])  # a light podium by a dark wall
def test_a_brand_palettes_podium_colour_lands_on_the_podium(cutout, brand, podium):
    request = scene_request(ScenePick(kind="podium", palette="brand colours", brand_colours=brand))
    shot = render_scene(cutout, FRAME, replace(request.settings, samples=FAST), seed=1)
    assert shot.record["palette"]["podium"] == podium
    x0, _, x1, y1 = shot.box
    toward_light = shot.record["light"]["azimuth"] > 180  # the light's side of the podium top is fully lit
    middle = (x0 + x1) // 2
    columns = slice(x0 + 2, middle - 2) if toward_light else slice(middle + 3, x1 - 1)
    top = np.asarray(shot.image, dtype=np.float64)[y1 + 1:y1 + 6, columns] / 255  # just in front of the base
    measured = rgb2lab(top.reshape(-1, 3).mean(0)[None, None])
    delta = float(deltaE_ciede2000(measured, rgb2lab(np.array([[parse_hex(podium)]])))[0, 0])
    assert delta <= 5, f"the podium top reads ΔE {delta:.1f} from its palette colour"


# ---- the worker ----------------------------------------------------------------------------------

def test_a_killed_renderer_gives_a_sentence_and_the_next_shot_renders(cutout):
    worker = shared_worker(render.RENDER_WORKER)
    render_scene(cutout, FRAME, SceneSettings(samples=1), seed=0)
    pid = worker.pid
    assert pid is not None
    failures: list[BaseException] = []

    def slow_render() -> None:
        try:
            render_scene(cutout, (240, 300), SceneSettings(samples=2048), seed=0)
        except BaseException as error:  # noqa: BLE001 - looked at below
            failures.append(error)

    thread = threading.Thread(target=slow_render)
    thread.start()
    time.sleep(0.3)
    os.kill(pid, signal.SIGKILL)
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert len(failures) == 1 and isinstance(failures[0], StyleLabError), failures
    assert "renderer stopped" in str(failures[0])
    shot = render_scene(cutout, FRAME, SceneSettings(samples=1), seed=0)
    assert shot.image.size == FRAME and worker.pid not in (None, pid)


# ---- every kind, and bad input ------------------------------------------------------------------

@pytest.mark.parametrize("kind", SCENE_KINDS)
def test_every_scene_kind_renders_with_the_product_intact(cutout, kind):
    shot = render_scene(cutout, (96, 120), SceneSettings(kind=kind, light_on_product=False, samples=1), seed=2)
    assert shot.image.size == (96, 120) and shot.record["scene"] == kind
    assert product_delta_e(shot, cutout).max() <= 1.0
    backdrop = np.asarray(shot.image, dtype=np.float64)[: shot.box[1]]
    assert backdrop.mean() > 40, "a lit set, not a black frame"


@pytest.mark.parametrize("kind", SCENE_KINDS)
def test_no_horizon_through_the_products_middle(kind):
    for seed in range(3):
        scene = build_set(kind, 0.6, np.random.default_rng(seed))
        box = product_box((60, 100), (1080, 1350), 0.7, 1.0, 0.5, 0.6, 0.05, below=scene.support + 0.12)
        camera = aim_camera((1080, 1350), box, scene.support, 0.55 + scene.camera_lift)
        row = horizon_row(camera, clear_horizon(scene, camera, box).sweep)
        height = box[3] - box[1]
        assert not box[1] + 0.2 * height < row < box[3] - 0.15 * height, (kind, seed, row, box)


def test_three_brand_colours_give_an_accent_derived_from_them_not_black():
    palette = scene_request(ScenePick(kind="podium", palette="brand colours",
                                      brand_colours="#E8D5C4, #2F4858, #F6BD60")).settings.palette
    described = palette.describe()
    assert [described[role] for role in ("wall", "podium", "floor")] == ["#E8D5C4", "#2F4858", "#F6BD60"]
    hue, lightness, saturation = colorsys.rgb_to_hls(*palette.accent)
    assert 0.3 <= lightness <= 0.65, described  # a visible mid tone, not #000000 from the dark podium
    assert hue == pytest.approx(colorsys.rgb_to_hls(*parse_hex("#F6BD60"))[0], abs=0.01)  # the brand's own hue
    assert saturation > 0.5


def test_palettes_from_brand_colours_and_the_product():
    assert parse_hex("#E8D5C4") == pytest.approx((232 / 255, 213 / 255, 196 / 255))
    request = scene_request(ScenePick(kind="podium", palette="brand colours", brand_colours="#E8D5C4, #2F4858"))
    assert request.settings.palette.describe()["wall"] == "#E8D5C4"
    assert request.settings.palette.describe()["podium"] == "#2F4858"
    red = Image.new("RGBA", (40, 40), (200, 30, 30, 255))
    hue = lambda rgb: colorsys.rgb_to_hls(*rgb)[0]  # noqa: E731
    assert hue(dominant_colour(red)) == pytest.approx(0.0, abs=0.02)
    analogous = harmonised(dominant_colour(red), "analogous", np.random.default_rng(0))
    complementary = harmonised(dominant_colour(red), "complementary", np.random.default_rng(0))
    circular = lambda a: min(a % 1, 1 - a % 1)  # noqa: E731
    assert circular(hue(analogous.wall)) < 0.1 and abs(circular(hue(complementary.wall)) - 0.5) < 0.06


@pytest.mark.parametrize("pick, sentence", [
    (ScenePick(kind="beach"), "Choose a scene"),
    (ScenePick(material="velvet"), "Choose a material"),
    (ScenePick(palette="brand colours", brand_colours="#12345G"), "'#12345G' is not a hex colour"),
    (ScenePick(palette="brand colours"), "brand colours as hex codes"),
    (ScenePick(light="upwards"), "Light direction"),
    (ScenePick(softness=3), "softness"),
    (ScenePick(f_stop=50), "f-stop must be from 1.4 to 22"),
])
def test_bad_scene_picks_get_sentences(pick, sentence):
    with pytest.raises(StyleLabError, match=sentence):
        scene_request(pick)


def test_bad_settings_and_an_empty_cut_out_get_sentences():
    with pytest.raises(StyleLabError, match="Choose a material"):
        SceneSettings(material="velvet")
    with pytest.raises(StyleLabError, match="Choose a scene"):
        SceneSettings(kind="beach")
    with pytest.raises(StyleLabError, match="f-stop"):
        SceneSettings(f_stop=50)
    with pytest.raises(StyleLabError, match="fully transparent"):
        render_scene(Image.new("RGBA", (20, 20)), FRAME, SceneSettings(samples=1), seed=0)
