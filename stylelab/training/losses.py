"""Perceptual losses with the frozen MobileNetV2 of the style predictor as the loss network.

No VGG weights can be had here, so the features of the style predictor's MobileNetV2 —
trained on the same task family — stand in: Gram-matrix style loss and feature content
loss over named layers, a total-variation term, a colour term (the painting's palette, matched
in pixel space), and optionally the distance between the predicted embeddings of the output and
of the style image.
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

    def embed_from(self, features: dict[str, torch.Tensor]) -> torch.Tensor:
        """The style predictor's embedding [N, 100] of the image whose ``forward`` features these are: the
        remaining blocks run on the deepest feature map, so the embedding costs little more than the losses
        (at the training size rather than the predictor's 256 px)."""
        h = features[f"expanded_conv_{self.last_block}"]
        for block in self.predictor.blocks[self.last_block + 1:]:
            h = block(h)
        return self.predictor.bottleneck(self.predictor.head(h).mean(dim=(2, 3)))

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


# sRGB (D65) -> CIE XYZ, and the D65 white
_RGB_TO_XYZ = torch.tensor([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
_WHITE = torch.tensor([0.9505, 1.0, 1.089])
PALETTE_DIRECTIONS = 32  # fixed directions in Lab space along which two colour distributions are compared


def srgb_to_lab(image: torch.Tensor) -> torch.Tensor:
    """[N, 3, H, W] sRGB in [0, 1] -> CIE Lab (L 0..100), differentiable (so a loss can pull colours)."""
    c = image.clamp(0, 1)
    linear = torch.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    xyz = torch.einsum("ij,njhw->nihw", _RGB_TO_XYZ.to(image), linear) / _WHITE.to(image)[:, None, None]
    cube = (6 / 29) ** 3
    f = torch.where(xyz > cube, xyz.clamp(min=cube) ** (1 / 3), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return torch.stack([116 * f[:, 1] - 16, 500 * (f[:, 0] - f[:, 1]), 200 * (f[:, 1] - f[:, 2])], dim=1)


def _directions(device: torch.device) -> torch.Tensor:
    directions = torch.randn(PALETTE_DIRECTIONS, 3, generator=torch.Generator().manual_seed(0))
    return (directions / directions.norm(dim=1, keepdim=True)).to(device)


def palette(image: torch.Tensor, side: int = 128) -> torch.Tensor:
    """The colours of an image [3, H, W] as the palette distance compares them: its Lab pixels (the shorter
    side at most ``side``) projected on the fixed directions and sorted, [P, PALETTE_DIRECTIONS]."""
    return _sorted_projections(image[None], side)[0]


def palette_distance(images: torch.Tensor, target: torch.Tensor, side: int = 96) -> torch.Tensor:
    """How far each image's colours are from a ``palette`` (sliced Wasserstein-1 distance in Lab, about ΔE
    units): every image [N, 3, H, W]'s pixels projected on the same directions, sorted, and compared with the
    target's at the same quantiles. 0 when the image uses the painting's colours in the same proportions,
    whatever their arrangement. Returns [N]; differentiable, so the fine-tuning can pull colours towards it."""
    projected = _sorted_projections(images, side)  # [N, P, K]
    pixels = projected.shape[1]
    at = ((torch.arange(pixels, device=images.device) + 0.5) / pixels * len(target)).long()
    return (projected - target[at].to(projected)).abs().mean(dim=(1, 2))


def _sorted_projections(images: torch.Tensor, side: int) -> torch.Tensor:
    """[N, P, PALETTE_DIRECTIONS]: each image's Lab pixels projected on the fixed directions, sorted; images
    with a shorter side above ``side`` are shrunk first (a palette needs no more pixels, and sorting costs)."""
    height, width = images.shape[-2:]
    if min(height, width) > side:
        scale = side / min(height, width)
        images = F.interpolate(images, size=(round(height * scale), round(width * scale)), mode="bilinear",
                               align_corners=False, antialias=True)
    lab = srgb_to_lab(images).flatten(2).transpose(1, 2)
    return (lab @ _directions(images.device).T).sort(dim=1).values
