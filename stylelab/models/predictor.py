"""The style predictor of Ghiasi et al. (2017): MobileNetV2 features -> 100-d style embedding.

Batch norm is already folded into the conv biases, and padding follows TensorFlow's
"SAME" rule (extra padding goes to the bottom/right), as in the original model.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from stylelab.models.arbitrary import EMBEDDING_SIZE

STYLE_IMAGE_SIZE = 256

# (expansion factor, output channels, repeats, first stride) of MobileNetV2
INVERTED_RESIDUAL_SETTINGS = [
    (1, 16, 1, 1),
    (6, 24, 2, 2),
    (6, 32, 3, 2),
    (6, 64, 4, 2),
    (6, 96, 3, 1),
    (6, 160, 3, 2),
    (6, 320, 1, 1),
]


class SameConv(nn.Conv2d):
    """Conv2d with TensorFlow "SAME" padding."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pads = []
        for size, kernel, stride in zip(reversed(x.shape[2:]), reversed(self.kernel_size), reversed(self.stride)):
            total = max((math.ceil(size / stride) - 1) * stride + kernel - size, 0)
            pads += [total // 2, total - total // 2]
        return super().forward(F.pad(x, pads))


def conv_relu6(in_channels: int, out_channels: int, kernel_size: int, stride: int = 1, groups: int = 1) -> nn.Sequential:
    return nn.Sequential(SameConv(in_channels, out_channels, kernel_size, stride, groups=groups), nn.ReLU6())


class InvertedResidual(nn.Module):
    def __init__(self, in_channels: int, out_channels: int, stride: int, expansion: int):
        super().__init__()
        hidden = in_channels * expansion
        self.expand = conv_relu6(in_channels, hidden, 1) if expansion != 1 else None
        self.depthwise = conv_relu6(hidden, hidden, 3, stride, groups=hidden)
        self.project = SameConv(hidden, out_channels, 1)
        self.use_residual = stride == 1 and in_channels == out_channels

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.expand(x) if self.expand is not None else x
        h = self.project(self.depthwise(h))
        return x + h if self.use_residual else h


class StylePredictor(nn.Module):
    """Style image [N,3,256,256] in 0..1 -> style embedding [N,100]."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = conv_relu6(3, 32, 3, stride=2)
        blocks: list[nn.Module] = []
        channels = 32
        for expansion, out_channels, repeats, first_stride in INVERTED_RESIDUAL_SETTINGS:
            for i in range(repeats):
                blocks.append(InvertedResidual(channels, out_channels, first_stride if i == 0 else 1, expansion))
                channels = out_channels
        self.blocks = nn.Sequential(*blocks)
        self.head = conv_relu6(channels, 1280, 1)
        self.bottleneck = nn.Linear(1280, EMBEDDING_SIZE)

    def forward(self, style_image: torch.Tensor) -> torch.Tensor:
        features = self.head(self.blocks(self.stem(style_image)))
        return self.bottleneck(features.mean(dim=(2, 3)))
