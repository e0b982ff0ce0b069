"""Similarity of a result to its original, as the results panel reports it."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from stylelab.imageio import split_alpha


@dataclass(frozen=True)
class Similarity:
    ssim: float  # 1 = identical structure
    psnr: float  # dB; higher = closer, inf when identical


def compare_images(original: Image.Image, result: Image.Image) -> Similarity:
    """SSIM and PSNR of two same-size images, on RGB at full resolution.

    Cutouts are compared as shown on a white page (transparent areas count as white).
    """
    if original.size != result.size:
        raise ValueError(f"sizes differ: {original.size} vs {result.size}")
    a = np.asarray(split_alpha(original)[0])
    b = np.asarray(split_alpha(result)[0])
    if np.array_equal(a, b):
        return Similarity(ssim=1.0, psnr=float("inf"))
    ssim = structural_similarity(a, b, channel_axis=2, data_range=255)
    psnr = peak_signal_noise_ratio(a, b, data_range=255)
    return Similarity(ssim=float(ssim), psnr=float(psnr))


def format_similarity(similarity: Similarity) -> str:
    psnr = "∞" if similarity.psnr == float("inf") else f"{similarity.psnr:.1f}"
    return f"SSIM {similarity.ssim:.3f} · PSNR {psnr} dB"
