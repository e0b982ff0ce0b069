"""GrabCut (OpenCV) seeded from a prompt or an automatic proposal, on a small copy of the photo."""
from __future__ import annotations

import cv2
import numpy as np
from scipy import ndimage

from stylelab.product.prompts import CutoutPrompt
from stylelab.product.proposal import border_band
from stylelab.product.regions import ClickRegions

CLICK_RADIUS = 0.015  # share of the longer side within which a not-product click picks a separate object
FRAME_BAND = 0.02  # share of the shorter side: a mask this close to the frame may hold a scene object cut by it
FRAME_TOUCH = 0.02  # share of that band the mask must cover before it is peeled
BOX_PAD = 0.03  # share of the mask's extent added around it when GrabCut runs again in its box
HULL_MARGIN = 0.005  # share of the longer side around the mask's hull where the scene is not ruled out


def labels_from_prompt(shape: tuple[int, int], prompt: CutoutPrompt, regions: ClickRegions | None = None,
                       seen_through: np.ndarray | None = None) -> np.ndarray:
    """GrabCut labels: outside the box surely backdrop, inside probably product, apart from the
    backdrop ``seen_through`` the product (probably backdrop, so the product's colour model is
    learnt from the product, not from the wall between its parts); the clicks' regions are certain."""
    height, width = shape
    labels = np.full(shape, cv2.GC_PR_BGD if prompt.box is None else cv2.GC_BGD, np.uint8)
    if prompt.box is not None:
        x0, y0, x1, y1 = (round(v) for v in prompt.box)
        labels[max(0, y0):min(height, y1), max(0, x0):min(width, x1)] = cv2.GC_PR_FGD
        if seen_through is not None:
            labels[seen_through & (labels == cv2.GC_PR_FGD)] = cv2.GC_PR_BGD
    else:  # clicks only: the border is backdrop, the rest is open
        labels[_border(shape)] = cv2.GC_BGD
    _mark_regions(labels, regions)
    return labels


