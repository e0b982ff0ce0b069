"""The Python API: ``import stylelab; stylelab.restyle("mug.jpg", "Ink wash", strength=0.7)``."""
from __future__ import annotations

import os
import sys
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Union

import numpy as np
from PIL import Image

from stylelab.engine.lean import LeanRestyler, lean_restyler
from stylelab.engine.requests import Progress, RestyleSettings, StyleMix, check_photo_size
from stylelab.errors import StyleLabError
from stylelab.imageio import ImageInput, load_image, save_image, split_alpha, to_image, to_tensor
from stylelab.styles import BUILTIN_STYLES, BuiltinStyle, find_builtin_style, unknown_style_error

if TYPE_CHECKING:  # cut-outs and shots load scipy and scikit-image (0.5 s); a restyle needs neither,
    # and a restyle with built-in styles on the CPU needs no PyTorch either (engine.lean)
    import torch

    from stylelab.engine.style_engine import StyleEngine
    from stylelab.product.cutout import CutoutResult
    from stylelab.product.restyle import Shot
    from stylelab.product.shots import Placement

# one style: a built-in name, a style-image path, a PIL image or array, or a precomputed embedding
SingleStyle = Union[str, os.PathLike, Image.Image, np.ndarray, "torch.Tensor", int]
StyleInput = SingleStyle | StyleMix | Mapping[SingleStyle, float] | Sequence[tuple[SingleStyle, float]]

_default_engine: "StyleEngine | None" = None
_default_engine_lock = threading.Lock()


def default_engine() -> StyleEngine:
    """The process-wide engine (device from $STYLELAB_DEVICE, else the best available)."""
    global _default_engine
    with _default_engine_lock:
        if _default_engine is None:
            from stylelab.engine.style_engine import StyleEngine

            _default_engine = StyleEngine()
        return _default_engine


def list_styles() -> list[BuiltinStyle]:
    return list(BUILTIN_STYLES)


def resolve_style(style: StyleInput, engine: StyleEngine | None = None) -> StyleMix:
    """Turn any accepted style description into a StyleMix (embedding style images once)."""
    if isinstance(style, StyleMix):
        return style
    if isinstance(style, Mapping):
        pairs = list(style.items())
    elif isinstance(style, (list, tuple)) and style and all(isinstance(p, tuple) and len(p) == 2 for p in style):
        pairs = list(style)
    else:
        pairs = [(style, 1.0)]
    builtin: list[tuple[int, float]] = []
    images: list[tuple[torch.Tensor, float]] = []
    for single, weight in pairs:
        if isinstance(weight, bool) or not isinstance(weight, (int, float)):
            raise StyleLabError(f"A style weight must be a number; got {weight!r}.")
        kind, value = _resolve_single(single, engine)
        (builtin if kind == "builtin" else images).append((value, float(weight)))
    return StyleMix(builtin=tuple(builtin), images=tuple(images))


def _resolve_single(style: SingleStyle, engine: StyleEngine | None) -> tuple[str, object]:
    if isinstance(style, bool):
        raise StyleLabError("A style must be a name, an image or an image path; got a boolean.")
    if isinstance(style, int):
        if not 0 <= style < len(BUILTIN_STYLES):
            raise StyleLabError(f"Built-in style numbers run from 0 to {len(BUILTIN_STYLES) - 1}; got {style}.")
        return "builtin", style
    if _is_tensor(style):
        if style.shape[-1] != 100 or style.numel() != 100:
            raise StyleLabError("A style embedding must have 100 numbers.")
        return "image", style.reshape(100).float()
    if isinstance(style, str):
        found = find_builtin_style(style)
        if found is not None:
            return "builtin", found.index
        if not Path(style).is_file():
            raise unknown_style_error(style)
    if isinstance(style, (str, os.PathLike, Image.Image, np.ndarray)):
        rgb, _ = split_alpha(load_image(style, what="style image"))
        return "image", (engine or default_engine()).embed_styles([to_tensor(rgb)])[0]
    raise StyleLabError(
        f"A style must be a built-in style name, a style image (path, PIL image or array), or a mix of them; "
        f"got {type(style).__name__}."
    )


def _is_tensor(value: object) -> bool:
    torch = sys.modules.get("torch")  # nothing can be a tensor before PyTorch is loaded
    return torch is not None and isinstance(value, torch.Tensor)


