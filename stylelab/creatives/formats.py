"""The ad formats a creative is laid out in: the shot formats (sizes from product/scene/choices.PRESETS)
with each placement's safe zone, the bands its platform covers with its own UI."""
from __future__ import annotations

from dataclasses import dataclass

from stylelab.errors import StyleLabError
from stylelab.product.scene.choices import PRESETS

MARKETPLACE = "Marketplace main image"
MARGIN = 0.05  # of the shorter side: text keeps this far from every edge


@dataclass(frozen=True)
class AdFormat:
    name: str
    size: tuple[int, int]  # width, height
    ratio: str  # as designers say it: "4:5"
    placement: str
    safe_top: float = 0.0  # share of the height the platform covers at the top (no text there)
    safe_bottom: float = 0.0
    allows_text: bool = True

    @property
    def safe_box(self) -> tuple[int, int, int, int]:
        """Where text may go: inside the margins and outside the platform's bands."""
        width, height = self.size
        margin = round(MARGIN * min(width, height))
        return (margin, max(margin, round(self.safe_top * height)), width - margin,
                height - max(margin, round(self.safe_bottom * height)))


_PLACEMENTS = {  # preset name: (ratio, placement, top band, bottom band)
    "Feed 1:1": ("1:1", "feed post", 0.0, 0.0),
    "Square 2048": ("1:1", "feed post or shop, large", 0.0, 0.0),
    "Social 4:5": ("4:5", "portrait feed post", 0.0, 0.0),
    "Story 9:16": ("9:16", "story or reel: the top 14 % and bottom 20 % are the platform's", 0.14, 0.20),
    "Link ad 1.91:1": ("1.91:1", "link ad", 0.0, 0.0),
    "Banner 16:9": ("16:9", "banner or video cover", 0.0, 0.0),
    "Pin 2:3": ("2:3", "pin", 0.0, 0.0),
}

AD_FORMATS: dict[str, AdFormat] = {
    name: AdFormat(name, PRESETS[name].size, *_PLACEMENTS[name]) for name in _PLACEMENTS
} | {MARKETPLACE: AdFormat(MARKETPLACE, PRESETS[MARKETPLACE].size, "1:1", "marketplace main image",
                           allows_text=False)}
TEXT_FORMATS = tuple(name for name, ad in AD_FORMATS.items() if ad.allows_text)
DEFAULT_FORMAT = "Social 4:5"


def ad_format(name: object) -> AdFormat:
    if not isinstance(name, str) or name.strip() not in AD_FORMATS:
        raise StyleLabError(f"There is no ad format called '{name}'. Pick one of: {', '.join(TEXT_FORMATS)}.")
    found = AD_FORMATS[name.strip()]
    if not found.allows_text:
        raise StyleLabError("A marketplace main image allows no text, badge or logo (pure white, the product "
                            "alone); pick an ad format such as Social 4:5 for a creative.")
    return found
