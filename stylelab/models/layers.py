"""Building blocks shared by the stylization networks.

The CPU spends more time passing over large activations than in the convolutions
themselves, so these blocks avoid full-size copies: mirror padding is done on thin
border strips only, instance-norm statistics come from one matrix product, and the
normalization writes into the convolution's own output when no gradient is needed.
"""
from __future__ import annotations

import itertools
import math

import torch
import torch.nn.functional as F
from torch import nn

from stylelab.models.norm_stats import NormStats

NORM_EPSILON = 1e-5
WIDE_CHANNELS = 16  # from here on matrix products beat plain sums for channel statistics


class ReflectConv(nn.Module):
    """A convolution over a mirror-padded input, as the original TensorFlow models do;
    with ``upsample``, over the input enlarged 2x by nearest neighbours first."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, stride: int = 1, bias: bool = True,
                 upsample: bool = False):
        super().__init__()
        if upsample and (kernel_size, stride) != (3, 1):
            raise ValueError("upsampling convolutions are 3x3 with stride 1")
        self.padding = kernel_size // 2
        self.upsample = upsample
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size, stride=stride, bias=bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.upsample:
            return upsample_2x_conv3x3_reflect(x, self.conv.weight, self.conv.bias)
        return conv2d_padded(x, self.conv.weight, self.conv.bias, self.conv.stride[0], self.padding, "reflect")


def conv2d_padded(
    x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None, stride: int, padding: int, mode: str
) -> torch.Tensor:
    """``conv2d(pad(x, padding, mode), weight, bias, stride)`` without padding all of ``x``.

    The convolution runs with zero padding; only the output rows and columns whose
    window reaches into the padding are recomputed from small padded strips.
    """
    kernel = weight.shape[-1]
    if padding == 0:
        return F.conv2d(x, weight, bias, stride)
    if min(x.shape[-2:]) < 4 * kernel:  # tiny inputs: strips would overlap, the copy is cheap anyway
        return F.conv2d(F.pad(x, (padding,) * 4, mode=mode), weight, bias, stride)
    output = F.conv2d(x, weight, bias, stride, padding=padding)
    _redo_row_borders(output, x, weight, bias, stride, padding, mode)
    # the same for columns: rows of the transposed views are the columns
    _redo_row_borders(output.transpose(-1, -2), x.transpose(-1, -2), weight.transpose(-1, -2), bias, stride, padding,
                      mode)
    return output


def _redo_row_borders(
    output: torch.Tensor, x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None, stride: int, padding: int,
    mode: str,
) -> None:
    """Overwrite the first and last output rows whose windows reach past the input's top or bottom."""
    kernel, height, rows_out = weight.shape[-2], x.shape[-2], output.shape[-2]
    top_rows = math.ceil(padding / stride)
    top_input = (top_rows - 1) * stride + kernel - padding  # input rows those outputs read
    top = F.pad(x[..., :top_input, :], (padding, padding, padding, 0), mode=mode)
    output[..., :top_rows, :] = F.conv2d(top, weight, bias, stride)
    first_bottom = max(top_rows, math.ceil((height - kernel + padding + 1) / stride))
    if first_bottom < rows_out:
        bottom = F.pad(x[..., first_bottom * stride - padding :, :], (padding, padding, 0, padding), mode=mode)
        output[..., first_bottom:, :] = F.conv2d(bottom, weight, bias, stride)[..., : rows_out - first_bottom, :]


# Which taps of a 3x3 kernel on the 2x-enlarged image land on which low-resolution row,
# for output rows of even (0) and odd (1) phase: [phase, low-res tap, original tap].
_PHASE_TAPS = torch.tensor([
    [[1.0, 0, 0], [0, 1, 1], [0, 0, 0]],
    [[0.0, 0, 0], [1, 1, 0], [0, 0, 1]],
])


def upsample_phase_weights(weight: torch.Tensor) -> torch.Tensor:
    """The four phase kernels [out * 4, in, 3, 3], in pixel-shuffle order, of a 3x3 kernel over a 2x enlargement."""
    taps = _PHASE_TAPS.to(weight)
    # [out, in, 3, 3] -> [out, phase_y, phase_x, in, 3, 3] -> [out * 4, in, 3, 3]
    return torch.einsum("yiu,ocuv,xjv->oyxcij", taps, weight, taps).reshape(-1, *weight.shape[1:])


