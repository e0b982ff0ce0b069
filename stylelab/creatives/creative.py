"""One creative: a source shot framed to the format, laid out and painted, with the JSON record from
which it re-renders to the same bytes."""
from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from stylelab.creatives.brand import BrandKit
from stylelab.creatives.compose import AdCopy, compose
from stylelab.creatives.formats import AdFormat, ad_format
from stylelab.creatives.layouts import layout
from stylelab.creatives.plan import Box, Plan, paint
from stylelab.errors import StyleLabError

RECORD_VERSION = 1


@dataclass(frozen=True)
class AdSource:
    """A shot (or photo) and where its product is: the sidecar's ``product_box`` in its pixels."""
    name: str
    image: Image.Image
    product_box: Box
    shot: dict = field(default_factory=dict)  # the shot's own sidecar: scene, seed, template, ...

    def __post_init__(self) -> None:
        x0, y0, x1, y1 = self.product_box
        if not (0 <= x0 < x1 <= self.image.width and 0 <= y0 < y1 <= self.image.height):
            raise StyleLabError(f"The product box {list(self.product_box)} of '{self.name}' is not inside its "
                                f"{self.image.width}x{self.image.height} picture.")


@dataclass(frozen=True)
class Creative:
    image: Image.Image
    record: dict
    source: AdSource
    logo: Image.Image | None = None

    @property
    def name(self) -> str:
        return self.record["name"]

    def sidecar(self) -> str:
        return json.dumps(self.record, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")  # no metadata, no time: the same pixels give the same bytes
    return buffer.getvalue()


def pixel_digest(image: Image.Image) -> str:
    """SHA-256 of an image's pixels (mode, size and bytes): the same picture whatever file holds it."""
    return hashlib.sha256(f"{image.mode} {image.size}".encode() + image.tobytes()).hexdigest()


def frame_box(size: tuple[int, int], product: Box, target: tuple[int, int]) -> tuple[float, float, float, float]:
    """The part of a picture that fills the format: the largest of the format's shape, centred on the
    product as far as the picture allows; a sentence when the product would be cut."""
    width, height = size
    aspect = target[0] / target[1]
    crop_w, crop_h = (width, width / aspect) if width / height <= aspect else (height * aspect, height)
    centre_x, centre_y = (product[0] + product[2]) / 2, (product[1] + product[3]) / 2
    x0 = min(max(centre_x - crop_w / 2, 0.0), width - crop_w)
    y0 = min(max(centre_y - crop_h / 2, 0.0), height - crop_h)
    box = (x0, y0, x0 + crop_w, y0 + crop_h)
    if product[0] < box[0] - 0.5 or product[1] < box[1] - 0.5 or product[2] > box[2] + 0.5 or product[3] > box[3] + 0.5:
        raise StyleLabError(f"The product would be cut: its shot is {width}x{height} and the format "
                            f"{target[0]}x{target[1]}. Make the shot in this format (Product shots) or with a "
                            "smaller product.")
    return box


def framed(source: AdSource, ad: AdFormat, crop: tuple[float, float, float, float]) -> tuple[Image.Image, Box]:
    """The source cut and scaled to the format, and its product box there."""
    rgb = source.image.convert("RGB")
    if tuple(round(v) for v in crop) == (0, 0, *rgb.size) and rgb.size == ad.size:
        canvas = rgb
    else:
        canvas = rgb.resize(ad.size, Image.Resampling.LANCZOS, box=crop)
    scale_x, scale_y = ad.size[0] / (crop[2] - crop[0]), ad.size[1] / (crop[3] - crop[1])
    x0, y0, x1, y1 = source.product_box
    box = (max(0, int((x0 - crop[0]) * scale_x)), max(0, int((y0 - crop[1]) * scale_y)),
           min(ad.size[0], -int(-(x1 - crop[0]) * scale_x)), min(ad.size[1], -int(-(y1 - crop[1]) * scale_y)))
    return canvas, box


def make_creative(source: AdSource, copy: AdCopy, kit: BrandKit, format_name: str, layout_name: str,
                  name: str | None = None) -> Creative:
    ad = ad_format(format_name)
    chosen = layout(layout_name)
    crop = frame_box(source.image.size, source.product_box, ad.size)
    canvas, product = framed(source, ad, crop)
    plan = compose(canvas, product, copy, kit, ad, chosen)
    image = paint(plan, canvas, kit.logo)
    source_sha = pixel_digest(source.image.convert("RGB"))
    logo_sha = pixel_digest(kit.logo) if kit.logo is not None else None
    record = {
        "kind": "stylelab ad creative", "version": RECORD_VERSION,
        "name": name or f"{source.name}-{chosen.name.replace(' ', '-')}",
        "format": ad.name, "ratio": ad.ratio, "size": list(ad.size), "safe_box": list(ad.safe_box),
        "layout": chosen.name,
        "copy": {"headline": copy.headline, "subline": copy.subline, "badge": copy.badge, "cta": copy.cta or kit.cta},
        "brand": kit.record() | {"logo": f"brand/logo-{logo_sha[:12]}.png" if logo_sha else None,
                                 "logo_pixels_sha256": logo_sha},
        "source": {"name": source.name, "file": f"sources/{source.name}-{source_sha[:12]}.png",
                   "pixels_sha256": source_sha, "product_box": list(source.product_box), "crop": list(crop),
                   "shot": source.shot},
        "product_box": list(product),
        "plan": plan.record(),
    }
    return Creative(image, record, source, kit.logo)


def rerender(record: dict, folder: Path) -> Image.Image:
    """The creative again from its JSON and the source shot and logo beside it (as the ZIP lays them out)."""
    if not isinstance(record, dict) or record.get("kind") != "stylelab ad creative":
        raise StyleLabError("That JSON is not an ad creative's sidecar.")
    source_path = folder / record["source"]["file"]
    if not source_path.is_file():
        raise StyleLabError(f"The source shot {record['source']['file']} is missing beside the JSON.")
    image = _open(source_path).convert("RGB")
    if pixel_digest(image) != record["source"]["pixels_sha256"]:
        raise StyleLabError(f"{record['source']['file']} is not the shot this creative was made from.")
    logo = None
    if record["brand"].get("logo"):
        logo_path = folder / record["brand"]["logo"]
        if not logo_path.is_file():
            raise StyleLabError(f"The logo {record['brand']['logo']} is missing beside the JSON.")
        logo = _open(logo_path)
        if pixel_digest(logo) != record["brand"]["logo_pixels_sha256"]:
            raise StyleLabError(f"{record['brand']['logo']} is not the logo this creative was made with.")
    source = AdSource(record["source"]["name"], image, tuple(record["source"]["product_box"]), record["source"]["shot"])
    ad = AdFormat(record["format"], tuple(record["size"]), record["ratio"], "")
    canvas, _ = framed(source, ad, tuple(record["source"]["crop"]))
    return paint(Plan.from_record(record["plan"]), canvas, logo)


def _open(path: Path) -> Image.Image:
    try:
        with Image.open(path) as image:
            image.load()
            return image.copy()
    except (OSError, ValueError):
        raise StyleLabError(f"{path.name} is not an image we can read.") from None
