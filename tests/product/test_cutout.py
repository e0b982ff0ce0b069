"""Cut-outs on synthetic photos whose alpha is known: trimap, matting, decontamination,
the automatic proposal, and prompts."""
from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image

from stylelab.errors import StyleLabError
from stylelab.product.boundary import backdrop_probability
from stylelab.product.cutout import LOW_CONFIDENCE, PREVIEW, cutout
from stylelab.product.defocus import out_of_focus
from stylelab.product.grabcut import boxed_again
from stylelab.product.matting import decontaminate, matte, trimap_from_mask
from stylelab.product.prompts import CutoutPrompt, make_prompt
from stylelab.product.proposal import propose
from tests.conftest import (make_cutout, make_lifestyle_photo, make_photo_with_blurred_figure,
                            make_photo_with_figure_cut_by_frame, sample_picture)


def iou(alpha: np.ndarray, truth: np.ndarray) -> float:
    a, b = alpha >= 0.5, truth >= 0.5
    return float((a & b).sum() / (a | b).sum())


def alpha_of(image: Image.Image) -> np.ndarray:
    return np.asarray(image, dtype=np.float64) / 255.0


def soft_disk(size: int = 160, radius: float = 50, ramp: float = 6.0) -> np.ndarray:
    y, x = np.mgrid[0:size, 0:size]
    distance = np.hypot(x - size / 2, y - size / 2)
    return np.clip((radius + ramp / 2 - distance) / ramp, 0, 1)


def test_the_trimap_marks_a_band_of_the_asked_width_around_the_edge():
    mask = soft_disk(ramp=0.01) >= 0.5
    trimap = trimap_from_mask(mask, band=5)
    assert set(np.unique(trimap)) == {0.0, 0.5, 1.0}
    assert trimap[80, 80] == 1 and trimap[0, 0] == 0
    row = trimap[80]  # across the edge on the right: 5 px either side are unknown
    unknown = np.flatnonzero(row == 0.5)
    unknown = unknown[unknown > 80]
    assert 9 <= len(unknown) <= 12 and abs(unknown.mean() - 130) <= 1.5


def test_the_trimap_knows_the_gaps_between_spokes_but_leaves_a_notch_in_a_solid_part_to_the_matting():
    mask = np.zeros((200, 200), np.uint8)
    cv2.circle(mask, (100, 100), 90, 1, 3)  # a wheel: rim and spokes 3 px wide, gaps narrowing to the hub
    for angle in np.linspace(0, np.pi, 6, endpoint=False):
        dx, dy = 90 * np.cos(angle), 90 * np.sin(angle)
        cv2.line(mask, (round(100 - dx), round(100 - dy)), (round(100 + dx), round(100 + dy)), 1, 3)
    trimap = trimap_from_mask(mask, band=8)
    near_hub = (mask == 0) & (np.hypot(*np.mgrid[-100:100, -100:100]) < 50)  # gaps narrower than the band's 16 px
    assert (trimap[near_hub] == 0).mean() > 0.25, "the middle of each gap between spokes is surely backdrop"
    assert (trimap[mask > 0] == 1).mean() > 0.3, "so is the middle of each spoke surely product"
    solid = np.zeros((200, 200), np.uint8)
    cv2.circle(solid, (100, 100), 80, 1, -1)
    solid[95:105, 20:100] = 0  # a notch 10 px wide into a solid disc: as likely the mask's own mistake
    notch = trimap_from_mask(solid, band=8)[97:103, 40:90]
    assert (notch == 0.5).all(), "the notch is left for the matting to decide"


def test_matting_recovers_a_soft_edge_that_a_hard_mask_cuts():
    truth = soft_disk()
    rng = np.random.default_rng(0)
    foreground = np.array([0.85, 0.2, 0.15]) + rng.normal(0, 0.02, (160, 160, 3))
    background = np.array([0.1, 0.6, 0.3]) + rng.normal(0, 0.02, (160, 160, 3))
    image = np.clip(truth[..., None] * foreground + (1 - truth[..., None]) * background, 0, 1)
    trimap = trimap_from_mask(truth >= 0.5, band=6)
    alpha, _, _ = matte(image, trimap)
    band = trimap == 0.5
    hard_error = np.abs((truth >= 0.5) - truth)[band].mean()
    assert np.abs(alpha - truth)[band].mean() < 0.35 * hard_error
    assert np.array_equal(alpha[~band], trimap[~band]), "outside the band alpha is the trimap"


