"""Perceptual losses with the frozen MobileNetV2 of the style predictor as the loss network.

No VGG weights can be had here, so the features of the style predictor's MobileNetV2 —
trained on the same task family — stand in: Gram-matrix style loss and feature content
loss over named layers, a total-variation term, and optionally the distance between the
predicted embeddings of the output and of the style image.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from stylelab.models import StylePredictor

# MobileNetV2 block index -> name as in the original graph (expanded_conv_N)
STYLE_LAYERS = ("expanded_conv_1", "expanded_conv_3", "expanded_conv_6", "expanded_conv_10")
CONTENT_LAYERS = ("expanded_conv_6",)


class LossNetwork(nn.Module):
    """Frozen MobileNetV2 features, returned by name."""

    def __init__(self, predictor: StylePredictor):
        super().__init__()
        self.predictor = predictor.eval().requires_grad_(False)
        wanted = set(STYLE_LAYERS) | set(CONTENT_LAYERS)
        self.last_block = max(int(name.rsplit("_", 1)[1]) for name in wanted)

    def forward(self, image: torch.Tensor) -> dict[str, torch.Tensor]:
        features = {}
        h = self.predictor.stem(image)
        for index, block in enumerate(self.predictor.blocks):
            h = block(h)
            features[f"expanded_conv_{index}"] = h
            if index >= self.last_block:
                break
        return features

    def embed(self, image: torch.Tensor) -> torch.Tensor:
        return self.predictor(F.interpolate(image, size=(256, 256), mode="bilinear", align_corners=False,
                                            antialias=True))


def gram(features: torch.Tensor) -> torch.Tensor:
    """Channel correlations [N, C, C], normalized by the number of positions."""
    n, c, h, w = features.shape
    flat = features.reshape(n, c, h * w)
    return flat @ flat.transpose(1, 2) / (c * h * w)


def style_loss(output: dict[str, torch.Tensor], style_grams: dict[str, torch.Tensor]) -> torch.Tensor:
    return sum(F.mse_loss(gram(output[name]), style_grams[name].expand(output[name].shape[0], -1, -1))
               for name in STYLE_LAYERS)


def content_loss(output: dict[str, torch.Tensor], content: dict[str, torch.Tensor]) -> torch.Tensor:
    return sum(F.mse_loss(output[name], content[name]) for name in CONTENT_LAYERS)


def total_variation(image: torch.Tensor) -> torch.Tensor:
    return (image[..., 1:, :] - image[..., :-1, :]).abs().mean() + (image[..., :, 1:] - image[..., :, :-1]).abs().mean()
