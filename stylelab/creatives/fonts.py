"""The fonts a brand kit may use: open-licensed faces that Python packages install with StyleLab
(requirements.txt), never fetched at run time. Text with characters the Latin face lacks (Chinese)
is set in the CJK face of the same role, so no text ever shows a missing-glyph box.

Each face records its package, file, version and licence; tests/creatives/test_fonts.py checks the
licence against the font file's own name table."""
from __future__ import annotations

import functools
import importlib.util
from dataclasses import dataclass
from pathlib import Path

from PIL import ImageFont, features

from stylelab.errors import StyleLabError

OFL = "SIL Open Font License 1.1"
RAQM = features.check("raqm")  # complex shaping, kerning and the Simplified-Chinese glyph forms (locl)
HEADING, BODY = "heading", "body"


@dataclass(frozen=True)
class FontFace:
    name: str  # what the record and the errors call it, e.g. "Noto Sans Bold"
    package: str  # the Python package that installs the file (requirements.txt)
    file: str  # path inside the package
    weight: int | None  # for a variable font: the wght axis value
    version: str
    licence: str = OFL
    cjk: bool = False

    @property
    def path(self) -> Path:
        spec = importlib.util.find_spec(self.package)
        if spec is None or spec.origin is None:
            raise StyleLabError(f"The font '{self.name}' is not installed; run `pip install -r requirements.txt` "
                                f"(it comes with the package {self.package}).")
        return Path(spec.origin).parent / self.file


@dataclass(frozen=True)
class FontFamily:
    """A family a kit can pick for its headings or its body text: a bold and a regular face for Latin
    text and the CJK faces its Chinese text is set in."""
    name: str
    description: str
    bold: FontFace
    regular: FontFace
    cjk_bold: FontFace
    cjk_regular: FontFace

    def face(self, role: str, text: str) -> FontFace:
        bold = role == HEADING
        latin = self.bold if bold else self.regular
        if not missing_glyphs(text, latin):
            return latin
        return self.cjk_bold if bold else self.cjk_regular


_CJK_BOLD = FontFace("Noto Sans CJK Bold", "cvttf_NotoSansCJK_Bold", "NotoSansCJKtc-Bold.otf", None, "1.004", cjk=True)
_CJK_REGULAR = FontFace("Noto Sans CJK Regular", "cvttf_NotoSansCJK_Regular", "NotoSansCJKtc-Regular.otf", None,
                        "1.004", cjk=True)


def _variable(family: str, package: str, file: str, version: str) -> tuple[FontFace, FontFace]:
    return (FontFace(f"{family} Bold", package, file, 700, version),
            FontFace(f"{family} Regular", package, file, 400, version))


FAMILIES: dict[str, FontFamily] = {
    family.name: family for family in (
        FontFamily("Noto Sans", "a neutral sans serif; Chinese in Noto Sans CJK",
                   *_variable("Noto Sans", "fontpkg_noto_sans", "files/NotoSans[wdth,wght].ttf", "2.015"),
                   _CJK_BOLD, _CJK_REGULAR),
        FontFamily("Noto Serif", "a calm serif for Latin text; Chinese in Noto Sans CJK",
                   *_variable("Noto Serif", "fontpkg_noto_serif", "files/NotoSerif[wdth,wght].ttf", "2.015"),
                   _CJK_BOLD, _CJK_REGULAR),
        FontFamily("Noto Sans CJK", "one face for Latin and Chinese alike (Simplified Chinese forms)",
                   _CJK_BOLD, _CJK_REGULAR, _CJK_BOLD, _CJK_REGULAR),
    )
}
DEFAULT_FAMILY = "Noto Sans"


def family(name: object) -> FontFamily:
    if isinstance(name, str):
        for known in FAMILIES.values():
            if known.name.lower() == name.strip().lower():
                return known
    raise StyleLabError(f"There is no font called '{name}'. Pick one of: {', '.join(FAMILIES)}.")


@functools.lru_cache(maxsize=8)
def _cmap(face: FontFace) -> frozenset[int]:
    from fontTools.ttLib import TTFont  # reads only the cmap table, lazily

    with TTFont(face.path, lazy=True) as font:
        return frozenset(font.getBestCmap())


def missing_glyphs(text: str, face: FontFace) -> list[str]:
    """The characters of ``text`` the face has no glyph for (spaces and line breaks never count)."""
    cmap = _cmap(face)
    return sorted({char for char in text if not char.isspace() and ord(char) not in cmap})


def checked_face(family_name: str, role: str, text: str) -> FontFace:
    """The face ``text`` is set in, or a sentence naming the characters no face of the kit can show."""
    chosen = family(family_name).face(role, text)
    missing = missing_glyphs(text, chosen)
    if missing:
        shown = ", ".join(f"'{char}' (U+{ord(char):04X})" for char in missing[:5])
        raise StyleLabError(f"The brand kit's fonts have no glyph for {shown}; remove {'it' if len(missing) == 1 else 'them'} "
                            "from the text.")
    return chosen


@functools.lru_cache(maxsize=128)
def load_font(face: FontFace, size: int) -> ImageFont.FreeTypeFont:
    engine = ImageFont.Layout.RAQM if RAQM else ImageFont.Layout.BASIC
    font = ImageFont.truetype(str(face.path), size, layout_engine=engine)
    if face.weight is not None:
        axes = {axis["name"].lower() if isinstance(axis["name"], str) else axis["name"].decode().lower(): axis
                for axis in font.get_variation_axes()}
        font.set_variation_by_axes([face.weight if name in ("weight", "wght") else axis["default"]
                                    for name, axis in axes.items()])
    return font


def language_of(text: str) -> str | None:
    """The language tag raqm shapes with: Simplified-Chinese glyph forms for Chinese text."""
    return "zh-Hans" if any(is_cjk(char) for char in text) else None


def is_cjk(char: str) -> bool:
    code = ord(char)
    return (0x2E80 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0xFF00 <= code <= 0xFFEF
            or 0x3000 <= code <= 0x303F or 0x20000 <= code <= 0x2FA1F)
