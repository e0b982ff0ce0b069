"""Building blocks shared by the stylization networks."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from stylelab.models.norm_stats import NormStats

NORM_EPSILON = 1e-5


class ReflectConv(nn.Module):
    """A convolution that mirror-pads its input first, as the original TensorFlow models do."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, stride: int = 1, bias: bool = True):
        super().__init__()
        self.padding = kernel_size // 2
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size, stride=stride, bias=bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        padding = (self.padding,) * 4
        return self.conv(F.pad(x, padding, mode="reflect"))


def upsample_nearest_2x(x: torch.Tensor) -> torch.Tensor:
    return F.interpolate(x, scale_factor=2.0, mode="nearest")


def instance_normalize(x: torch.Tensor, stats: NormStats | None) -> torch.Tensor:
    """Normalize each channel of each image to zero mean and unit variance.

    ``stats`` lets a tiled run record the statistics of the whole image once and
    replay them on every tile, so tiles share one colour balance.
    """
    x32 = x.float()
    mean = x32.mean(dim=(2, 3), keepdim=True)
    var = (x32 - mean).pow(2).mean(dim=(2, 3), keepdim=True)
    if stats is not None:
        mean, var = stats.exchange(mean, var)
    normalized = (x32 - mean) * torch.rsqrt(var + NORM_EPSILON)
    return normalized.to(x.dtype)


def modulate(x: torch.Tensor, gamma: torch.Tensor, beta: torch.Tensor) -> torch.Tensor:
    """Scale and shift channels by per-image ``gamma`` and ``beta`` of shape [N, C]."""
    return x * gamma[:, :, None, None].to(x.dtype) + beta[:, :, None, None].to(x.dtype)
