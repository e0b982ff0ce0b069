"""What a click means: the region it lands on, not a dot.

A *Product* or *Not product* click stands for what is connected to it through similar colour
with no edge in between: the slab of wall between a lamp's arm and its shade, the lamp's base,
one bag of a pair. The region is grown from the click by flood fill on a lightly smoothed Lab
copy: a step between neighbours must be small (no edge) and every pixel must stay close to the
colour under the click (no slow drift across a gradient into something else). A product click
with a box stays inside the box, since the box already says where the product ends. Whatever the
colours, a click counts for at least a small disc around it, up to the nearest outline.

The cut-out makes each region surely product or surely backdrop before it runs (GrabCut's hard
constraints) and again after (the mask and its matte), so a click is obeyed, always.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from stylelab.product.prompts import CutoutPrompt

REGION_PIXELS = 0.25e6  # regions are grown on a copy of about this many pixels
SEED_TOLERANCE = 10.0  # Lab units a region's pixel may differ from the colour under the click
STEP_TOLERANCE = (4, 3, 3)  # 8-bit Lab units a step between neighbours may take (L, a, b)
SEED_WINDOW = 2  # the colour under the click is the median of a (2n+1)^2 window: a click lands on noise
EDGE = 3.0  # Lab units per pixel: a steeper change is an edge the region does not cross, however soft
# a click says at least this much (share of the longer side, a disc) up to an outline: on texture or a
# shaded surface colour grows no region, and a click that meant a dot must not mean nothing
FLOOR_RADIUS = 0.015
OUTLINE = (100, 200)  # Canny's thresholds on 8-bit Lab: thin lines along outlines (a spoke against the wall),
# not the broad slope of a shaded surface nor crumbs or plaster
# Lab's a and b shrink with lightness: the same change of hue or saturation is a few units on a near-black
# colour (a black lever beside a black-brown backdrop) and tens on a bright one. Below this lightness the
# tolerance on a and b shrinks in proportion, down to DARK_FLOOR of it (noise and 8-bit steps stay below that)
DARK_LIGHTNESS = 25.0
DARK_FLOOR = 0.3
MIXED_WINDOW = 3  # a click whose (2n+1)^2 window spreads wider than SEED_TOLERANCE lands on an edge or a mixed pixel
# what such a click says at the least: its disc would reach across the outline it lies on, into the other side
MIXED_RADIUS = 0.004
# a not-product region that halving the tolerances shrinks by more than this has leaked through a weak link
LEAK = 4.0


@dataclass(frozen=True)
class ClickRegions:
    include: np.ndarray  # bool: surely product
    exclude: np.ndarray  # bool: surely backdrop

    @property
    def any(self) -> bool:
        return bool(self.include.any() or self.exclude.any())

    def resized(self, shape: tuple[int, int]) -> ClickRegions:
        """The regions on an image of ``shape`` (height, width): smooth outlines, not blocks."""
        return ClickRegions(_resized(self.include, shape), _resized(self.exclude, shape))

    def cropped(self, box: tuple[int, int, int, int]) -> ClickRegions:
        x0, y0, x1, y1 = box
        return ClickRegions(self.include[y0:y1, x0:x1], self.exclude[y0:y1, x0:x1])


def click_regions(rgb: np.ndarray, prompt: CutoutPrompt) -> ClickRegions:
    """The regions of a prompt's clicks on a uint8 RGB image (clicks in its pixels). Where a product
    and a not-product region overlap, the later kind wins: not product (a correction of a correction
    is rare; a product region that leaks into the backdrop is what a not-product click is for)."""
    shape = rgb.shape[:2]
    include, exclude = np.zeros(shape, bool), np.zeros(shape, bool)
    if not prompt.include and not prompt.exclude:
        return ClickRegions(include, exclude)
    smooth = cv2.GaussianBlur(rgb, (0, 0), 0.8)
    lab = cv2.cvtColor(smooth, cv2.COLOR_RGB2Lab)
    fine = cv2.cvtColor(smooth.astype(np.float32) / 255, cv2.COLOR_RGB2Lab)  # dark colours need more than 8 bits
    edges = edge_map(lab)
    outlines = cv2.Canny(lab, *OUTLINE, L2gradient=True) > 0
    within = None
    if prompt.box is not None:
        x0, y0, x1, y1 = (round(v) for v in prompt.box)
        within = np.zeros(shape, bool)
        within[max(0, y0):y1, max(0, x0):x1] = True
    for point in prompt.include:
        if _on_mixed_pixel(fine, point):
            include |= _floor(point, outlines, within, _mixed_radius(point, outlines))
        else:
            include |= _product_region(lab, point, edges, within, fine) | _floor(point, outlines, within)
    for point in prompt.exclude:
        if _on_mixed_pixel(fine, point):
            exclude |= _floor(point, outlines, radius=_mixed_radius(point, outlines))
        else:
            exclude |= _backdrop_region(lab, point, edges, fine) | _floor(point, outlines)
    for point in prompt.include:  # the pixel under a product click is product, whatever else was said
        exclude[_pixel_window(point, shape)] = False
    return ClickRegions(include & ~exclude, exclude)


def regions_of_photo(rgb: np.ndarray, prompt: CutoutPrompt) -> ClickRegions:
    """The click regions of a full-size photo (a prompt in its pixels), grown on a copy of about
    REGION_PIXELS and carried back to the photo's size: what the cut-out obeys."""
    height, width = rgb.shape[:2]
    scale = min(1.0, float(np.sqrt(REGION_PIXELS / (height * width))))
    if scale >= 1.0:
        return click_regions(rgb, prompt)
    small = cv2.resize(rgb, (max(8, round(width * scale)), max(8, round(height * scale))), interpolation=cv2.INTER_AREA)
    found = click_regions(small, prompt.scaled(small.shape[1] / width))
    full = found.resized((height, width))
    # the pixel under each click is always on its side, even where the region is thinner than a pixel of the copy
    include, exclude = full.include.copy(), full.exclude.copy()
    for point in prompt.exclude:
        exclude[_pixel_window(point, (height, width), 0)] = True
        include[_pixel_window(point, (height, width), 0)] = False
    for point in prompt.include:
        include[_pixel_window(point, (height, width), 0)] = True
        exclude[_pixel_window(point, (height, width), 0)] = False
    return ClickRegions(include, exclude)


