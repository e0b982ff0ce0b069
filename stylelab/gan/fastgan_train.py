"""The FastGAN-lite training step: hinge loss, the discriminator's reconstruction loss on real
images, DiffAugment on everything D sees, Adam with beta1 = 0.5 as in the paper.

``train.train_generator`` runs it (``GanSettings(architecture="fastgan")``): data split,
EMA copy, FD/KID evaluations, grids, safetensors checkpoints and the progress / Cancel
callbacks are the same as for the StyleGAN-style generator.
"""
from __future__ import annotations

import copy
from pathlib import Path

import torch

from stylelab.errors import StyleLabError
from stylelab.gan.augment import diff_augment
from stylelab.gan.fastgan import (FastGanDiscriminator, FastGanGenerator, discriminator_hinge_loss,
                                  generator_hinge_loss)
from stylelab.gan.settings import GanSettings


class FastGanSteps:
    """FastGAN-lite networks (G, its EMA copy G_ema, D) and one training step."""

    def __init__(self, settings: GanSettings, start_from: Path | None, device: torch.device):
        if start_from is not None:
            raise StyleLabError("Fine-tuning is for StyleGAN generators only; train the FastGAN generator from "
                                "scratch.")
        G, D = FastGanGenerator(settings.fastgan_network()), FastGanDiscriminator(settings.fastgan_network())
        self.G, self.D = G.to(device).train(), D.to(device).train()
        self.G_ema = copy.deepcopy(self.G).eval().requires_grad_(False)
        self.opt_G = torch.optim.Adam(self.G.parameters(), lr=settings.learning_rate, betas=(0.5, 0.999))
        self.opt_D = torch.optim.Adam(self.D.parameters(), lr=settings.learning_rate, betas=(0.5, 0.999))
        self.settings = settings
        self.last_reconstruction_loss = float("nan")  # for tests and logs: the self-supervision at work

    def __call__(self, real: torch.Tensor, step: int) -> tuple[float, float]:
        """One discriminator and one generator update on the same fakes; returns (G loss, D loss)."""
        G, D, policy = self.G, self.D, self.settings.augment
        fake = diff_augment(G(torch.randn(len(real), G.config.z_dim, device=real.device)), policy)
        real_logits, reconstructions = D(diff_augment(real, policy), reconstruct=True)
        reconstruction_loss = reconstructions.loss()
        d_loss = discriminator_hinge_loss(real_logits, D(fake.detach()), reconstruction_loss)
        self.opt_D.zero_grad(set_to_none=True)
        d_loss.backward()
        self.opt_D.step()
        D.requires_grad_(False)  # the generator step needs gradients through D, not for it
        g_loss = generator_hinge_loss(D(fake))
        self.opt_G.zero_grad(set_to_none=True)
        g_loss.backward()
        self.opt_G.step()
        D.requires_grad_(True)
        self.last_reconstruction_loss = float(reconstruction_loss.detach())
        return float(g_loss.detach()), float(d_loss.detach())
