"""Generator folders: safetensors weights + a JSON config, always written atomically.

``<folder>/generator-ema.safetensors``: the smoothed generator that sampling uses.
``<folder>/networks.safetensors``: generator, smoothed generator and discriminator, for
fine-tuning from this generator. ``config.json``: the network shape and the training record.
Only safetensors are ever loaded (never pickles).
"""
from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import torch
from safetensors.torch import load as load_bytes
from safetensors.torch import save as save_bytes

from stylelab.errors import StyleLabError
from stylelab.gan import fastgan
from stylelab.gan.discriminator import Discriminator
from stylelab.gan.networks import Generator, GeneratorConfig
from stylelab.store.files import atomic_write_bytes

AnyGenerator = Generator | fastgan.FastGanGenerator  # both have config, forward(z, truncation), mapping/synthesis
EMA_FILE, NETWORKS_FILE, CONFIG_FILE = "generator-ema.safetensors", "networks.safetensors", "config.json"


def write_atomic(path: Path, data: bytes) -> None:
    """Temporary file in the same folder, fsync, rename: a reader sees the old file or the new one."""
    atomic_write_bytes(path, data)


def _tensors(module: torch.nn.Module, prefix: str = "") -> dict[str, torch.Tensor]:
    return {prefix + k: v.detach().cpu().contiguous() for k, v in module.state_dict().items()}


def save_generator(folder: Path, ema: AnyGenerator, record: dict | None = None) -> None:
    write_atomic(folder / EMA_FILE, save_bytes(_tensors(ema)))
    config = {"generator": ema.config.to_dict(), **(record or {})}
    write_atomic(folder / CONFIG_FILE, json.dumps(config, indent=2).encode())


def save_networks(folder: Path, generator: AnyGenerator, ema: AnyGenerator, discriminator: torch.nn.Module,
                  record: dict | None = None) -> None:
    """Everything fine-tuning needs, then the sampling copy and config (the config last: it marks a usable folder)."""
    tensors = _tensors(generator, "G.") | _tensors(ema, "G_ema.") | _tensors(discriminator, "D.")
    write_atomic(folder / NETWORKS_FILE, save_bytes(tensors))
    save_generator(folder, ema, record)


def read_config(folder: Path) -> dict:
    path = folder / CONFIG_FILE
    if not path.is_file():
        raise StyleLabError(f"'{folder.name}' is not a trained generator (it has no {CONFIG_FILE}).")
    return json.loads(path.read_text())


def require_stylegan(folder: Path) -> dict:
    """The generator config of a run that fine-tuning may start from: FreezeD needs the StyleGAN-style networks."""
    config = read_config(folder)["generator"]
    if config.get("architecture") == fastgan.ARCHITECTURE:
        raise StyleLabError(f"'{folder.name}' is a FastGAN-lite generator; fine-tuning is for StyleGAN generators "
                            "only. Train a new FastGAN-lite generator from scratch instead.")
    return config


def _read(path: Path) -> dict[str, torch.Tensor]:
    if path.suffix != ".safetensors" or not path.is_file():
        raise StyleLabError(f"The generator weights {path.name} are missing (only .safetensors files load).")
    return load_bytes(path.read_bytes())


def _builders(folder: Path) -> tuple[Callable[[], AnyGenerator], Callable[[], torch.nn.Module]]:
    """Generator and discriminator constructors for the architecture recorded in the folder's config."""
    settings = dict(read_config(folder)["generator"])
    if settings.get("architecture") == fastgan.ARCHITECTURE:
        config = fastgan.FastGanConfig(**settings)
        return (lambda: fastgan.FastGanGenerator(config)), (lambda: fastgan.FastGanDiscriminator(config))
    stylegan = GeneratorConfig(**settings)
    return (lambda: Generator(stylegan)), (lambda: Discriminator(stylegan))


def load_generator(folder: Path, device: torch.device | str = "cpu") -> AnyGenerator:
    """The smoothed generator (either architecture), in eval mode, for sampling."""
    generator = _builders(folder)[0]()
    generator.load_state_dict(_read(folder / EMA_FILE), strict=True)
    return generator.eval().requires_grad_(False).to(device)


def load_networks(folder: Path) -> tuple[AnyGenerator, AnyGenerator, torch.nn.Module]:
    """Generator, smoothed generator and discriminator, to continue or fine-tune from."""
    make_generator, make_discriminator = _builders(folder)
    tensors = _read(folder / NETWORKS_FILE)
    modules = (make_generator(), make_generator(), make_discriminator())
    for prefix, module in zip(("G.", "G_ema.", "D."), modules):
        module.load_state_dict({k[len(prefix):]: v for k, v in tensors.items() if k.startswith(prefix)}, strict=True)
    return modules


def list_generators(root: Path) -> list[str]:
    """Folders under ``root`` holding a usable generator, newest first."""
    if not root.is_dir():
        return []
    usable = [p.name for p in root.iterdir() if (p / EMA_FILE).is_file() and (p / CONFIG_FILE).is_file()]
    return sorted(usable, reverse=True)
