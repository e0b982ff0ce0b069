"""Figures for the product region: does the product still look like itself?"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image
from scipy.ndimage import gaussian_filter
from skimage.color import deltaE_ciede2000, rgb2lab

from stylelab.imageio import split_alpha
from stylelab.metrics import psnr, ssim_map

MIN_REGION_PIXELS = 16
SEEN_BLUR = 0.01  # the Gaussian (sigma, as a share of the long side) that hides brushwork but not colour
SEEN_SIDE = 512  # the seen colour is measured on copies this long: the blur leaves nothing finer


@dataclass(frozen=True)
class RegionFigures:
    ssim: float
    psnr: float
    delta_e: float  # mean CIEDE2000 colour difference; below ~1 is invisible, below ~2.3 barely
    seen_delta_e: float = 0.0  # the same after blurring both: the colour a buyer sees, brushwork aside


def region_figures(original: Image.Image, result: Image.Image, mask: Image.Image) -> RegionFigures | None:
    """SSIM, PSNR and mean ΔE2000 inside the product mask (pixels with mask ≥ 50%)."""
    inside = np.asarray(mask.convert("L").resize(original.size)) >= 128
    if inside.sum() < MIN_REGION_PIXELS:
        return None
    a = np.asarray(split_alpha(original)[0])
    b = np.asarray(split_alpha(result)[0])
    a_inside, b_inside = a[inside], b[inside]  # [pixels, 3]
    delta_e = deltaE_ciede2000(rgb2lab(a_inside[None] / 255.0), rgb2lab(b_inside[None] / 255.0))
    return RegionFigures(ssim=float(ssim_map(a, b)[inside].mean(dtype=np.float64)), psnr=psnr(a_inside, b_inside),
                         delta_e=float(delta_e.mean()), seen_delta_e=seen_colour_difference(original, result, mask))


def seen_colour_difference(original: Image.Image, result: Image.Image, mask: Image.Image) -> float:
    """Mean ΔE2000 inside the mask after blurring both images alike by a Gaussian of 1 % of the
    long side: how far the colour a buyer sees has moved, whatever brushwork was added.

    The blur averages over the product only (a normalized convolution), so a restyled background
    does not bleed into the product's edge.
    """
    scale = min(1.0, SEEN_SIDE / max(original.size))
    size = (max(1, round(original.width * scale)), max(1, round(original.height * scale)))
    sigma = (SEEN_BLUR * max(size), SEEN_BLUR * max(size), 0)
    inside = np.asarray(mask.convert("L").resize(size, Image.Resampling.BILINEAR)) >= 128
    if not inside.any():
        return 0.0
    weight = gaussian_filter(inside.astype(np.float32)[..., None], sigma, mode="mirror")
    seen = []
    for image in (original, result):
        pixels = np.asarray(split_alpha(image)[0].resize(size, Image.Resampling.BOX), np.float32) / 255
        blurred = gaussian_filter(pixels * inside[..., None], sigma, mode="mirror") / np.maximum(weight, 1e-6)
        seen.append(rgb2lab(np.clip(blurred[inside], 0, 1)[None]))
    return float(deltaE_ciede2000(*seen).mean())
