"""Cut-outs of open and thin products (tests/product/open_products.py draws them with a known alpha):
the backdrop seen through them is backdrop, thin parts stay, every click is obeyed with its whole
region, and the confidence of a box cut-out is measured, not assumed."""
from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image
from scipy import ndimage

from stylelab.product.backdrop import lab_of, seen_through
from stylelab.product.confidence import prompt_confidence
from stylelab.product.cutout import LOW_CONFIDENCE, PREVIEW, cutout
from stylelab.product.prompts import CutoutPrompt
from stylelab.product.regions import grown_region, regions_of_photo
from tests.product.open_products import open_case

SIZE = (320, 240)


def alpha_of(result) -> np.ndarray:
    return np.asarray(result.mask, dtype=np.float64) / 255.0


def iou(alpha: np.ndarray, truth: np.ndarray) -> float:
    a, b = alpha >= 0.5, truth >= 0.5
    return float((a & b).sum() / (a | b).sum())


def slab(case) -> np.ndarray:
    """The backdrop seen through the product around ``case.hole``: what the truth leaves open there."""
    labels, _ = ndimage.label(case.alpha < 0.02)
    return labels == labels[int(case.hole[1]), int(case.hole[0])]


@pytest.mark.parametrize("product, backdrop", [("lamp", "plain"), ("chair", "graded"), ("wheel", "textured")])
def test_a_box_around_an_open_product_leaves_the_backdrop_seen_through_it_out_and_keeps_its_thin_parts(
        product, backdrop):
    case = open_case(product, backdrop, SIZE)
    result = cutout(case.image, CutoutPrompt(box=case.box))
    alpha = alpha_of(result)
    assert iou(alpha, case.alpha) > 0.9
    assert alpha[slab(case)].mean() < 0.1, "the wall between the parts is not product"
    thin = case.alpha >= 0.9
    assert (alpha[thin] >= 0.5).mean() > 0.95, "arms, slats and spokes stay whole"
    assert not result.low_confidence, f"a right cut-out says so ({result.confidence:.0%})"


def test_a_box_cut_out_that_keeps_a_slab_of_the_wall_says_it_is_unsure():
    # the lamp: the box's cut-out kept the wall between arm and shade and claimed 100 %
    case = open_case("lamp", "plain", SIZE)
    lab = lab_of(np.asarray(case.image))
    through = seen_through(lab, case.box).region
    right = case.alpha >= 0.5
    with_slab = right | slab(case)
    assert prompt_confidence(lab, right, case.box, through) >= LOW_CONFIDENCE
    assert prompt_confidence(lab, with_slab, case.box, through) < LOW_CONFIDENCE


def test_an_unsure_box_cut_out_asks_for_a_click():
    noise = np.random.default_rng(3).integers(0, 256, (160, 200, 3), dtype=np.uint8)
    result = cutout(Image.fromarray(noise), CutoutPrompt(box=(40, 30, 150, 120)))
    assert result.source == "box" and result.low_confidence
    assert "unsure" in result.note and "Not product" in result.note


def test_a_click_region_is_what_is_connected_to_it_through_similar_colour_and_stops_at_thin_parts():
    case = open_case("lamp", "plain", SIZE)
    lab = cv2.cvtColor(np.asarray(case.image), cv2.COLOR_RGB2Lab)
    region = grown_region(lab, case.hole)
    assert not (region & (case.alpha >= 0.5)).any(), "the region does not cross the lamp's arm"
    assert region[slab(case)].mean() > 0.9, "it is the slab of wall, not a dot"


@pytest.mark.parametrize("with_box", [True, False], ids=["box", "clicks alone"])
@pytest.mark.parametrize("says_product", [True, False], ids=["product", "not product"])
def test_every_click_and_its_region_end_on_the_side_the_click_says(with_box, says_product):
    # clicks that contradict the picture are obeyed too: the user knows the product
    case = open_case("lamp", "graded", SIZE)
    base = (0.4 * SIZE[0], 0.89 * SIZE[1])  # on the lamp's base
    point = case.hole if says_product else base
    prompt = CutoutPrompt(box=case.box if with_box else None, include=(point,) if says_product else (),
                          exclude=() if says_product else (point,))
    regions = regions_of_photo(np.asarray(case.image), prompt)
    region = regions.include if says_product else regions.exclude
    assert region[int(point[1]), int(point[0])] and region.sum() > 100, "a region, not a dot"
    for quality in (None, PREVIEW):
        alpha = alpha_of(cutout(case.image, prompt) if quality is None else cutout(case.image, prompt, quality))
        assert np.all((alpha[region] >= 0.5) == says_product)


def test_a_not_product_click_in_the_slab_and_a_product_click_on_the_base_fix_a_box_cut_out():
    # the correction, which used to change nothing: both clicks count, the rest stays right
    case = open_case("lamp", "textured", SIZE)
    base = (0.4 * SIZE[0], 0.89 * SIZE[1])
    alpha = alpha_of(cutout(case.image, CutoutPrompt(box=case.box, include=(base,), exclude=(case.hole,))))
    assert alpha[slab(case)].mean() < 0.05
    assert iou(alpha, case.alpha) > 0.9
