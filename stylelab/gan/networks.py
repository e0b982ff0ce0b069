"""A compact style-based generator (StyleGAN2 family) for 32-256 px catalog images.

Mapping network (z -> w, with a running average of w for truncation), a learned 4x4
constant, per resolution two modulated 3x3 convolutions with weight demodulation and
per-pixel noise, and a skip architecture of toRGB layers. Equalized learning rate
throughout, as in StyleGAN: weights are stored at unit scale and scaled at run time.
The smoothed (EMA) inference copy is just a second ``Generator`` updated by ``ema_update``.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import nn

RESOLUTIONS = (32, 64, 128, 256)


@dataclass(frozen=True)
class GeneratorConfig:
    resolution: int = 64
    z_dim: int = 128
    w_dim: int = 128
    mapping_layers: int = 4
    channel_base: int = 4096  # channels at resolution r: min(channel_base / r, channel_max)
    channel_max: int = 256
    seed: int = 0  # seeds the fixed ("const") noise maps used for deterministic sampling

    def __post_init__(self) -> None:
        if self.resolution not in RESOLUTIONS:
            raise ValueError(f"resolution must be one of {RESOLUTIONS}")

    def channels(self, resolution: int) -> int:
        return int(min(self.channel_base // resolution, self.channel_max))

    def to_dict(self) -> dict:
        return asdict(self)


class EqualLinear(nn.Module):
    def __init__(self, in_features: int, out_features: int, bias_init: float = 0.0, lr_multiplier: float = 1.0,
                 activate: bool = False):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(out_features, in_features) / lr_multiplier)
        self.bias = nn.Parameter(torch.full([out_features], float(bias_init)))
        self.weight_gain = lr_multiplier / math.sqrt(in_features)
        self.bias_gain = lr_multiplier
        self.activate = activate

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.linear(x, self.weight * self.weight_gain, self.bias * self.bias_gain)
        return F.leaky_relu(x, 0.2) * math.sqrt(2) if self.activate else x


class MappingNetwork(nn.Module):
    def __init__(self, config: GeneratorConfig, num_ws: int):
        super().__init__()
        self.num_ws = num_ws
        layers, features = [], config.z_dim
        for _ in range(config.mapping_layers):
            layers.append(EqualLinear(features, config.w_dim, lr_multiplier=0.01, activate=True))
            features = config.w_dim
        self.layers = nn.Sequential(*layers)
        self.register_buffer("w_avg", torch.zeros(config.w_dim))

    def forward(self, z: torch.Tensor, truncation: float = 1.0, track_average: bool = False,
                average_beta: float = 0.995) -> torch.Tensor:
        z = z * (z.square().mean(dim=1, keepdim=True) + 1e-8).rsqrt()  # normalize the latent's length
        w = self.layers(z)
        if track_average:
            self.w_avg.copy_(w.detach().float().mean(0).lerp(self.w_avg, average_beta))
        if truncation != 1.0:  # pull towards the average: less variety, more fidelity
            w = self.w_avg.lerp(w, truncation)
        return w[:, None].repeat(1, self.num_ws, 1)


def modulated_conv2d(x: torch.Tensor, weight: torch.Tensor, styles: torch.Tensor, demodulate: bool = True,
                     up: bool = False) -> torch.Tensor:
    """StyleGAN2's modulated convolution, in its unfused form: scale the input channels by each
    sample's style, run one shared convolution, then rescale the outputs by the demodulation
    coefficients. The same result as modulating the kernel per sample, without grouped
    convolutions (which are slow on the CPU)."""
    if up:  # bilinear upsampling then the conv: simpler than a blur filter and fast on the CPU
        x = F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)
    x = x * styles.to(x.dtype)[:, :, None, None]
    x = F.conv2d(x, weight.to(x.dtype), padding=weight.shape[-1] // 2)
    if demodulate:
        coefficients = (weight[None] * styles[:, None, :, None, None]).square().sum(dim=(2, 3, 4)).add(1e-8).rsqrt()
        x = x * coefficients.to(x.dtype)[:, :, None, None]
    return x


class StyledConv(nn.Module):
    """Modulated conv + noise + bias + leaky ReLU."""

    def __init__(self, in_channels: int, out_channels: int, w_dim: int, resolution: int, up: bool,
                 noise_seed: int):
        super().__init__()
        self.affine = EqualLinear(w_dim, in_channels, bias_init=1.0)
        self.weight = nn.Parameter(torch.randn(out_channels, in_channels, 3, 3))
        self.bias = nn.Parameter(torch.zeros(out_channels))
        self.noise_strength = nn.Parameter(torch.zeros([]))
        self.up = up
        self.resolution = resolution
        const_noise = torch.randn(1, 1, resolution, resolution, generator=torch.Generator().manual_seed(noise_seed))
        self.register_buffer("noise_const", const_noise)

    def forward(self, x: torch.Tensor, w: torch.Tensor, noise_mode: str = "random") -> torch.Tensor:
        styles = self.affine(w) / math.sqrt(self.weight[0].numel())
        x = modulated_conv2d(x, self.weight, styles, demodulate=True, up=self.up)
        if noise_mode == "random":
            x = x + torch.randn(x.shape[0], 1, self.resolution, self.resolution, device=x.device,
                                dtype=x.dtype) * self.noise_strength.to(x.dtype)
        elif noise_mode == "const":
            x = x + self.noise_const.to(x.dtype) * self.noise_strength.to(x.dtype)
        return F.leaky_relu(x + self.bias.to(x.dtype)[None, :, None, None], 0.2) * math.sqrt(2)


class ToRGB(nn.Module):
    def __init__(self, in_channels: int, w_dim: int):
        super().__init__()
        self.affine = EqualLinear(w_dim, in_channels, bias_init=1.0)
        self.weight = nn.Parameter(torch.randn(3, in_channels, 1, 1))
        self.bias = nn.Parameter(torch.zeros(3))

    def forward(self, x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        styles = self.affine(w) / math.sqrt(self.weight[0].numel())
        return modulated_conv2d(x, self.weight, styles, demodulate=False) + self.bias.to(x.dtype)[None, :, None, None]


class SynthesisBlock(nn.Module):
    """One resolution: (upsampling) conv, conv, and its RGB contribution."""

    def __init__(self, in_channels: int, out_channels: int, w_dim: int, resolution: int, noise_seed: int):
        super().__init__()
        first = resolution == 4
        self.conv0 = None if first else StyledConv(in_channels, out_channels, w_dim, resolution, True, noise_seed)
        self.conv1 = StyledConv(out_channels, out_channels, w_dim, resolution, False, noise_seed + 1)
        self.torgb = ToRGB(out_channels, w_dim)
        self.num_ws = 2 if self.conv0 is not None else 1

    def forward(self, x: torch.Tensor, rgb: torch.Tensor | None, ws: torch.Tensor, noise_mode: str
                ) -> tuple[torch.Tensor, torch.Tensor]:
        i = 0
        if self.conv0 is not None:
            x, i = self.conv0(x, ws[:, 0], noise_mode), 1
        x = self.conv1(x, ws[:, i], noise_mode)
        y = self.torgb(x, ws[:, i])
        if rgb is not None:
            y = y + F.interpolate(rgb, scale_factor=2, mode="bilinear", align_corners=False)
        return x, y


class Generator(nn.Module):
    """z [N, z_dim] -> image [N, 3, R, R] in about -1..1."""

    def __init__(self, config: GeneratorConfig = GeneratorConfig()):
        super().__init__()
        self.config = config
        resolutions = [2**i for i in range(2, int(math.log2(config.resolution)) + 1)]
        self.const = nn.Parameter(torch.randn(config.channels(4), 4, 4))
        blocks = []
        for index, resolution in enumerate(resolutions):
            in_channels = config.channels(max(4, resolution // 2))
            blocks.append(SynthesisBlock(in_channels, config.channels(resolution), config.w_dim, resolution,
                                         noise_seed=config.seed * 1000 + 2 * index))
        self.blocks = nn.ModuleList(blocks)
        self.num_ws = sum(b.num_ws for b in blocks)
        self.mapping = MappingNetwork(config, self.num_ws)

    def synthesis(self, ws: torch.Tensor, noise_mode: str = "random") -> torch.Tensor:
        x = self.const[None].expand(ws.shape[0], -1, -1, -1).to(ws.dtype)
        rgb, index = None, 0
        for block in self.blocks:
            x, rgb = block(x, rgb, ws[:, index : index + block.num_ws], noise_mode)
            index += block.num_ws
        return rgb

    def forward(self, z: torch.Tensor, truncation: float = 1.0, noise_mode: str = "random",
                track_average: bool = False) -> torch.Tensor:
        return self.synthesis(self.mapping(z, truncation, track_average), noise_mode)


@torch.no_grad()
def ema_update(ema: Generator, model: Generator, beta: float) -> None:
    """The smoothed inference copy: ema = beta * ema + (1 - beta) * model; buffers are copied."""
    for target, source in zip(ema.parameters(), model.parameters()):
        target.lerp_(source.detach(), 1.0 - beta)
    for target, source in zip(ema.buffers(), model.buffers()):
        target.copy_(source)
