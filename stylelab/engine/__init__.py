"""The inference engine and what only it uses: device choice, tiling, image tensor operations,
pipelined folder restyling, the torch-free CPU path, and the tools that measure them.

``StyleEngine`` and its request records are the faces of this package; the rest are its parts.
Names load on first use, so the request records and the torch-free path never import PyTorch.
"""
from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "MIN_WORKING_SIDE": "stylelab.engine.style_engine",
    "OUT_OF_MEMORY_NOTICE": "stylelab.engine.style_engine",
    "EngineLimits": "stylelab.engine.style_engine",
    "StyleEngine": "stylelab.engine.style_engine",
    "Progress": "stylelab.engine.requests",
    "RestyleSettings": "stylelab.engine.requests",
    "StyleMix": "stylelab.engine.requests",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'stylelab.engine' has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value
