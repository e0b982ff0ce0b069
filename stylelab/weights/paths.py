"""Where the weights files live (safetensors), found without importing PyTorch."""
from __future__ import annotations

import os
import sys
from pathlib import Path


def weights_dir() -> Path:
    """$STYLELAB_WEIGHTS_DIR, else the checkout's weights/ (a clone or `pip install -e .`), else where
    a regular `pip install .` put them (<prefix>/share/stylelab/weights)."""
    configured = os.environ.get("STYLELAB_WEIGHTS_DIR")
    if configured:
        return Path(configured)
    checkout = Path(__file__).resolve().parents[2] / "weights"
    installed = Path(sys.prefix) / "share" / "stylelab" / "weights"
    return checkout if checkout.is_dir() or not installed.is_dir() else installed


def weights_path(network: str, directory: Path | None = None) -> Path:
    return (directory or weights_dir()) / f"{network}.safetensors"
