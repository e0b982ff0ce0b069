"""Soft edges for a hard mask: a thin trimap band, closed-form alpha matting in it, and
colour decontamination, so hair-fine and blurred edges come out soft and rim-free.

pymatting (numba) is imported on first use: its JIT warms when the first cut-out is made,
not when the app starts. Matting runs only on tiles that hold part of the band, so its cost
follows the length of the product's outline, not the photo's area.
"""
from __future__ import annotations

import contextlib
import io
import os
from concurrent.futures import ThreadPoolExecutor

import cv2
import numpy as np
from scipy import ndimage

TILE = 128  # px of a matting tile (at matting resolution), plus MARGIN of context each side
MARGIN = 12
GAP_SHARE = 0.01  # a hole smaller than this share of the mask may be a speck of the mask's own


def trimap_from_mask(mask: np.ndarray, band: int) -> np.ndarray:
    """0 = surely backdrop, 1 = surely product, 0.5 = unknown: ``band`` px either side of the edge.

    A part thinner than the band (a lamp's arm, a spoke, a wire) keeps its middle half as surely
    product, and a gap that thin parts enclose (between a wheel's spokes) its middle half as surely
    backdrop: with no known pixel inside, matting would fade the part or fill the gap. Any other
    narrow gap stays unknown all across: it is as often the mask's own mistake (a notch by a car's
    mirror, a sliver along its silver side, holes in a white label) as backdrop, and matting decides
    it from the photo (marking every gap's middle as backdrop cost 0.003 box IoU on benchmarks/cutout.py)."""
    hard = (mask > 0.5).astype(np.uint8)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * band + 1, 2 * band + 1))
    depths = _depth(hard, band)  # the thin parts' width serves the product's sure middle and the gaps
    trimap = np.full(mask.shape, 0.5)
    trimap[_sure(hard, band, depths)] = 1.0
    gaps = _gaps_between_thin_parts(hard, (hard > 0) & (depths[1] < band))
    trimap[(cv2.dilate(hard, kernel) == 0) | _sure(gaps, band)] = 0.0
    return trimap


def _sure(region: np.ndarray, band: int, depths: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """Pixels of ``region`` deeper than ``band``, or than half the local thickness of a thinner part
    (``depths``: the region's ``_depth`` where the caller has it)."""
    depth, half_width = depths if depths is not None else _depth(region, band)
    return (region > 0) & (depth > np.minimum(band, 0.5 * half_width))


def _depth(region: np.ndarray, band: int) -> tuple[np.ndarray, np.ndarray]:
    """Each pixel's distance from the region's edge, and the deepest such distance within ``band``: half
    the width of the part it lies in, for parts thinner than twice the band."""
    depth = cv2.distanceTransform(region, cv2.DIST_L2, 3)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * band + 1, 2 * band + 1))
    return depth, cv2.dilate(depth, kernel)


def _gaps_between_thin_parts(hard: np.ndarray, thin: np.ndarray) -> np.ndarray:
    """The holes in the mask (uint8) that are enclosed mostly by ``thin`` parts (thinner than twice the
    band) and hold at least GAP_SHARE of the mask's area: the backdrop between spokes or slats, not a speck."""
    backdrop = 1 - hard
    labels, count = ndimage.label(backdrop)
    if count == 0:
        return np.zeros_like(hard)
    frame = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    # each product pixel next to a hole counts for it (for the larger label where two holes meet)
    rim = ndimage.grey_dilation(labels, size=(3, 3)) * hard
    index = np.arange(1, count + 1)
    rim_pixels = ndimage.sum(rim > 0, rim, index)
    thin_rim = ndimage.sum(thin, rim, index)
    area = ndimage.sum(backdrop, labels, index)
    enclosed = (thin_rim >= 0.5 * np.maximum(rim_pixels, 1)) & (area >= GAP_SHARE * hard.sum())
    return np.isin(labels, index[enclosed & ~np.isin(index, frame)]).astype(np.uint8)