def upsample_2x_conv3x3_reflect(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None) -> torch.Tensor:
    """``conv2d_padded(upsample_nearest_2x(x), weight, bias, 1, 1, "reflect")``, computed at x's size.

    Each of the four output phases of a 3x3 convolution over a nearest-neighbour
    enlargement is a smaller convolution of the original; running all four as one
    convolution and interleaving them (pixel shuffle) skips the 4x larger upsampled
    copy and its 3x3 pass. Mirror padding the enlargement equals edge-replicating x.
    """
    phases = upsample_phase_weights(weight)
    phase_bias = bias.repeat_interleave(4) if bias is not None else None
    if x.is_contiguous(memory_format=torch.channels_last):
        phases = phases.contiguous(memory_format=torch.channels_last)
    low = conv2d_padded(x, phases, phase_bias, 1, 1, "replicate")
    output = F.pixel_shuffle(low, 2)
    if x.is_contiguous(memory_format=torch.channels_last):
        output = output.contiguous(memory_format=torch.channels_last)
    return output


def space_to_depth_weights(weight: torch.Tensor) -> torch.Tensor:
    """A KxK kernel [out, in, K, K] as the kernel [out * 4, in * 4, (K + 1) // 2, ...] that computes the
    same convolution on the image's 2x2 space-to-depth form (pixel unshuffle), output in the same form.

    Output phase (a, b) at half-resolution (i, j) is full-resolution output (2i + a, 2j + b); it reads
    input phase (c, d) at (i + m, j + n) through original tap (2m + c - a, 2n + d - b).
    """
    out_channels, in_channels, kernel, _ = weight.shape
    taps = (kernel + 1) // 2
    result = weight.new_zeros(out_channels * 4, in_channels * 4, taps, taps)
    for a, b, c, d in itertools.product(range(2), repeat=4):
        for m, n in itertools.product(range(taps), repeat=2):
            row, column = 2 * m + c - a, 2 * n + d - b
            if 0 <= row < kernel and 0 <= column < kernel:
                result[a * 2 + b :: 4, c * 2 + d :: 4, m, n] = weight[:, :, row, column]
    return result


def channel_moments(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean and (biased) variance of each image's channels over H and W, shaped [N, C, 1, 1]."""
    if x.device.type == "cpu" and x.dtype == torch.float32 and x.is_contiguous(memory_format=torch.channels_last):
        # var_mean over the strided H, W of a channels-last tensor is ~10x slower on the CPU than
        # summing its [pixels, channels] view; for many channels matrix products sum fastest
        # (the Gram matrix's diagonal holds the sums of squares)
        batch, channels, height, width = x.shape
        pixels = x.permute(0, 2, 3, 1).reshape(batch, height * width, channels)
        if channels >= WIDE_CHANNELS:
            total = torch.bmm(x.new_ones(batch, 1, height * width), pixels)[:, 0]
            squares = torch.bmm(pixels.transpose(1, 2), pixels).diagonal(dim1=1, dim2=2)
        else:
            total, squares = pixels.sum(1), pixels.square().sum(1)
        mean = total / (height * width)
        var = (squares / (height * width) - mean * mean).clamp_min(0)
        return mean[:, :, None, None], var[:, :, None, None]
    var, mean = torch.var_mean(x.float(), dim=(2, 3), unbiased=False, keepdim=True)
    return mean, var


def normalize_and_modulate(
    x: torch.Tensor, gamma: torch.Tensor, beta: torch.Tensor, stats: NormStats | None, overwrite: bool = False
) -> torch.Tensor:
    """Instance norm, then scale by ``gamma`` and shift by ``beta`` (both [N, C]).

    Folded into one multiply-add per pixel. ``stats`` lets a tiled run replay the
    statistics of the whole image on every tile, so tiles share one colour balance.
    ``overwrite`` writes the result into ``x`` (a network's own intermediate) when no
    gradients are being recorded, which saves a full-size activation of memory.
    """
    mean, var = channel_moments(x)
    if stats is not None:
        mean, var = stats.exchange(mean, var)
    scale = gamma.float()[:, :, None, None] * torch.rsqrt(var + NORM_EPSILON)
    shift = beta.float()[:, :, None, None] - mean * scale
    shift, scale = shift.to(x.dtype), scale.to(x.dtype)
    if overwrite and not torch.is_grad_enabled():
        return torch.addcmul(shift, x, scale, out=x)
    return torch.addcmul(shift, x, scale)