def restyle_many(
    photos: Sequence[ImageInput],
    style: StyleInput,
    strength: float = 1.0,
    keep_colours: bool = False,
    stroke_scale: float = 1.0,
    engine: StyleEngine | None = None,
    progress: Progress | None = None,
) -> list[Image.Image]:
    """Restyle photos at full resolution; transparent cutouts keep their alpha."""
    if isinstance(photos, (str, os.PathLike, Image.Image, np.ndarray)):
        raise StyleLabError("restyle_many takes a list of photos; use restyle for a single photo.")
    settings = RestyleSettings(strength=strength, stroke_scale=stroke_scale, keep_colours=bool(keep_colours))
    loaded = [split_alpha(load_image(photo)) for photo in photos]
    mix = resolve_style(style, engine)
    lean = lean_restyler(mix, settings) if engine is None else None
    if lean is not None and all(lean.fits(*rgb.size) for rgb, _ in loaded):
        return _restyle_lean(lean, loaded, mix, settings, progress)
    engine = engine or default_engine()
    results = engine.restyle([to_tensor(rgb) for rgb, _ in loaded], mix, settings, progress)
    return [to_image(result, alpha) for result, (_, alpha) in zip(results, loaded)]


def _restyle_lean(lean: LeanRestyler, loaded: list[tuple[Image.Image, Image.Image | None]], mix: StyleMix,
                  settings: RestyleSettings, progress: Progress | None) -> list[Image.Image]:
    """The same pictures as the engine's, without loading PyTorch (see engine.lean)."""
    images = []
    for done, (rgb, alpha) in enumerate(loaded, start=1):
        check_photo_size(*rgb.size)
        image = Image.fromarray(lean.restyle(np.asarray(rgb), mix, settings))
        if alpha is not None:
            image.putalpha(alpha)
        images.append(image)
        if progress:
            progress(done / len(loaded), f"Restyled {done} of {len(loaded)}")
    return images


def restyle(
    photo: ImageInput,
    style: StyleInput,
    strength: float = 1.0,
    keep_colours: bool = False,
    stroke_scale: float = 1.0,
    engine: StyleEngine | None = None,
) -> Image.Image:
    """Restyle one photo; the result has the photo's exact size."""
    return restyle_many([photo], style, strength, keep_colours, stroke_scale, engine)[0]


def cutout(photo: ImageInput, box: str | Sequence[float] | None = None,
           include: str | Sequence | None = None, exclude: str | Sequence | None = None) -> CutoutResult:
    """Cut the product out of a photo: a CutoutResult with ``.rgba`` (transparent PNG-ready),
    ``.mask``, ``.confidence`` and ``.source``.

    ``box`` is (x0, y0, x1, y1) or "x0,y0,x1,y1" in the photo's pixels; ``include`` / ``exclude``
    are clicks [(x, y), ...] on the product / on what is not: each click's whole region (what is
    connected to it through similar colour) ends on its side. Without them the cut-out is automatic.
    Every cut-out has a measured ``.confidence``: check ``.low_confidence`` (then give a box, or a
    click where a box cut-out is wrong). A cutout's own alpha is kept.
    """
    from stylelab.product.cutout import cutout as product_cutout
    from stylelab.product.prompts import make_prompt

    return product_cutout(load_image(photo), make_prompt(box, include, exclude))


def product_shots(
    photo: ImageInput,
    scene: str = "podium",
    count: int = 4,
    seed: int = 1,
    preset: str = "Social 4:5",
    mask: ImageInput | None = None,
    style: StyleInput | None = None,
    strength: float = 0.8,
    placement: Placement | None = None,
    out: str | os.PathLike | None = None,
    engine: StyleEngine | None = None,
    box: str | Sequence[float] | None = None,
    include: str | Sequence | None = None,
    exclude: str | Sequence | None = None,
    **scene_options: object,
) -> list[Shot]:
    """Product shots of a photo or an RGBA cut-out in a lit scene (or "painted backdrop").

    ``scene_options`` are the fields of ``ScenePick`` (``stylelab.product.scene.choices``): material,
    light ("auto", the default: where the photo's shading says; "front-left" or degrees), elevation,
    softness, gobo, camera_height ("auto" or product heights), f_stop, light_on_product, temperature,
    palette, brand_colours (hex codes). ``style`` paints the wall (or the backdrop); with
    palette="template colours" the palette comes from it. ``out`` also writes each shot as
    NAME-seedN.png with its NAME-seedN.json sidecar. Without ``mask`` the product is cut out of
    the photo (``box`` / ``include`` / ``exclude`` as for ``cutout``; a cutout's alpha is kept).
    """
    from stylelab.product.cutout import cutout as product_cutout
    from stylelab.product.prompts import make_prompt
    from stylelab.product.restyle import generate_shots
    from stylelab.product.scene.choices import ScenePick
    from stylelab.product.scene.options import scene_request
    from stylelab.product.shots import Placement

    engine = engine or default_engine()
    image = load_image(photo)
    if mask is not None:
        product = load_image(mask, what="mask").convert("L")
    else:  # the decontaminated cut-out: no rim of the old background comes along into the scene
        found = product_cutout(image, make_prompt(box, include, exclude))
        image, product = found.rgba, found.mask
    unknown = sorted(set(scene_options) - set(ScenePick.__dataclass_fields__) - {"kind"})
    if unknown:
        raise StyleLabError(f"Unknown scene option(s): {', '.join(unknown)}; use {', '.join(ScenePick.__dataclass_fields__)}.")
    request = scene_request(ScenePick(kind=scene, **scene_options))  # type: ignore[arg-type]
    mix = resolve_style(style, engine) if style is not None else None
    shots = generate_shots(engine, image, product, mix, preset, count, seed, placement or Placement(), strength,
                           request.settings, paint_wall=mix is not None and request.settings is not None,
                           template_palette=request.template_palette)
    if out is not None:
        stem = Path(photo).stem if isinstance(photo, (str, os.PathLike)) else "product"
        for shot in shots:
            target = save_image(shot.image, Path(out) / f"{stem}-seed{shot.seed}.png")
            target.with_suffix(".json").write_text(shot.sidecar(), encoding="utf-8")
    return shots


