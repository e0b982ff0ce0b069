"""Cut-outs on a plain backdrop: thin parts that stand out from it stay with the product they touch,
a faint reflection on the floor under the product is backdrop, and a click on a shaded surface counts
for more than the pixel under it. Images are drawn here, a few hundred pixels a side."""
from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

from stylelab.product.backdrop import attached, lab_of, seen_through
from stylelab.product.cutout import cutout
from stylelab.product.prompts import CutoutPrompt
from stylelab.product.regions import regions_of_photo


def truck_on_a_white_sweep() -> tuple[Image.Image, np.ndarray, np.ndarray]:
    """An orange toy truck (a body and two wheels) on a white sweep, with the pale pink reflection of its
    wheels on the floor under it: the photo, the truck and the reflection."""
    height, width = 200, 320
    rng = np.random.default_rng(1)
    image = np.full((height, width, 3), 250.0) - np.linspace(8, 0, height)[:, None, None]
    truck = np.zeros((height, width), bool)
    truck[50:130, 90:230] = True
    image[truck] = (235, 110, 30)
    rows, columns = np.ogrid[:height, :width]
    for centre in (115, 205):
        wheel = (rows - 135) ** 2 + (columns - centre) ** 2 < 18 ** 2
        image[wheel] = (220, 70, 20)
        truck |= wheel
    reflection = np.zeros((height, width), bool)
    reflection[153:172, 95:225] = True
    reflection &= ~truck
    image[reflection] = image[reflection] * 0.55 + np.array([235, 150, 120]) * 0.45
    image += rng.normal(0, 1.5, image.shape)
    return Image.fromarray(np.clip(image, 0, 255).astype(np.uint8)), truck, reflection


def test_a_faint_reflection_under_a_product_on_a_white_sweep_is_left_out_of_the_automatic_cut_out():
    image, truck, reflection = truck_on_a_white_sweep()
    alpha = np.asarray(cutout(image).mask, dtype=np.float64) / 255.0
    assert alpha[truck].mean() > 0.95, "the truck stays whole"
    assert alpha[reflection].mean() < 0.1, "its reflection on the sweep is backdrop"


def test_spokes_that_stand_out_from_a_plain_wall_join_the_frame_they_touch_and_a_separate_speck_does_not():
    height, width = 160, 220
    wall = np.full((height, width, 3), 120, np.uint8)
    frame = np.zeros((height, width), np.uint8)
    cv2.line(frame, (40, 80), (180, 80), 1, 7)
    spokes = np.zeros((height, width), np.uint8)
    cv2.circle(spokes, (110, 80), 45, 1, 2)
    for angle in np.linspace(0, np.pi, 6, endpoint=False):
        dx, dy = 45 * np.cos(angle), 45 * np.sin(angle)
        cv2.line(spokes, (round(110 - dx), round(80 - dy)), (round(110 + dx), round(80 + dy)), 1, 1)
    speck = np.zeros((height, width), bool)
    speck[140:146, 10:16] = True
    wall[(frame > 0) | (spokes > 0) | speck] = 20
    through = seen_through(lab_of(wall), (30, 20, 190, 140))
    assert through.sure, "a plain wall is predictable"
    kept = attached(frame > 0, through.distinct)
    assert kept[spokes > 0].mean() > 0.9, "the rim and spokes stay with the frame"
    assert not kept[speck].any(), "a speck that touches nothing is not product"


def test_a_not_product_click_on_a_shaded_surface_counts_for_more_than_a_dot_and_stops_at_the_outline():
    # a yellow ball shaded to brown over 20 px, beside a red product: its colour changes faster than a
    # region grows through, so the click would mean one pixel; it means at least a small disc
    height, width = 200, 260
    image = np.full((height, width, 3), 245.0)
    rows, columns = np.ogrid[:height, :width]
    ball = (rows - 100) ** 2 + (columns - 150) ** 2 < 60 ** 2
    shade = np.clip((columns - 140) / 20.0, 0, 1)[..., None]
    image[ball] = (np.array([250, 220, 20]) * (1 - shade) + np.array([120, 60, 0]) * shade).repeat(height, 0)[ball]
    product = (columns > 20) & (columns < 96) & (rows > 40) & (rows < 160)
    image[product] = (200, 30, 30)
    image = image.astype(np.uint8)
    box = (10, 30, 230, 170)
    region = regions_of_photo(image, CutoutPrompt(box=box, exclude=((150, 100),))).exclude
    assert region.sum() > 25, "more than the pixel under the click"
    beside = regions_of_photo(image, CutoutPrompt(box=box, exclude=((98, 100),))).exclude
    assert not beside[product].any(), "a click beside the product does not reach across its outline"
