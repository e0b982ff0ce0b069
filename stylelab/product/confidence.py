"""How far to trust a cut-out, measured on the photo: for the automatic one and for one from a box
or clicks alike. A box says where the product is, not that the cut-out inside it is right: the
wall between a lamp's arm and its shade can come along with the lamp, and then the cut-out must
say it is unsure and ask for a click instead of claiming 100 %."""
from __future__ import annotations

import cv2
import numpy as np

from stylelab.product.backdrop import large_regions, outside_ring

EDGES = (0.6, 0.95)  # share of the outline on an image edge: no trust at the first, full trust from the second
SEPARATION = 0.55  # colour separation (1 - Bhattacharyya overlap) above which colours are fully trusted
LEAK = 0.12  # share of the product in large regions of the outside's colour at which trust drops to 0


def automatic_confidence(region: np.ndarray, mask: np.ndarray, from_box: np.ndarray) -> float:
    """How far to trust an automatic cut-out: the proposal, the final mask and GrabCut from the
    proposal's mere box agree (an unclear product makes them differ), the product is a plausible
    size and does not run along the photo's edges (calibrated in benchmarks/cutout.py)."""
    if not mask.any():
        return 0.0
    agreement = iou(region, mask) * iou(from_box, mask)
    share = float(mask.mean())
    size = float(np.clip(min(share / 0.03, (0.85 - share) / 0.15), 0, 1))
    edges = np.concatenate([mask[0], mask[-1], mask[:, 0], mask[:, -1]])
    on_border = float(edges.mean())
    return round(float(np.clip(agreement * size * (1 - on_border) ** 2, 0, 1)), 3)


def prompt_confidence(lab: np.ndarray, mask: np.ndarray, box: tuple[float, float, float, float],
                      seen_through: np.ndarray) -> float:
    """How far to trust a cut-out from a box (and clicks) on a float Lab image: its outline follows
    the image's edges, the colours inside and outside it are separable, and it holds no large region
    of what ``seen_through`` says is the backdrop outside the box (calibrated on the generated open
    products with their holes filled, as the issue's lamp was cut out, and on benchmarks/cutout.py)."""
    if not mask.any():
        return 0.0
    parts = prompt_evidence(lab, mask, box, seen_through)
    edges = (parts["edges"] - EDGES[0]) / (EDGES[1] - EDGES[0])
    trust = np.clip(edges, 0, 1) * min(1.0, parts["separation"] / SEPARATION) * max(0.0, 1.0 - parts["leak"] / LEAK)
    return round(float(np.clip(trust, 0, 1)), 3)


def prompt_evidence(lab: np.ndarray, mask: np.ndarray, box: tuple[float, float, float, float],
                    seen_through: np.ndarray) -> dict[str, float]:
    """The three measures prompt_confidence weighs: "edges" (share of the outline on an image
    edge), "separation" (1 - overlap of the colour histograms inside and around the mask) and
    "leak" (share of the mask in large regions of the outside's colour)."""
    height, width = mask.shape
    x0, y0, x1, y1 = (round(v) for v in box)
    inside_box = np.zeros(mask.shape, bool)
    inside_box[max(0, y0):y1, max(0, x0):x1] = True
    # edges: the outline inside the photo (where the frame cuts the product there is no edge to follow)
    hard = mask.astype(np.uint8)
    outline = (hard - cv2.erode(hard, np.ones((3, 3), np.uint8))) > 0
    outline[[0, -1]], outline[:, [0, -1]] = False, False
    lightness = cv2.GaussianBlur(lab[..., 0], (0, 0), 1.0)
    gradient = cv2.magnitude(cv2.Sobel(lightness, cv2.CV_32F, 1, 0), cv2.Sobel(lightness, cv2.CV_32F, 0, 1))
    colour = np.linalg.norm(np.stack([cv2.Sobel(cv2.GaussianBlur(lab[..., c], (0, 0), 1.0), cv2.CV_32F, 1, 0) ** 2
                                      + cv2.Sobel(cv2.GaussianBlur(lab[..., c], (0, 0), 1.0), cv2.CV_32F, 0, 1) ** 2
                                      for c in (1, 2)]), axis=0) ** 0.5
    strength = cv2.dilate(np.maximum(gradient, colour), np.ones((3, 3), np.uint8))  # the mask may sit a pixel off
    region = inside_box | outside_ring(mask.shape, box)
    strong = float(np.percentile(strength[region], 95)) + 1e-6
    edges = float((strength[outline] > 0.2 * strong).mean()) if outline.any() else 0.0
    # separation: coarse Lab histograms of the product and of what is around it
    around = region & ~mask
    separation = 1.0 - _overlap(lab[mask], lab[around]) if around.any() else 0.0
    # leak: large regions of the outside's colour kept in the mask
    leak = float(large_regions(seen_through & mask, box).sum() / mask.sum())
    return {"edges": edges, "separation": separation, "leak": leak}


def _overlap(first: np.ndarray, second: np.ndarray, bins: int = 12) -> float:
    """Bhattacharyya coefficient of two sets of Lab colours (1: the same colours, 0: none shared)."""
    ranges = [(0, 100), (-100, 100), (-100, 100)]
    a, _ = np.histogramdd(first, bins=bins, range=ranges)
    b, _ = np.histogramdd(second, bins=bins, range=ranges)
    a, b = a / max(a.sum(), 1), b / max(b.sum(), 1)
    return float(np.sqrt(a * b).sum())


def iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / max((a | b).sum(), 1))