def matte(image: np.ndarray, trimap: np.ndarray, fallback: np.ndarray | None = None
          ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Alpha, foreground and background colours of a float RGB image (0..1) within the trimap's
    unknown band (closed-form matting, then multilevel foreground estimation), tile by tile.

    Outside the band alpha is the trimap and both colours are the image itself. A tile with
    nothing known to learn from keeps the ``fallback`` alpha there (the mask's own edge; 0.5 without one).
    """
    from pymatting import estimate_alpha_cf, estimate_foreground_ml

    height, width = trimap.shape
    alpha = trimap.copy() if fallback is None else np.where((trimap > 0) & (trimap < 1), fallback, trimap)
    foreground = image.copy()
    background = image.copy()
    unknown = (trimap > 0) & (trimap < 1)
    tiles = [tile for tile in _band_tiles(unknown) if _learnable(trimap[tile[0]])]

    def solve(tile: tuple[tuple[slice, slice], tuple[slice, slice]]) -> np.ndarray:
        around, _ = tile
        return np.clip(estimate_alpha_cf(image[around], trimap[around]), 0, 1)

    # the solver (numba, GIL released) runs a tile per core; it prints warnings into our CLI's output
    with contextlib.redirect_stdout(io.StringIO()), ThreadPoolExecutor(_workers()) as pool:
        solved = list(pool.map(solve, tiles))
    for (around, inner), tile_alpha in zip(tiles, solved):
        core = unknown[inner]
        inside = (slice(inner[0].start - around[0].start, inner[0].stop - around[0].start),
                  slice(inner[1].start - around[1].start, inner[1].stop - around[1].start))
        alpha[inner][core] = tile_alpha[inside][core]
    # foreground estimation has a high cost per call, so it runs once, on the band's bounding box
    ys, xs = np.nonzero(unknown)
    if len(ys):
        y0, y1 = max(0, ys.min() - MARGIN), min(height, ys.max() + 1 + MARGIN)
        x0, x1 = max(0, xs.min() - MARGIN), min(width, xs.max() + 1 + MARGIN)
        crop = (slice(y0, y1), slice(x0, x1))
        fg, bg = estimate_foreground_ml(image[crop], alpha[crop], return_background=True)
        foreground[crop][unknown[crop]] = fg[unknown[crop]]
        background[crop][unknown[crop]] = bg[unknown[crop]]
    return alpha, foreground, background


def _band_tiles(unknown: np.ndarray) -> list[tuple[tuple[slice, slice], tuple[slice, slice]]]:
    """(tile with MARGIN of context, the tile itself) for every TILE that holds part of the band."""
    height, width = unknown.shape
    tiles = []
    for y in range(0, height, TILE):
        for x in range(0, width, TILE):
            inner = (slice(y, min(height, y + TILE)), slice(x, min(width, x + TILE)))
            if unknown[inner].any():
                around = (slice(max(0, y - MARGIN), min(height, y + TILE + MARGIN)),
                          slice(max(0, x - MARGIN), min(width, x + TILE + MARGIN)))
                tiles.append((around, inner))
    return tiles


def _learnable(tile_trimap: np.ndarray) -> bool:
    """Known product and known backdrop to learn from; without both, the mask's edge stays."""
    return bool((tile_trimap == 0).any() and (tile_trimap == 1).any())


def _workers() -> int:
    return max(1, min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1))


def guided_upsample(grey: np.ndarray, soft: np.ndarray, radius: int, eps: float = 1e-3) -> np.ndarray:
    """A mask scaled up from a small copy (``soft``, float 0..1 at the photo's size), its edge moved onto
    the photo's own edges (guided filter, He et al. 2010, on the float grey ``grey`` 0..1): a preview
    without matting gets the photo's outline, not blocks of the small copy."""
    size = (2 * radius + 1, 2 * radius + 1)

    def mean(values: np.ndarray) -> np.ndarray:
        return cv2.boxFilter(values, -1, size, borderType=cv2.BORDER_REFLECT)

    mean_i, mean_p = mean(grey), mean(soft)
    slope = (mean(grey * soft) - mean_i * mean_p) / (mean(grey * grey) - mean_i * mean_i + eps)
    offset = mean_p - slope * mean_i
    return np.clip(mean(slope) * grey + mean(offset), 0, 1)


def decontaminate(image: np.ndarray, alpha: np.ndarray, background: np.ndarray, estimate: np.ndarray
                  ) -> np.ndarray:
    """Product colours with the old backdrop taken out of the edge: F = (I - (1 - a) B) / a.

    ``background`` and ``estimate`` (the matting's foreground) may be blurrier than ``image``
    (carried up from the matting resolution); the formula keeps the photo's own detail, and
    where alpha is too small to divide by, the estimate is used.
    """
    weight = alpha[..., None]
    solved = (image - (1 - weight) * background) / np.maximum(weight, 1e-3)
    clean = np.where(weight > 0.25, solved, estimate)
    edge = (alpha < 0.999)[..., None]  # fully opaque pixels are the photo, untouched
    return np.clip(np.where(edge, clean, image), 0, 1)
