"""What the user tells the cut-out: a box around the product, and clicks on product / not product.

Coordinates are pixels of the photo as loaded (x to the right, y down). The same plain
values travel through the CLI (``--box X0,Y0,X1,Y1 --point X,Y --exclude X,Y``), the
Python API and the Gradio API, so each has one parser here.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from stylelab.errors import StyleLabError

Point = tuple[float, float]
Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class CutoutPrompt:
    box: Box | None = None  # x0, y0, x1, y1
    include: tuple[Point, ...] = field(default_factory=tuple)  # clicks on the product
    exclude: tuple[Point, ...] = field(default_factory=tuple)  # clicks on what is not the product

    @property
    def empty(self) -> bool:
        return self.box is None and not self.include and not self.exclude

    def checked(self, size: tuple[int, int]) -> CutoutPrompt:
        """The prompt with its box ordered and clipped to a photo of ``size``; a sentence when it cannot fit."""
        width, height = size
        box = self.box
        if box is not None:
            x0, x1 = sorted((box[0], box[2]))
            y0, y1 = sorted((box[1], box[3]))
            x0, y0, x1, y1 = max(0.0, x0), max(0.0, y0), min(float(width), x1), min(float(height), y1)
            if x1 - x0 < 4 or y1 - y0 < 4:
                raise StyleLabError(f"The box must cover part of the {width}x{height} photo and be at least 4 pixels "
                                    f"wide and high; got {_format(self.box)}.")
            box = (x0, y0, x1, y1)
        for point in (*self.include, *self.exclude):
            if not (0 <= point[0] < width and 0 <= point[1] < height):
                raise StyleLabError(f"The click at {_format(point)} is outside the {width}x{height} photo.")
        return CutoutPrompt(box, tuple(self.include), tuple(self.exclude))

    def moved(self, dx: float, dy: float) -> CutoutPrompt:
        """The same prompt on a crop whose corner lies at (-dx, -dy) in the photo."""
        box = (self.box[0] + dx, self.box[1] + dy, self.box[2] + dx, self.box[3] + dy) if self.box is not None else None
        return CutoutPrompt(box, tuple((x + dx, y + dy) for x, y in self.include),
                            tuple((x + dx, y + dy) for x, y in self.exclude))

    def scaled(self, factor: float) -> CutoutPrompt:
        """The same prompt on the photo resized by ``factor``."""
        box = tuple(v * factor for v in self.box) if self.box is not None else None
        return CutoutPrompt(box, tuple((x * factor, y * factor) for x, y in self.include),  # type: ignore[arg-type]
                            tuple((x * factor, y * factor) for x, y in self.exclude))


def _format(values: Sequence[float]) -> str:
    return ",".join(f"{v:g}" for v in values)


def _numbers(text: str | Sequence[float], count: int, what: str, example: str) -> tuple[float, ...]:
    if isinstance(text, str):
        parts = [p for p in text.replace(";", ",").replace(" ", ",").split(",") if p]
    else:
        parts = list(text)
    try:
        values = tuple(float(p) for p in parts)
    except (TypeError, ValueError):
        values = ()
    if len(values) != count or any(v != v for v in values):  # v != v: NaN
        raise StyleLabError(f"A {what} is {count} numbers, like {example}; got {text!r}.")
    return values


def parse_box(text: str | Sequence[float] | None) -> Box | None:
    """'X0,Y0,X1,Y1' (or four numbers) to a box; None or '' means no box."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    return _numbers(text, 4, "box", "120,80,900,1000")  # type: ignore[return-value]


def parse_point(text: str | Sequence[float]) -> Point:
    return _numbers(text, 2, "click", "450,600")  # type: ignore[return-value]


def parse_points(items: str | Sequence[str | Sequence[float]] | None) -> tuple[Point, ...]:
    """Clicks as a list of 'X,Y' / (x, y), or one string 'X,Y; X,Y'."""
    if items is None:
        return ()
    if isinstance(items, str):
        items = [part for part in items.split(";") if part.strip()]
    return tuple(parse_point(item) for item in items)


def make_prompt(box: str | Sequence[float] | None = None, include: str | Sequence | None = None,
                exclude: str | Sequence | None = None) -> CutoutPrompt | None:
    """A prompt from plain values, or None when nothing was given."""
    prompt = CutoutPrompt(parse_box(box), parse_points(include), parse_points(exclude))
    return None if prompt.empty else prompt
