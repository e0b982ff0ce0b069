"""Quality figures on features of our own frozen MobileNetV2 (the style predictor's backbone).

Inception weights cannot be had here, so these are **FD-MobileNet** and **KID-MobileNet**:
the Fréchet distance and the kernel inception distance formulas applied to the 1280
pooled features of the style predictor's MobileNetV2. They compare across runs of this
project (same features, same sample counts), not with published FID/KID numbers.
"""
from __future__ import annotations

import warnings

import numpy as np
import torch
import torch.nn.functional as F
from scipy import linalg
from torch import nn

from stylelab.models import StylePredictor

FEATURE_SIDE = 128  # images are upscaled to this before the network; small products need the room


class MobileNetFeatures(nn.Module):
    """Frozen MobileNetV2 up to its 1280-channel head, average-pooled (as the predictor itself pools)."""

    def __init__(self, predictor: StylePredictor):
        super().__init__()
        self.predictor = predictor.eval().requires_grad_(False)

    @torch.no_grad()
    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """images [N, 3, H, W] in 0..1 -> features [N, 1280] (float64, on the CPU)."""
        x = F.interpolate(images.float(), size=(FEATURE_SIDE, FEATURE_SIDE), mode="bilinear", align_corners=False,
                          antialias=images.shape[-1] > FEATURE_SIDE)
        p = self.predictor
        return p.head(p.blocks(p.stem(x))).mean(dim=(2, 3)).double().cpu()

    def of_batches(self, images: torch.Tensor, batch_size: int = 64) -> np.ndarray:
        device = next(self.predictor.parameters()).device
        parts = [self(images[i : i + batch_size].to(device)) for i in range(0, len(images), batch_size)]
        return torch.cat(parts).numpy()


def frechet_distance(features_a: np.ndarray, features_b: np.ndarray) -> float:
    """||mu_a - mu_b||² + Tr(S_a + S_b - 2 (S_a S_b)^½)."""
    mu_a, mu_b = features_a.mean(0), features_b.mean(0)
    sigma_a, sigma_b = np.cov(features_a, rowvar=False), np.cov(features_b, rowvar=False)
    with warnings.catch_warnings():  # with fewer samples than features the product is singular; expected
        warnings.simplefilter("ignore", linalg.LinAlgWarning)
        root = linalg.sqrtm(sigma_a @ sigma_b)
    if not np.isfinite(root).all():  # nearly singular: nudge the diagonals, as the FID reference code does
        offset = np.eye(len(sigma_a)) * 1e-6
        root = linalg.sqrtm((sigma_a + offset) @ (sigma_b + offset))
    root = root.real
    return float(np.square(mu_a - mu_b).sum() + np.trace(sigma_a) + np.trace(sigma_b) - 2 * np.trace(root))


def kernel_distance(features_a: np.ndarray, features_b: np.ndarray, subsets: int = 50, subset_size: int = 200,
                    seed: int = 0) -> float:
    """Unbiased squared MMD with the cubic polynomial kernel, averaged over random subsets (KID)."""
    rng = np.random.default_rng(seed)
    m = min(subset_size, len(features_a), len(features_b))
    dims = features_a.shape[1]
    total = 0.0
    for _ in range(subsets):
        x = features_a[rng.choice(len(features_a), m, replace=False)]
        y = features_b[rng.choice(len(features_b), m, replace=False)]
        a = (x @ x.T / dims + 1) ** 3 + (y @ y.T / dims + 1) ** 3
        b = (x @ y.T / dims + 1) ** 3
        total += (a.sum() - np.diag(a).sum()) / (m - 1) - b.sum() * 2 / m
    return float(total / subsets / m)
