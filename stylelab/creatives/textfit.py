"""Text that fits its box: line breaks (English between words, Chinese between characters with
kinsoku — no line starts with closing punctuation or ends with opening punctuation), a most number
of lines, and the largest size that fits; a sentence when nothing fits, never dropped words."""
from __future__ import annotations

import re
from dataclasses import dataclass

from stylelab.creatives.fonts import FontFace, is_cjk, language_of, load_font

# kinsoku shori: these never start a line (they stay with the character before them) ...
NO_LINE_START = set("，。、．：；！？）］｝〕〉》」』】〗〙〛’”｠»…‥ー々ゝゞヽヾ・,.:;!?)]}%‰°℃")
# ... and these never end one (they go with the character after them)
NO_LINE_END = set("（［｛〔〈《「『【〖〘〚‘“｟«([{$£¥€#")
LINE_SPACING = {False: 1.18, True: 1.32}  # line advance per font size: Latin, CJK


@dataclass(frozen=True)
class FittedText:
    lines: tuple[str, ...]
    size: int  # font size in pixels
    line_height: int
    widths: tuple[int, ...]
    face: FontFace

    @property
    def width(self) -> int:
        return max(self.widths)

    @property
    def height(self) -> int:
        return self.line_height * len(self.lines)


def units(text: str) -> list[str]:
    """The pieces a line may break between: words (with their following space) and single CJK
    characters, with kinsoku punctuation glued to its neighbour."""
    pieces = re.findall(r"[^\s]+\s*|\s+", text.strip())
    out: list[str] = []
    for piece in pieces:
        chunk = ""
        for char in piece:
            if is_cjk(char) and char not in NO_LINE_START:
                if chunk:
                    out.append(chunk)
                chunk = char
            elif chunk and is_cjk(chunk[-1]) and not char.isspace() and char not in NO_LINE_START and not is_cjk(char):
                out.append(chunk)  # "八折sale": a Latin word after CJK characters starts its own unit
                chunk = char
            else:
                chunk += char
        if chunk:
            out.append(chunk)
    glued: list[str] = []
    for unit in out:
        if glued and (unit[0] in NO_LINE_START or glued[-1].rstrip()[-1:] in NO_LINE_END):
            glued[-1] += unit
        else:
            glued.append(unit)
    return glued


CLAUSE_END = set("，、。！？；：,;:!?")


def clauses(pieces: list[str]) -> list[str]:
    """Units joined into clauses, up to a comma or full stop: the breaks a reader prefers."""
    joined: list[str] = []
    for piece in pieces:
        if joined and joined[-1].rstrip()[-1:] not in CLAUSE_END:
            joined[-1] += piece
        else:
            joined.append(piece)
    return joined


def break_lines(text: str, face: FontFace, size: int, width: float, by_clause: bool = False) -> list[str] | None:
    """Greedy lines no wider than ``width``; None when one unbreakable piece is wider."""
    font = load_font(face, size)
    language = language_of(text)
    lines: list[str] = []
    current = ""
    pieces = units(text)
    for unit in clauses(pieces) if by_clause else pieces:
        candidate = current + unit
        if font.getlength(candidate.rstrip(), language=language) <= width:
            current = candidate
            continue
        if not current:
            return None
        lines.append(current.rstrip())
        current = unit
        if font.getlength(current.rstrip(), language=language) > width:
            return None
    if current.strip():
        lines.append(current.rstrip())
    return lines


def balanced(text: str, face: FontFace, size: int, width: float) -> list[str] | None:
    """The same number of lines as the greedy break: broken after commas where that costs no extra line,
    else as even as they go (no lonely last word)."""
    lines = break_lines(text, face, size, width)
    if lines is None or len(lines) < 2:
        return lines
    by_clause = break_lines(text, face, size, width, by_clause=True)
    if by_clause is not None and len(by_clause) == len(lines):  # a break after a comma, at no extra line
        return by_clause
    low, high = width * 0.4, width
    for _ in range(8):
        middle = (low + high) / 2
        trial = break_lines(text, face, size, middle)
        if trial is not None and len(trial) <= len(lines):
            high, lines = middle, trial
        else:
            low = middle
    return lines


def set_text(text: str, face: FontFace, size: int, width: float, max_lines: int) -> FittedText | None:
    """The text set at ``size`` in at most ``max_lines`` lines of ``width``, or None."""
    lines = balanced(text, face, size, width)
    if lines is None or len(lines) > max_lines:
        return None
    font = load_font(face, size)
    language = language_of(text)
    widths = tuple(round(font.getlength(line, language=language)) for line in lines)
    spacing = LINE_SPACING[language is not None]
    return FittedText(tuple(lines), size, round(size * spacing), widths, face)


def chars_that_fit(face: FontFace, size: int, width: float, max_lines: int, sample: str) -> int:
    """About how many characters of text like ``sample`` fit, for the sentence that asks to shorten it."""
    font = load_font(face, size)
    per_char = font.getlength(sample, language=language_of(sample)) / max(len(sample), 1)
    return max(1, int(width / max(per_char, 1) * max_lines * 0.9))
