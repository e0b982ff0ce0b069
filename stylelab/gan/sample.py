"""Sampling a trained generator: seeds, truncation, interpolation and grids.

The same seed and truncation always give the same image: the latent comes from a
generator seeded with the seed, and the noise maps are the generator's fixed ones.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from PIL import Image

from stylelab.gan.networks import Generator

MAX_SEED = 2**31 - 1


def latents(seeds: Sequence[int], z_dim: int) -> torch.Tensor:
    return torch.stack([torch.randn(z_dim, generator=torch.Generator().manual_seed(int(s))) for s in seeds])


def to_images(batch: torch.Tensor) -> list[Image.Image]:
    """Generator output in -1..1 -> RGB images."""
    array = ((batch.float().clamp(-1, 1) + 1) * 127.5 + 0.5).to(torch.uint8).permute(0, 2, 3, 1).cpu().numpy()
    return [Image.fromarray(a) for a in array]


@torch.no_grad()
def generate(generator: Generator, seeds: Sequence[int], truncation: float = 1.0) -> list[Image.Image]:
    device = next(generator.parameters()).device
    z = latents(seeds, generator.config.z_dim).to(device)
    return to_images(generator(z, truncation=truncation, noise_mode="const"))


@torch.no_grad()
def interpolate(generator: Generator, seed_a: int, seed_b: int, count: int, truncation: float = 1.0
                ) -> list[Image.Image]:
    """``count`` images walking in straight steps through w space from seed A to seed B."""
    device = next(generator.parameters()).device
    ws = generator.mapping(latents([seed_a, seed_b], generator.config.z_dim).to(device), truncation)
    steps = torch.linspace(0, 1, count, device=device)[:, None, None]
    return to_images(generator.synthesis(ws[0:1].lerp(ws[1:2], steps), noise_mode="const"))


def grid(images: Sequence[Image.Image], columns: int, scale: int = 1) -> Image.Image:
    """Images in rows of ``columns`` on white, optionally scaled up with nearest neighbour (to see pixels)."""
    width, height = images[0].size
    rows = -(-len(images) // columns)
    sheet = Image.new("RGB", (columns * width, rows * height), (255, 255, 255))
    for index, image in enumerate(images):
        sheet.paste(image, ((index % columns) * width, (index // columns) * height))
    if scale > 1:
        sheet = sheet.resize((sheet.width * scale, sheet.height * scale), Image.Resampling.NEAREST)
    return sheet


def images_to_batch(images: Sequence[Image.Image]) -> torch.Tensor:
    """RGB images -> [N, 3, H, W] in 0..1 (for the metrics)."""
    return torch.from_numpy(np.stack([np.asarray(i) for i in images])).permute(0, 3, 1, 2).float() / 255
