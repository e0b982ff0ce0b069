"""Loading weights: safetensors only. A pickle (.pt, .bin, or one renamed .safetensors) is refused
before a single byte of it is unpickled, so no code hidden in it can run."""
from __future__ import annotations

import json
import struct
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file

from stylelab.errors import StyleLabError

PICKLE_SUFFIXES = (".pt", ".pth", ".bin", ".ckpt", ".pkl", ".pickle")
MAX_HEADER_BYTES = 100_000_000  # the safetensors format's own limit


def not_safetensors(path: Path, what: str) -> StyleLabError:
    return StyleLabError(f"The {what} file '{path.name}' is not a safetensors file, so it was not loaded: StyleLab "
                         "only loads safetensors weights and never unpickles files (they can run code).")


def is_safetensors(path: Path) -> bool:
    """The header check: 8 bytes of length, then a JSON object (a pickle or a torch ZIP fails it)."""
    try:
        with open(path, "rb") as stream:
            prefix = stream.read(8)
            if len(prefix) < 8:
                return False
            (length,) = struct.unpack("<Q", prefix)
            if not 2 <= length <= MAX_HEADER_BYTES:
                return False
            header = json.loads(stream.read(length))
    except (OSError, ValueError):
        return False
    return isinstance(header, dict)


def load_safetensors(path: Path | str, what: str = "weights") -> dict[str, torch.Tensor]:
    path = Path(path)
    if not path.is_file():
        pickled = [path.with_suffix(s) for s in PICKLE_SUFFIXES if path.with_suffix(s).is_file()]
        if pickled:
            raise not_safetensors(pickled[0], what)
        raise StyleLabError(f"The {what} file '{path.name}' is missing.")
    if path.suffix != ".safetensors" or not is_safetensors(path):
        raise not_safetensors(path, what)
    try:
        return load_file(str(path))
    except (SafetensorError, OSError, ValueError):
        raise StyleLabError(f"The {what} file '{path.name}' is damaged and could not be loaded.") from None
