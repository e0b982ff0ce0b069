"""Layout: from a framed shot, its product box, the copy, a brand kit, a format and a layout to a Plan.

Every element's size comes from one scale per block (so headline, sub-line and button keep their
proportions), the largest at which the block fits its region; colours come from the brand kit with
WCAG AA contrast measured on the pixels under each text, else a scrim in the brand's primary colour."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

from stylelab.creatives.brand import BrandKit
from stylelab.creatives.contrast import best_on, luminance, parse_hex, required, to_hex
from stylelab.creatives.fonts import HEADING, BODY, checked_face, language_of, load_font
from stylelab.creatives.formats import AdFormat
from stylelab.creatives.layouts import Block, Layout, uses
from stylelab.creatives.plan import Box, Plan, Shape, TextRun, paint_shape
from stylelab.creatives.textfit import FittedText, chars_that_fit, set_text
from stylelab.errors import StyleLabError

GAP = 0.03  # of the shorter side: the clear space around the product
INSET = 0.025  # content inside a panel or a scrim keeps this far from its edge
MIN_SCALE = 0.4  # smallest type, as a share of each element's largest size
GOOD_SCALE = 0.6  # the preferred region wins while its type stays at least this large
PANEL_SHARE = 0.5  # a side panel takes at most this share of the width
SIDE_WIDTH = 0.26  # and text goes beside the product only where this share of the width is free
NEUTRALS = ("#FFFFFF", "#111111")
SCRIM_OPACITY = (0.55, 0.7, 0.85, 1.0)
# element: (largest size as a share of the shorter side, most lines, font role)
TYPE_SCALE = {"headline": (0.085, 3, HEADING), "subline": (0.042, 2, BODY), "badge": (0.042, 2, HEADING),
              "cta": (0.038, 1, HEADING)}
LOGO_HEIGHT = 0.09
STICKER = 0.2  # a round badge's diameter


@dataclass(frozen=True)
class AdCopy:
    headline: str = ""
    subline: str = ""
    badge: str = ""  # a price or an offer: "−20 %", "New", "¥129"
    cta: str = ""  # the call to action; empty: the brand kit's

    def text(self, element: str, kit: BrandKit) -> str:
        value = {"headline": self.headline, "subline": self.subline, "badge": self.badge,
                 "cta": self.cta or kit.cta}.get(element, "")
        return " ".join(value.split()) if isinstance(value, str) else ""


@dataclass(frozen=True)
class Item:
    """One element set at one scale: its size and what draws it."""
    element: str
    width: int
    height: int
    fitted: FittedText | None = None
    pad: tuple[int, int] = (0, 0)  # inside a button or chip: across, down


def _area(box: Box) -> int:
    return max(0, box[2] - box[0]) * max(0, box[3] - box[1])


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def regions(ad: AdFormat, product: Box) -> dict[str, Box]:
    sx0, sy0, sx1, sy1 = ad.safe_box
    gap = round(GAP * min(ad.size))
    px0, py0, px1, py1 = product[0] - gap, product[1] - gap, product[2] + gap, product[3] + gap
    left_full, right_full = (sx0, sy0, min(sx1, px0), sy1), (max(sx0, px1), sy0, sx1, sy1)
    left, right = (sx0, max(sy0, py0), min(sx1, px0), min(sy1, py1)), (max(sx0, px1), max(sy0, py0), sx1, min(sy1, py1))
    wider = (left, left_full) if left[2] - left[0] >= right[2] - right[0] else (right, right_full)
    most = round(PANEL_SHARE * ad.size[0])  # a panel wider than half the frame is a wall of colour
    full = wider[1]
    full = (full[0], full[1], min(full[2], most), full[3]) if full[0] == sx0 else \
        (max(full[0], ad.size[0] - most), full[1], full[2], full[3])
    wider = (wider[0], full)
    return {"top": (sx0, sy0, sx1, min(sy1, py0)), "bottom": (sx0, max(sy0, py1), sx1, sy1),
            "left": left, "right": right, "side": wider[0], "side full": wider[1]}


def _carve(region: Box, taken: list[Box]) -> Box:
    """The largest part of the region clear of what earlier blocks took."""
    for used in taken:
        if not _overlaps(region, used):
            continue
        x0, y0, x1, y1 = region
        parts = [(x0, y0, x1, used[1]), (x0, used[3], x1, y1), (x0, y0, used[0], y1), (used[2], y0, x1, y1)]
        region = max(parts, key=_area)
    return region


class Composer:
    def __init__(self, ad: AdFormat, product: Box, copy: AdCopy, kit: BrandKit, chosen: Layout):
        self.ad, self.product, self.copy, self.kit, self.layout = ad, product, copy, kit, chosen
        self.unit = min(ad.size)
        self.regions = regions(ad, product)
        self.taken: list[Box] = []

    # -- sizes ---------------------------------------------------------------------------

    def _present(self, block: Block) -> list[str]:
        present = []
        for element in block.elements:
            if element == "logo":
                if self.kit.logo is not None:
                    present.append(element)
            elif self.copy.text(element, self.kit):
                present.append(element)
        return present

    def _item(self, element: str, scale: float, width: int, sticker: bool = False) -> Item | None:
        unit = self.unit
        if element == "logo":
            logo = self.kit.logo
            height = max(8, round(LOGO_HEIGHT * unit * scale))
            logo_width = round(height * logo.width / logo.height)
            if logo_width > width:
                height, logo_width = max(1, round(height * width / logo_width)), width
            return Item(element, logo_width, height) if height >= 0.03 * unit * scale else None
        text = self.copy.text(element, self.kit)
        largest, max_lines, role = TYPE_SCALE[element]
        family = self.kit.heading_font if role == HEADING else self.kit.body_font
        face = checked_face(family, role, text)
        size = max(8, round(largest * unit * scale * (1.25 if sticker else 1.0)))
        if sticker:  # the largest type that fits the circle
            side = round(STICKER * unit * scale)
            for shrink in (1.0, 0.85, 0.72, 0.6, 0.5):
                fitted = set_text(text, face, round(size * shrink), side * 0.74, max_lines)
                if fitted is not None and self._text_height(fitted) <= side * 0.62:
                    return Item(element, side, side, fitted)
            return None
        pad = (round(size * 0.9), round(size * 0.55)) if element in ("cta", "badge") else (0, 0)
        fitted = set_text(text, face, size, width - 2 * pad[0], 1 if element == "cta" else max_lines)
        if fitted is None:
            return None
        return Item(element, fitted.width + 2 * pad[0], self._text_height(fitted) + 2 * pad[1], fitted, pad)

    @staticmethod
    def _text_height(fitted: FittedText) -> int:
        ascent, descent = load_font(fitted.face, fitted.size).getmetrics()
        return (len(fitted.lines) - 1) * fitted.line_height + ascent + descent

    def _gap(self, above: Item, scale: float) -> int:
        if above.element == "headline":
            return round(0.022 * self.unit * scale)
        return round(0.03 * self.unit * scale)

    def _arrange(self, block: Block, elements: list[str], scale: float, width: int, height: int
                 ) -> tuple[int, int, list[tuple[Item, int, int]]] | None:
        """Items and their offsets in the block, or None when they do not fit width x height."""
        sticker = len(elements) == 1 and elements[0] == "badge" and not block.panel
        row = block.row or (block.panel and width > 2.2 * height)  # a panel turned into a band: button beside
        if row and len(elements) > 1:
            right = self._item(elements[-1], scale, width // 2)
            if right is None:
                return None
            spacing = round(0.04 * self.unit * scale)
            column = self._column(elements[:-1], scale, width - right.width - spacing)
            if column is None:
                return None
            col_w, col_h, placed = column
            total_h = max(col_h, right.height)
            total_w = width if block.align != "center" else col_w + spacing + right.width
            placed = [(item, x, y + (total_h - col_h) // 2) for item, x, y in placed]
            placed.append((right, total_w - right.width, (total_h - right.height) // 2))
            return (total_w, total_h, placed) if total_h <= height and total_w <= width else None
        column = self._column(elements, scale, width, sticker)
        if column is None or column[1] > height:
            return None
        total_w, total_h, placed = column
        shift = {"center": lambda w: (total_w - w) // 2, "end": lambda w: total_w - w}.get(block.align, lambda w: 0)
        return total_w, total_h, [(item, shift(item.width), y) for item, _, y in placed]

    def _column(self, elements: list[str], scale: float, width: int, sticker: bool = False
                ) -> tuple[int, int, list[tuple[Item, int, int]]] | None:
        placed, y, widest = [], 0, 0
        previous = None
        for element in elements:
            item = self._item(element, scale, width, sticker)
            if item is None:
                return None
            if previous is not None:
                y += self._gap(previous, scale)
            placed.append((item, 0, y))
            y += item.height
            widest = max(widest, item.width)
            previous = item
        return widest, y, placed

    # -- placing -------------------------------------------------------------------------

    def _content_box(self, block: Block, region: Box) -> Box:
        """The region less an inset on the sides that face the product (the safe zone's own margin
        is on the others)."""
        sx0, sy0, sx1, sy1 = self.ad.safe_box
        inset = round(INSET * self.unit)
        x0, y0, x1, y1 = region
        return (x0 + (inset if x0 > sx0 else 0), y0 + (inset if y0 > sy0 else 0),
                x1 - (inset if x1 < sx1 else 0), y1 - (inset if y1 < sy1 else 0))

    def _corner(self, item_size: int) -> Box | None:
        """A round badge beside the product's top corner: right of it, else left, else above."""
        gap = round(GAP * self.unit)
        px0, py0, px1, _ = self.product
        sx0, sy0, sx1, sy1 = self.ad.safe_box
        top = max(sy0, py0)
        for box in ((px1 + gap, top, px1 + gap + item_size, top + item_size),
                    (px0 - gap - item_size, top, px0 - gap, top + item_size),
                    (sx1 - item_size, py0 - gap - item_size, sx1, py0 - gap)):
            inside = box[0] >= sx0 and box[1] >= sy0 and box[2] <= sx1 and box[3] <= sy1
            if inside and not any(_overlaps(box, used) for used in [*self.taken, self.product]):
                return box
        return None

    def place(self, block: Block) -> list[tuple[Item, Box]] | None:
        """Each present element's item and box, the block's panel in self.panels; None: nothing to place."""
        elements = self._present(block)
        if not elements:
            return None
        if block.regions == ("corner",):
            for scale in np.linspace(1.0, MIN_SCALE, 7):
                item = self._item(elements[0], float(scale), 10 ** 6, sticker=True)
                box = self._corner(item.width) if item else None
                if box is not None:
                    self.taken.append(box)
                    return [(item, box)]
            raise self._no_room(elements, "beside the product")
        options = []  # (scale, preference, region name, region, content box, arrangement)
        for preference, name in enumerate(block.regions):
            region = _carve(self.regions[name], self.taken)
            content = self._content_box(block, region)
            width, height = content[2] - content[0], content[3] - content[1]
            if width < 0.12 * self.unit or height < 0.05 * self.unit:
                continue
            wordy = any(e in elements for e in ("headline", "subline"))
            if wordy and name.startswith("side") and width < SIDE_WIDTH * self.ad.size[0]:
                continue  # a sliver beside a wide product: a headline there breaks every word
            found = self._largest(block, elements, width, height)
            if found is not None:
                options.append((found[0], preference, name, region, content, found[1]))
                if found[0] >= GOOD_SCALE:
                    break  # the preferred region, where the type stays large
        if options:
            _, _, name, region, content, (total_w, total_h, placed) = max(
                options, key=lambda o: (o[0] >= GOOD_SCALE, -o[1] if o[0] >= GOOD_SCALE else o[0]))
            width, height = content[2] - content[0], content[3] - content[1]
            x0 = {"start": content[0], "end": content[2] - total_w}.get(block.align, content[0] + (width - total_w) // 2)
            anchor = "top" if name == "top" else "bottom" if name == "bottom" else "middle"
            y0 = {"top": content[1], "bottom": content[3] - total_h}.get(anchor, content[1] + (height - total_h) // 2)
            boxes = []
            for item, dx, dy in placed:
                boxes.append((item, (x0 + dx, y0 + dy, x0 + dx + item.width, y0 + dy + item.height)))
            used = (x0, y0, x0 + total_w, y0 + total_h)
            if block.panel:
                used = self._panel_box(region)
                self.panels.append(used)
            self.taken.append(used)
            self.aligns[id(block)] = block.align
            return boxes
        raise self._no_room(elements, f"around the product with the layout '{self.layout.name}'")

    def _largest(self, block: Block, elements: list[str], width: int, height: int):
        """(scale, arrangement) at the largest scale that fits, or None."""
        low, high = MIN_SCALE, 1.0
        best = self._arrange(block, elements, high, width, height)
        if best is not None:
            return high, best
        best = self._arrange(block, elements, low, width, height)
        if best is None:
            return None
        for _ in range(6):
            middle = (low + high) / 2
            trial = self._arrange(block, elements, middle, width, height)
            if trial is not None:
                low, best = middle, trial
            else:
                high = middle
        return low, best

    def _panel_box(self, region: Box) -> Box:
        """The region out to the canvas edges on the sides away from the product."""
        width, height = self.ad.size
        sx0, sy0, sx1, sy1 = self.ad.safe_box
        x0, y0, x1, y1 = region
        return (0 if x0 <= sx0 else x0, 0 if y0 <= sy0 else y0, width if x1 >= sx1 else x1,
                height if y1 >= sy1 else y1)

    def _no_room(self, elements: list[str], where: str) -> StyleLabError:
        names = {"headline": "the headline", "subline": "the sub-line", "badge": "the badge", "cta": "the button",
                 "logo": "the logo"}
        listed = [names[e] for e in elements]
        what = listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + " and " + listed[-1]
        hint = ""
        if "headline" in elements:
            face = checked_face(self.kit.heading_font, HEADING, self.copy.headline)
            fits = chars_that_fit(face, round(TYPE_SCALE["headline"][0] * self.unit * MIN_SCALE),
                                  self.ad.size[0] * 0.8, 3, self.copy.headline)
            hint = f" (a headline of about {fits} characters fits)" if fits < len(self.copy.headline) else ""
        return StyleLabError(f"There is no room for {what} {where} in a {self.ad.name} creative: shorten the "
                             f"text{hint}, make the product smaller in the shot, or pick another layout.")

    # -- the whole creative ---------------------------------------------------------------

    def compose(self, canvas: Image.Image) -> Plan:
        if uses(self.layout, "headline") and not self.copy.headline.strip():
            raise StyleLabError(f"The layout '{self.layout.name}' needs a headline; write one.")
        self.panels: list[Box] = []
        self.aligns: dict[int, str] = {}
        placed_blocks = [(block, self.place(block)) for block in self.layout.blocks]
        shapes: list[Shape] = [Shape("panel", box, self.kit.primary) for box in self.panels]
        working = canvas.convert("RGB")
        for shape in shapes:
            working = paint_shape(working, shape)
        texts: list[TextRun] = []
        logo_box = None
        for block, placed in placed_blocks:
            if not placed:
                continue
            block_texts = []
            for item, box in placed:
                if item.element == "logo":
                    logo_box = box
                else:
                    block_texts.append((item, box, self._filled(item, box, block)))
            working, runs, block_shapes = self._texts(working, block, block_texts)
            shapes.extend(block_shapes)
            texts.extend(runs)
        plan = Plan(self.ad.size, tuple(shapes), tuple(texts), logo_box)
        self._check(plan)
        return plan

    def _filled(self, item: Item, box: Box, block: Block) -> Shape | None:
        """A button, chip or round badge behind the text, in the accent colour."""
        if item.element not in ("cta", "badge"):
            return None
        colour = self.kit.accent
        if block.panel and colour == self.kit.primary:  # a button the colour of its panel would vanish
            colour = next((c for c in self.kit.colours if c != self.kit.primary), "#FFFFFF")
        if item.element == "badge" and item.width == item.height and item.pad == (0, 0):
            return Shape("sticker", box, colour)
        return Shape("button" if item.element == "cta" else "chip", box, colour, radius=(box[3] - box[1]) // 2)

    def _texts(self, working: Image.Image, block: Block, block_texts: list
               ) -> tuple[Image.Image, list[TextRun], list[Shape]]:
        """Text runs with colours that pass AA on what is under them (a scrim under the block when no
        colour does), the canvas with the block's shapes, and those shapes in painting order."""
        filled = [shape for _, _, shape in block_texts if shape is not None]
        tries = [(None, None)] + [(opacity, colour) for opacity in SCRIM_OPACITY for colour in self._scrim_colours()]
        for opacity, colour in tries:
            scrim = [self._scrim(block_texts, opacity, colour)] if opacity is not None and block_texts else []
            base = working
            for shape in scrim + filled:
                base = paint_shape(base, shape)
            runs = [self._run(base, item, box, block, shape) for item, box, shape in block_texts]
            if all(run is not None for run in runs):
                return base, runs, scrim + filled
        raise StyleLabError("No brand colour reads on this shot even on a scrim; add white or a dark colour "
                            "to the brand kit.")

    def _scrim_colours(self) -> list[str]:
        """A veil of the brand's lightest colour (under dark text) or of its primary (under light text)."""
        lightest = max(self.kit.colours, key=lambda c: float(luminance(np.array(parse_hex(c)))))
        return list(dict.fromkeys([lightest, self.kit.primary]))

    def _scrim(self, block_texts: list, opacity: float, colour: str) -> Shape:
        inset = round(INSET * self.unit)
        boxes = [box for _, box, _ in block_texts]
        x0, y0 = min(b[0] for b in boxes) - inset, min(b[1] for b in boxes) - inset
        x1, y1 = max(b[2] for b in boxes) + inset, max(b[3] for b in boxes) + inset
        width, height = self.ad.size
        box = (max(0, x0), max(0, y0), min(width, x1), min(height, y1))
        # never over the product: give up the scrim's side that would reach it
        px0, py0, px1, py1 = self.product
        if _overlaps(box, self.product):
            candidates = [(box[0], box[1], box[2], min(box[3], py0)), (box[0], max(box[1], py1), box[2], box[3]),
                          (box[0], box[1], min(box[2], px0), box[3]), (max(box[0], px1), box[1], box[2], box[3])]
            box = max(candidates, key=_area)
        return Shape("scrim", box, colour, opacity, radius=round(0.02 * self.unit))

    def _run(self, base: Image.Image, item: Item, box: Box, block: Block, filled: Shape | None) -> TextRun | None:
        fitted = item.fitted
        ascent, _ = load_font(fitted.face, fitted.size).getmetrics()
        x0, y0 = box[0] + item.pad[0], box[1] + item.pad[1]
        inner_w = box[2] - box[0] - 2 * item.pad[0]
        if filled is not None and filled.kind == "sticker":
            y0 = box[1] + (box[3] - box[1] - self._text_height(fitted)) // 2
        centred = filled is not None or self.aligns.get(id(block), "center") == "center"
        origins = tuple((x0 + ((inner_w - w) // 2 if centred else 0), y0 + ascent + i * fitted.line_height)
                        for i, w in enumerate(fitted.widths))
        text_box = (min(o[0] for o in origins), y0, max(o[0] + w for o, w in zip(origins, fitted.widths)),
                    y0 + self._text_height(fitted))
        pixels = np.asarray(base.crop(text_box)).reshape(-1, 3)
        needed = required(fitted.size, fitted.face.weight in (None, 700) and "Bold" in fitted.face.name)
        candidates = self._candidates(filled)
        chosen = best_on(candidates, pixels, needed)
        if chosen is None:
            return None
        colour, measured = chosen
        return TextRun(item.element, " ".join(fitted.lines), fitted.lines, origins, fitted.size, fitted.face,
                       to_hex(colour), language_of(" ".join(fitted.lines)), text_box, round(measured, 2), needed)

    def _candidates(self, filled: Shape | None) -> list[tuple[int, int, int]]:
        """Text colours in the order tried: the brand's (its accent last: it belongs to the buttons), then
        white and near-black; never the colour of the shape the text sits on."""
        brand = [c for c in self.kit.colours if c != self.kit.accent] + [self.kit.accent]
        return [parse_hex(c) for c in dict.fromkeys([*brand, *NEUTRALS]) if filled is None or c != filled.colour]

    def _check(self, plan: Plan) -> None:
        """The promises a designer relies on, checked on every creative."""
        sx0, sy0, sx1, sy1 = self.ad.safe_box
        for run in plan.texts:
            x0, y0, x1, y1 = run.box
            if not (sx0 <= x0 and sy0 <= y0 and x1 <= sx1 and y1 <= sy1) or _overlaps(run.box, self.product):
                raise RuntimeError(f"layout put the {run.element} outside the safe zone or over the product")
        if any(_overlaps(shape.box, self.product) for shape in plan.shapes):
            raise RuntimeError("layout put a shape over the product")


def compose(canvas: Image.Image, product: Box, copy: AdCopy, kit: BrandKit, ad: AdFormat, chosen: Layout) -> Plan:
    return Composer(ad, product, copy, kit, chosen).compose(canvas)
