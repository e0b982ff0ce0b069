"""Variants side by side: headlines x shots x layouts in one go, and the ZIP of them all, each with
the JSON sidecar (and the source shot and logo) it re-renders from."""
from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from PIL import Image

from stylelab.creatives.brand import BrandKit
from stylelab.creatives.compose import AdCopy
from stylelab.creatives.creative import AdSource, Creative, make_creative, png_bytes
from stylelab.creatives.formats import ad_format
from stylelab.creatives.layouts import layout
from stylelab.errors import StyleLabError
from stylelab.imageio import load_image
from stylelab.store.files import saving

MAX_HEADLINES = 4
MAX_SOURCES = 4
MAX_VARIANTS = 32
FILE_FORMATS = {"PNG": "png", "JPEG": "jpg"}
JPEG_QUALITY = 92


@dataclass(frozen=True)
class VariantRequest:
    """What the designer asks for: every headline on every shot in every layout, in one format."""
    headlines: tuple[str, ...]
    layouts: tuple[str, ...]
    format: str
    copy: AdCopy = AdCopy()  # the sub-line, badge and call to action all variants share

    def checked(self, source_count: int) -> VariantRequest:
        headlines = tuple(dict.fromkeys(" ".join(h.split()) for h in self.headlines if h and h.strip()))
        layouts = tuple(dict.fromkeys(layout(name).name for name in self.layouts))
        ad_format(self.format)
        if not layouts:
            raise StyleLabError("Pick at least one layout.")
        if len(headlines) > MAX_HEADLINES:
            raise StyleLabError(f"Give at most {MAX_HEADLINES} headlines, one per line.")
        if not headlines and any(name != "logo only" for name in layouts):
            raise StyleLabError("Write at least one headline (one per line); only the 'logo only' layout needs none.")
        if source_count > MAX_SOURCES:
            raise StyleLabError(f"Use at most {MAX_SOURCES} shots at a time.")
        count = max(len(headlines), 1) * source_count * len(layouts)
        if count > MAX_VARIANTS:
            raise StyleLabError(f"That makes {count} creatives; at most {MAX_VARIANTS} at a time. Use fewer headlines, "
                                "shots or layouts.")
        return replace(self, headlines=headlines or ("",), layouts=layouts)


@dataclass(frozen=True)
class VariantGrid:
    creatives: list[Creative]
    problems: list[str]  # one sentence per variant that could not be made, naming it


def make_variants(request: VariantRequest, sources: Callable[[str], Sequence[AdSource]], kit: BrandKit,
                  progress: Callable[[float, str], None] | None = None) -> VariantGrid:
    """``sources(layout)``: the shots for a layout (shots made for it place the product to suit it)."""
    per_layout = {name: list(sources(name)) for name in request.layouts}
    total = sum(len(found) for found in per_layout.values()) * len(request.headlines)
    creatives, problems, done = [], [], 0
    for h, headline in enumerate(request.headlines, start=1):
        for name in request.layouts:
            for source in per_layout[name]:
                label = f"h{h}-{source.name}-{name.replace(' ', '-')}"
                if progress:
                    progress(done / max(total, 1), f"Laying out {label}")
                done += 1
                copy = replace(request.copy, headline=headline)
                try:
                    creatives.append(make_creative(source, copy, kit, request.format, name, label))
                except StyleLabError as error:
                    problems.append(f"{label}: {error}")
    if not creatives:
        raise StyleLabError(" ".join(problems) or "Nothing to lay out: add a shot.")
    order = {name: i for i, name in enumerate(request.layouts)}
    creatives.sort(key=lambda c: (c.name.split("-")[0], c.source.name, order[c.record["layout"]]))
    return VariantGrid(creatives, problems)


def encoded(image: Image.Image, file_format: str) -> bytes:
    if file_format == "PNG":
        return png_bytes(image)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=False, subsampling=0)
    return buffer.getvalue()


def export_creatives(creatives: Sequence[Creative], folder: Path, file_format: str = "PNG",
                     archive_name: str = "stylelab-creatives.zip") -> tuple[list[Path], Path]:
    """Each creative's image and JSON into ``folder`` and the ZIP: NAME.png + NAME.json at the top,
    the source shots under sources/ and the logo under brand/, as the JSON names them."""
    if file_format not in FILE_FORMATS:
        raise StyleLabError(f"Choose PNG or JPEG, not {file_format!r}.")
    with saving("the creatives"):
        folder.mkdir(parents=True, exist_ok=True)
        files: dict[str, bytes] = {}
        images = []
        for creative in creatives:
            stem = _safe(creative.name)
            record = creative.record | {"file": f"{stem}.{FILE_FORMATS[file_format]}"}
            files[record["file"]] = encoded(creative.image, file_format)
            files[f"{stem}.json"] = (json.dumps(record, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()
            files[record["source"]["file"]] = png_bytes(creative.source.image.convert("RGB"))
            if creative.record["brand"]["logo"]:
                files[creative.record["brand"]["logo"]] = png_bytes(creative.logo)
            images.append(folder / record["file"])
        for relative, data in files.items():
            target = folder / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        archive = folder / archive_name
        partial = archive.with_suffix(".partial")
        try:
            with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_STORED) as bundle:
                for relative, data in files.items():
                    bundle.writestr(zipfile.ZipInfo(relative, date_time=(2026, 1, 1, 0, 0, 0)), data)
            partial.replace(archive)
        except BaseException:
            partial.unlink(missing_ok=True)  # no half-written ZIP is ever offered
            raise
    return images, archive


def _safe(stem: str) -> str:
    return re.sub(r"[^\w.-]+", "-", stem).strip("-.")[:90] or "creative"


def load_source(path: str | Path, sidecar: str | Path | dict | None = None,
                find_product: Callable[[Image.Image], tuple[int, int, int, int]] | None = None) -> AdSource:
    """A shot and its sidecar (NAME.json beside it, or given); a photo without one gets its product
    box from ``find_product`` (the cut-out)."""
    path = Path(path)
    image = load_image(path, what="shot").convert("RGB")
    record = sidecar
    if record is None and path.with_suffix(".json").is_file():
        record = path.with_suffix(".json")
    if isinstance(record, (str, Path)):
        try:
            record = json.loads(Path(record).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise StyleLabError(f"The sidecar of '{path.name}' is not readable JSON.") from None
    if isinstance(record, dict) and "product_box" in record:
        box = record["product_box"]
        if not (isinstance(box, list) and len(box) == 4 and all(isinstance(v, (int, float)) for v in box)):
            raise StyleLabError(f"The sidecar of '{path.name}' has no usable product_box [x0, y0, x1, y1].")
        return AdSource(_safe(path.stem), image, tuple(int(v) for v in box), record)
    if find_product is None:
        raise StyleLabError(f"'{path.name}' has no sidecar with a product_box; make it on the Product shots tab "
                            "or upload its JSON with it.")
    return AdSource(_safe(path.stem), image, find_product(image), {"photo": path.name})


def product_box_of(image: Image.Image) -> tuple[int, int, int, int]:
    """Where the product is in a photo that has no sidecar: its cut-out's extent."""
    from stylelab.product.cutout import cutout  # scipy and scikit-image load only when a photo needs it

    box = cutout(image).mask.point(lambda a: 255 if a >= 128 else 0).getbbox()
    if box is None:
        raise StyleLabError("No product was found in that photo; give a shot with its JSON sidecar.")
    return box
