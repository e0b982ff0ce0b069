"""StyleLab: restyle product photos with pretrained style-transfer networks.

    import stylelab
    image = stylelab.restyle("mug.jpg", "Ink wash", strength=0.7, keep_colours=True)
    image.save("mug-ink.png")
"""
from stylelab.api import default_engine, list_styles, resolve_style, restyle, restyle_many
from stylelab.engine import RestyleSettings, StyleEngine, StyleMix
from stylelab.errors import StyleLabError
from stylelab.imageio import load_image, save_image
from stylelab.styles import BUILTIN_STYLES, BuiltinStyle

__all__ = [
    "BUILTIN_STYLES",
    "BuiltinStyle",
    "RestyleSettings",
    "StyleEngine",
    "StyleLabError",
    "StyleMix",
    "default_engine",
    "list_styles",
    "load_image",
    "resolve_style",
    "restyle",
    "restyle_many",
    "save_image",
]