def edge_map(lab: np.ndarray) -> np.ndarray:
    """Bool map of the pixels on an edge of an 8-bit Lab image: colour changing faster than EDGE a pixel."""
    scaled = lab.astype(np.float32) * np.array([100 / 255, 1.0, 1.0], np.float32)  # 8-bit L runs 0..255
    slope = sum(cv2.Sobel(scaled[..., c], cv2.CV_32F, 1, 0, scale=0.125) ** 2
                + cv2.Sobel(scaled[..., c], cv2.CV_32F, 0, 1, scale=0.125) ** 2 for c in range(3))
    return np.sqrt(slope) > EDGE


def _floor(point: tuple[float, float], outlines: np.ndarray, within: np.ndarray | None = None,
           radius: float = FLOOR_RADIUS) -> np.ndarray:
    """The disc of ``radius`` (a share of the longer side) around a click, as far as it reaches from the
    click without crossing one of the ``outlines`` (inside ``within`` when given): what a click says at
    the least."""
    height, width = outlines.shape
    y, x = _pixel(point, (height, width))
    pixels = max(2, round(radius * max(height, width)))
    blocked = np.ones((height + 2, width + 2), np.uint8)
    cv2.circle(blocked, (x + 1, y + 1), pixels, 0, -1)
    blocked[1:-1, 1:-1] |= outlines if within is None else outlines | ~within
    blocked[y + 1, x + 1] = 0
    flags = 4 | cv2.FLOODFILL_MASK_ONLY | (255 << 8)  # 4-connected: a thin 8-connected outline stops it
    cv2.floodFill(np.zeros((height, width), np.uint8), blocked, (x, y), 0, 0, 0, flags)
    return blocked[1:-1, 1:-1] == 255


def _mixed_radius(point: tuple[float, float], outlines: np.ndarray) -> float:
    """How far a click on a mixed pixel reaches: on one of the ``outlines`` (a lamp shade's crisp edge on a
    wall) a disc would cross into the other side, so only MIXED_RADIUS; on texture or a soft blur (a lever's
    blurred edge), FLOOR_RADIUS. A fainter outline (a pale gold ring's inner edge on a grey wall) passes for
    texture: telling those apart by the colours in the click's window cost more clicks than it mended."""
    return MIXED_RADIUS if outlines[_pixel_window(point, outlines.shape, 1)].any() else FLOOR_RADIUS


def _on_mixed_pixel(fine: np.ndarray, point: tuple[float, float]) -> bool:
    """Whether a click lands on an edge or a mixed pixel (a soft outline, half product and half backdrop):
    its small window spreads wider than a region may. Its colour is then neither side's, and a region grown
    from it runs into whichever side shares it (a black lever's soft edge has a brown boot's colour)."""
    window = fine[_pixel_window(point, fine.shape[:2], MIXED_WINDOW)].reshape(-1, 3)
    seed = np.median(window, axis=0)
    return float(np.percentile(_distance(window, seed), 90)) > SEED_TOLERANCE


