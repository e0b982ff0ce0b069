"""How strongly each part of a photo is connected to its border: the backdrop cue of Zhu et al.,
"Saliency optimization from robust background detection" (CVPR 2014).

A scene object — a person, a plate, a bridge — runs off the frame, or reaches it through
colours like its own; a product stands whole in the photo, set off by its outline. The photo
is cut into superpixels (SLIC); a superpixel's *boundary connectivity* is how much of the
border it reaches along paths of similar colour, against the area it reaches at all. Its
backdrop probability rises with that ratio.
"""
from __future__ import annotations

import cv2
import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import dijkstra
from skimage.segmentation import slic

SUPERPIXELS = 250
COLOUR_SIGMA = 10.0  # Lab units: paths across steps this large no longer count as "similar colour"
CONNECTIVITY_SIGMA = 1.0  # boundary connectivity at which the backdrop probability is 1 - e^-0.5


def backdrop_probability(rgb: np.ndarray) -> np.ndarray:
    """A float map in 0..1 (the size of the uint8 RGB image): how likely each pixel is backdrop,
    judged by how its superpixel connects to the image border."""
    segments = slic(rgb, n_segments=SUPERPIXELS, compactness=10, start_label=0)
    count = int(segments.max()) + 1
    flat = segments.ravel()
    sizes = np.maximum(np.bincount(flat, minlength=count), 1).astype(np.float64)
    lab = cv2.cvtColor(rgb.astype(np.float32) / 255.0, cv2.COLOR_RGB2Lab)
    colours = np.stack([np.bincount(flat, lab[..., c].ravel(), count) / sizes for c in range(3)], axis=1)
    border = np.unique(np.concatenate([segments[0], segments[-1], segments[:, 0], segments[:, -1]]))
    distances = dijkstra(_colour_graph(segments, colours, border, count), directed=False)
    reach = np.exp(-distances ** 2 / (2 * COLOUR_SIGMA ** 2))
    connectivity = reach[:, border].sum(axis=1) / np.sqrt(reach.sum(axis=1))
    probability = 1 - np.exp(-connectivity ** 2 / (2 * CONNECTIVITY_SIGMA ** 2))
    return probability[segments].astype(np.float32)


def _colour_graph(segments: np.ndarray, colours: np.ndarray, border: np.ndarray, count: int) -> sparse.csr_matrix:
    """Neighbouring superpixels joined by their colour difference; the border's superpixels joined to
    each other at no cost, so the border counts as one backdrop."""
    first = np.concatenate([segments[:, :-1].ravel(), segments[:-1].ravel()])
    second = np.concatenate([segments[:, 1:].ravel(), segments[1:].ravel()])
    differ = first != second
    pairs = np.unique(np.sort(np.stack([first[differ], second[differ]], axis=1), axis=1), axis=0)
    # csgraph reads a stored zero as "no edge": the tiny floor keeps every edge
    steps = np.linalg.norm(colours[pairs[:, 0]] - colours[pairs[:, 1]], axis=1) + 1e-6
    rim_a, rim_b = np.triu_indices(len(border), k=1)
    rows = np.concatenate([pairs[:, 0], border[rim_a]])
    cols = np.concatenate([pairs[:, 1], border[rim_b]])
    weights = np.concatenate([steps, np.full(len(rim_a), 1e-6)])
    return sparse.coo_matrix((weights, (rows, cols)), shape=(count, count)).tocsr()
