"""Product shots rendered by Blender's Cycles: plan, render in the worker, paste the product.

``render_scene`` plans the shot (``plan.py``), sends the plan to the render worker process
(``worker.py``; Blender is imported there, once, never here), and pastes the product's own
pixels last, untouched — unless light is asked to fall across it, when the gobo's and the
set's shadows darken it as they darken the set.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Callable

import numpy as np
from PIL import Image, ImageFilter

from stylelab.errors import StyleLabError
from stylelab.product.scene.palette import linear_to_srgb, srgb_to_linear
from stylelab.product.scene.plan import (SceneSettings, ScenePlan, crop_to_product, plan_scene,  # noqa: F401
                                         product_box)
from stylelab.product.scene.worker import WorkerSpec, shared_worker

RENDER_WORKER = WorkerSpec("stylelab.product.scene.blender.job:run", timeout_s=240.0, memory_limit_mb=3000)
PRODUCT_TEXTURE_SIDE = 640  # px on the cut-out's longer side: its shadow and reflection need no more
SHADOW_FLOOR = 0.35  # in a gobo's full shadow a product keeps this much of its light (the sky and fill)
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class SceneShot:
    image: Image.Image
    box: tuple[int, int, int, int]  # where the scaled cut-out was pasted
    record: dict  # everything needed to reproduce it (the sidecar)


def render_scene(cutout: Image.Image, frame: tuple[int, int], settings: SceneSettings, seed: int,
                 fill: float = 0.7, scale: float = 1.0, x: float = 0.5, y: float = 0.6, padding: float = 0.05,
                 wall_texture: np.ndarray | None = None, device: str = "cpu", marketplace: bool = False,
                 progress: Progress | None = None) -> SceneShot:
    """One shot of the RGBA ``cutout`` in a lit scene; ``wall_texture`` [h, w, 3] floats in 0..1 paints the wall."""
    cutout = crop_to_product(cutout)
    plan = plan_scene(cutout, frame, settings, seed, fill, scale, x, y, padding, marketplace,
                      "cuda" if str(device).startswith("cuda") else "cpu")
    job = {"plan": plan.job(), "cutout": _card_texture(cutout),
           "wall": None if wall_texture is None else np.asarray(wall_texture, dtype=np.float32),
           "threads": render_threads()}
    result = shared_worker(RENDER_WORKER).run(job, progress)
    image = _backdrop(plan, _exposed(plan, result["image"]))
    product = cutout.resize((plan.box[2] - plan.box[0], plan.box[3] - plan.box[1]), Image.Resampling.LANCZOS)
    if "product_light" in result:
        product = _shaded(product, plan, result["product_light"])
    image.paste(product, plan.box[:2], product)
    record = plan.record() | {"placement": {"fill": fill, "scale": scale, "x": x, "y": y, "padding": padding}}
    record["renderer"]["device"] = result["device"]
    return SceneShot(image, plan.box, record)


def render_threads() -> int:
    """Cycles' CPU threads: ``STYLELAB_RENDER_THREADS`` (a Ray worker's share of the cores), else all (0)."""
    value = os.environ.get("STYLELAB_RENDER_THREADS", "0").strip() or "0"
    if not value.isdigit():
        raise StyleLabError(f"STYLELAB_RENDER_THREADS must be a whole number of threads; got '{value}'.")
    return int(value)


def _exposed(plan: ScenePlan, rendered: np.ndarray) -> np.ndarray:
    """Exposed for the surface the product stands on, as a photographer meters: the lit patch just in
    front of the product's base reads the palette's colour, however much the set's colours bounce.
    Not where that patch may lie in a shadow (a light from behind, a gobo) or on a marketplace image."""
    azimuth = float(plan.light.azimuth)
    if plan.marketplace or plan.gobo or 110 < azimuth < 250:
        return rendered
    left, _, right, bottom = plan.box
    middle = (left + right) // 2
    columns = slice(left + 2, middle - 2) if azimuth > 180 else slice(middle + 3, right - 2)
    patch = rendered[bottom + 1:bottom + 1 + max(3, (plan.box[3] - plan.box[1]) // 25), columns, :3]
    if patch.size == 0:
        return rendered
    support = plan.parts[0]["colour"] if plan.parts and plan.product["base"] > 0 else plan.floor["colour"]
    weights = np.array([0.2126, 0.7152, 0.0722])
    expected = float(srgb_to_linear(np.array(support)) @ weights)
    measured = float(srgb_to_linear(patch.reshape(-1, 3) / 255.0).mean(0) @ weights)
    if measured <= 1e-4 or measured >= 0.995:  # black or clipped: nothing to meter on
        return rendered
    exposure = float(np.clip(expected / measured, 0.6, 1.8))
    exposed = rendered.copy()
    exposed[..., :3] = np.rint(255 * linear_to_srgb(srgb_to_linear(rendered[..., :3] / 255.0) * exposure))
    return exposed


def _card_texture(cutout: Image.Image) -> np.ndarray:
    card = cutout.copy()
    card.thumbnail((PRODUCT_TEXTURE_SIDE, PRODUCT_TEXTURE_SIDE), Image.Resampling.LANCZOS)
    return np.asarray(card.convert("RGBA"))


def _backdrop(plan: ScenePlan, rendered: np.ndarray) -> Image.Image:
    """The rendered set as the frame; for a marketplace image, white where the render holds no shadow."""
    if not plan.marketplace:
        return Image.fromarray(rendered[..., :3])
    shadow = Image.fromarray(rendered[..., 3]).filter(ImageFilter.GaussianBlur(1.5))
    opacity = np.asarray(shadow.resize(plan.frame, Image.Resampling.BICUBIC), dtype=np.float32) / 255
    opacity *= _near_the_base(plan.box, plan.frame)
    opacity[opacity < 4 / 255] = 0  # a trace of shadow far from the product would break the pure white
    white = np.rint(255 * (1 - opacity)).astype(np.uint8)
    return Image.fromarray(np.repeat(white[..., None], 3, axis=2))


def _near_the_base(box: tuple[int, int, int, int], frame: tuple[int, int]) -> np.ndarray:
    """1 around the product's base, fading to 0 within an ellipse a little wider than the product:
    the marketplace's shadow is a contact shadow, nothing spreads across the white."""
    left, top, right, bottom = box
    ys, xs = np.mgrid[0:frame[1], 0:frame[0]].astype(np.float32)
    reach_x, reach_y = 0.75 * (right - left) + 8, 0.12 * (bottom - top) + 8
    distance = np.hypot((xs - (left + right) / 2) / reach_x, (ys - bottom) / reach_y)
    below_middle = np.clip((ys - (top + 0.55 * (bottom - top))) / (0.3 * (bottom - top) + 1), 0, 1)
    return np.clip(1.6 - 1.2 * distance, 0, 1) * below_middle


def _shaded(product: Image.Image, plan: ScenePlan, light: np.ndarray) -> Image.Image:
    """The product darkened where the gobo and the set shade it: the light pass's grey card, over its
    own lit level, scaled to the product's box."""
    level = np.asarray(Image.fromarray(light[..., :3]).convert("L").resize(plan.frame, Image.Resampling.BILINEAR),
                       dtype=np.float32)
    left, top, right, bottom = plan.box
    inside = level[top:bottom, left:right]
    alpha = np.asarray(product.getchannel("A")) > 200
    if not alpha.any():
        return product
    lit = max(float(np.percentile(inside[alpha], 97)), 1.0)
    reach = np.clip(inside / lit, 0, 1)
    factor = SHADOW_FLOOR + (1 - SHADOW_FLOOR) * reach
    rgba = np.asarray(product, dtype=np.float32)
    rgba[..., :3] *= factor[..., None]
    return Image.fromarray(np.clip(np.rint(rgba), 0, 255).astype(np.uint8), "RGBA")
