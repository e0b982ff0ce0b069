"""What a catalog-generator training run is told (GanSettings) and what it reports (GanProgress,
GanResult); shared by both architectures' training steps and by the admin and CLI front ends."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from stylelab.errors import StyleLabError
from stylelab.gan.fastgan import FastGanConfig
from stylelab.gan.networks import RESOLUTIONS, GeneratorConfig

ARCHITECTURES = ("stylegan", "fastgan")
DEFAULT_LEARNING_RATES = {"stylegan": 0.002, "fastgan": 0.0002}  # equalized-lr StyleGAN; FastGAN's paper value


@dataclass(frozen=True)
class GanSettings:
    resolution: int = 64
    steps: int = 2000
    batch_size: int = 16
    learning_rate: float = 0.002
    r1_gamma: float | None = None  # None: 0.0002 * resolution² / batch size (the StyleGAN2-ADA heuristic)
    r1_interval: int = 16  # lazy regularization: R1 every 16 discriminator steps, scaled up to match
    ema_images: int = 5000  # half-life of the smoothed copy, in images seen (ramped up early in training)
    augment: str = "color,translation,cutout"
    freeze_d: int = 0  # discriminator blocks (from the input) kept frozen; fine-tuning uses FreezeD
    channel_base: int = 4096
    channel_max: int = 256
    latent_dim: int = 128
    eval_every: int = 250
    eval_samples: int = 500  # generated images per FD/KID evaluation
    held_out: int = 500  # real images kept out of training for the metrics (at most 20% of the data)
    mixed_precision: bool = True  # used on CUDA only
    seed: int = 0
    architecture: str = "stylegan"  # or "fastgan": the light few-shot design (stylelab/gan/fastgan.py)

    def __post_init__(self) -> None:
        checks = [(self.resolution in RESOLUTIONS, f"The image size must be one of {', '.join(map(str, RESOLUTIONS))}."),
                  (1 <= self.steps <= 1_000_000, "Steps must be from 1 to 1,000,000."),
                  (2 <= self.batch_size <= 256, "The batch size must be from 2 to 256."),
                  (0 < self.learning_rate <= 0.1, "The learning rate must be in (0, 0.1]."),
                  (self.r1_gamma is None or self.r1_gamma >= 0, "R1 gamma must be zero or more."),
                  (self.r1_interval >= 1 and self.eval_every >= 1, "Intervals must be at least 1."),
                  (self.freeze_d >= 0, "The number of frozen discriminator blocks must be zero or more."),
                  (self.eval_samples >= 16 and self.held_out >= 16, "Use at least 16 images for the metrics."),
                  (self.architecture in ARCHITECTURES,
                   f"The architecture must be one of {', '.join(ARCHITECTURES)}."),
                  (self.architecture == "stylegan" or self.freeze_d == 0,
                   "Fine-tuning with frozen discriminator layers is for StyleGAN generators only.")]
        for ok, message in checks:
            if not ok:
                raise StyleLabError(message)

    @property
    def gamma(self) -> float:
        return self.r1_gamma if self.r1_gamma is not None else 0.0002 * self.resolution**2 / self.batch_size

    def network(self) -> GeneratorConfig:
        return GeneratorConfig(resolution=self.resolution, z_dim=self.latent_dim, w_dim=self.latent_dim,
                               channel_base=self.channel_base, channel_max=self.channel_max, seed=self.seed)

    def fastgan_network(self) -> FastGanConfig:
        return FastGanConfig(resolution=self.resolution, z_dim=self.latent_dim, channel_base=self.channel_base,
                             channel_max=self.channel_max, seed=self.seed)


@dataclass(frozen=True)
class GanProgress:
    step: int
    steps: int
    generator_loss: float
    discriminator_loss: float
    fd: float | None  # set at evaluation steps
    kid: float | None
    seconds: float
    eta_seconds: float


@dataclass
class GanResult:
    folder: Path
    steps_run: int
    stopped: str  # "finished" or "cancelled"
    evaluations: list[dict] = field(default_factory=list)
    seconds: float = 0.0
