"""The product in the scene: its shadow, contact occlusion and reflection from its own cut-out.

The product is a flat cut-out, so its light-facing silhouette is taken to be the one the
camera sees, stood in the vertical plane through its base that squarely faces the light
(a round bottle or a mug looks much the same from both). A point is shadowed where its ray
towards the light crosses that silhouette; the crossing's distance sets the penumbra, so
the shadow is crisp at the base and softens away from it.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, ImageFilter

from stylelab.product.scene.lights import KeyLight

TEXTURE_HEIGHT = 160  # px per product height for the shadow and reflection lookups
BLUR_LEVELS = (0.0, 2.0, 5.0, 11.0, 24.0)  # px of blur in the silhouette stack


@dataclass(frozen=True)
class ProductStand:
    """A product 1 tall and ``aspect`` wide, its base centred at (0, ``base``, 0)."""
    aspect: float
    base: float
    foot: float  # width of its base, in product heights
    silhouettes: torch.Tensor  # [1, levels, h, w] alpha blurred by BLUR_LEVELS
    colour: torch.Tensor  # [1, 4, h, w] premultiplied RGBA for reflections


def make_stand(cutout: Image.Image, base: float) -> ProductStand:
    rgba = cutout.convert("RGBA")
    width = max(8, round(TEXTURE_HEIGHT * rgba.width / rgba.height))
    small = rgba.resize((width, TEXTURE_HEIGHT), Image.Resampling.BILINEAR)
    alpha = small.getchannel("A")
    levels = [np.asarray(alpha.filter(ImageFilter.GaussianBlur(r)) if r else alpha, dtype=np.float32) / 255
              for r in BLUR_LEVELS]
    silhouettes = torch.from_numpy(np.stack(levels))[None]
    array = np.asarray(small, dtype=np.float32) / 255
    colour = torch.from_numpy(np.concatenate([array[..., :3] * array[..., 3:], array[..., 3:]], -1)).permute(2, 0, 1)
    bottom = np.asarray(alpha)[-max(2, TEXTURE_HEIGHT // 40):] > 128  # the lowest rows: what touches the surface
    columns = np.flatnonzero(bottom.any(0))
    foot = (columns[-1] - columns[0] + 1) / TEXTURE_HEIGHT if len(columns) else rgba.width / rgba.height * 0.6
    return ProductStand(rgba.width / rgba.height, base, float(foot), silhouettes, colour[None])


def _lookup(texture: torch.Tensor, across: torch.Tensor, up: torch.Tensor, aspect: float) -> torch.Tensor:
    """Sample [1, C, h, w] at (across, up) in product units (across 0 = the middle, up 0 = the base)."""
    grid = torch.stack([2 * across / aspect, 1 - 2 * up], -1).reshape(1, 1, -1, 2)
    return F.grid_sample(texture.to(across), grid.to(across), mode="bilinear", padding_mode="zeros",
                         align_corners=False)[0, :, 0].T


def product_shadow(stand: ProductStand, points: torch.Tensor, light: KeyLight) -> torch.Tensor:
    """Key-light visibility in 0..1 behind the product's silhouette (1 = not shadowed by it)."""
    direction = light.direction.to(points)
    flat = torch.stack([direction[0], torch.zeros_like(direction[0]), direction[2]])
    flat = flat / flat.norm()
    side = torch.stack([flat[2], torch.zeros_like(flat[0]), -flat[0]])  # up × flat
    toward = direction @ flat
    rel = points - torch.tensor([0.0, stand.base, 0.0]).to(points)
    t = -(rel @ flat) / toward  # distance along the light ray to the silhouette plane
    crossing = rel + t[:, None] * direction
    across, up = crossing @ side, crossing[:, 1]
    blurred = _lookup(stand.silhouettes, across, up, stand.aspect)  # [N, levels]
    penumbra_px = (t.clamp_min(0) * light.spread * TEXTURE_HEIGHT)
    levels = torch.tensor(BLUR_LEVELS).to(points)
    position = torch.searchsorted(levels, penumbra_px.clamp(0, levels[-1]).contiguous()).clamp(1, len(levels) - 1)
    low, high = levels[position - 1], levels[position]
    w = ((penumbra_px.clamp(0, levels[-1]) - low) / (high - low))[:, None]
    cover = blurred.gather(1, (position - 1)[:, None]) * (1 - w) + blurred.gather(1, position[:, None]) * w
    cover = torch.where((t > 1e-3)[:, None], cover, torch.zeros_like(cover))[:, 0]
    return 1 - cover


def contact_occlusion(stand: ProductStand, points: torch.Tensor, strength: float = 0.7) -> torch.Tensor:
    """Ambient visibility near the product's foot: dark where it meets the surface, fading out."""
    rel_x, rel_z = points[:, 0], points[:, 2]
    radius = stand.foot / 2
    reach = ((rel_x / (radius * 1.25)) ** 2 + (rel_z / (radius * 0.75)) ** 2).sqrt()
    near_surface = torch.exp(-((points[:, 1] - stand.base).abs() / 0.03))
    return 1 - strength * torch.exp(-reach ** 3) * near_surface


def reflection(stand: ProductStand, points: torch.Tensor, directions: torch.Tensor
               ) -> tuple[torch.Tensor, torch.Tensor]:
    """The product mirrored in a horizontal surface at its base: premultiplied colour [N, 3] and
    weight [N], fading with the height of the reflected point above the base."""
    mirrored = directions * torch.tensor([1.0, -1.0, 1.0]).to(directions)
    rel = points - torch.tensor([0.0, stand.base, 0.0]).to(points)
    t = -rel[:, 2] / torch.where(mirrored[:, 2].abs() < 1e-6, torch.full_like(rel[:, 2], -1e-6), mirrored[:, 2])
    crossing = rel + t.clamp_min(0)[:, None] * mirrored
    rgba = _lookup(stand.colour, crossing[:, 0], crossing[:, 1], stand.aspect)
    fade = torch.exp(-crossing[:, 1].clamp_min(0) / 0.3) * (t > 0).to(points)
    return rgba[:, :3] * fade[:, None], rgba[:, 3] * fade
