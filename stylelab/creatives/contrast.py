"""WCAG 2 contrast: relative luminance, contrast ratios, and a text colour's contrast measured against
the very pixels it is set on."""
from __future__ import annotations

import re

import numpy as np

from stylelab.errors import StyleLabError

AA_NORMAL, AA_LARGE = 4.5, 3.0
WORST_SHARE = 2.0  # percentile of the pixels under a text: one stray highlight does not decide, a patch does
Colour = tuple[int, int, int]


def parse_hex(text: object) -> Colour:
    if not isinstance(text, str) or not re.fullmatch(r"#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})", text.strip()):
        raise StyleLabError(f"'{text}' is not a colour; write colours as hex codes like #2F4858.")
    digits = text.strip().lstrip("#")
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def to_hex(colour: Colour) -> str:
    return "#{:02X}{:02X}{:02X}".format(*colour)


def luminance(rgb: np.ndarray) -> np.ndarray:
    """WCAG relative luminance of sRGB values 0-255 (any shape ending in 3)."""
    c = np.asarray(rgb, dtype=np.float64) / 255.0
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return linear @ np.array([0.2126, 0.7152, 0.0722])


def ratio(a: float | np.ndarray, b: float | np.ndarray) -> float | np.ndarray:
    high, low = np.maximum(a, b), np.minimum(a, b)
    return (high + 0.05) / (low + 0.05)


def contrast_on(colour: Colour, pixels: np.ndarray) -> float:
    """The colour's contrast with the pixels (N x 3) it sits on, all but the worst WORST_SHARE %."""
    if pixels.size == 0:
        return 21.0
    ratios = ratio(luminance(np.array(colour)), luminance(pixels.reshape(-1, 3)))
    return float(np.percentile(ratios, WORST_SHARE))


def required(size: int, bold: bool) -> float:
    """AA for large text (≥ 24 px, or ≥ 18.7 px bold) is 3:1, else 4.5:1."""
    return AA_LARGE if size >= 24 or (bold and size >= 19) else AA_NORMAL


def best_on(candidates: list[Colour], pixels: np.ndarray, needed: float) -> tuple[Colour, float] | None:
    """The first candidate (the brand's order) that reaches ``needed`` on these pixels, else None."""
    for colour in candidates:
        measured = contrast_on(colour, pixels)
        if measured >= needed:
            return colour, measured
    return None


def most_contrasting(candidates: list[Colour], background: Colour) -> Colour:
    return max(candidates, key=lambda c: (float(ratio(luminance(np.array(c)), luminance(np.array(background)))),
                                          -candidates.index(c)))
