"""How long the SSIM / PSNR readouts take next to each result: StyleLab's against scikit-image's.

    python benchmarks/metrics_speed.py            # markdown table to stdout (~1 min on 2 cores)

Whole-photo SSIM + PSNR (``compare_images``) and the product-region figures (``region_figures``:
SSIM map, PSNR and ΔE2000 inside the mask) on scikit-image's astronaut, resized, against a
blurred and noisy "result"; medians of 3 warm runs, and the largest difference in SSIM.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import skimage.data
from PIL import Image, ImageFilter
from skimage.color import deltaE_ciede2000, rgb2lab
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.performance import median_seconds  # noqa: E402
from stylelab.metrics import compare_images  # noqa: E402
from stylelab.product.region_metrics import region_figures  # noqa: E402

REPEATS = 3


def scikit_image_whole(a: np.ndarray, b: np.ndarray) -> float:
    ssim = structural_similarity(a, b, channel_axis=2, data_range=255)
    peak_signal_noise_ratio(a, b, data_range=255)
    return ssim


def scikit_image_region(a: np.ndarray, b: np.ndarray, inside: np.ndarray) -> float:
    """The product figures as StyleLab computed them before, all in scikit-image at float64."""
    a, b = a / 255.0, b / 255.0
    _, ssim_map = structural_similarity(a, b, channel_axis=2, data_range=1.0, full=True)
    10 * np.log10(1.0 / ((a - b) ** 2)[inside].mean())
    deltaE_ciede2000(rgb2lab(a[inside][None]), rgb2lab(b[inside][None]))
    return float(ssim_map.mean(axis=2)[inside].mean())


def main() -> None:
    print("| photo | SSIM + PSNR: StyleLab | scikit-image | product figures: StyleLab | scikit-image | "
          "max SSIM difference |")
    print("|---|---|---|---|---|---|")
    rng = np.random.default_rng(0)
    for side in (512, 1024, 2048):
        original = Image.fromarray(skimage.data.astronaut()).resize((side, side), Image.Resampling.LANCZOS)
        blurred = np.asarray(original.filter(ImageFilter.GaussianBlur(side / 400)), dtype=np.int16)
        result = Image.fromarray(np.clip(blurred + rng.integers(-20, 21, blurred.shape), 0, 255).astype(np.uint8))
        mask = Image.new("L", original.size, 0)
        mask.paste(255, (side // 4, side // 5, side * 3 // 4, side * 4 // 5))  # a product in the middle
        a, b = np.asarray(original), np.asarray(result)
        inside = np.asarray(mask) >= 128
        ours_whole = median_seconds(lambda: compare_images(original, result), REPEATS)
        theirs_whole = median_seconds(lambda: scikit_image_whole(a, b), REPEATS)
        ours_region = median_seconds(lambda: region_figures(original, result, mask), REPEATS)
        theirs_region = median_seconds(lambda: scikit_image_region(a, b, inside), REPEATS)
        difference = max(abs(compare_images(original, result).ssim - scikit_image_whole(a, b)),
                         abs(region_figures(original, result, mask).ssim - scikit_image_region(a, b, inside)))
        print(f"| {side}x{side} | {ours_whole:.3f} s | {theirs_whole:.3f} s | {ours_region:.3f} s | "
              f"{theirs_region:.3f} s | {difference:.1e} |")


if __name__ == "__main__":
    main()
