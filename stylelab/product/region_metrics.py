"""Figures for the product region: does the product still look like itself?"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image
from skimage.color import deltaE_ciede2000, rgb2lab

from stylelab.imageio import split_alpha
from stylelab.metrics import psnr, ssim_map

MIN_REGION_PIXELS = 16


@dataclass(frozen=True)
class RegionFigures:
    ssim: float
    psnr: float
    delta_e: float  # mean CIEDE2000 colour difference; below ~1 is invisible, below ~2.3 barely


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
                         delta_e=float(delta_e.mean()))


def format_region(figures: RegionFigures | None) -> str:
    if figures is None:
        return "product region: —"
    psnr = "∞" if figures.psnr == float("inf") else f"{figures.psnr:.1f}"
    return f"product: SSIM {figures.ssim:.3f} · PSNR {psnr} dB · ΔE {figures.delta_e:.2f}"