def test_decontamination_takes_the_old_backdrop_out_of_the_edge():
    truth = soft_disk()
    red, green = np.array([0.9, 0.15, 0.1]), np.array([0.1, 0.8, 0.2])
    image = truth[..., None] * red + (1 - truth[..., None]) * green
    trimap = trimap_from_mask(truth >= 0.5, band=6)
    alpha, foreground, background = matte(image, trimap)
    clean = decontaminate(image, alpha, background, foreground)
    edge = (truth > 0.2) & (truth < 0.95)
    assert np.abs(image[edge] - red).mean() > 0.15, "the photo's edge pixels are mixed with green"
    assert np.abs(clean[edge] - red).mean() < 0.05, "the cut-out's edge pixels are the product's red"
    opaque = alpha >= 0.999
    assert np.array_equal(clean[opaque], image[opaque]), "fully opaque pixels stay the photo's own"


@pytest.mark.parametrize("seed", [0, 2])
def test_the_proposal_finds_a_sharp_product_in_front_of_a_blurred_scene(seed):
    photo, truth = make_lifestyle_photo(seed, (320, 240))
    proposal = propose(np.asarray(photo))
    x0, y0, x1, y1 = proposal.box
    ys, xs = np.nonzero(truth >= 0.5)
    inter = max(0, min(x1, xs.max()) - max(x0, xs.min())) * max(0, min(y1, ys.max()) - max(y0, ys.min()))
    union = (x1 - x0) * (y1 - y0) + (np.ptp(xs) * np.ptp(ys)) - inter
    assert inter / union > 0.6
    assert iou(proposal.region.astype(float), truth) > 0.6


@pytest.mark.parametrize("seed", [0, 2])
def test_an_automatic_cut_out_of_a_lifestyle_photo_is_right_and_confident(seed):
    photo, truth = make_lifestyle_photo(seed)
    result = cutout(photo)
    assert result.source == "automatic" and result.rgba.size == photo.size and result.rgba.mode == "RGBA"
    assert iou(alpha_of(result.mask), truth) > 0.95
    assert result.confidence >= LOW_CONFIDENCE and not result.low_confidence


def grey_of(photo: Image.Image) -> np.ndarray:
    return np.asarray(photo.convert("L"))


def test_focus_tells_a_blurred_figure_from_the_sharp_product_in_front_of_it():
    photo, product, figure = make_photo_with_blurred_figure()
    blurred = out_of_focus(grey_of(photo))
    assert blurred is not None
    assert blurred[figure].mean() > 0.6, "most of the figure behind is out of focus"
    assert blurred[product].mean() < 0.05, "almost none of the product is"


def test_focus_says_nothing_about_a_photo_that_is_sharp_throughout():
    photo, _ = make_lifestyle_photo(0, (320, 240), blurred=False)
    assert out_of_focus(grey_of(photo)) is None


def test_an_automatic_cut_out_leaves_out_a_blurred_figure_as_striking_as_the_product():
    photo, product, _ = make_photo_with_blurred_figure()
    result = cutout(photo)
    assert iou(alpha_of(result.mask), product.astype(float)) > 0.95


def test_an_automatic_cut_out_does_not_confidently_keep_a_figure_the_frame_cuts():
    # the product stands whole in the photo; the sharp figure behind it runs off the bottom edge
    photo, _, figure = make_photo_with_figure_cut_by_frame()
    result = cutout(photo)
    kept = alpha_of(result.mask)[figure].mean()
    # the figure reaches the border, so the box step takes it as scene (GrabCut's colours alone kept 40 %)
    assert kept < 0.3, f"most of the figure is left out (kept {kept:.0%})"
    assert result.low_confidence, "what is left of it makes the cut-out ask for a box"


def test_a_photo_with_no_product_gets_a_low_confidence_and_says_to_draw_a_box():
    noise = np.random.default_rng(1).integers(0, 256, (240, 320, 3), dtype=np.uint8)
    result = cutout(Image.fromarray(noise))
    assert result.low_confidence
    assert "drag a box" in result.note


def test_a_box_cuts_out_the_product_with_a_soft_matted_edge():
    photo, truth = make_lifestyle_photo(1, blurred=False)
    ys, xs = np.nonzero(truth >= 0.5)
    box = (xs.min() - 8, ys.min() - 8, xs.max() + 8, ys.max() + 8)
    result = cutout(photo, CutoutPrompt(box=box))
    alpha = alpha_of(result.mask)
    assert result.source == "box" and not result.low_confidence, "a right box cut-out is confident (measured)"
    assert iou(alpha, truth) > 0.97
    assert ((alpha > 0.05) & (alpha < 0.95)).any(), "the edge is soft, not a staircase"
    edge = (truth > 0.02) & (truth < 0.98)
    assert np.abs(alpha - truth)[edge].mean() < 0.3


