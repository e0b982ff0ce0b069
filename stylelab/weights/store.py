"""Where the converted weights live and how they are loaded: safetensors only."""
from __future__ import annotations

import os
from pathlib import Path

import torch
from safetensors.torch import save_file
from torch import nn

from stylelab.errors import StyleLabError
from stylelab.models import ArbitraryStyleTransformer, MultiStyleNet, StylePredictor
from stylelab.store.safeload import PICKLE_SUFFIXES, load_safetensors, not_safetensors
from stylelab.weights.paths import weights_dir, weights_path  # noqa: F401 (re-exported)

NETWORKS: dict[str, type[nn.Module]] = {
    "multistyle26": MultiStyleNet,
    "arbitrary_predictor": StylePredictor,
    "arbitrary_transformer": ArbitraryStyleTransformer,
}


def save_weights(network: str, state: dict[str, torch.Tensor], metadata: dict[str, str], directory: Path) -> Path:
    path = weights_path(network, directory)
    temporary = path.with_suffix(".partial")
    save_file({k: v.contiguous() for k, v in state.items()}, str(temporary), metadata=metadata)
    os.chmod(temporary, 0o644)
    os.replace(temporary, path)  # never leave a half-written weights file behind
    return path


def load_network(network: str, directory: Path | None = None) -> nn.Module:
    """Build the module and fill it from its safetensors file, in eval mode."""
    path = weights_path(network, directory)
    pickled = [path.with_suffix(s) for s in PICKLE_SUFFIXES if path.with_suffix(s).is_file()]
    if not path.is_file() and pickled:
        raise not_safetensors(pickled[0], f"{network} network weights")
    if not path.is_file():
        raise StyleLabError(
            f"The weights file {path} is missing. Run `python -m stylelab.weights import` to create it."
        )
    module = NETWORKS[network]()
    module.load_state_dict(load_safetensors(path, f"{network} network weights"), strict=True)
    return module.eval().requires_grad_(False)
