"""StyleLab: restyle product photos with pretrained style-transfer networks.

    import stylelab
    image = stylelab.restyle("mug.jpg", "Ink wash", strength=0.7, keep_colours=True)
    image.save("mug-ink.png")

Names are imported on first use, so `import stylelab.web...` does not load torch.
"""
from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "restyle": "stylelab.api",
    "restyle_many": "stylelab.api",
    "list_styles": "stylelab.api",
    "product_shots": "stylelab.api",
    "resolve_style": "stylelab.api",
    "default_engine": "stylelab.api",
    "cutout": "stylelab.api",
    "ad_creatives": "stylelab.api",
    "rerender_creative": "stylelab.api",
    "CutoutPrompt": "stylelab.product.prompts",
    "CutoutResult": "stylelab.product.cutout",
    "StyleEngine": "stylelab.engine",
    "StyleMix": "stylelab.engine",
    "RestyleSettings": "stylelab.engine",
    "StyleLabError": "stylelab.errors",
    "load_image": "stylelab.imageio",
    "save_image": "stylelab.imageio",
    "BUILTIN_STYLES": "stylelab.styles",
    "BuiltinStyle": "stylelab.styles",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'stylelab' has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value
