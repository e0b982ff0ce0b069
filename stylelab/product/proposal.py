"""Where the product probably is, with no prompt: a box and seeds for GrabCut.

Four cues, each a map in 0..1 on a small copy of the photo, weighed by how much it can be
trusted on this photo:
- backdrop colour: unlike the colours along the border (the studio cue of masks.py,
  generalised to a few border colours, so a table and a wall both count as backdrop);
- defocus: locally sharp, where the backdrop is blurred (most lifestyle photos);
- saliency: colour contrast against the photo as a whole;
- a centre prior: products are framed near the middle.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from scipy import ndimage

BORDER = 0.04  # share of the shorter side sampled as "surely backdrop"
BORDER_COLOURS = 4  # clusters of border colour


@dataclass(frozen=True)
class Proposal:
    score: np.ndarray  # float map 0..1, how product-like each pixel is
    region: np.ndarray  # bool map, the proposed product
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 around the region
    separation: float  # how clearly the score splits product from backdrop (0..1)
    cue: str  # the cue that weighed most


def border_band(shape: tuple[int, int], share: float = BORDER) -> np.ndarray:
    height, width = shape
    band = max(2, round(share * min(height, width)))
    border = np.zeros(shape, dtype=bool)
    border[:band], border[-band:], border[:, :band], border[:, -band:] = True, True, True, True
    return border


def backdrop_cue(lab: np.ndarray, border: np.ndarray) -> tuple[np.ndarray, float]:
    """Distance to the nearest border colour, as 0..1, and how plain the border is (its weight)."""
    samples = lab[border].astype(np.float32)
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 10, 1.0)
    k = min(BORDER_COLOURS, len(samples))
    _, labels, centres = cv2.kmeans(samples, k, None, criteria, 1, cv2.KMEANS_PP_CENTERS)
    counts = np.bincount(labels.ravel(), minlength=k)
    centres = centres[counts >= 0.05 * len(samples)]  # a stray product pixel on the border is no backdrop
    flat = lab.reshape(-1, 3).astype(np.float32)
    distance = np.min(np.linalg.norm(flat[:, None, :] - centres[None], axis=2), axis=1).reshape(lab.shape[:2])
    spread = float(np.median(distance[border])) + 1.0
    cue = np.clip((distance - 2.5 * spread) / (6.0 * spread + 10.0), 0, 1)
    plainness = float(np.clip(1.2 - spread / 12.0, 0.2, 1.0))
    return cue, plainness


def defocus_cue(grey: np.ndarray, border: np.ndarray) -> tuple[np.ndarray, float]:
    """Local sharpness (fine-scale gradient energy), 0..1, and how much sharper the middle is than the border."""
    fine = np.abs(cv2.Laplacian(grey, cv2.CV_32F, ksize=3))
    side = min(grey.shape)
    energy = cv2.GaussianBlur(fine, (0, 0), max(1.5, side / 80))
    top = float(np.percentile(energy, 97)) + 1e-6
    cue = np.clip(energy / top, 0, 1)
    ratio = float(np.percentile(energy[~border], 90) / (np.percentile(energy[border], 90) + 1e-6))
    return cue, float(np.clip((ratio - 1.3) / 2.5, 0, 1))


def saliency_cue(lab: np.ndarray) -> np.ndarray:
    """Frequency-tuned saliency: distance of the smoothed colour from the photo's mean colour."""
    smooth = cv2.GaussianBlur(lab, (0, 0), 2)
    distance = np.linalg.norm(smooth - lab.reshape(-1, 3).mean(axis=0), axis=2)
    return np.clip(distance / (np.percentile(distance, 99) + 1e-6), 0, 1)


def centre_prior(shape: tuple[int, int]) -> np.ndarray:
    height, width = shape
    y, x = np.mgrid[0:height, 0:width]
    return np.exp(-(((x / width - 0.5) / 0.35) ** 2 + ((y / height - 0.52) / 0.4) ** 2))


def propose(rgb: np.ndarray) -> Proposal:
    """A proposal for a small uint8 RGB image (a few hundred pixels a side)."""
    lab = cv2.cvtColor(rgb.astype(np.float32) / 255.0, cv2.COLOR_RGB2Lab)
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32)
    border = border_band(grey.shape)
    backdrop, backdrop_weight = backdrop_cue(lab, border)
    defocus, defocus_weight = defocus_cue(grey, border)
    salient = saliency_cue(lab)
    # sharp texture marks the product's edges and print; closing fills its smooth inside
    side = min(grey.shape)
    defocus = _close(defocus, max(3, side // 25))
    weights = {"backdrop colour": 1.0 + 2.0 * backdrop_weight, "defocus": 3.0 * defocus_weight, "saliency": 0.6}
    cues = {"backdrop colour": backdrop, "defocus": defocus, "saliency": salient}
    total = sum(weights.values())
    combined = sum(weights[name] * cues[name] for name in cues) / total
    score = np.clip(combined * (0.55 + 0.45 * centre_prior(grey.shape)), 0, 1)
    score = cv2.GaussianBlur(score.astype(np.float32), (0, 0), 1.0)
    region = _main_region(score, border)
    separation = _separation(score, region)
    ys, xs = np.nonzero(region)
    if len(xs) == 0:
        box = (0, 0, grey.shape[1], grey.shape[0])
    else:
        box = (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)
    return Proposal(score, region, box, separation, max(weights, key=weights.get))


def _close(cue: np.ndarray, radius: int) -> np.ndarray:
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
    return cv2.morphologyEx(cue.astype(np.float32), cv2.MORPH_CLOSE, kernel)


def _main_region(score: np.ndarray, border: np.ndarray) -> np.ndarray:
    """Otsu's split of the score; the components that hold most of the score, holes filled."""
    scaled = (score * 255).astype(np.uint8)
    threshold, _ = cv2.threshold(scaled, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    region = scaled > max(threshold, 40)
    region = ndimage.binary_opening(region, iterations=2)
    labels, count = ndimage.label(region)
    if count == 0:
        return region
    mass = ndimage.sum(score, labels, index=np.arange(1, count + 1))
    touching = ndimage.sum(border, labels, index=np.arange(1, count + 1))
    sizes = ndimage.sum(region, labels, index=np.arange(1, count + 1))
    mass = mass * (1 - 0.7 * np.clip(touching / np.maximum(sizes, 1) * 8, 0, 1))  # border-hugging: likely backdrop
    keep = np.flatnonzero(mass >= 0.25 * mass.max()) + 1
    return ndimage.binary_fill_holes(np.isin(labels, keep))


def _separation(score: np.ndarray, region: np.ndarray) -> float:
    if region.all() or not region.any():
        return 0.0
    inside, outside = score[region], score[~region]
    gap = float(np.median(inside) - np.median(outside))
    spread = float(np.std(inside) + np.std(outside)) + 1e-6
    return float(np.clip(gap / (gap + spread), 0, 1))
