"""Which parts of a photo lie out of focus, read from how its edges are blurred.

A lifestyle photo puts a sharp product in front of a blurred scene, and the scene may hold
things as striking as the product (a person, a bowl). Colour alone cannot tell them apart;
focus can. At an edge, the gradient of the photo itself and the gradient after a Gaussian
blur of SIGMA pixels are about the same height when the edge was already blurred, while a
sharp edge's own gradient is several times higher (Zhuo & Sim's defocus estimate, reduced to
a ratio). Each pixel then takes the verdict of the edges around it; smooth areas far from
any edge get none.
"""
from __future__ import annotations

import cv2
import numpy as np
from scipy import ndimage

SIGMA = 2.0  # px of the re-blur, at about 0.25 MP
SHARP_RATIO = 1.6  # fine / re-blurred gradient at an edge: above this the edge is in focus
MIN_CONTRAST = 32.0  # Sobel response of the re-blurred photo (about 8 grey levels per px): weaker is texture noise
MIN_BLURRED_SHARE = 0.15  # of the edge pixels, for the photo to count as having a defocused backdrop


def edge_focus(grey: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Edge pixels of a uint8 grey image, and for each pixel whether its edge is in focus."""
    photo = grey.astype(np.float32)
    fine = cv2.dilate(_gradient(photo), np.ones((3, 3), np.uint8))  # the peak may sit a pixel off
    blurred = cv2.GaussianBlur(photo, (0, 0), SIGMA)
    coarse = _gradient(blurred)
    edges = (cv2.Canny(np.clip(blurred, 0, 255).astype(np.uint8), 10, 30) > 0) & (coarse > MIN_CONTRAST)
    return edges, fine / (coarse + 1e-3) >= SHARP_RATIO


def out_of_focus(grey: np.ndarray) -> np.ndarray | None:
    """Bool map of where a uint8 grey photo is out of focus: pixels among mostly blurred edges, or
    enclosed by them with no sharp edge inside. None when the photo has no defocused backdrop to
    speak of (everything sharp, or hardly any sharp edge to be the product)."""
    edges, sharp_edges = edge_focus(grey)
    count = int(edges.sum())
    if count == 0:
        return None
    blurred_share = float((edges & ~sharp_edges).sum()) / count
    if blurred_share < MIN_BLURRED_SHARE or blurred_share > 1 - MIN_BLURRED_SHARE:
        return None
    reach = max(3.0, min(grey.shape) / 30)  # an edge speaks for the pixels this close to it
    share_sharp, known = _sharp_share(edges, sharp_edges, reach)
    blurred = known & (share_sharp < 0.35)
    # a smooth cheek inside a blurred face has no edges of its own: what blurred edges enclose is
    # blurred too, unless it holds sharp edges (the product in front of a blurred scene does)
    holes, count = ndimage.label(ndimage.binary_fill_holes(blurred) & ~blurred)
    if count:
        sharp_in_hole = ndimage.sum(edges & sharp_edges, holes, index=np.arange(1, count + 1))
        blurred |= np.isin(holes, np.flatnonzero(sharp_in_hole == 0) + 1)
    return blurred


def _sharp_share(edges: np.ndarray, sharp_edges: np.ndarray, reach: float) -> tuple[np.ndarray, np.ndarray]:
    """Share of sharp edges among the edges within about ``reach`` px, and where there are enough to tell."""
    support = cv2.GaussianBlur(edges.astype(np.float32), (0, 0), reach)
    in_focus = cv2.GaussianBlur((edges & sharp_edges).astype(np.float32), (0, 0), reach)
    return in_focus / np.maximum(support, 1e-6), support > 0.02


def _gradient(image: np.ndarray) -> np.ndarray:
    return np.hypot(cv2.Sobel(image, cv2.CV_32F, 1, 0, ksize=3), cv2.Sobel(image, cv2.CV_32F, 0, 1, ksize=3))
