"""Soft edges for a hard mask: a thin trimap band, closed-form alpha matting in it, and
colour decontamination, so hair-fine and blurred edges come out soft and rim-free.

pymatting (numba) is imported on first use: its JIT warms when the first cut-out is made,
not when the app starts. Matting runs only on tiles that hold part of the band, so its cost
follows the length of the product's outline, not the photo's area.
"""
from __future__ import annotations

import contextlib
import io

import cv2
import numpy as np

TILE = 128  # px of a matting tile (at matting resolution), plus MARGIN of context each side
MARGIN = 12


def trimap_from_mask(mask: np.ndarray, band: int) -> np.ndarray:
    """0 = surely backdrop, 1 = surely product, 0.5 = unknown: ``band`` px either side of the edge."""
    hard = (mask > 0.5).astype(np.uint8)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * band + 1, 2 * band + 1))
    sure_fg = cv2.erode(hard, kernel)
    maybe = cv2.dilate(hard, kernel)
    trimap = np.full(mask.shape, 0.5)
    trimap[sure_fg > 0] = 1.0
    trimap[maybe == 0] = 0.0
    return trimap


def matte(image: np.ndarray, trimap: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Alpha, foreground and background colours of a float RGB image (0..1) within the trimap's
    unknown band (closed-form matting, then multilevel foreground estimation), tile by tile.

    Outside the band alpha is the trimap and both colours are the image itself.
    """
    from pymatting import estimate_alpha_cf, estimate_foreground_ml

    height, width = trimap.shape
    alpha = trimap.copy()
    foreground = image.copy()
    background = image.copy()
    unknown = (trimap > 0) & (trimap < 1)
    for y in range(0, height, TILE):
        for x in range(0, width, TILE):
            if not unknown[y:y + TILE, x:x + TILE].any():
                continue
            y0, x0 = max(0, y - MARGIN), max(0, x - MARGIN)
            y1, x1 = min(height, y + TILE + MARGIN), min(width, x + TILE + MARGIN)
            tile_trimap = trimap[y0:y1, x0:x1]
            tile_image = image[y0:y1, x0:x1]
            if not ((tile_trimap == 0).any() and (tile_trimap == 1).any()):
                continue  # no known product and backdrop to learn from: keep the mask's edge
            with contextlib.redirect_stdout(io.StringIO()):  # its solver prints warnings into our CLI's output
                tile_alpha = np.clip(estimate_alpha_cf(tile_image, tile_trimap), 0, 1)
            inner = (slice(y - y0, y - y0 + min(TILE, height - y)), slice(x - x0, x - x0 + min(TILE, width - x)))
            core = unknown[y:y + TILE, x:x + TILE]
            alpha[y:y + TILE, x:x + TILE][core] = tile_alpha[inner][core]
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