def labels_from_proposal(score: np.ndarray, region: np.ndarray, regions: ClickRegions | None = None,
                         backdrop: np.ndarray | None = None) -> np.ndarray:
    """GrabCut labels from an automatic proposal: its region probably product, its core surely,
    the border and the ``backdrop`` map surely backdrop. Nothing else is ruled out: a proposal often
    holds only the most striking part of a product (an extinguisher's red shoulder, not its label)."""
    labels = np.full(score.shape, cv2.GC_PR_BGD, np.uint8)
    labels[region] = cv2.GC_PR_FGD
    side = max(score.shape)
    labels[_border(score.shape)] = cv2.GC_BGD
    if backdrop is not None:
        labels[backdrop & ~region] = cv2.GC_BGD
    core = ndimage.binary_erosion(region, iterations=max(2, side // 40)) & (score > np.percentile(score, 90))
    labels[core] = cv2.GC_FGD
    _mark_regions(labels, regions)
    return labels


def grabcut(rgb: np.ndarray, labels: np.ndarray, iterations: int) -> np.ndarray:
    """Bool product map of a uint8 RGB image from initial labels."""
    if not ((labels == cv2.GC_FGD) | (labels == cv2.GC_PR_FGD)).any():
        return np.zeros(labels.shape, bool)
    if not ((labels == cv2.GC_BGD) | (labels == cv2.GC_PR_BGD)).any():
        return np.ones(labels.shape, bool)
    work = labels.copy()
    background, foreground = np.zeros((1, 65)), np.zeros((1, 65))
    cv2.setRNGSeed(0)  # its colour models start from k-means on OpenCV's RNG: same photo, same mask
    cv2.grabCut(np.ascontiguousarray(rgb[..., ::-1]), work, None, background, foreground, iterations,
                cv2.GC_INIT_WITH_MASK)
    return (work == cv2.GC_FGD) | (work == cv2.GC_PR_FGD)


def peeled_from_frame(rgb: np.ndarray, mask: np.ndarray, labels: np.ndarray, iterations: int) -> np.ndarray:
    """An automatic mask without what the frame cuts: a product stands whole in the photo, while a person,
    a table or a building behind it runs off the edge, and GrabCut can grow the product into them. When
    the mask reaches the frame, GrabCut runs again from it with that stretch surely backdrop, so its
    colour model learns the scene object as backdrop; the seeds in ``labels`` still hold."""
    band = border_band(mask.shape, FRAME_BAND)
    if (mask & band).sum() < FRAME_TOUCH * band.sum():
        return mask
    again = np.where(mask, cv2.GC_PR_FGD, cv2.GC_PR_BGD).astype(np.uint8)
    again[labels == cv2.GC_BGD] = cv2.GC_BGD
    again[mask & band] = cv2.GC_BGD
    # on a quarter of the pixels (GrabCut's cost grows fast with them): it only decides what to drop
    half = (rgb.shape[1] // 2, rgb.shape[0] // 2)
    kept = grabcut(cv2.resize(rgb, half, interpolation=cv2.INTER_AREA),
                   cv2.resize(again, half, interpolation=cv2.INTER_NEAREST), iterations)
    kept = cv2.resize(kept.astype(np.uint8), rgb.shape[1::-1], interpolation=cv2.INTER_NEAREST) > 0
    return clean(mask & kept, None)


def mask_box(mask: np.ndarray, pad: float = BOX_PAD) -> tuple[float, float, float, float]:
    """The mask's bounding box with ``pad`` of its extent around it, inside the image."""
    ys, xs = np.nonzero(mask)
    height, width = mask.shape
    pad_x, pad_y = max(2.0, pad * (xs.max() - xs.min())), max(2.0, pad * (ys.max() - ys.min()))
    return (max(0.0, xs.min() - pad_x), max(0.0, ys.min() - pad_y),
            min(float(width), xs.max() + 1 + pad_x), min(float(height), ys.max() + 1 + pad_y))


def in_box(rgb: np.ndarray, box: tuple[float, float, float, float], backdrop: np.ndarray | None,
           iterations: int) -> np.ndarray:
    """GrabCut from a box alone: outside it, and the ``backdrop`` map, surely backdrop."""
    labels = labels_from_prompt(rgb.shape[:2], CutoutPrompt(box=box))
    if backdrop is not None:
        labels[backdrop & (labels != cv2.GC_BGD)] = cv2.GC_BGD
    return grabcut(rgb, labels, iterations)


def boxed_again(rgb: np.ndarray, mask: np.ndarray, backdrop: np.ndarray | None, iterations: int,
                scene: np.ndarray | None = None) -> np.ndarray:
    """GrabCut again inside the mask's own box, as a user would draw it. GrabCut from a proposal
    is bounded by colour alone, so it keeps the product's striking part and loses parts coloured
    like the scene (a white label on a grey street) or spreads into the scene; inside a box,
    everything outside is backdrop and the colour models learn from that instead. The whole box
    starts as probable product, as it does for a user's box, apart from the ``scene`` (what the
    photo's border reaches, a bool map) beyond the mask's convex hull: a plate or a person that
    the box cuts into is surely backdrop, while the product's own notches stay open."""
    if not mask.any():
        return mask
    if scene is not None:
        outside = ~_hull(mask, max(2, round(HULL_MARGIN * max(mask.shape))))
        backdrop = scene & outside if backdrop is None else backdrop | (scene & outside)
    return clean(in_box(rgb, mask_box(mask), backdrop, iterations), None)


def _hull(mask: np.ndarray, margin: int) -> np.ndarray:
    """The mask's convex hull, grown by ``margin`` pixels."""
    hull = np.zeros(mask.shape, np.uint8)
    cv2.fillConvexPoly(hull, cv2.convexHull(cv2.findNonZero(mask.astype(np.uint8))), 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * margin + 1, 2 * margin + 1))
    return cv2.dilate(hull, kernel) > 0


def clean(mask: np.ndarray, prompt: CutoutPrompt | None, min_share: float = 0.04) -> np.ndarray:
    """Drop specks: keep the components that are big next to the largest or hold a product click."""
    labels, count = ndimage.label(mask)
    if count <= 1:
        return mask
    sizes = ndimage.sum(mask, labels, index=np.arange(1, count + 1))
    keep = set((np.flatnonzero(sizes >= min_share * sizes.max()) + 1).tolist())
    clicked = {int(labels[_pixel(point, mask.shape)]) for point in (prompt.include if prompt else ())} - {0}
    keep |= clicked
    # "not product" on a separate object drops all of it (GrabCut alone would only cut out the click)
    for point in (prompt.exclude if prompt else ()):
        near = _nearest_label(labels, point, max(3, round(2 * CLICK_RADIUS * max(mask.shape))))
        if near and near not in clicked and len(keep - {near}) > 0:
            keep.discard(near)
    # small holes are specks too; a handle's opening is far larger than this
    kept = np.isin(labels, list(keep))
    holes = ndimage.binary_fill_holes(kept) & ~kept
    hole_labels, hole_count = ndimage.label(holes)
    if hole_count:
        hole_sizes = ndimage.sum(holes, hole_labels, index=np.arange(1, hole_count + 1))
        tiny = np.flatnonzero(hole_sizes < 0.002 * mask.size) + 1
        kept |= np.isin(hole_labels, tiny)
    return kept


def _pixel(point: tuple[float, float], shape: tuple[int, ...]) -> tuple[int, int]:
    return min(max(int(point[1]), 0), shape[0] - 1), min(max(int(point[0]), 0), shape[1] - 1)


def _nearest_label(labels: np.ndarray, point: tuple[float, float], reach: int) -> int:
    """The component label nearest to a click, within ``reach`` pixels; 0 when none."""
    y, x = _pixel(point, labels.shape)
    window = labels[max(0, y - reach):y + reach + 1, max(0, x - reach):x + reach + 1]
    ys, xs = np.nonzero(window)
    if len(ys) == 0:
        return 0
    nearest = np.argmin((ys - min(y, reach)) ** 2 + (xs - min(x, reach)) ** 2)
    return int(window[ys[nearest], xs[nearest]])


def _border(shape: tuple[int, int]) -> np.ndarray:
    border = np.zeros(shape, bool)
    border[:2], border[-2:], border[:, :2], border[:, -2:] = True, True, True, True
    return border


def _mark_regions(labels: np.ndarray, regions: ClickRegions | None) -> None:
    if regions is not None:
        labels[regions.include] = cv2.GC_FGD
        labels[regions.exclude] = cv2.GC_BGD


def near_clicks(before: np.ndarray, after: np.ndarray, regions: ClickRegions) -> np.ndarray:
    """``after`` in the patches where it differs from ``before`` that touch a click's region, ``before``
    elsewhere: a click corrects what it lands on and what hangs together with it."""
    changed = before != after
    labels, count = ndimage.label(changed, structure=np.ones((3, 3)))
    if count == 0:
        return after
    clicked = cv2.dilate((regions.include | regions.exclude).astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    touching = np.unique(labels[clicked & changed])
    return np.where(np.isin(labels, touching[touching > 0]), after, before)


def obeyed(mask: np.ndarray, regions: ClickRegions | None) -> np.ndarray:
    """The mask with every click's region on the side the click says."""
    if regions is None:
        return mask
    return (mask | regions.include) & ~regions.exclude