def test_clicks_correct_the_box():
    """A second object inside the box: a "not product" click on it drops it, a "product" click keeps it."""
    photo, truth = make_lifestyle_photo(0)
    array = np.asarray(photo).copy()
    array[150:260, 330:420] = (40, 90, 200)  # a blue block beside the product
    photo = Image.fromarray(array)
    ys, xs = np.nonzero(truth >= 0.5)
    box = (xs.min() - 10, ys.min() - 10, 440, ys.max() + 10)
    both = alpha_of(cutout(photo, CutoutPrompt(box=box)).mask)
    assert both[200, 375] > 0.5, "without a click the block is cut out with the product"
    corrected = alpha_of(cutout(photo, CutoutPrompt(box=box, exclude=((375.0, 200.0),))).mask)
    assert corrected[150:260, 330:420].mean() < 0.05
    assert iou(corrected, truth) > 0.95


def test_a_big_photo_is_cut_at_full_resolution():
    photo, truth = make_lifestyle_photo(2, (1600, 1000))
    ys, xs = np.nonzero(truth >= 0.5)
    result = cutout(photo, CutoutPrompt(box=(xs.min() - 20, ys.min() - 20, xs.max() + 20, ys.max() + 20)))
    assert result.rgba.size == (1600, 1000)
    assert iou(alpha_of(result.mask), truth) > 0.97
    inside = truth >= 1.0
    opaque = np.asarray(result.mask) == 255
    rgb = np.asarray(result.rgba)[..., :3]
    assert np.array_equal(rgb[inside & opaque], np.asarray(photo)[inside & opaque]), "product pixels untouched"


def test_the_preview_is_a_quick_feathered_mask_of_the_same_product():
    photo, truth = make_lifestyle_photo(0)
    assert iou(alpha_of(cutout(photo, quality=PREVIEW).mask), truth) > 0.9


def test_an_existing_alpha_is_kept_exactly():
    rgba = make_cutout()
    result = cutout(rgba, CutoutPrompt(box=(0, 0, 50, 50)))
    assert result.source == "alpha"
    assert np.array_equal(np.asarray(result.mask), np.asarray(rgba.getchannel("A")))


@pytest.mark.parametrize("box, include, message", [
    ("1,2,3", None, "A box is 4 numbers"),
    ("a,b,c,d", None, "A box is 4 numbers"),
    ("500,500,900,900", None, "The box must cover part of the 320x240 photo"),
    (None, ["400,10"], "outside the 320x240 photo"),
    (None, ["12"], "A click is 2 numbers"),
])
def test_bad_prompts_get_a_sentence(box, include, message):
    photo = sample_picture("coffee", (320, 240))
    with pytest.raises(StyleLabError, match=message):
        cutout(photo, make_prompt(box, include))


def test_prompts_parse_plain_values():
    prompt = make_prompt("30, 40, 10, 20", "5,6; 7,8", [(1, 2)])
    assert prompt.box == (30, 40, 10, 20) and prompt.include == ((5, 6), (7, 8)) and prompt.exclude == ((1, 2),)
    assert prompt.checked((100, 100)).box == (10, 20, 30, 40), "corners in any order"
    assert make_prompt(None, None, "") is None and make_prompt("", "", None) is None


def test_grabcut_in_the_masks_own_box_recovers_the_part_coloured_unlike_the_rest():
    # GrabCut from a proposal kept a can's red top and foot and lost its white label in between;
    # run again in the box they span, with only the outside as backdrop, it keeps the label too
    height, width = 240, 320
    scene = np.asarray(sample_picture("brick", (width, height)).convert("RGB"), dtype=np.float64) / 255.0
    image = scene * np.array([0.9, 0.75, 0.6]) + 0.1
    can = np.zeros((height, width), bool)
    can[50:210, 120:200] = True
    label = np.zeros_like(can)
    label[100:180, 120:200] = True
    image[can] = (0.8, 0.1, 0.1)
    image[label] = 0.9
    image[label & (np.arange(height)[:, None] % 12 < 3)] = 0.15
    rgb = (image * 255).round().astype(np.uint8)
    found = boxed_again(rgb, can & ~label, None, 2)
    assert found[label].mean() > 0.9, "the label is kept"
    assert iou(found.astype(float), can.astype(float)) > 0.9


def test_what_runs_off_the_frame_is_scene_and_what_stands_whole_is_not_even_in_the_same_colour():
    # a blue sofa running off the bottom edge and a blue product standing whole on a light wall:
    # colour cannot tell them apart, connection to the border can
    height, width = 240, 320
    y, x = np.mgrid[0:height, 0:width]
    image = np.full((height, width, 3), (225, 218, 205), np.uint8)
    sofa = ((x - 250) / 110) ** 2 + ((y - 250) / 90) ** 2 <= 1
    product = ((x - 100) / 40) ** 2 + ((y - 110) / 60) ** 2 <= 1
    image[sofa | product] = (40, 60, 150)
    probability = backdrop_probability(image)
    assert probability.shape == (height, width)
    assert np.median(probability[sofa]) > 0.95, "the sofa is scene"
    assert np.median(probability[product]) < 0.2, "the product is not"
    assert np.median(probability[~sofa & ~product]) > 0.95, "nor is the wall"
