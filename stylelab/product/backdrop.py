"""What inside a box is the backdrop seen through the product: the wall between a lamp's arm and
its shade, the floor between a chair's legs, the sky between a wheel's spokes.

A box says the product lies inside it, so what lies just outside is backdrop. Carried into the
box by normalised convolution (each pixel gets the outside's colour near it, weighted by
distance), it predicts what the backdrop looks like behind the product, gradient and all; a
pixel in the box that matches that prediction as closely as the outside matches itself is
backdrop seen through. A product part that happens to have the backdrop's colour, right where
that colour is, is called backdrop too: the box cannot tell them apart, a *Product* click can.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from scipy import ndimage

RING = 0.12  # width of the outside ring sampled, as a share of the box's longer side
REACH = 0.2  # how far the outside's colour is carried into the box (Gaussian sigma), same share
TOLERANCE = 3.0  # a match is within this many times the outside's own scatter about its prediction
FLOOR = 4.0  # Lab units: the tolerance never drops below this (sensor noise, JPEG)
CEILING = 12.0  # Lab units: nor rises above this (a busy scene predicts nothing closely)
LARGE = 0.004  # a region of the backdrop's colour this share of the box or more is seen, not a speck
THIN = 0.05  # share of the box's longer side: a part thinner than this is a spoke or a rim, not an object
CONTRAST = 2.0  # a pixel this many tolerances off the predicted backdrop is surely something in front of it
FAINT = 0.35  # share of the product's median distance from the backdrop below which a pixel is a reflection or shadow


def lab_of(rgb: np.ndarray) -> np.ndarray:
    """Float Lab (L 0..100) of a uint8 RGB image."""
    return cv2.cvtColor(rgb.astype(np.float32) / 255.0, cv2.COLOR_RGB2Lab)


def outside_ring(shape: tuple[int, int], box: tuple[float, float, float, float]) -> np.ndarray:
    """The pixels just outside the box, inside the image."""
    height, width = shape
    x0, y0, x1, y1 = (round(v) for v in box)
    ring = max(3, round(RING * max(x1 - x0, y1 - y0)))
    outside = np.zeros(shape, bool)
    outside[max(0, y0 - ring):min(height, y1 + ring), max(0, x0 - ring):min(width, x1 + ring)] = True
    outside[max(0, y0):min(height, y1), max(0, x0):min(width, x1)] = False
    return outside


@dataclass(frozen=True)
class SeenThrough:
    region: np.ndarray  # bool: pixels inside the box that match the backdrop predicted from outside it
    sure: bool  # the backdrop is smooth enough (a wall, a sweep) that a match is backdrop, not a product part
    distinct: np.ndarray  # bool: pixels inside the box far off the predicted backdrop (a spoke, a rim, a cable)
    distance: np.ndarray  # Lab distance of each pixel from the predicted backdrop

    @property
    def trusted(self) -> np.ndarray:
        """The region where it can be taken as backdrop: nothing on a busy scene."""
        return self.region if self.sure else np.zeros_like(self.region)


def seen_through(lab: np.ndarray, box: tuple[float, float, float, float]) -> SeenThrough:
    """What in the box matches the backdrop predicted from just outside it (an empty region when the
    box leaves no outside to learn from)."""
    shape = lab.shape[:2]
    outside = outside_ring(shape, box)
    inside = np.zeros(shape, bool)
    x0, y0, x1, y1 = (round(v) for v in box)
    inside[max(0, y0):y1, max(0, x0):x1] = True
    if outside.sum() < 50:
        return SeenThrough(np.zeros(shape, bool), False, np.zeros(shape, bool), np.zeros(shape, np.float32))
    predicted = predicted_backdrop(lab, outside, max(2.0, REACH * max(x1 - x0, y1 - y0)))
    distance = np.linalg.norm(lab - predicted, axis=2)
    # how well the outside matches its own prediction (a plain wall: closely; plaster: loosely; a busy
    # scene: hardly, and then a product part may match it by chance)
    tolerance = TOLERANCE * float(np.percentile(distance[outside], 75))
    match = float(np.clip(tolerance, FLOOR, CEILING))
    return SeenThrough(inside & (distance < match), tolerance <= CEILING, inside & (distance > CONTRAST * match),
                       distance)


def large_regions(region: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray:
    """The connected parts of ``region`` of at least LARGE of the box's area: a lamp's slab of wall
    or the floor between a chair's legs, not a stray pixel of a product that shares its colour."""
    labels, count = ndimage.label(region)
    if count == 0:
        return region
    sizes = ndimage.sum(region, labels, index=np.arange(1, count + 1))
    area = max(1.0, (box[2] - box[0]) * (box[3] - box[1]))
    return np.isin(labels, np.flatnonzero(sizes >= LARGE * area) + 1)


