"""The 26 built-in styles of the multi-style network, with names a merchant can pick from.

Names describe what each style does to a photo (we looked at all 26 on product shots).
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from stylelab.errors import StyleLabError


@dataclass(frozen=True)
class BuiltinStyle:
    index: int
    name: str
    description: str

    @property
    def slug(self) -> str:
        return slugify(self.name)


def slugify(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


BUILTIN_STYLES: tuple[BuiltinStyle, ...] = (
    BuiltinStyle(0, "Sunny pastel", "Soft brushy painting in pale sky blue and warm ochre yellow."),
    BuiltinStyle(1, "Yellow pop art", "Thick black outlines with flat lemon-yellow and white fills, poster-like."),
    BuiltinStyle(2, "Ink wash", "Muted grey and peach wash with soft, smudged dark ink strokes."),
    BuiltinStyle(3, "Electric ribbons", "Highly abstract swirling ribbon strokes in electric blue, red and orange."),
    BuiltinStyle(4, "Ruby and gold", "Painterly look with deep ruby reds, golden yellows and pale blue sky."),
    BuiltinStyle(5, "Sunset fragments", "Broken, criss-cross brushstrokes in orange, red and cream with blue flecks."),
    BuiltinStyle(6, "Indigo lace", "Dark indigo net of cells and dots, like a lace or honeycomb overlay."),
    BuiltinStyle(7, "Bold primaries", "Smooth, blurred blocks of saturated cobalt blue, sunflower yellow and red."),
    BuiltinStyle(8, "Coloured pencil", "Light, sketchy pencil lines in teal, magenta and yellow on white."),
    BuiltinStyle(9, "Teal batik", "Dense teal and cream textile-like pattern with crimson patches."),
    BuiltinStyle(10, "Terracotta oil", "Earthy terracotta and brown tones with soft, old-master style brushwork."),
    BuiltinStyle(11, "Golden etching", "Dark sepia ink lines and hatching over warm golden-ochre fills."),
    BuiltinStyle(12, "Lavender haze", "Dreamy, blurred impressionist dabs in lavender, lilac and soft yellow."),
    BuiltinStyle(13, "Lime expressionist", "Bold lime-green and teal fields with dark outlines and red accents."),
    BuiltinStyle(14, "Frosted blue", "Washed-out icy blue-grey palette with soft pink highlights and gentle lines."),
    BuiltinStyle(15, "Pastel stained glass", "Interwoven tube-like outlines over pastel pinks, creams and blues."),
    BuiltinStyle(16, "Blue dash strokes", "Dense diagonal dashes in blue and violet with orange and yellow flecks."),
    BuiltinStyle(17, "Red brick grid", "Fully abstract grid of orange, red and blue rectangles; subject barely visible."),
    BuiltinStyle(18, "Sepia woodcut", "Monochrome sepia and cream with flowing, carved-wood style line patterns."),
    BuiltinStyle(19, "Starry swirls", "Swirling, textured brushstrokes in deep night blue and golden yellow."),
    BuiltinStyle(20, "Scarlet monochrome", "Almost single-colour scarlet and crimson with dark, smoky shadows."),
    BuiltinStyle(21, "Paper cut-out", "Flat cut-paper shapes in sky blue, pink and butter yellow with black bands."),
    BuiltinStyle(22, "Cream and slate", "Cream and slate-blue palette with loose black brush outlines and red touches."),
    BuiltinStyle(23, "Moody dusk", "Low-key, softly blurred look in dark forest green and black with pale highlights."),
    BuiltinStyle(24, "Indigo relief", "Cream ground with indigo and aqua textures that look embossed or carved."),
    BuiltinStyle(25, "Copper tapestry", "Finely detailed woven-looking texture in copper orange and slate blue."),
)

_BY_KEY = {key: style for style in BUILTIN_STYLES for key in (style.slug, style.name.lower())}


def find_builtin_style(name: str) -> BuiltinStyle | None:
    """Look a built-in style up by name, slug (any case: "Ink wash", "ink-wash") or by the number
    that `python -m stylelab styles` shows ("2")."""
    key = name.strip().lower()
    if key.isdecimal():
        number = int(key)
        return BUILTIN_STYLES[number] if number < len(BUILTIN_STYLES) else None
    return _BY_KEY.get(key) or _BY_KEY.get(slugify(key))


def unknown_style_error(name: str) -> StyleLabError:
    if name.strip().isdecimal():
        return StyleLabError(f"There is no built-in style number {name.strip()}; the numbers run from 0 to "
                             f"{len(BUILTIN_STYLES) - 1} (`python -m stylelab styles` lists them).")
    suggestions = difflib.get_close_matches(name.strip().lower(), [s.name.lower() for s in BUILTIN_STYLES], n=3)
    hint = f" Did you mean: {', '.join(repr(s) for s in suggestions)}?" if suggestions else ""
    return StyleLabError(
        f"Unknown style '{name}'.{hint} Run `python -m stylelab styles` to list the built-in styles, "
        "or pass the path of a style image."
    )
