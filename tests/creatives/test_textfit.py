"""Line breaks a typesetter would accept, in English and in Chinese."""
from __future__ import annotations

from stylelab.creatives.fonts import FAMILIES
from stylelab.creatives.textfit import NO_LINE_END, NO_LINE_START, set_text, units
from tests.creatives.conftest import CHINESE_HEADLINE

SANS = FAMILIES["Noto Sans"]


def test_chinese_breaks_between_characters_and_no_line_starts_with_closing_punctuation():
    for width in range(160, 900, 37):
        fitted = set_text(CHINESE_HEADLINE, SANS.cjk_bold, 40, width, 12)
        assert fitted is not None and "".join(fitted.lines) == CHINESE_HEADLINE  # nothing dropped
        for line in fitted.lines:
            assert line[0] not in NO_LINE_START and line[-1] not in NO_LINE_END, fitted.lines
        assert max(fitted.widths) <= width


def test_english_breaks_only_between_words_and_keeps_every_word():
    text = "Hand-thrown stoneware, glazed by hand in small batches"
    fitted = set_text(text, SANS.bold, 40, 420, 4)
    assert fitted is not None and len(fitted.lines) > 1
    assert " ".join(fitted.lines).split() == text.split()
    assert units("mugs, made") == ["mugs, ", "made"]


def test_too_many_lines_or_a_word_wider_than_the_box_does_not_fit():
    assert set_text("Hand-thrown stoneware, glazed by hand in small batches", SANS.bold, 40, 420, 1) is None
    assert set_text("Supercalifragilistic", SANS.bold, 60, 200, 3) is None
