"""What a click changes: the region it lands on and what hangs together with it, nothing far away."""
from __future__ import annotations

import cv2
import numpy as np

from stylelab.product.grabcut import near_clicks
from stylelab.product.prompts import CutoutPrompt
from stylelab.product.regions import FLOOR_RADIUS, ClickRegions, regions_of_photo


def test_a_click_changes_what_hangs_together_with_its_region_and_nothing_far_from_it():
    before = np.zeros((40, 60), bool)
    before[5:35, 5:30] = True                  # the product the box kept, with a slab of backdrop at its side
    before[10:30, 30:40] = True
    after = before.copy()
    after[10:30, 30:40] = False               # GrabCut, redone, drops the slab the click landed on ...
    after[5:12, 5:15] = False                 # ... and, settling anew, a corner of the product far from it
    clicked = np.zeros_like(before)
    clicked[18:22, 34:38] = True
    corrected = near_clicks(before, after, ClickRegions(np.zeros_like(before), clicked))
    assert not corrected[10:30, 30:40].any()  # the slab is gone
    assert corrected[5:12, 5:15].all()        # the far corner stays as it was


def _two_darks_without_an_edge(left: tuple[int, int, int], right: tuple[int, int, int], ramp: int) -> np.ndarray:
    """A 120x200 photo: ``left`` colour, a linear ramp of ``ramp`` pixels, ``right`` colour."""
    share = np.clip((np.arange(200) - 100 + ramp / 2) / ramp, 0, 1)[None, :, None]
    row = (1 - share) * np.array(left, np.float64) + share * np.array(right, np.float64)
    return np.round(np.repeat(row, 120, axis=0)).astype(np.uint8)


def test_a_click_on_a_near_black_backdrop_stops_where_the_tint_changes_though_no_edge_is_there():
    # a black-brown backdrop runs without an edge into a black lever: a few Lab units of a and b apart,
    # as much as a clear change of hue is on a colour this dark
    photo = _two_darks_without_an_edge((22, 5, 0), (15, 7, 3), ramp=24)
    regions = regions_of_photo(photo, CutoutPrompt(exclude=((40, 60),)))
    assert regions.exclude[:, :60].mean() > 0.9, "the backdrop is the click's region"
    assert not regions.exclude[:, 130:].any(), "the lever is not"


def test_a_click_on_a_soft_outline_counts_for_its_disc_not_for_a_region_grown_from_its_mixed_colour():
    # a black lever's soft edge (an 8-px ramp) into a dark brown boot: the edge's colour is the boot's
    photo = _two_darks_without_an_edge((8, 8, 8), (45, 22, 10), ramp=8)
    regions = regions_of_photo(photo, CutoutPrompt(include=((102, 60),)))
    disc = np.pi * (FLOOR_RADIUS * 200 + 1) ** 2
    assert regions.include[60, 102] and regions.include.sum() <= disc, "the click does not grow into the boot"



def test_a_click_on_a_crisp_outline_says_little_about_the_other_side():
    # a dark lamp shade on a light wall; a Product click lands on the shade's antialiased edge, as a
    # click meant for a sliver along the outline does: the wall beyond the edge stays the wall
    photo = np.full((480, 800, 3), 205, np.uint8)
    photo[:, 401:] = 25
    photo[:, 400] = 115  # the edge pixel, half and half
    regions = regions_of_photo(photo, CutoutPrompt(box=(200, 40, 760, 440), include=((400, 240),)))
    assert regions.include[240, 400], "the pixel under the click is product"
    assert regions.include[:, :400].sum() <= 5 * 5, "no disc of wall came along (FLOOR_RADIUS would be 12 px)"


def test_a_not_product_click_on_a_black_floor_does_not_run_into_a_black_wheel_standing_on_it():
    # a bike in a dark studio: the floor's shadow and the tyre are both near black, joined where the
    # tyre stands, with no edge between them; the click means the floor, not the wheel
    photo = np.full((400, 600, 3), 50, np.uint8)
    photo[376:386, 60:540] = 8  # the shadow on the floor under the bike
    y, x = np.mgrid[0:400, 0:600]
    ring = (np.hypot(x - 250, y - 240) > 100) & (np.hypot(x - 250, y - 240) < 135)
    photo[ring] = 30  # the tyre and a deep rim, a few units of lightness above the shadow
    photo = cv2.GaussianBlur(photo, (0, 0), 3)
    regions = regions_of_photo(photo, CutoutPrompt(box=(100, 90, 400, 395), exclude=((500, 381),)))
    assert regions.exclude[380, 500], "the floor under the click is backdrop"
    assert regions.exclude[ring].mean() < 0.05, "the wheel is not"
