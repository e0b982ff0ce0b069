"""FastGAN-lite: a light few-shot generator and discriminator (after Liu et al. 2021, "Towards
Faster and Stabilized GAN Training for High-fidelity Few-shot Image Synthesis"), sized for
32-256 px catalog images.

Generator: z -> 4x4 (transposed conv, BN, GLU), then one upsampling block per resolution
(nearest upsample, 3x3 conv, BN, GLU; a second conv every other block), and skip-layer
excitation (SLE): every map from 16 px up is gated channel-wise by the map a quarter its
size (pooled to 4x4, 4x4 conv, swish, 1x1 conv, sigmoid). Spectral norm on every conv.
Discriminator: residual down blocks, a hinge-loss logit, and two small decoders that must
rebuild the (augmented) real image from its 8x8 feature map and one random quadrant from
its 16x16 map: the self-supervision that keeps a discriminator on few images from
memorising them. LPIPS is not available here, so the reconstruction loss is L1 on pixels.

``FastGanGenerator`` has the sampling interface of ``networks.Generator`` (``config.z_dim``,
``forward(z, truncation, noise_mode)``, ``mapping`` / ``synthesis``), so ``sample.py`` and the
generator library use either kind. Truncation scales z towards 0 (the mean latent).
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

from stylelab.gan.networks import RESOLUTIONS

ARCHITECTURE = "fastgan"
RECONSTRUCTION_MAX_SIDE = 32  # the decoders rebuild at most 32 px: enough to make D keep the layout


@dataclass(frozen=True)
class FastGanConfig:
    resolution: int = 64
    z_dim: int = 128
    channel_base: int = 4096  # channels at resolution r: min(channel_base / r, channel_max), as in GeneratorConfig
    channel_max: int = 256
    seed: int = 0
    architecture: str = ARCHITECTURE  # recorded in config.json so checkpoints load the right networks

    def __post_init__(self) -> None:
        if self.resolution not in RESOLUTIONS:
            raise ValueError(f"resolution must be one of {RESOLUTIONS}")
        if self.architecture != ARCHITECTURE:
            raise ValueError(f"not a {ARCHITECTURE} config")

    def channels(self, resolution: int) -> int:
        return int(min(self.channel_base // resolution, self.channel_max))

    def to_dict(self) -> dict:
        return asdict(self)


def conv(in_channels: int, out_channels: int, kernel: int, stride: int = 1, padding: int = 0,
         bias: bool = True) -> nn.Module:
    return spectral_norm(nn.Conv2d(in_channels, out_channels, kernel, stride, padding, bias=bias))


class UpBlock(nn.Module):
    """x2 nearest upsample, then (one or two) 3x3 conv + BN + GLU; GLU halves the doubled channels."""

    def __init__(self, in_channels: int, out_channels: int, double: bool):
        super().__init__()
        layers: list[nn.Module] = [nn.Upsample(scale_factor=2, mode="nearest")]
        for index in range(2 if double else 1):
            layers += [conv(in_channels if index == 0 else out_channels, out_channels * 2, 3, padding=1, bias=False),
                       nn.BatchNorm2d(out_channels * 2), nn.GLU(dim=1)]
        self.layers = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x)


class SkipExcitation(nn.Module):
    """SLE: a low-resolution map decides, per channel, how much of a high-resolution map passes."""

    def __init__(self, low_channels: int, high_channels: int):
        super().__init__()
        self.gate = nn.Sequential(nn.AdaptiveAvgPool2d(4), conv(low_channels, high_channels, 4), nn.SiLU(),
                                  conv(high_channels, high_channels, 1), nn.Sigmoid())

    def forward(self, low: torch.Tensor, high: torch.Tensor) -> torch.Tensor:
        return high * self.gate(low)


def _upsampling_resolutions(resolution: int) -> list[int]:
    return [2**i for i in range(3, int(math.log2(resolution)) + 1)]


class FastGanGenerator(nn.Module):
    """z [N, z_dim] -> image [N, 3, R, R] in -1..1 (tanh)."""

    def __init__(self, config: FastGanConfig = FastGanConfig()):
        super().__init__()
        self.config = config
        c = config.channels
        self.initial = nn.Sequential(spectral_norm(nn.ConvTranspose2d(config.z_dim, c(4) * 2, 4, bias=False)),
                                     nn.BatchNorm2d(c(4) * 2), nn.GLU(dim=1))
        resolutions = _upsampling_resolutions(config.resolution)
        # two convs at 8, 32, 128 px (the paper's UpBlockComp), one at the others: depth where it is cheap
        self.ups = nn.ModuleDict({f"up{r}": UpBlock(c(r // 2), c(r), double=int(math.log2(r)) % 2 == 1)
                                  for r in resolutions})
        self.excitations = nn.ModuleDict({f"sle{r}": SkipExcitation(c(r // 4), c(r)) for r in resolutions if r >= 16})
        self.to_rgb = conv(c(config.resolution), 3, 3, padding=1)

    def mapping(self, z: torch.Tensor, truncation: float = 1.0, track_average: bool = False) -> torch.Tensor:
        """[N, 1, z_dim]: the latent itself (there is no mapping network), shortened by ``truncation``."""
        return (z * truncation)[:, None]

    def synthesis(self, ws: torch.Tensor, noise_mode: str = "const") -> torch.Tensor:
        x = self.initial(ws[:, 0, :, None, None])
        maps = {4: x}
        for name, block in self.ups.items():
            resolution = int(name[2:])
            x = block(x)
            if resolution >= 16:
                x = self.excitations[f"sle{resolution}"](maps[resolution // 4], x)
            maps[resolution] = x
        return torch.tanh(self.to_rgb(x))

    def forward(self, z: torch.Tensor, truncation: float = 1.0, noise_mode: str = "const",
                track_average: bool = False) -> torch.Tensor:
        """``noise_mode`` and ``track_average`` are accepted for the shared sampling interface; unused."""
        return self.synthesis(self.mapping(z, truncation))


class DownBlock(nn.Module):
    """Halves the size: (4x4 stride-2 conv, 3x3 conv) averaged with (avg-pool, 1x1 conv), BN + leaky ReLU."""

    def __init__(self, in_channels: int, out_channels: int):
        super().__init__()
        self.main = nn.Sequential(conv(in_channels, out_channels, 4, 2, 1, bias=False), nn.BatchNorm2d(out_channels),
                                  nn.LeakyReLU(0.2), conv(out_channels, out_channels, 3, padding=1, bias=False),
                                  nn.BatchNorm2d(out_channels), nn.LeakyReLU(0.2))
        self.direct = nn.Sequential(nn.AvgPool2d(2), conv(in_channels, out_channels, 1, bias=False),
                                    nn.BatchNorm2d(out_channels), nn.LeakyReLU(0.2))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (self.main(x) + self.direct(x)) / 2


class Decoder(nn.Module):
    """A feature map [N, C, 8, 8] -> an RGB image of ``side`` px (upsample, conv, BN, GLU per doubling)."""

    def __init__(self, in_channels: int, side: int, channels: int = 32):
        super().__init__()
        layers: list[nn.Module] = []
        for index in range(int(math.log2(side // 8))):
            layers.append(UpBlock(in_channels if index == 0 else channels, channels, double=False))
        self.layers = nn.Sequential(*layers)
        self.to_rgb = conv(channels if layers else in_channels, 3, 3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.tanh(self.to_rgb(self.layers(x)))


@dataclass
class Reconstructions:
    """What the discriminator's decoders rebuilt from a real batch, and what they should have."""

    whole: torch.Tensor
    whole_target: torch.Tensor
    part: torch.Tensor
    part_target: torch.Tensor

    def loss(self) -> torch.Tensor:
        return F.l1_loss(self.whole, self.whole_target) + F.l1_loss(self.part, self.part_target)


