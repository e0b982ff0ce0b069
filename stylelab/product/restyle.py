"""Product-aware restyling and product shots, on top of the engine.

"background only" keeps the product photo-true and restyles the scene; "product only"
does the reverse. The backdrop is restyled with the product painted out first, so the
style has no product edge to draw a halo around.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from typing import Callable

import numpy as np
import torch
from PIL import Image

from stylelab.product import compose
from stylelab.engine import RestyleSettings, StyleEngine, StyleMix
from stylelab.errors import StyleLabError
from stylelab.imageio import split_alpha, to_image, to_tensor
from stylelab.product.region_metrics import RegionFigures, region_figures
from stylelab.product.scene.choices import PAINTED_BACKDROP
from stylelab.product.scene.palette import Palette, from_colours
from stylelab.product.scene.render import SceneSettings, crop_to_product, render_scene
from stylelab.product.shots import PRESETS, Placement, Preset, base_canvas, cutout_from, place_product

ShotProgress = Callable[[int, int, int, int], None]  # shot number (from 1), shots, samples done, samples
HOLE_GROWTH = 6  # px the painted-out region reaches past the mask, so no product colour leaks into the fill
BACKDROP_WORKING_SIDE = 1024  # backdrops are smooth: paint them at this size, with bigger strokes


def mask_tensor(mask: Image.Image, size: tuple[int, int]) -> torch.Tensor:
    array = np.asarray(mask.convert("L").resize(size, Image.Resampling.BILINEAR), dtype=np.float32) / 255.0
    return torch.from_numpy(array)[None]


def restyle_with_mask(engine: StyleEngine, photo: Image.Image, mask: Image.Image, mix: StyleMix,
                      settings: RestyleSettings, mode: str, notices: list[str] | None = None) -> Image.Image:
    """Restyle the whole photo, only its backdrop, or only the product (``compose.MODES``)."""
    if mode not in compose.MODES:
        raise StyleLabError(f"Choose a mode from: {', '.join(compose.MODES)}.")
    rgb, alpha = split_alpha(photo)
    original = to_tensor(rgb)
    if mode == "whole photo":
        (result,) = engine.restyle([original], mix, settings, notices=notices)
        return to_image(result, alpha)
    product = mask_tensor(mask, rgb.size)
    if mode == "background only":
        hole = compose.dilate((product > 0.02).float(), HOLE_GROWTH)
        clean_plate = compose.fill_masked(original, hole)
        (backdrop,) = engine.restyle([clean_plate], mix, settings, notices=notices)
        result = compose.composite(original, backdrop, product)
    else:
        (styled,) = engine.restyle([original], mix, settings, notices=notices)
        result = compose.composite(styled, original, product)
    return to_image(result, alpha)


@dataclass(frozen=True)
class Shot:
    image: Image.Image
    seed: int
    backdrop: str  # the scene kind, or what kind of base canvas the seed chose for a painted backdrop
    preset: str
    product_figures: RegionFigures | None  # the product as pasted vs the shot: ΔE ≈ 0 means intact
    record: dict = field(default_factory=dict)  # the sidecar: enough to reproduce or vary the shot

    @property
    def caption(self) -> str:
        delta = f"product ΔE {self.product_figures.delta_e:.2f}" if self.product_figures else ""
        return f"seed {self.seed} · {self.backdrop} · {delta}"

    def sidecar(self) -> str:
        """The record as JSON text; the same shot always gives the same text."""
        return json.dumps(self.record, indent=2, sort_keys=True) + "\n"


def generate_shots(engine: StyleEngine, photo: Image.Image, mask: Image.Image, mix: StyleMix | None,
                   preset_name: str, count: int, seed: int, placement: Placement = Placement(),
                   strength: float = 0.8, scene: SceneSettings | None = None, paint_wall: bool = False,
                   template_palette: bool = False, progress: ShotProgress | None = None) -> list[Shot]:
    """``count`` product shots with seeds seed, seed+1, ...

    ``scene`` None is the painted backdrop (``mix`` None: plain); a scene is rendered around the
    product, its wall painted in ``mix`` when ``paint_wall``, its palette taken from ``mix``'s
    main colours when ``template_palette``. The marketplace preset is always pure white, with the
    product's soft contact shadow rendered by Blender. ``progress`` hears the samples of each shot.
    """
    if preset_name not in PRESETS:
        raise StyleLabError(f"Choose a preset from: {', '.join(PRESETS)}.")
    if not 1 <= int(count) <= 8:
        raise StyleLabError("Make from 1 to 8 shots at a time.")
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise StyleLabError("The seed must be a whole number, 0 or more.")
    if (paint_wall or template_palette) and mix is None:
        raise StyleLabError("Pick a style template to paint the wall or take the palette from.")
    preset = PRESETS[preset_name]
    cutout = cutout_from(photo, mask)  # straight alpha: an RGBA cut-out's own (decontaminated) colours, no white fringe
    seeds = range(int(seed), int(seed) + int(count))
    if preset.plain_white:
        marketplace = replace(scene or SceneSettings(), kind="podium", light_on_product=False)
        return [_scene_shot(engine, cutout, preset, placement, marketplace, shot_seed, None,
                            _for_shot(progress, number, len(seeds)))
                for number, shot_seed in enumerate(seeds, start=1)]
    if scene is not None:
        if template_palette:
            scene = replace(scene, palette=template_colours(engine, mix))
        wall = _painted_wall(engine, mix, strength) if paint_wall else None
        return [_scene_shot(engine, cutout, preset, placement, scene, shot_seed, wall,
                            _for_shot(progress, number, len(seeds)))
                for number, shot_seed in enumerate(seeds, start=1)]
    shots = []
    for shot_seed in seeds:
        if mix is None:
            backdrop, kind = Image.new("RGB", preset.size, (255, 255, 255)), "white"
        else:
            canvas, kind = base_canvas(preset.size, shot_seed)
            stroke_scale = min(4.0, max(1.0, max(preset.size) / BACKDROP_WORKING_SIDE))
            (painted,) = engine.restyle([to_tensor(canvas)], mix, RestyleSettings(strength=strength,
                                                                                 stroke_scale=stroke_scale))
            backdrop = to_image(painted)
        image, box, _ = place_product(backdrop, cutout, preset, placement)
        record = {"scene": PAINTED_BACKDROP, "seed": shot_seed, "size": list(preset.size), "backdrop": kind,
                  "product_box": list(box), "placement": asdict(placement),
                  "style_strength": None if kind == "white" else strength}
        shots.append(Shot(image, shot_seed, kind, preset.name, _pasted_product_figures(image, cutout, box), record))
    return shots


def _for_shot(progress: ShotProgress | None, number: int, count: int) -> Callable[[int, int], None] | None:
    if progress is None:
        return None
    return lambda done, total: progress(number, count, done, total)


def _scene_shot(engine: StyleEngine, cutout: Image.Image, preset: Preset, placement: Placement,
                scene: SceneSettings, seed: int, wall: np.ndarray | None,
                progress: Callable[[int, int], None] | None) -> Shot:
    rendered = render_scene(cutout, preset.size, scene, seed, fill=preset.fill, scale=placement.scale,
                            x=placement.x, y=placement.y, padding=placement.padding, wall_texture=wall,
                            device=str(engine.device), marketplace=preset.plain_white, progress=progress)
    record = rendered.record | {"preset": preset.name, "painted_wall": wall is not None}
    backdrop = "white" if preset.plain_white else scene.kind
    return Shot(rendered.image, seed, backdrop, preset.name,
                _pasted_product_figures(rendered.image, crop_to_product(cutout), rendered.box), record)


def _painted_wall(engine: StyleEngine, mix: StyleMix | None, strength: float) -> np.ndarray:
    """A soft plaster-like canvas painted in the style: the wall's texture, [h, w, 3] floats in 0..1."""
    canvas, _ = base_canvas((768, 640), 2)  # the "soft noise" canvas: no strong shapes of its own
    (painted,) = engine.restyle([to_tensor(canvas)], mix, RestyleSettings(strength=strength))
    return painted.float().clamp(0, 1).permute(1, 2, 0).cpu().numpy()


def template_colours(engine: StyleEngine, mix: StyleMix | None) -> Palette:
    """A style's main colours, as it paints them on a neutral canvas, most common first."""
    canvas, _ = base_canvas((192, 160), 2)
    (painted,) = engine.restyle([to_tensor(canvas)], mix, RestyleSettings(strength=1.0))
    quantised = to_image(painted).quantize(colors=4, method=Image.Quantize.MEDIANCUT)
    palette = quantised.getpalette() or []
    ranked = sorted(quantised.getcolors() or [], reverse=True)
    colours = [tuple(c / 255 for c in palette[3 * index:3 * index + 3]) for _, index in ranked]
    return from_colours(colours, "template colours")  # type: ignore[arg-type]


def _pasted_product_figures(shot: Image.Image, cutout: Image.Image, box: tuple[int, int, int, int]
                            ) -> RegionFigures | None:
    """Figures of the product inside the shot against the product itself (fully opaque pixels)."""
    product = cutout.resize((box[2] - box[0], box[3] - box[1]), Image.Resampling.LANCZOS)
    opaque = product.getchannel("A").point(lambda a: 255 if a >= 250 else 0)
    return region_figures(product.convert("RGB"), shot.crop(box), opaque)