def _distance(fine: np.ndarray, seed: np.ndarray) -> np.ndarray:
    """Lab distance (float Lab) to the colour ``seed``, with the a and b tolerance relative on dark colours."""
    relative = float(np.clip(seed[0] / DARK_LIGHTNESS, DARK_FLOOR, 1.0))
    difference = fine - seed
    return np.sqrt(difference[..., 0] ** 2 + (np.hypot(difference[..., 1], difference[..., 2]) / relative) ** 2)


def _fine_of(lab: np.ndarray) -> np.ndarray:
    """Float Lab (L 0..100, a and b around 0) from 8-bit Lab."""
    return lab.astype(np.float32) * np.array([100 / 255, 1, 1], np.float32) - np.array([0, 128, 128], np.float32)


def _product_region(lab: np.ndarray, point: tuple[float, float], edges: np.ndarray, within: np.ndarray | None,
                    fine: np.ndarray | None = None) -> np.ndarray:
    """A product click's region. Where a product part is coloured like the backdrop beside it, the
    region can slip out into the backdrop; with a box, it then runs along the box's edge, which the
    product only touches. Then it is grown again, stricter, down to the part under the click."""
    if within is None:
        return grown_region(lab, point, edges, fine=fine)
    rim = within & ~cv2.erode(within.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
    return _stricter_while(lab, point, edges, within, fine,
                           lambda region, _: (region & rim).sum() > 0.1 * rim.sum())


def _backdrop_region(lab: np.ndarray, point: tuple[float, float], edges: np.ndarray, fine: np.ndarray) -> np.ndarray:
    """A not-product click's region; where half the tolerances give a far smaller one, the region leaked
    through a weak link (a near-black floor into the near-black tyres and rims of a bike) and the smaller
    one is what the click meant."""
    return _stricter_while(lab, point, edges, None, fine, lambda region, stricter: region.sum() > LEAK * stricter.sum())


def _stricter_while(lab: np.ndarray, point: tuple[float, float], edges: np.ndarray, within: np.ndarray | None,
                    fine: np.ndarray | None, leaked: Callable[[np.ndarray, np.ndarray], bool]) -> np.ndarray:
    """The region grown from the click, grown again at half and a quarter of the tolerances for as long
    as ``leaked(region, stricter)`` says the looser one ran out of what the click landed on."""
    region = grown_region(lab, point, edges, within, fine=fine)
    for strictness in (0.5, 0.25):
        stricter = grown_region(lab, point, edges, within, strictness, fine)
        if not leaked(region, stricter):
            break
        region = stricter
    return region


def grown_region(lab: np.ndarray, point: tuple[float, float], edges: np.ndarray | None = None,
                 within: np.ndarray | None = None, strictness: float = 1.0, fine: np.ndarray | None = None
                 ) -> np.ndarray:
    """Bool map of the pixels connected to ``point`` (x, y) through small steps of colour and no
    ``edges``, each within SEED_TOLERANCE of the colour under it (both tolerances times
    ``strictness``; on a dark colour, relative in a and b); inside ``within`` when given. ``fine``
    is the same image in float Lab where the caller has it (8 bits are coarse on dark colours)."""
    height, width = lab.shape[:2]
    y, x = _pixel(point, (height, width))
    fine = _fine_of(lab) if fine is None else fine
    seed = np.median(fine[_pixel_window(point, (height, width))].reshape(-1, 3), axis=0)
    far = _distance(fine, seed) > SEED_TOLERANCE * strictness
    if edges is not None:
        far |= edges
    if within is not None:
        far |= ~within
    far[y, x] = False
    blocked = np.zeros((height + 2, width + 2), np.uint8)
    blocked[1:-1, 1:-1] = far
    flags = 4 | cv2.FLOODFILL_MASK_ONLY | (255 << 8)
    step = tuple(max(1, round(v * strictness)) for v in STEP_TOLERANCE)
    cv2.floodFill(lab, blocked, (x, y), 0, step, step, flags)
    return blocked[1:-1, 1:-1] == 255


def _resized(region: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    if region.shape == shape:
        return region
    smooth = cv2.resize(region.astype(np.float32), shape[::-1], interpolation=cv2.INTER_LINEAR)
    return smooth >= 0.5


def _pixel(point: tuple[float, float], shape: tuple[int, int]) -> tuple[int, int]:
    return min(max(int(point[1]), 0), shape[0] - 1), min(max(int(point[0]), 0), shape[1] - 1)


def _pixel_window(point: tuple[float, float], shape: tuple[int, int], half: int = SEED_WINDOW
                  ) -> tuple[slice, slice]:
    y, x = _pixel(point, shape)
    return slice(max(0, y - half), y + half + 1), slice(max(0, x - half), x + half + 1)