def ad_creatives(
    shots: Sequence[object],
    headlines: str | Sequence[str],
    layouts: str | Sequence[str] = ("headline on top", "bottom band"),
    format: str = "Social 4:5",  # noqa: A002  (the word designers use)
    subline: str = "",
    badge: str = "",
    cta: str = "",
    colours: str | Sequence[str] | None = None,
    heading_font: str = "Noto Sans",
    body_font: str = "Noto Sans",
    logo: ImageInput | None = None,
    out: str | os.PathLike | None = None,
    file_format: str = "PNG",
) -> list:
    """Ad creatives: every headline on every shot in every layout, in one format.

    ``shots`` are shot files with their NAME.json sidecar beside them (from ``product_shots(out=...)``
    or the CLI's ``shots``), Shot objects from ``product_shots``, or photos (their product found by the
    cut-out). ``colours`` are the brand's hex codes (primary, accent, ...); ``logo`` a PNG with
    transparency. Returns Creative objects (``.image``, ``.record``, ``.sidecar()``); ``out`` also writes
    each image with its JSON, the source shots and the logo, and ``stylelab-creatives.zip``.
    """
    from stylelab.creatives.brand import DEFAULT_COLOURS, make_kit
    from stylelab.creatives.compose import AdCopy
    from stylelab.creatives.creative import AdSource
    from stylelab.creatives.variants import (VariantRequest, export_creatives, load_source, make_variants,
                                             product_box_of)

    if isinstance(shots, (str, os.PathLike, Image.Image)) or not isinstance(shots, Sequence):
        shots = [shots]
    sources = []
    for index, shot in enumerate(shots):
        if isinstance(shot, AdSource):
            sources.append(shot)
        elif hasattr(shot, "record") and hasattr(shot, "image"):  # a Shot from product_shots
            sources.append(AdSource(f"shot{index + 1}-seed{shot.record.get('seed', 0)}", shot.image.convert("RGB"),
                                    tuple(shot.record["product_box"]), shot.record))
        elif isinstance(shot, (str, os.PathLike)):
            sources.append(load_source(shot, find_product=product_box_of))
        else:
            raise StyleLabError(f"A shot must be a file path, a Shot from product_shots or an AdSource; got "
                                f"{type(shot).__name__}.")
    kit = make_kit(colours if colours else DEFAULT_COLOURS, heading_font, body_font, cta or "Shop now",
                   load_image(logo, what="logo") if logo is not None else None)
    request = VariantRequest(tuple([headlines] if isinstance(headlines, str) else headlines),
                             tuple([layouts] if isinstance(layouts, str) else layouts), format,
                             AdCopy(subline=subline, badge=badge, cta=cta)).checked(len(sources))
    grid = make_variants(request, lambda _layout: sources, kit)
    if grid.problems:
        raise StyleLabError(" ".join(grid.problems))
    if out is not None:
        export_creatives(grid.creatives, Path(out), file_format)
    return grid.creatives


def rerender_creative(sidecar: str | os.PathLike) -> Image.Image:
    """A creative again, from its JSON sidecar with the source shot and logo beside it (as the ZIP has them)."""
    import json

    from stylelab.creatives.creative import rerender

    path = Path(sidecar)
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise StyleLabError(f"'{path}' is not a readable JSON sidecar.") from None
    return rerender(record, path.parent)

