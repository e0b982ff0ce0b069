"""The catalog generator's training loop: from scratch, or fine-tuning an earlier generator
with the discriminator's lower blocks frozen (FreezeD).

Non-saturating loss, lazy R1, DiffAugment on everything the discriminator sees, an EMA
copy of the generator for sampling, mixed precision on CUDA (bf16 where supported, else
fp16 with loss scaling). Takes ``progress_fn`` and ``abort_fn`` callbacks for a progress
bar and a Cancel button. Every evaluation writes FD/KID-MobileNet to metrics.jsonl, a
sample grid, and an atomic checkpoint to the generator's folder.

``GanSettings.architecture`` picks the networks and their step: "stylegan" (above) or
"fastgan" (FastGAN-lite, stylelab/gan/fastgan.py: hinge loss, self-supervised D, from scratch
only); the data split, EMA, evaluations, grids, checkpoints and callbacks are shared.
"""
from __future__ import annotations

import copy
import json
import math
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import numpy as np
import torch

from stylelab.errors import StyleLabError
from stylelab.gan import checkpoints, sample
from stylelab.gan.augment import diff_augment
from stylelab.gan.discriminator import Discriminator
from stylelab.gan.fastgan_train import FastGanSteps
from stylelab.gan.losses import discriminator_loss, generator_loss, r1_penalty
from stylelab.gan.metrics import MobileNetFeatures, frechet_distance, kernel_distance
from stylelab.gan.networks import Generator, ema_update
from stylelab.gan.settings import GanProgress, GanResult, GanSettings
from stylelab.imageio import save_image

GRID_SEEDS = tuple(range(32))  # the same 32 latents in every sample grid, so grids compare over training


