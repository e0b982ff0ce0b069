"""Pure image operations on float tensors in 0..1, shaped [N, 3, H, W] or [3, H, W].

None of these change their inputs in place.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from stylelab.engine.grain import GRAIN_AMPLITUDE, GRAIN_SEED, grain_field  # noqa: F401 (re-exported)

# sRGB (D65) <-> CIE XYZ, and the D65 white point, for the Lab conversions
_RGB_TO_XYZ = torch.tensor([
    [0.412453, 0.357580, 0.180423],
    [0.212671, 0.715160, 0.072169],
    [0.019334, 0.119193, 0.950227],
])
_XYZ_TO_RGB = torch.linalg.inv(_RGB_TO_XYZ)
_D65_WHITE = torch.tensor([0.950456, 1.0, 1.088754])
_LAB_EPSILON = (6 / 29) ** 3


def _per_channel(matrix: torch.Tensor, image: torch.Tensor) -> torch.Tensor:
    return torch.einsum("ij,...jhw->...ihw", matrix.to(image), image)


def _srgb_to_linear(rgb: torch.Tensor) -> torch.Tensor:
    return torch.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055).clamp_min(0) ** 2.4)


def _linear_to_srgb(linear: torch.Tensor) -> torch.Tensor:
    return torch.where(linear <= 0.0031308, linear * 12.92, 1.055 * linear.clamp_min(0) ** (1 / 2.4) - 0.055)


def rgb_to_lab(rgb: torch.Tensor) -> torch.Tensor:
    """sRGB in 0..1 -> CIE Lab (L in 0..100), channel dimension at -3."""
    xyz = _per_channel(_RGB_TO_XYZ, _srgb_to_linear(rgb.float())) / _D65_WHITE.to(rgb.device)[:, None, None]
    f = torch.where(xyz > _LAB_EPSILON, xyz.clamp_min(_LAB_EPSILON) ** (1 / 3), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    fx, fy, fz = f.unbind(-3)
    return torch.stack([116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)], dim=-3)


def lab_to_rgb(lab: torch.Tensor) -> torch.Tensor:
    """CIE Lab -> sRGB in 0..1 (clipped to the gamut)."""
    lightness, a, b = lab.float().unbind(-3)
    fy = (lightness + 16) / 116
    f = torch.stack([fy + a / 500, fy, fy - b / 200], dim=-3)
    xyz = torch.where(f > 6 / 29, f**3, 3 * (6 / 29) ** 2 * (f - 4 / 29))
    xyz = xyz * _D65_WHITE.to(lab.device)[:, None, None]
    return _linear_to_srgb(_per_channel(_XYZ_TO_RGB, xyz)).clamp(0, 1)


# the style's lightness detail finer than this (a Gaussian's sigma, as a share of the photo's long side)
# is what keep-colours takes; coarser lightness, and all colour, stay the photo's
KEEP_COLOURS_DETAIL = 0.005


def keep_original_colours(stylized: torch.Tensor, original: torch.Tensor, detail: float = KEEP_COLOURS_DETAIL,
                          rows: int = 512) -> torch.Tensor:
    """The photo's colour and broad lightness, with the style's brushwork and local shading.

    Colour (a*, b*) comes from the photo; lightness is the photo's low-pass plus the style's
    high-pass (both split by a Gaussian of ``detail`` times the long side). Taking the style's
    whole lightness instead moved the colour a buyer sees: a red saucer came back salmon, a black
    lamp light grey. Inputs are [..., 3, H, W] of one size; the Lab conversions run ``rows`` rows
    at a time to bound the memory their temporaries take.
    """
    sigma = detail * max(original.shape[-2:])
    photo_lightness, style_lightness = lightness(original), lightness(stylized)
    merged = gaussian_blur(photo_lightness, sigma) + style_lightness - gaussian_blur(style_lightness, sigma)
    result = torch.empty(original.shape, dtype=stylized.dtype)
    for top in range(0, original.shape[-2], rows):
        band = slice(top, top + rows)
        lab = rgb_to_lab(original[..., band, :])
        lab[..., :1, :, :] = merged[..., band, :]
        result[..., band, :] = lab_to_rgb(lab).to(stylized.dtype)
    return result


def lightness(rgb: torch.Tensor, rows: int = 512) -> torch.Tensor:
    """CIE L* (0..100) of sRGB in 0..1, shaped [..., 1, H, W]."""
    luminance = _RGB_TO_XYZ[1]
    bands = []
    for top in range(0, rgb.shape[-2], rows):
        linear = _srgb_to_linear(rgb[..., top : top + rows, :].float())
        y = torch.einsum("j,...jhw->...hw", luminance, linear)[..., None, :, :]
        bands.append(torch.where(y > _LAB_EPSILON, 116 * y.clamp_min(_LAB_EPSILON) ** (1 / 3) - 16,
                                 y * (116 / (3 * (6 / 29) ** 2))))
    return torch.cat(bands, dim=-2)


def gaussian_blur(image: torch.Tensor, sigma: float) -> torch.Tensor:
    """A Gaussian low-pass of [..., C, H, W] (reflected borders).

    Wide blurs run on an area-shrunk copy and are scaled back bilinearly: the result is smooth,
    so this costs almost nothing in accuracy and keeps a 16 MP blur to milliseconds.
    """
    if sigma <= 0:
        return image
    shape = image.shape
    flat = image.float().reshape(-1, 1, *shape[-2:])
    step = max(1, int(sigma // 3))
    small = flat if step == 1 else F.interpolate(
        flat, size=(math.ceil(shape[-2] / step), math.ceil(shape[-1] / step)), mode="area")
    # an area shrink by ``step`` already blurred by a box of variance (step² - 1) / 12
    small_sigma = math.sqrt(max(sigma**2 - (step**2 - 1) / 12, 0.25)) / step
    radius = max(1, math.ceil(3 * small_sigma))
    offsets = torch.arange(-radius, radius + 1, dtype=torch.float32)
    kernel = torch.exp(-(offsets**2) / (2 * small_sigma**2))
    kernel = kernel / kernel.sum()
    blurred = _convolve_axis(_convolve_axis(small, kernel, -1), kernel, -2)
    if step > 1:
        blurred = F.interpolate(blurred, size=shape[-2:], mode="bilinear", align_corners=False)
    return blurred.reshape(shape)


def _convolve_axis(image: torch.Tensor, kernel: torch.Tensor, axis: int) -> torch.Tensor:
    radius = len(kernel) // 2
    length = image.shape[axis]
    pad = (radius, radius, 0, 0) if axis == -1 else (0, 0, radius, radius)
    # reflect padding needs the side longer than the pad; very small images repeat their edge
    padded = F.pad(image, pad, mode="reflect" if length > radius else "replicate")
    weights = kernel.view(1, 1, 1, -1) if axis == -1 else kernel.view(1, 1, -1, 1)
    return F.conv2d(padded, weights)


def mix(original: torch.Tensor, stylized: torch.Tensor, amount: float) -> torch.Tensor:
    """Linear mix: 0 gives the original, 1 the stylized image."""
    return torch.lerp(original, stylized.to(original.dtype), float(amount))


def resize(image: torch.Tensor, height: int, width: int) -> torch.Tensor:
    """Antialiased bicubic resize of a [N, 3, H, W] batch, clipped to 0..1."""
    if image.shape[-2:] == (height, width):
        return image
    resized = F.interpolate(image.float(), size=(height, width), mode="bicubic", antialias=True, align_corners=False)
    return resized.clamp(0, 1).to(image.dtype)


def pad_to_multiple(image: torch.Tensor, multiple: int) -> torch.Tensor:
    """Mirror-pad the bottom and right edges so both sides are multiples of ``multiple``."""
    height, width = image.shape[-2:]
    pad_bottom, pad_right = -height % multiple, -width % multiple
    if not pad_bottom and not pad_right:
        return image
    return F.pad(image, (0, pad_right, 0, pad_bottom), mode="replicate" if min(height, width) <= multiple else "reflect")


def center_square(image: torch.Tensor) -> torch.Tensor:
    """The largest centred square crop of a [..., H, W] image."""
    height, width = image.shape[-2:]
    side = min(height, width)
    top, left = (height - side) // 2, (width - side) // 2
    return image[..., top : top + side, left : left + side]


def add_grain(
    image: torch.Tensor, amplitude: float, seed: int, memory_format: torch.memory_format = torch.contiguous_format
) -> torch.Tensor:
    """Add the engine's faint, seeded uniform noise (±amplitude; see ``engine.grain``).

    The result is laid out in ``memory_format``, so a network wanting channels-last needs no
    further copy.
    """
    noise = torch.from_numpy(grain_field(tuple(image.shape[-3:]), amplitude, seed))
    result = torch.empty_like(image, memory_format=memory_format)
    return torch.add(image, noise.to(image.dtype), out=result).clamp_(0, 1)
