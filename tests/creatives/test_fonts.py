"""The fonts ship with StyleLab, carry the licence we record, and cover the text they set."""
from __future__ import annotations

import numpy as np
import pytest
from fontTools.ttLib import TTFont

from stylelab.creatives.fonts import FAMILIES, HEADING, BODY, OFL, checked_face, load_font, missing_glyphs
from stylelab.errors import StyleLabError
from tests.creatives.conftest import CHINESE_HEADLINE

FACES = sorted({face for family in FAMILIES.values() for face in (family.bold, family.regular, family.cjk_bold,
                                                                    family.cjk_regular)}, key=lambda f: f.name)


@pytest.mark.parametrize("face", FACES, ids=lambda face: face.name)
def test_every_face_is_installed_and_its_recorded_licence_is_the_fonts_own(face):
    assert face.path.is_file()
    with TTFont(face.path, lazy=True) as font:
        licence = font["name"].getDebugName(13) or ""
        version = font["name"].getDebugName(5) or ""
    assert face.licence == OFL and "Open Font License" in licence and "1.1" in licence
    assert face.version in version


def test_a_chinese_headline_is_set_in_the_cjk_face_with_a_real_glyph_for_every_character():
    for family in FAMILIES:
        face = checked_face(family, HEADING, CHINESE_HEADLINE)
        assert face.cjk and missing_glyphs(CHINESE_HEADLINE, face) == []
        font = load_font(face, 48)
        # the missing-glyph box looks the same for every character it stands in for: real glyphs differ
        notdef = np.asarray(font.getmask("\U000E0FFF"))
        for char in set(CHINESE_HEADLINE):
            glyph = np.asarray(font.getmask(char, language="zh-Hans"))
            assert glyph.shape != notdef.shape or not np.array_equal(glyph, notdef), char


def test_latin_text_stays_in_the_latin_face_and_unknown_characters_get_a_sentence():
    assert checked_face("Noto Serif", BODY, "Glazed by hand").name == "Noto Serif Regular"
    with pytest.raises(StyleLabError, match="no glyph for '𓀀'"):
        checked_face("Noto Sans", HEADING, "New 𓀀")
    with pytest.raises(StyleLabError, match="no font called 'Comic Sans'"):
        checked_face("Comic Sans", HEADING, "New")