def beneath(mask: np.ndarray, distance: np.ndarray) -> np.ndarray:
    """The faint parts of the mask (close to the backdrop next to how far the product is from it) with
    nothing else of the mask below them: a reflection or a shadow on the floor under the product."""
    if not mask.any():
        return mask
    faint = mask & (distance < FAINT * float(np.median(distance[mask])))
    rest = mask & ~faint
    lowest = np.where(rest.any(axis=0), rest.shape[0] - 1 - np.argmax(rest[::-1], axis=0), -1)
    return faint & (np.arange(mask.shape[0])[:, None] > lowest[None, :])


def thin(parts: np.ndarray, width: int) -> np.ndarray:
    """What of ``parts`` is thinner than ``width`` pixels (spokes, a rim, a cable), not a hand or a bowl."""
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (width, width))
    return parts & ~(cv2.morphologyEx(parts.astype(np.uint8), cv2.MORPH_OPEN, disc) > 0)


def attached(mask: np.ndarray, parts: np.ndarray) -> np.ndarray:
    """The mask with the connected ``parts`` that touch it: a wheel's rim and spokes that GrabCut's
    smoothness dropped, joined to the frame it kept."""
    labels, count = ndimage.label(parts | mask, structure=np.ones((3, 3)))  # a diagonal spoke is 8-connected
    if count == 0:
        return mask
    return np.isin(labels, np.unique(labels[mask]))


def predicted_backdrop(lab: np.ndarray, known: np.ndarray, sigma: float) -> np.ndarray:
    """Each pixel's colour as the ``known`` pixels predict it: a quadratic surface fitted to them (a
    wall's light falls off smoothly, a studio sweep grades), plus what they deviate from it nearby
    (normalised convolution of the residual)."""
    height, width = lab.shape[:2]
    ys, xs = np.nonzero(known)
    terms = _quadratic(xs / width, ys / height)
    coefficients, *_ = np.linalg.lstsq(terms, lab[ys, xs].astype(np.float64), rcond=None)
    grid_y, grid_x = np.mgrid[0:height, 0:width]
    surface = (_quadratic(grid_x.ravel() / width, grid_y.ravel() / height) @ coefficients).reshape(lab.shape)
    surface = surface.astype(np.float32)
    weight = known.astype(np.float32)
    residual = (lab - surface) * weight[..., None]
    # a Gaussian of a large sigma is costly at full size: blur a small copy, the result is smooth anyway
    factor = max(1, int(sigma // 4))
    size = (max(1, width // factor), max(1, height // factor))
    small_weight = cv2.GaussianBlur(cv2.resize(weight, size, interpolation=cv2.INTER_AREA), (0, 0), sigma / factor)
    small_sum = cv2.GaussianBlur(cv2.resize(residual, size, interpolation=cv2.INTER_AREA), (0, 0), sigma / factor)
    local = small_sum / np.maximum(small_weight, 1e-3)[..., None]  # far from any known pixel: the surface alone
    return surface + cv2.resize(local, (width, height), interpolation=cv2.INTER_LINEAR)


def _quadratic(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.stack([np.ones_like(x), x, y, x * x, x * y, y * y], axis=1).astype(np.float64)
