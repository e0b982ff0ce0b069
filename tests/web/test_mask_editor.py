"""The brush editor's strokes are corrections to the mask it shows."""
from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from stylelab.web.mask_editor import ADD, REMOVE, editor_value, mask_from_editor_value
from tests.conftest import sample_picture


def _shown_mask(size: tuple[int, int]) -> Image.Image:
    mask = Image.new("L", size, 0)
    ImageDraw.Draw(mask).rectangle((60, 40, 180, 140), fill=255)
    return mask


def _strokes(size: tuple[int, int], *lines: tuple[str, tuple[int, int, int, int]]) -> Image.Image:
    layer = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    for colour, box in lines:
        draw.line(box, fill=colour, width=9)
    return layer


def test_the_editor_tints_what_the_mask_removes_and_starts_with_no_strokes():
    photo = sample_picture("coffee", (240, 180))
    value = editor_value(photo, _shown_mask(photo.size))
    shown = np.asarray(value["background"], dtype=float)
    original = np.asarray(photo, dtype=float)
    assert value["layers"] == []
    assert np.abs(shown[10, 10] - original[10, 10]).sum() > 60, "outside the mask: tinted"
    assert np.abs(shown[100, 120] - original[100, 120]).sum() == 0, "the product: the photo as it is"


def test_green_strokes_add_to_the_shown_mask_and_pink_ones_take_away():
    size = (240, 180)
    layer = _strokes(size, (ADD, (200, 20, 230, 20)), (REMOVE, (60, 90, 180, 90)))
    mask = np.asarray(mask_from_editor_value({"layers": [layer]}, _shown_mask(size))) > 0
    assert mask[20, 215], "the green stroke outside the product is now product"
    assert not mask[90, 120], "the pink stroke across the product is not"
    assert mask[60, 120] and mask[120, 120], "the rest of the shown mask stays"
    assert not mask[160, 20], "and the rest of the backdrop too"


def test_an_editor_with_no_strokes_gives_no_mask():
    size = (240, 180)
    assert mask_from_editor_value({"layers": [Image.new("RGBA", size)]}, _shown_mask(size)) is None
    assert mask_from_editor_value(None) is None


def test_without_a_shown_mask_the_green_strokes_are_the_mask():
    # through the API the editor's value comes alone
    size = (240, 180)
    mask = np.asarray(mask_from_editor_value({"layers": [_strokes(size, (ADD, (20, 20, 100, 20)))]})) > 0
    assert mask[20, 60] and mask.mean() < 0.05