def split_held_out(images: torch.Tensor, settings: GanSettings) -> tuple[torch.Tensor, torch.Tensor]:
    """A seeded split: (training images, held-out images for the metrics)."""
    count = min(settings.held_out, len(images) // 5)
    if count < 2 or len(images) - count < 2:
        raise StyleLabError("Too few photos to keep some aside for the quality figures; use at least 10.")
    order = torch.randperm(len(images), generator=torch.Generator().manual_seed(settings.seed))
    return images[order[count:]], images[order[:count]]


def _to_model_range(images: torch.Tensor) -> torch.Tensor:
    return images.float() / 127.5 - 1


class _Precision:
    """autocast + loss scaling on CUDA; plain fp32 everywhere else."""

    def __init__(self, device: torch.device, enabled: bool):
        self.enabled = enabled and device.type == "cuda"
        self.dtype = torch.bfloat16 if self.enabled and torch.cuda.is_bf16_supported() else torch.float16
        scaling = self.enabled and self.dtype == torch.float16
        self.scalers = [torch.amp.GradScaler("cuda", enabled=scaling) for _ in range(2)]
        self.device = device

    def autocast(self):
        return torch.autocast(self.device.type, dtype=self.dtype, enabled=self.enabled)

    def step(self, which: int, loss: torch.Tensor, optimizer: torch.optim.Optimizer) -> None:
        scaler = self.scalers[which]
        optimizer.zero_grad(set_to_none=True)
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()


class _Evaluator:
    """FD/KID-MobileNet of the smoothed generator against held-out real images."""

    def __init__(self, features: MobileNetFeatures, held_out: torch.Tensor, settings: GanSettings):
        self.features = features
        self.settings = settings
        self.real = features.of_batches(held_out.float() / 255)

    def __call__(self, ema: Generator) -> tuple[float, float]:
        device = next(ema.parameters()).device
        generated = []
        with torch.no_grad():
            for start in range(0, self.settings.eval_samples, 64):
                seeds = range(10_000_000 + start, 10_000_000 + min(start + 64, self.settings.eval_samples))
                z = sample.latents(list(seeds), ema.config.z_dim).to(device)
                generated.append(self.features.of_batches(((ema(z).clamp(-1, 1) + 1) / 2).float()))
        fake = np.concatenate(generated)
        return frechet_distance(fake, self.real), kernel_distance(fake, self.real)


class _StyleGanSteps:
    """The StyleGAN-style networks and their training step: non-saturating loss, lazy R1, FreezeD,
    mixed precision on CUDA."""

    def __init__(self, settings: GanSettings, start_from: Path | None, device: torch.device):
        if start_from is not None:
            checkpoints.require_stylegan(start_from)
            G, G_ema, D = checkpoints.load_networks(start_from)
            if G.config.resolution != settings.resolution:
                raise StyleLabError(f"'{start_from.name}' makes {G.config.resolution} px images; fine-tune it at "
                                    f"that size, not {settings.resolution} px.")
        else:
            config = settings.network()
            G, D = Generator(config), Discriminator(config)
            G_ema = copy.deepcopy(G)
        self.G, self.D = G.to(device).train(), D.to(device).train()
        self.G_ema = G_ema.to(device).eval().requires_grad_(False)
        frozen = D.lower_modules(min(settings.freeze_d, len(D.blocks)))
        for module in frozen:
            module.requires_grad_(False)
        self.d_trainable = [p for p in D.parameters() if p.requires_grad]
        # lazy R1 changes the effective Adam step: scale lr and betas as StyleGAN2 does
        ratio = settings.r1_interval / (settings.r1_interval + 1)
        self.opt_G = torch.optim.Adam(G.parameters(), lr=settings.learning_rate, betas=(0.0, 0.99), eps=1e-8)
        self.opt_D = torch.optim.Adam(self.d_trainable, lr=settings.learning_rate * ratio,
                                      betas=(0.0, 0.99**ratio), eps=1e-8)
        self.precision = _Precision(device, settings.mixed_precision)
        self.settings = settings

    def __call__(self, real: torch.Tensor, step: int) -> tuple[float, float]:
        """One discriminator and one generator update; returns (generator loss, discriminator loss)."""
        G, D, settings, precision = self.G, self.D, self.settings, self.precision
        # discriminator: real vs generated, R1 every r1_interval steps
        z = torch.randn(settings.batch_size, G.config.z_dim, device=real.device)
        with precision.autocast():
            with torch.no_grad():
                fake = G(z)
            d_loss = discriminator_loss(D(diff_augment(real, settings.augment)).float(),
                                        D(diff_augment(fake, settings.augment)).float())
        if step % settings.r1_interval == 0 and settings.gamma > 0:
            real_r1 = real.detach().requires_grad_(True)
            penalty = r1_penalty(real_r1, D(diff_augment(real_r1, settings.augment)))  # fp32: gradients of gradients
            d_loss = d_loss + penalty * (settings.gamma / 2 * settings.r1_interval)
        precision.step(0, d_loss, self.opt_D)
        # generator: fool the (augmented) discriminator
        D.requires_grad_(False)
        z = torch.randn(settings.batch_size, G.config.z_dim, device=real.device)
        with precision.autocast():
            g_loss = generator_loss(D(diff_augment(G(z, track_average=True), settings.augment)).float())
        precision.step(1, g_loss, self.opt_G)
        for p in self.d_trainable:
            p.requires_grad_(True)
        return float(g_loss.detach()), float(d_loss.detach())


def train_generator(
    images: torch.Tensor,
    settings: GanSettings,
    folder: Path,
    features: MobileNetFeatures,
    start_from: Path | None = None,
    progress_fn: Callable[[GanProgress], None] | None = None,
    abort_fn: Callable[[], bool] | None = None,
    device: torch.device | str = "cpu",
    extra_record: dict | None = None,
) -> GanResult:
    """Train on ``images`` ([N, 3, R, R] uint8) into ``folder``; fine-tune when ``start_from`` is given."""
    device = torch.device(device)
    if images.shape[-1] != settings.resolution or images.shape[-2] != settings.resolution:
        raise StyleLabError(f"The photos are {images.shape[-1]} px; this run trains at {settings.resolution} px.")
    torch.manual_seed(settings.seed)
    batches = torch.Generator().manual_seed(settings.seed)
    train_images, held_out = split_held_out(images, settings)
    steps = (FastGanSteps(settings, start_from, device) if settings.architecture == "fastgan"
             else _StyleGanSteps(settings, start_from, device))
    G, G_ema, D = steps.G, steps.G_ema, steps.D
    evaluate = _Evaluator(features, held_out, settings)
    record = {"settings": asdict(settings), "fine_tuned_from": start_from.name if start_from else None,
              "training_images": len(train_images), "held_out_images": len(held_out), "device": str(device),
              **(extra_record or {})}
    folder.mkdir(parents=True, exist_ok=True)
    checkpoints.write_atomic(folder / "settings.json", json.dumps(record, indent=2).encode())
    result = GanResult(folder, 0, "finished")
    started = time.perf_counter()

    def checkpoint(step: int, g_loss: float, d_loss: float) -> None:
        fd, kid = evaluate(G_ema)
        entry = {"step": step, "images_seen": step * settings.batch_size, "fd_mobilenet": round(fd, 3),
                 "kid_mobilenet": round(kid, 5), "generator_loss": _number(g_loss),
                 "discriminator_loss": _number(d_loss), "seconds": round(time.perf_counter() - started, 1)}
        result.evaluations.append(entry)
        with open(folder / "metrics.jsonl", "a") as stream:
            stream.write(json.dumps(entry) + "\n")
        # nearest-neighbour enlarged to at least 512 px wide, so small sizes can be looked at
        picture = sample.grid(sample.generate(G_ema, GRID_SEEDS), columns=8,
                              scale=max(1, 512 // (8 * settings.resolution)))
        save_image(picture, folder / f"samples-{step:06d}.png")  # atomic: the admin page may be reading it
        save_image(picture, folder / "samples.png")
        checkpoints.save_networks(folder, G, G_ema, D, record | {"steps": step, "latest": entry})
        if progress_fn:
            progress_fn(GanProgress(step, settings.steps, g_loss, d_loss, fd, kid, entry["seconds"],
                                    _eta(started, step, settings.steps)))

    checkpoint(0, math.nan, math.nan)
    g_value = d_value = math.nan
    step = 0
    for step in range(1, settings.steps + 1):
        if abort_fn and abort_fn():
            result.stopped, step = "cancelled", step - 1
            break
        real = _to_model_range(train_images[torch.randint(len(train_images), (settings.batch_size,),
                                                          generator=batches)]).to(device)
        g_value, d_value = steps(real, step)
        # the smoothed copy: half-life ramps up over the first images, then stays at ema_images
        seen = step * settings.batch_size
        half_life = min(settings.ema_images, seen * 0.05)
        ema_update(G_ema, G, 0.5 ** (settings.batch_size / max(half_life, 1e-8)))
        if not (math.isfinite(g_value) and math.isfinite(d_value)):
            raise StyleLabError(f"Training diverged at step {step} (a loss became NaN/inf); lower the learning rate.")
        if step % settings.eval_every == 0 or step == settings.steps:
            checkpoint(step, g_value, d_value)
        elif progress_fn:
            progress_fn(GanProgress(step, settings.steps, g_value, d_value, None, None,
                                    time.perf_counter() - started, _eta(started, step, settings.steps)))
    if result.stopped == "cancelled" and (not result.evaluations or result.evaluations[-1]["step"] != step):
        checkpoint(step, g_value, d_value)  # keep what was learnt up to the Cancel
    result.steps_run, result.seconds = step, time.perf_counter() - started
    return result


def _number(value: float) -> float | None:
    """NaN (no step trained yet) as JSON null."""
    return value if math.isfinite(value) else None


def _eta(started: float, step: int, steps: int) -> float:
    elapsed = time.perf_counter() - started
    return elapsed / max(step, 1) * (steps - step)
