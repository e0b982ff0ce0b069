"""The named layouts, as data: blocks of elements, each placed in a region around the product.

Regions are cut from the format's safe zone around the product's box (from the shot's sidecar),
kept a gap away from it: ``top`` and ``bottom`` span the safe width above and below the product;
``side`` is the wider of the strips left and right of it (beside the product's rows); ``side full``
the same strip over the safe height; ``corner`` a spot beside the product's top corner. A block takes
its first region with room, so a layout adapts from a tall story to a wide link ad."""
from __future__ import annotations

from dataclasses import dataclass

from stylelab.errors import StyleLabError

ELEMENTS = ("logo", "headline", "subline", "badge", "cta")


@dataclass(frozen=True)
class Block:
    elements: tuple[str, ...]
    regions: tuple[str, ...]  # in order of preference
    align: str = "center"  # across the region: "start", "center" or "end"
    panel: bool = False  # an opaque panel in the brand's primary colour, out to the canvas edges
    row: bool = False  # the last element to the right of the others (a button beside the headline)


@dataclass(frozen=True)
class Layout:
    name: str
    description: str
    blocks: tuple[Block, ...]
    product_at: tuple[float, float] = (0.5, 0.6)  # where shots made for it put the product (across, down)
    product_scale: float = 0.8  # and how big, as Placement.scale


LAYOUTS: dict[str, Layout] = {
    layout.name: layout for layout in (
        Layout("headline on top", "headline and sub-line above the product, logo and button below it, the badge "
               "beside the product's top corner",
               (Block(("headline", "subline"), ("top", "side", "bottom")),
                Block(("logo", "cta"), ("bottom", "side", "top"), row=True),
                Block(("badge",), ("corner",))), (0.5, 0.8), 0.7),
        Layout("side panel", "a panel in the brand colour beside the product with everything in it",
               (Block(("logo", "headline", "subline", "badge", "cta"), ("side full", "top", "bottom"), align="start",
                      panel=True),), (0.85, 0.6), 0.7),
        Layout("corner badge", "a large round badge in the top corner, the logo opposite, headline and button "
               "below the product",
               (Block(("badge",), ("top", "side"), align="start"),
                Block(("logo",), ("top", "side"), align="end"),
                Block(("headline", "cta"), ("bottom", "top", "side"))), (0.5, 0.3), 0.7),
        Layout("bottom band", "a band in the brand colour along the bottom with the logo, headline and button, "
               "the badge beside the product's top corner",
               (Block(("badge",), ("corner",)),
                Block(("logo", "headline", "subline", "cta"), ("bottom", "top"), align="start", panel=True,
                      row=True)),
               (0.5, 0.25), 0.7),
        Layout("logo only", "only the logo, in the top corner: the shot speaks for itself",
               (Block(("logo",), ("top", "side", "bottom"), align="start"),), (0.5, 0.6), 1.0),
    )
}
DEFAULT_LAYOUTS = ("headline on top", "bottom band")


def layout(name: object) -> Layout:
    if isinstance(name, str):
        for known in LAYOUTS.values():
            if known.name == name.strip().lower():
                return known
    raise StyleLabError(f"There is no layout called '{name}'. Pick one of: {', '.join(LAYOUTS)}.")


def uses(chosen: Layout, element: str) -> bool:
    return any(element in block.elements for block in chosen.blocks)
