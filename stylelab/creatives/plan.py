"""A creative as data — the shapes, texts and logo box that layout decided — and the painter that
turns it, the framed shot and the logo into pixels. The JSON sidecar holds this plan, so a creative
re-renders to the same bytes from its JSON, its source shot and the logo."""
from __future__ import annotations

from dataclasses import asdict, dataclass

from PIL import Image, ImageDraw

from stylelab.creatives.contrast import parse_hex
from stylelab.creatives.fonts import FontFace, load_font

Box = tuple[int, int, int, int]
SUPERSAMPLE = 4  # round shapes are drawn 4x and scaled down: smooth edges, no staircase


@dataclass(frozen=True)
class Shape:
    kind: str  # "panel", "scrim", "button", "chip" or "sticker"
    box: Box
    colour: str  # hex
    opacity: float = 1.0
    radius: int = 0  # corner radius; a sticker is an ellipse


@dataclass(frozen=True)
class TextRun:
    element: str  # "headline", "subline", "badge" or "cta"
    text: str
    lines: tuple[str, ...]
    origins: tuple[tuple[int, int], ...]  # each line's left end of its baseline
    size: int
    face: FontFace
    colour: str
    language: str | None
    box: Box  # the lines' box: what stays inside the safe zone and off the product
    contrast: float  # measured against the pixels under the text, before it is drawn
    needed: float  # what AA asks for at this size


@dataclass(frozen=True)
class Plan:
    size: tuple[int, int]
    shapes: tuple[Shape, ...]
    texts: tuple[TextRun, ...]
    logo_box: Box | None

    def record(self) -> dict:
        return asdict(self)

    @staticmethod
    def from_record(data: dict) -> Plan:
        return Plan(
            tuple(data["size"]),
            tuple(Shape(s["kind"], tuple(s["box"]), s["colour"], s["opacity"], s["radius"]) for s in data["shapes"]),
            tuple(TextRun(t["element"], t["text"], tuple(t["lines"]), tuple(tuple(o) for o in t["origins"]),
                          t["size"], FontFace(**t["face"]), t["colour"], t["language"], tuple(t["box"]),
                          t["contrast"], t["needed"]) for t in data["texts"]),
            tuple(data["logo_box"]) if data["logo_box"] else None)


def paint_shape(canvas: Image.Image, shape: Shape) -> Image.Image:
    """The canvas (RGB) with one shape laid over it."""
    x0, y0, x1, y1 = shape.box
    width, height = x1 - x0, y1 - y0
    if width <= 0 or height <= 0:
        return canvas
    if shape.kind == "sticker" or shape.radius:
        big = Image.new("L", (width * SUPERSAMPLE, height * SUPERSAMPLE), 0)
        draw = ImageDraw.Draw(big)
        if shape.kind == "sticker":
            draw.ellipse((0, 0, big.width - 1, big.height - 1), fill=255)
        else:
            draw.rounded_rectangle((0, 0, big.width - 1, big.height - 1), radius=shape.radius * SUPERSAMPLE, fill=255)
        mask = big.resize((width, height), Image.Resampling.BOX)
    else:
        mask = Image.new("L", (width, height), 255)
    if shape.opacity < 1:
        mask = mask.point(lambda value: round(value * shape.opacity))
    out = canvas.copy()
    out.paste(Image.new("RGB", (width, height), parse_hex(shape.colour)), (x0, y0), mask)
    return out


def paint_logo(canvas: Image.Image, logo: Image.Image | None, box: Box | None) -> Image.Image:
    if logo is None or box is None:
        return canvas
    sized = logo.convert("RGBA").resize((box[2] - box[0], box[3] - box[1]), Image.Resampling.LANCZOS)
    out = canvas.copy()
    out.paste(sized, box[:2], sized)
    return out


def paint_text(canvas: Image.Image, run: TextRun) -> Image.Image:
    out = canvas.copy()
    draw = ImageDraw.Draw(out)
    font = load_font(run.face, run.size)
    for line, origin in zip(run.lines, run.origins):
        draw.text(origin, line, font=font, fill=parse_hex(run.colour), anchor="ls", language=run.language)
    return out


def paint(plan: Plan, canvas: Image.Image, logo: Image.Image | None, texts: bool = True) -> Image.Image:
    """The creative: shapes, then the logo, then the texts, over the framed shot."""
    image = canvas.convert("RGB")
    for shape in plan.shapes:
        image = paint_shape(image, shape)
    image = paint_logo(image, logo, plan.logo_box)
    if texts:
        for run in plan.texts:
            image = paint_text(image, run)
    return image
