"""Pure compositing operations for product-aware restyling, on float tensors in 0..1.

Masks are [1, H, W] in 0..1 with 1 = product.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

MODES = ("whole photo", "background only", "product only")


def fill_masked(image: torch.Tensor, hole: torch.Tensor) -> torch.Tensor:
    """Fill the ``hole`` (1 = unknown) of a [3, H, W] image from its surroundings (push-pull).

    Restyling a backdrop with the product painted out stops the networks from drawing a
    glowing outline around a product that will be put back anyway.
    """
    known = (1 - hole).clamp(0, 1)[None]
    values = (image[None] * known, known)
    pyramid = [values]
    while min(pyramid[-1][1].shape[-2:]) > 4:
        weighted, weight = pyramid[-1]
        pyramid.append((F.avg_pool2d(weighted, 2, ceil_mode=True), F.avg_pool2d(weight, 2, ceil_mode=True)))
    weighted, weight = pyramid[-1]
    filled = weighted / weight.clamp_min(1e-6)
    if (weight <= 1e-6).any():  # nothing known at the coarsest level: use the overall mean colour
        mean = (image[None] * known).sum(dim=(2, 3), keepdim=True) / known.sum().clamp_min(1e-6)
        filled = torch.where(weight > 1e-6, filled, mean)
    for weighted, weight in reversed(pyramid[:-1]):
        upsampled = F.interpolate(filled, size=weight.shape[-2:], mode="bilinear", align_corners=False)
        own = weighted / weight.clamp_min(1e-6)
        confidence = weight.clamp(0, 1)
        filled = own * confidence + upsampled * (1 - confidence)
    return (image * (1 - hole) + filled[0] * hole).clamp(0, 1)


def composite(product_layer: torch.Tensor, backdrop_layer: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Product where the mask is 1, backdrop where it is 0, blended across the feathered edge."""
    return product_layer * mask + backdrop_layer * (1 - mask)


def dilate(mask: torch.Tensor, radius: int) -> torch.Tensor:
    if radius <= 0:
        return mask
    return F.max_pool2d(mask[None], 2 * radius + 1, stride=1, padding=radius)[0]
