"""Residual discriminator with named blocks from the input up, so fine-tuning can freeze the
lower (high-resolution, close-to-pixels) blocks: FreezeD (Mo et al. 2020)."""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from stylelab.gan.networks import EqualLinear, GeneratorConfig


class EqualConv2d(nn.Module):
    def __init__(self, in_channels: int, out_channels: int, kernel: int, bias: bool = True, activate: bool = True):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(out_channels, in_channels, kernel, kernel))
        self.bias = nn.Parameter(torch.zeros(out_channels)) if bias else None
        self.gain = 1 / math.sqrt(in_channels * kernel * kernel)
        self.activate = activate

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        bias = None if self.bias is None else self.bias.to(x.dtype)
        x = F.conv2d(x, (self.weight * self.gain).to(x.dtype), bias, padding=self.weight.shape[-1] // 2)
        return F.leaky_relu(x, 0.2) * math.sqrt(2) if self.activate else x


class DiscriminatorBlock(nn.Module):
    """conv, conv + downsample, with a 1x1 downsampled skip; the sum scaled to keep unit variance."""

    def __init__(self, in_channels: int, out_channels: int):
        super().__init__()
        self.conv0 = EqualConv2d(in_channels, in_channels, 3)
        self.conv1 = EqualConv2d(in_channels, out_channels, 3)
        self.skip = EqualConv2d(in_channels, out_channels, 1, bias=False, activate=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        skip = self.skip(F.avg_pool2d(x, 2))
        x = F.avg_pool2d(self.conv1(self.conv0(x)), 2)
        return (x + skip) / math.sqrt(2)


class Discriminator(nn.Module):
    """image [N, 3, R, R] in -1..1 -> one logit per image.

    ``blocks`` is ordered from the input: ``b64`` (at 64 px) first, ``b8`` last; ``from_rgb``
    comes before all of them. ``lower_modules(k)`` names what FreezeD keeps fixed.
    """

    def __init__(self, config: GeneratorConfig = GeneratorConfig(), mbstd_group: int = 4):
        super().__init__()
        self.config = config
        self.mbstd_group = mbstd_group
        resolutions = [2**i for i in range(int(math.log2(config.resolution)), 2, -1)]
        self.from_rgb = EqualConv2d(3, config.channels(config.resolution), 1)
        self.blocks = nn.ModuleDict({f"b{r}": DiscriminatorBlock(config.channels(r), config.channels(r // 2))
                                     for r in resolutions})
        channels = config.channels(4)
        self.epilogue_conv = EqualConv2d(channels + 1, channels, 3)
        self.epilogue_fc = EqualLinear(channels * 16, channels, activate=True)
        self.out = EqualLinear(channels, 1)

    def lower_modules(self, count: int) -> list[nn.Module]:
        """from_rgb and the first ``count`` blocks (from the input): the layers FreezeD freezes."""
        if not 0 <= count <= len(self.blocks):
            raise ValueError(f"can freeze 0 to {len(self.blocks)} discriminator blocks")
        return [self.from_rgb, *list(self.blocks.values())[:count]] if count else []

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        x = self.from_rgb(image)
        for block in self.blocks.values():
            x = block(x)
        x = self._minibatch_std(x)
        x = self.epilogue_conv(x)
        return self.out(self.epilogue_fc(x.flatten(1)))[:, 0]

    def _minibatch_std(self, x: torch.Tensor) -> torch.Tensor:
        """A feature map of the batch's spread, so the discriminator can spot missing variety."""
        n, c, h, w = x.shape
        group = min(self.mbstd_group, n)
        while n % group:
            group -= 1
        y = x.float().reshape(group, -1, c, h, w)
        y = (y - y.mean(0)).square().mean(0).add(1e-8).sqrt().mean(dim=(1, 2, 3))  # [n/group]
        y = y.reshape(-1, 1, 1, 1).repeat(group, 1, h, w).to(x.dtype)
        return torch.cat([x, y], dim=1)
