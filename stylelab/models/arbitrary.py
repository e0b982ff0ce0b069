"""The any-image style transformer of Ghiasi et al. (2017), Magenta's small variant.

Contract (convs whose batch norm was folded into a bias) -> 5 residual blocks ->
expand, where every residual and expand conv is followed by an instance norm whose
gamma and beta are predicted from a 100-d style embedding by linear maps.
"""
from __future__ import annotations

import torch
from torch import nn

from stylelab.models.layers import ReflectConv, normalize_and_modulate
from stylelab.models.norm_stats import NormStats

EMBEDDING_SIZE = 100


class StyleNorm(nn.Module):
    """Instance norm with gamma/beta predicted from the style embedding."""

    def __init__(self, channels: int, embedding_size: int = EMBEDDING_SIZE):
        super().__init__()
        self.to_gamma = nn.Linear(embedding_size, channels)
        self.to_beta = nn.Linear(embedding_size, channels)

    def forward(self, x: torch.Tensor, embedding: torch.Tensor, stats: NormStats | None) -> torch.Tensor:
        # x is the preceding convolution's fresh output, so the norm may overwrite it
        return normalize_and_modulate(x, self.to_gamma(embedding), self.to_beta(embedding), stats, overwrite=True)


class StyledConv(nn.Module):
    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, upsample: bool = False):
        super().__init__()
        self.conv = ReflectConv(in_channels, out_channels, kernel_size, upsample=upsample)
        self.norm = StyleNorm(out_channels)

    def forward(self, x: torch.Tensor, embedding: torch.Tensor, stats: NormStats | None) -> torch.Tensor:
        return self.norm(self.conv(x), embedding, stats)


class StyledResidualBlock(nn.Module):
    def __init__(self, channels: int):
        super().__init__()
        self.conv1 = StyledConv(channels, channels, 3)
        self.conv2 = StyledConv(channels, channels, 3)

    def forward(self, x: torch.Tensor, embedding: torch.Tensor, stats: NormStats | None) -> torch.Tensor:
        h = torch.relu_(self.conv1(x, embedding, stats))
        return self.conv2(h, embedding, stats).add_(x)  # the block's fresh output takes the skip in place


class ArbitraryStyleTransformer(nn.Module):
    """Image [N,3,H,W] in 0..1 plus embedding [N,100] -> stylized image in 0..1.

    Fully convolutional; H and W must be multiples of 4.
    """

    def __init__(self) -> None:
        super().__init__()
        self.contract = nn.ModuleList([
            ReflectConv(3, 8, 9),
            ReflectConv(8, 16, 3, stride=2),
            ReflectConv(16, 32, 3, stride=2),
        ])
        self.residual = nn.ModuleList([StyledResidualBlock(32) for _ in range(5)])
        self.expand = nn.ModuleList([
            StyledConv(32, 16, 3, upsample=True),
            StyledConv(16, 8, 3, upsample=True),
            StyledConv(8, 3, 9),
        ])

    def forward(self, image: torch.Tensor, embedding: torch.Tensor, stats: NormStats | None = None) -> torch.Tensor:
        embedding = embedding.to(image.device, torch.float32)
        h = image
        for conv in self.contract:
            h = torch.relu_(conv(h))
        for block in self.residual:
            h = block(h, embedding, stats)
        h = torch.relu_(self.expand[0](h, embedding, stats))
        h = torch.relu_(self.expand[1](h, embedding, stats))
        return torch.sigmoid(self.expand[2](h, embedding, stats))
