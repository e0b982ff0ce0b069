"""Product masks: where the product is in a photo.

An RGBA cutout brings its own mask (the alpha). For studio-style photos (a plain or
light backdrop) the mask is found with classical image processing: a colour model of
the backdrop from the photo's border, the backdrop grown inward from the border,
morphology, the largest components, and a feathered edge. A confidence says how much
to trust it; busy backgrounds get a low one, and the user corrects the mask by hand.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageFilter
from scipy import ndimage
from skimage import color, morphology

WORKING_SIDE = 512  # the mask is found at this size, then scaled up and feathered
BORDER = 0.03  # share of each side sampled as "surely backdrop"


@dataclass(frozen=True)
class ProductMask:
    mask: Image.Image  # "L": 255 = product, 0 = backdrop, feathered in between
    confidence: float  # 0..1
    source: str  # "alpha", "automatic", "drawn" or "uploaded"
    note: str = ""


def mask_from_alpha(image: Image.Image) -> ProductMask:
    return ProductMask(image.getchannel("A"), 1.0, "alpha", "Using the cutout's transparency.")


def automatic_mask(image: Image.Image, feather: float = 1.5) -> ProductMask:
    """Find the product in a studio-style photo (see module docstring)."""
    rgb = image.convert("RGB")
    scale = min(1.0, WORKING_SIDE / max(rgb.size))
    small = rgb.resize((max(8, round(rgb.width * scale)), max(8, round(rgb.height * scale))),
                       Image.Resampling.BILINEAR) if scale < 1 else rgb
    lab = color.rgb2lab(np.asarray(small, dtype=np.float64) / 255.0)
    border = _border_band(lab.shape[:2])
    backdrop, spread, uniformity = _backdrop_model(lab, border)
    distance = np.linalg.norm(lab - backdrop, axis=2)
    threshold = float(np.clip(3.0 * spread, 6.0, 15.0))
    backdrop_like = distance < threshold
    # the backdrop is what is backdrop-coloured and connected to the border
    labels, _ = ndimage.label(backdrop_like)
    touching = np.unique(labels[border & backdrop_like])
    backdrop_region = np.isin(labels, touching[touching > 0])
    product = ~backdrop_region
    product = ndimage.binary_opening(product, structure=morphology.disk(1))
    product = ndimage.binary_fill_holes(product)
    product = _largest_components(product)
    fraction = float(product.mean())
    confidence = _confidence(uniformity, spread, fraction, product, distance, threshold)
    mask = Image.fromarray((product * 255).astype(np.uint8)).resize(rgb.size, Image.Resampling.BILINEAR)
    # feather at least as wide as the upscaling steps, so the edge shows no staircase
    mask = mask.filter(ImageFilter.GaussianBlur(feather * max(1.0, 0.5 / scale)))
    note = ("Automatic mask." if confidence >= 0.6 else
            "The background looks busy, so the automatic mask may be wrong: correct it with the brush "
            "or upload a mask.")
    return ProductMask(mask, confidence, "automatic", note)


def product_mask(image: Image.Image) -> ProductMask:
    """The alpha of a cutout, else the automatic mask."""
    if image.mode == "RGBA" and np.asarray(image.getchannel("A")).min() < 255:
        return mask_from_alpha(image)
    return automatic_mask(image)


def mask_from_drawing(base_size: tuple[int, int], drawn: Image.Image) -> ProductMask:
    """A mask painted by hand or uploaded: any non-black, non-transparent pixel is product."""
    drawn = drawn.convert("RGBA").resize(base_size, Image.Resampling.NEAREST)
    array = np.asarray(drawn)
    painted = (array[..., 3] > 0) & (array[..., :3].max(axis=2) > 0)
    return ProductMask(Image.fromarray((painted * 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(1.5)),
                       1.0, "drawn", "Using your mask.")


def overlay(image: Image.Image, mask: Image.Image, tint: tuple[int, int, int] = (236, 72, 153)) -> Image.Image:
    """The photo with the backdrop dimmed and tinted, so the mask's edge is easy to judge."""
    rgb = image.convert("RGB")
    shade = Image.blend(rgb, Image.new("RGB", rgb.size, tint), 0.55)
    return Image.composite(rgb, shade, mask.convert("L").resize(rgb.size))


def _border_band(shape: tuple[int, int]) -> np.ndarray:
    height, width = shape
    band = max(2, round(BORDER * min(height, width)))
    border = np.zeros(shape, dtype=bool)
    border[:band], border[-band:], border[:, :band], border[:, -band:] = True, True, True, True
    return border


def _backdrop_model(lab: np.ndarray, border: np.ndarray) -> tuple[np.ndarray, float, float]:
    """Median backdrop colour, its robust spread (Lab units), and how much of the border fits it."""
    samples = lab[border]
    median = np.median(samples, axis=0)
    distances = np.linalg.norm(samples - median, axis=1)
    spread = float(1.4826 * np.median(distances)) + 1e-6
    uniformity = float((distances < np.clip(3.0 * spread, 6.0, 15.0)).mean())
    return median, spread, uniformity


def _largest_components(product: np.ndarray, keep_fraction: float = 0.05) -> np.ndarray:
    """Keep the biggest component and any others at least ``keep_fraction`` of its size."""
    labels, count = ndimage.label(product)
    if count <= 1:
        return product
    sizes = ndimage.sum(product, labels, index=np.arange(1, count + 1))
    keep = np.flatnonzero(sizes >= keep_fraction * sizes.max()) + 1
    return np.isin(labels, keep)


def _confidence(uniformity: float, spread: float, fraction: float, product: np.ndarray, distance: np.ndarray,
                threshold: float) -> float:
    """High when the border is one plain colour, the product is a plausible size, and its edge is crisp."""
    if fraction < 0.005 or fraction > 0.95:
        return 0.05
    plainness = float(np.clip(1 - (spread - 4.0) / 8.0, 0, 1))  # a studio backdrop varies by a few Lab units
    size_score = 1.0 if 0.03 <= fraction <= 0.85 else 0.5
    edge = product ^ ndimage.binary_erosion(product)
    contrast = float(np.median(distance[edge])) / threshold if edge.any() else 0.0
    contrast_score = min(1.0, contrast)
    return round(float(np.clip(uniformity**2 * plainness * size_score * (0.5 + 0.5 * contrast_score), 0, 1)), 3)
