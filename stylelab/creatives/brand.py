"""A brand kit: logo, up to six colours, a heading and a body font, a default call to action."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from PIL import Image

from stylelab.creatives.contrast import parse_hex, to_hex
from stylelab.creatives.fonts import DEFAULT_FAMILY, family
from stylelab.errors import StyleLabError

MAX_COLOURS = 6
MAX_CTA = 30
DEFAULT_COLOURS = ("#1F2A44", "#E4572E", "#F4F1EA")  # primary (panels), accent (buttons, badges), light


@dataclass(frozen=True)
class BrandKit:
    colours: tuple[str, ...] = DEFAULT_COLOURS  # hex, the brand's order: primary, accent, then the rest
    heading_font: str = DEFAULT_FAMILY
    body_font: str = DEFAULT_FAMILY
    cta: str = "Shop now"
    logo: Image.Image | None = field(default=None, compare=False)  # RGBA
    source: str = "default"  # "yours", "house" or "default": whose kit a creative used

    @property
    def primary(self) -> str:
        return self.colours[0]

    @property
    def accent(self) -> str:
        return self.colours[1] if len(self.colours) > 1 else self.colours[0]

    def record(self) -> dict:
        return {"colours": list(self.colours), "heading_font": self.heading_font, "body_font": self.body_font,
                "cta": self.cta, "source": self.source}


def parse_colours(text: object) -> tuple[str, ...]:
    """'#E8D5C4, #2F4858' (commas or spaces) as upper-case hex codes; one to six of them."""
    if isinstance(text, (list, tuple)):
        items = [str(item) for item in text]
    elif isinstance(text, str):
        items = [item for item in re.split(r"[\s,;]+", text.strip()) if item]
    else:
        items = []
    if not items:
        raise StyleLabError("Give the brand at least one colour, as hex codes like #2F4858.")
    if len(items) > MAX_COLOURS:
        raise StyleLabError(f"A brand kit holds up to {MAX_COLOURS} colours; you gave {len(items)}.")
    return tuple(to_hex(parse_hex(item)) for item in items)


def make_kit(colours: object = DEFAULT_COLOURS, heading_font: object = DEFAULT_FAMILY,
             body_font: object = DEFAULT_FAMILY, cta: object = "Shop now", logo: Image.Image | None = None,
             source: str = "yours") -> BrandKit:
    """A checked kit: every bad field is a sentence that names it."""
    cta_text = cta.strip() if isinstance(cta, str) else ""
    if len(cta_text) > MAX_CTA:
        raise StyleLabError(f"The call to action can be at most {MAX_CTA} characters; it has {len(cta_text)}.")
    return BrandKit(parse_colours(colours), family(heading_font).name, family(body_font).name, cta_text,
                    logo.convert("RGBA") if logo is not None else None, source)
