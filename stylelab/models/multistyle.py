"""The 26-style network with conditional instance normalization (Dumoulin et al., 2017).

Each normalization layer holds one (gamma, beta) pair per style; a style mix is a
weighted sum of those pairs, so one forward pass can blend any of the 26 styles.
"""
from __future__ import annotations

import torch
from torch import nn

from stylelab.models.layers import ReflectConv, normalize_and_modulate
from stylelab.models.norm_stats import NormStats

NUM_STYLES = 26


class ConditionalInstanceNorm(nn.Module):
    def __init__(self, channels: int, num_styles: int = NUM_STYLES):
        super().__init__()
        self.gamma = nn.Parameter(torch.ones(num_styles, channels))
        self.beta = nn.Parameter(torch.zeros(num_styles, channels))

    def forward(self, x: torch.Tensor, style_weights: torch.Tensor, stats: NormStats | None) -> torch.Tensor:
        # x is the preceding convolution's fresh output, so the norm may overwrite it
        # style_weights: [N, num_styles] -> per-image gamma/beta [N, C]
        gamma = style_weights @ self.gamma
        beta = style_weights @ self.beta
        return normalize_and_modulate(x, gamma, beta, stats, overwrite=True)


class ConvNormLayer(nn.Module):
    """Mirror-padded conv (optionally after 2x nearest upsampling), then conditional norm."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, stride: int = 1, upsample: bool = False):
        super().__init__()
        self.conv = ReflectConv(in_channels, out_channels, kernel_size, stride, bias=False, upsample=upsample)
        self.norm = ConditionalInstanceNorm(out_channels)

    def forward(self, x: torch.Tensor, style_weights: torch.Tensor, stats: NormStats | None) -> torch.Tensor:
        return self.norm(self.conv(x), style_weights, stats)


class ResidualBlock(nn.Module):
    def __init__(self, channels: int):
        super().__init__()
        self.conv1 = ConvNormLayer(channels, channels, 3)
        self.conv2 = ConvNormLayer(channels, channels, 3)

    def forward(self, x: torch.Tensor, style_weights: torch.Tensor, stats: NormStats | None) -> torch.Tensor:
        h = torch.relu_(self.conv1(x, style_weights, stats))
        return self.conv2(h, style_weights, stats).add_(x)  # the block's fresh output takes the skip in place


class MultiStyleNet(nn.Module):
    """Image [N,3,H,W] in 0..1 plus style weights [N,26] -> stylized image in 0..1.

    H and W must be multiples of 4 (two stride-2 convolutions, two 2x upsamplings).
    """

    def __init__(self, num_styles: int = NUM_STYLES):
        super().__init__()
        self.num_styles = num_styles
        self.contract = nn.ModuleList([
            ConvNormLayer(3, 32, 9),
            ConvNormLayer(32, 32, 3, stride=2),
            ConvNormLayer(32, 32, 3, stride=2),
        ])
        self.residual = nn.ModuleList([ResidualBlock(32) for _ in range(6)])
        self.expand = nn.ModuleList([
            ConvNormLayer(32, 8, 3, upsample=True),
            ConvNormLayer(8, 4, 3, upsample=True),
            ConvNormLayer(4, 3, 9),
        ])

    def forward(self, image: torch.Tensor, style_weights: torch.Tensor, stats: NormStats | None = None) -> torch.Tensor:
        style_weights = style_weights.to(image.device, torch.float32)
        h = image
        for layer in self.contract:
            h = torch.relu_(layer(h, style_weights, stats))
        for block in self.residual:
            h = block(h, style_weights, stats)
        h = torch.relu_(self.expand[0](h, style_weights, stats))
        h = torch.relu_(self.expand[1](h, style_weights, stats))
        return torch.sigmoid(self.expand[2](h, style_weights, stats))
