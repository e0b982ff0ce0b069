"""The scene renderer: ray hits against closed forms, light and shadow directions, gobo
projection, seeds, the product kept intact and standing where the camera says."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from PIL import Image
from scipy import ndimage
from skimage.color import deltaE_ciede2000, rgb2lab

from stylelab import StyleLabError
from stylelab.product.scene.camera import Camera
from stylelab.product.scene.choices import SCENE_KINDS
from stylelab.product.scene.geometry import Box, Cylinder, Plane, Sphere, Sweep
from stylelab.product.scene.kinds import build_set
from stylelab.product.scene.lights import KeyLight, gobo, light_plane_coordinates, soft_shadow
from stylelab.product.scene.noise import noise_for
from stylelab.product.scene.options import scene_request
from stylelab.product.scene.palette import dominant_colour, harmonised, parse_hex
from stylelab.product.scene.render import (SceneSettings, _clear_horizon, aim_camera, horizon_row, product_box,
                                           render_scene)
from tests.conftest import make_cutout

FRAME = (160, 200)


def rays(origins, directions):
    return torch.tensor(origins, dtype=torch.float32), torch.tensor(directions, dtype=torch.float32)


def test_plane_hits_and_misses():
    o, d = rays([[0, 2, 0], [0, 2, 0], [0, 2, 0]], [[0, -1, 0], [0.6, -0.8, 0], [0, 1, 0]])
    t, n = Plane((0.0, 1.0, 0.0), 0.0).hit(o, d)
    assert t[:2].tolist() == pytest.approx([2.0, 2.5])
    assert math.isinf(t[2]), "a ray going up never meets the floor"
    assert n[0].tolist() == [0, 1, 0]


def test_sphere_hits_match_the_closed_form_and_scale_with_the_direction():
    o, d = rays([[0, 0, 5], [0.6, 0, 5], [0, 0, 5], [2, 0, 5]], [[0, 0, -1], [0, 0, -1], [0, 0, -2], [0, 0, -1]])
    t, n = Sphere((0.0, 0.0, 0.0), 1.0).hit(o, d)
    assert t[0] == pytest.approx(4.0) and t[1] == pytest.approx(5 - math.sqrt(1 - 0.36), abs=1e-5)
    assert t[2] == pytest.approx(2.0), "t is in units of the (unnormalised) direction"
    assert math.isinf(t[3])
    assert n[1].tolist() == pytest.approx([0.6, 0.0, 0.8], abs=1e-5)


def test_cylinder_side_top_and_miss():
    cylinder = Cylinder(0.0, 0.0, 1.0, 0.0, 2.0)
    o, d = rays([[0, 1, 5], [0.5, 5, 0], [0, 3, 5], [0.6, 1, 5]], [[0, 0, -1], [0, -1, 0], [0, 0, -1], [0, 0, -1]])
    t, n = cylinder.hit(o, d)
    assert t[0] == pytest.approx(4.0) and n[0].tolist() == pytest.approx([0, 0, 1])
    assert t[1] == pytest.approx(3.0) and n[1].tolist() == pytest.approx([0, 1, 0])
    assert math.isinf(t[2]), "passes over the top"
    assert t[3] == pytest.approx(5 - 0.8, abs=1e-5) and n[3].tolist() == pytest.approx([0.6, 0, 0.8], abs=1e-5)
    points = torch.tensor([[0.0, 1.0, 3.0], [0.0, 2.5, 0.0], [0.0, 1.0, 0.0]])
    assert cylinder.sdf(points).tolist() == pytest.approx([2.0, 0.5, -1.0])


def test_box_hit_and_normal():
    o, d = rays([[5, 0.5, 0], [0, 5, 0]], [[-1, 0, 0], [0, -1, 0]])
    t, n = Box((-1.0, 0.0, -1.0), (1.0, 1.0, 1.0)).hit(o, d)
    assert t.tolist() == pytest.approx([4.0, 4.0])
    assert n.tolist() == [[1, 0, 0], [0, 1, 0]]


def test_sweep_floor_cove_and_wall():
    sweep = Sweep(back=-3.0, radius=1.0)
    o, d = rays([[0, 2, 0], [0, 3, 0], [0, 1 - math.sqrt(0.5), 0]], [[0, -1, 0], [0, 0, -1], [0, 0, -1]])
    parts = sweep.hit_parts(o, d)
    assert parts["floor"][0][0] == pytest.approx(2.0)
    assert parts["wall"][0][1] == pytest.approx(3.0) and parts["wall"][1][1].tolist() == [0, 0, 1]
    t_cove, n_cove = parts["cove"]
    # the cove's axis is at (y = 1, z = -2): a ray at height 1 - √½ meets it at z = -2 - √½
    assert t_cove[2] == pytest.approx(2 + math.sqrt(0.5), abs=1e-4)
    assert n_cove[2].tolist() == pytest.approx([0, math.sqrt(0.5), math.sqrt(0.5)], abs=1e-4)
    assert math.isinf(parts["floor"][0][1]) and math.isinf(parts["cove"][0][1])


def test_camera_rays_land_back_on_their_pixels():
    camera = Camera((0.0, 1.2, 4.0), 8.0, 300.0, (64, 48), (30.0, 20.0))
    o, d = camera.rays()
    hits = o + 2.5 * d
    pixels, depth = camera.project(hits)
    v, u = np.mgrid[0:48, 0:64] + 0.5
    assert pixels[:, 0].numpy() == pytest.approx(u.ravel(), abs=1e-3)
    assert pixels[:, 1].numpy() == pytest.approx(v.ravel(), abs=1e-3)
    assert depth.numpy() == pytest.approx(2.5, abs=1e-4), "a unit step along the view axis per t"


def test_a_caster_shadows_the_side_away_from_the_light():
    ball = Sphere((0.0, 0.5, 0.0), 0.5)
    light = KeyLight(azimuth=270, elevation=30, softness=0.1)  # from the left
    floor = torch.tensor([[1.2, 0.0, 0.0], [-1.2, 0.0, 0.0]])
    lit = soft_shadow([ball], floor, torch.tensor([[0.0, 1.0, 0.0]] * 2), light)
    assert lit[0] < 0.1 and lit[1] > 0.99, lit


@pytest.mark.parametrize("azimuth, darker", [(270, "right"), (90, "left")])
def test_the_products_shadow_falls_away_from_the_light(azimuth, darker):
    cutout = make_cutout((120, 200))
    settings = SceneSettings(kind="counter", light=KeyLight(azimuth=azimuth, elevation=35, softness=0.2,
                                                            gobo="none"))
    shot = render_scene(cutout, FRAME, settings, seed=1)
    x0, _, x1, y1 = shot.box
    grey = np.asarray(shot.image.convert("L"), dtype=np.float64)
    band = grey[y1 - 6:y1 + 2]  # the surface beside the product's foot
    left, right = band[:, max(0, x0 - 30):x0 - 2].mean(), band[:, x1 + 2:x1 + 30].mean()
    assert (right < left - 8) if darker == "right" else (left < right - 8), (left, right)


def test_gobo_is_carried_along_the_light_rays():
    light = KeyLight(azimuth=300, elevation=35, softness=0.0, gobo="blinds")
    anchor = torch.tensor([0.0, 0.6, 0.0])
    generator = torch.Generator().manual_seed(0)
    wall = torch.cat([torch.rand(400, 1, generator=generator) * 4 - 2, torch.rand(400, 1, generator=generator) * 2,
                      torch.full((400, 1), -1.5)], 1)
    direction = light.direction
    floor = wall - (wall[:, 1] / direction[1])[:, None] * direction  # the same light rays, down on the floor
    assert floor[:, 1].abs().max() < 1e-5
    on_wall, on_floor = gobo(wall, light, anchor, noise_for(0)), gobo(floor, light, anchor, noise_for(0))
    assert torch.allclose(on_wall, on_floor, atol=1e-4), "a slat's shadow lies where its light ray lands"
    assert (on_wall < 0.05).any() and (on_wall > 0.95).any()
    # the light ray through the anchor lands at the pattern's origin; slats repeat every 0.32 across it
    foot = anchor - (anchor[1] / direction[1]) * direction
    across, up = light_plane_coordinates(foot[None], light, anchor)
    assert abs(float(across)) < 1e-5 and abs(float(up)) < 1e-5


def test_the_same_seed_gives_the_same_bytes_and_seeds_differ():
    cutout = make_cutout((120, 180))
    settings = SceneSettings(kind="stacked podium", material="terrazzo")
    first, again = (render_scene(cutout, FRAME, settings, seed=4) for _ in range(2))
    assert first.image.tobytes() == again.image.tobytes() and first.record == again.record
    assert render_scene(cutout, FRAME, settings, seed=5).image.tobytes() != first.image.tobytes()


@pytest.mark.parametrize("kind", SCENE_KINDS)
def test_every_kind_keeps_the_product_intact_and_standing(kind):
    cutout = make_cutout((130, 180))
    settings = SceneSettings(kind=kind, material="marble", gloss=0.6)
    shot = render_scene(cutout, FRAME, settings, seed=2)
    x0, y0, x1, y1 = shot.box
    product = cutout.crop(cutout.getchannel("A").getbbox()).resize((x1 - x0, y1 - y0), Image.Resampling.LANCZOS)
    inside = ndimage.binary_erosion(np.asarray(product.getchannel("A")) >= 250, iterations=2)
    pasted = np.asarray(shot.image.crop(shot.box), dtype=np.float64) / 255
    truth = np.asarray(product.convert("RGB"), dtype=np.float64) / 255
    delta = deltaE_ciede2000(rgb2lab(truth), rgb2lab(pasted))[inside]
    assert inside.sum() > 1000 and delta.max() <= 1.0
    camera = Camera(**{k: tuple(v) if isinstance(v, list) else v for k, v in shot.record["camera"].items()})
    (base,), _ = camera.project(torch.tensor([shot.record["product_base"]]))
    assert base.tolist() == pytest.approx([(x0 + x1) / 2, y1], abs=1.0), "the product stands on its surface"


@pytest.mark.parametrize("kind", SCENE_KINDS)
def test_no_horizon_through_the_products_middle(kind):
    for seed in range(3):
        scene = build_set(kind, 0.6, np.random.default_rng(seed))
        box = product_box((60, 100), (1080, 1350), 0.7, 1.0, 0.5, 0.6, 0.05, below=scene.support + 0.12)
        camera = aim_camera((1080, 1350), box, scene.support, 0.55 + scene.camera_lift)
        row = horizon_row(camera, _clear_horizon(scene, camera, box))
        height = box[3] - box[1]
        assert not box[1] + 0.2 * height < row < box[3] - 0.15 * height, (kind, seed, row, box)


def test_three_brand_colours_give_an_accent_derived_from_them_not_black():
    import colorsys

    palette = scene_request("podium", palette="brand colours",
                            brand_colours="#E8D5C4, #2F4858, #F6BD60").settings.palette
    described = palette.describe()
    assert [described[role] for role in ("wall", "podium", "floor")] == ["#E8D5C4", "#2F4858", "#F6BD60"]
    hue, lightness, saturation = colorsys.rgb_to_hls(*palette.accent)
    assert 0.3 <= lightness <= 0.65, described  # a visible mid tone, not #000000 from the dark podium
    assert hue == pytest.approx(colorsys.rgb_to_hls(*parse_hex("#F6BD60"))[0], abs=0.01)  # the brand's own hue
    assert saturation > 0.5


def test_palettes_from_brand_colours_and_the_product():
    assert parse_hex("#E8D5C4") == pytest.approx((232 / 255, 213 / 255, 196 / 255))
    with pytest.raises(StyleLabError, match="not a hex colour"):
        parse_hex("teal")
    request = scene_request("podium", palette="brand colours", brand_colours="#E8D5C4, #2F4858")
    assert request.settings.palette.describe()["wall"] == "#E8D5C4"
    assert request.settings.palette.describe()["podium"] == "#2F4858"
    with pytest.raises(StyleLabError, match="brand colours as hex codes"):
        scene_request("podium", palette="brand colours")
    red = Image.new("RGBA", (40, 40), (200, 30, 30, 255))
    hue = lambda rgb: __import__("colorsys").rgb_to_hls(*rgb)[0]  # noqa: E731
    assert hue(dominant_colour(red)) == pytest.approx(0.0, abs=0.02)
    analogous = harmonised(dominant_colour(red), "analogous", np.random.default_rng(0))
    complementary = harmonised(dominant_colour(red), "complementary", np.random.default_rng(0))
    circular = lambda a: min(a % 1, 1 - a % 1)  # noqa: E731
    assert circular(hue(analogous.wall)) < 0.1 and abs(circular(hue(complementary.wall)) - 0.5) < 0.06


def test_bad_scene_settings_get_sentences():
    with pytest.raises(StyleLabError, match="Choose a scene"):
        scene_request("beach")
    with pytest.raises(StyleLabError, match="Light direction"):
        scene_request("podium", light="upwards")
    with pytest.raises(StyleLabError, match="softness"):
        scene_request("podium", softness=3)
    with pytest.raises(StyleLabError, match="fully transparent"):
        render_scene(Image.new("RGBA", (20, 20)), FRAME, SceneSettings(), seed=0)
