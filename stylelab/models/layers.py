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


def normalize_and_modulate(
    x: torch.Tensor, gamma: torch.Tensor, beta: torch.Tensor, stats: NormStats | None
) -> torch.Tensor:
    """Instance norm, then scale by ``gamma`` and shift by ``beta`` (both [N, C]).

    Folded into one multiply-add per pixel, because on large images these
    elementwise passes over memory, not the convolutions, dominate CPU time.
    ``stats`` lets a tiled run replay the statistics of the whole image on every
    tile, so tiles share one colour balance.
    """
    var, mean = torch.var_mean(x.float(), dim=(2, 3), unbiased=False, keepdim=True)
    if stats is not None:
        mean, var = stats.exchange(mean, var)
    scale = gamma.float()[:, :, None, None] * torch.rsqrt(var + NORM_EPSILON)
    shift = beta.float()[:, :, None, None] - mean * scale
    return torch.addcmul(shift.to(x.dtype), x, scale.to(x.dtype))