class FastGanDiscriminator(nn.Module):
    """image [N, 3, R, R] in -1..1 -> one logit per image (hinge loss); on real images also
    ``Reconstructions`` from the 8x8 and (one quadrant of) the 16x16 feature maps."""

    def __init__(self, config: FastGanConfig = FastGanConfig()):
        super().__init__()
        self.config = config
        c = config.channels
        self.from_rgb = nn.Sequential(conv(3, c(config.resolution), 3, padding=1), nn.LeakyReLU(0.2))
        resolutions = [2**i for i in range(int(math.log2(config.resolution)), 2, -1)]  # R ... 8
        self.downs = nn.ModuleDict({f"down{r}": DownBlock(c(r), c(r // 2)) for r in resolutions})
        self.logit = nn.Sequential(conv(c(4), c(4), 1, bias=False), nn.BatchNorm2d(c(4)), nn.LeakyReLU(0.2),
                                   conv(c(4), 1, 4))
        self.whole_side = min(config.resolution, RECONSTRUCTION_MAX_SIDE)
        self.part_side = min(config.resolution // 2, RECONSTRUCTION_MAX_SIDE)
        self.decode_whole = Decoder(c(8), self.whole_side)
        self.decode_part = Decoder(c(16), self.part_side)

    def forward(self, image: torch.Tensor, reconstruct: bool = False
                ) -> torch.Tensor | tuple[torch.Tensor, Reconstructions]:
        x = self.from_rgb(image)
        maps = {}
        for name, block in self.downs.items():
            x = block(x)
            maps[int(name[4:]) // 2] = x
        logits = self.logit(x).flatten(1).mean(1)
        if not reconstruct:
            return logits
        return logits, self._reconstruct(image, maps[8], maps[16])

    def _reconstruct(self, image: torch.Tensor, map8: torch.Tensor, map16: torch.Tensor) -> Reconstructions:
        quadrant = int(torch.randint(4, ()))  # which quarter the part decoder rebuilds this step
        row, column = divmod(quadrant, 2)
        part_map = map16[:, :, row * 8 : row * 8 + 8, column * 8 : column * 8 + 8]
        half = image.shape[-1] // 2
        part_image = image[:, :, row * half : row * half + half, column * half : column * half + half]
        return Reconstructions(self.decode_whole(map8), _resized(image, self.whole_side),
                               self.decode_part(part_map), _resized(part_image, self.part_side))


def _resized(image: torch.Tensor, side: int) -> torch.Tensor:
    if image.shape[-1] == side:
        return image
    return F.interpolate(image, size=(side, side), mode="area")


def discriminator_hinge_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor,
                             reconstruction_loss: torch.Tensor) -> torch.Tensor:
    """Hinge loss plus the decoders' reconstruction error: D learns to describe real images, not just judge them."""
    return F.relu(1 - real_logits).mean() + F.relu(1 + fake_logits).mean() + reconstruction_loss


def generator_hinge_loss(fake_logits: torch.Tensor) -> torch.Tensor:
    return -fake_logits.mean()
