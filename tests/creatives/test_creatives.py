"""Creatives in every format and layout keep the designer's promises: text off the product, inside the
safe zone, readable (WCAG AA measured on the pixels under it), nothing dropped; bad input gets a
sentence; a creative re-renders from its JSON to the same bytes."""
from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from stylelab.creatives.brand import make_kit
from stylelab.creatives.compose import AdCopy
from stylelab.creatives.contrast import WORST_SHARE
from stylelab.creatives.creative import make_creative, rerender
from stylelab.creatives.formats import AD_FORMATS, TEXT_FORMATS
from stylelab.creatives.layouts import LAYOUTS
from stylelab.creatives.plan import Plan, paint
from stylelab.creatives.variants import VariantRequest, export_creatives, make_variants
from stylelab.errors import StyleLabError
from tests.creatives.conftest import CHINESE_HEADLINE, synthetic_shot

ENGLISH = AdCopy("Hand-thrown stoneware, made to last", "Glazed by hand in small batches", "−20 %")
CHINESE = AdCopy("新品上市，限时八折！", "手工陶瓷马克杯", "新品", "立即购买")
BACKDROPS = ("plain", "dark", "busy")


def wcag_luminance(rgb: np.ndarray) -> np.ndarray:
    """Written out here on its own, so the test does not grade the code with the code's own formula."""
    c = rgb.astype(np.float64) / 255
    c = np.where(c <= 0.03928, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return 0.2126 * c[..., 0] + 0.7152 * c[..., 1] + 0.0722 * c[..., 2]


def overlaps(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.parametrize("format_name", TEXT_FORMATS)
def test_every_layout_in_every_format_keeps_text_off_the_product_inside_the_safe_zone_and_readable(format_name,
                                                                                                  kit):
    ad = AD_FORMATS[format_name]
    for index, name in enumerate(LAYOUTS):
        copy = CHINESE if index % 2 else ENGLISH
        source = synthetic_shot(ad.size, BACKDROPS[index % 3], at=LAYOUTS[name].product_at, share=0.4)
        creative = make_creative(source, copy, kit, format_name, name)
        record = creative.record
        plan = Plan.from_record(record["plan"])
        product, (sx0, sy0, sx1, sy1) = record["product_box"], ad.safe_box
        under_text = paint(plan, source.image, kit.logo, texts=False)  # what the text is set on
        drawn = [run.element for run in plan.texts]
        expected = [e for e in ("headline", "subline", "badge", "cta") if any(e in b.elements
                                                                               for b in LAYOUTS[name].blocks)]
        assert sorted(drawn) == sorted(expected), (format_name, name)  # no element silently dropped
        for run in plan.texts:
            x0, y0, x1, y1 = run.box
            assert sx0 <= x0 and sy0 <= y0 and x1 <= sx1 and y1 <= sy1, (format_name, name, run.element)
            assert not overlaps(run.box, product), (format_name, name, run.element)
            text_l = wcag_luminance(np.array(Image.new("RGB", (1, 1), run.colour))[0, 0])
            pixels = wcag_luminance(np.asarray(under_text.crop(run.box)).reshape(-1, 3))
            ratios = (np.maximum(text_l, pixels) + 0.05) / (np.minimum(text_l, pixels) + 0.05)
            assert np.percentile(ratios, WORST_SHARE) >= run.needed >= 3.0, (format_name, name, run.element)
            # the text really is drawn there, in that colour
            crop = np.asarray(creative.image.crop(run.box)).reshape(-1, 3).astype(int)
            assert (np.abs(crop - np.array(Image.new("RGB", (1, 1), run.colour))[0, 0]).sum(1) < 6).sum() > 20
        for shape in plan.shapes:
            assert not overlaps(shape.box, product), (format_name, name, shape.kind)
        if plan.logo_box:
            assert not overlaps(plan.logo_box, product)


def test_a_chinese_headline_wraps_whole_and_keeps_every_character(kit):
    source = synthetic_shot((1080, 1350), "plain", at=(0.5, 0.8), share=0.35)
    creative = make_creative(source, AdCopy(CHINESE_HEADLINE), kit, "Social 4:5", "headline on top")
    headline = next(t for t in creative.record["plan"]["texts"] if t["element"] == "headline")
    assert "".join(headline["lines"]) == CHINESE_HEADLINE and len(headline["lines"]) > 1
    assert headline["face"]["cjk"] and headline["language"] == "zh-Hans"


def test_the_json_re_renders_the_same_bytes(tmp_path, kit):
    request = VariantRequest(("Made to last", "新品上市"), ("headline on top", "side panel"), "Link ad 1.91:1",
                             AdCopy(badge="New"))
    grid = make_variants(request, lambda layout: [synthetic_shot((1200, 628), "busy", at=(0.7, 0.6), share=0.6)],
                         kit)
    assert len(grid.creatives) == 4 and not grid.problems
    images, archive = export_creatives(grid.creatives, tmp_path, "PNG")
    for path in images:
        record = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        again = rerender(record, tmp_path)
        buffer = tmp_path / "again.png"
        again.save(buffer, "PNG")
        assert buffer.read_bytes() == path.read_bytes()
    assert archive.is_file()


@pytest.mark.parametrize("ask, sentence", [
    (dict(format_name="Marketplace main image"), "marketplace main image allows no text"),
    (dict(copy=AdCopy("")), "needs a headline"),
    (dict(copy=AdCopy(" ".join(["Stoneware"] * 40))), "no room for the headline"),
    (dict(layout_name="diagonal"), "no layout called 'diagonal'"),
    (dict(format_name="Billboard"), "no ad format called 'Billboard'"),
])
def test_bad_requests_get_a_sentence(kit, ask, sentence):
    arguments = dict(copy=ENGLISH, format_name="Social 4:5", layout_name="headline on top") | ask
    source = synthetic_shot((1080, 1350))
    with pytest.raises(StyleLabError, match=sentence):
        make_creative(source, arguments["copy"], kit, arguments["format_name"], arguments["layout_name"])


def test_a_bad_kit_gets_a_sentence():
    with pytest.raises(StyleLabError, match="'#12' is not a colour"):
        make_kit("#12, #FFFFFF")
    with pytest.raises(StyleLabError, match="up to 6 colours"):
        make_kit(["#000000"] * 7)
    with pytest.raises(StyleLabError, match="no font called 'Papyrus'"):
        make_kit(heading_font="Papyrus")
