"""A product-mask editor: the photo with what the mask removes tinted pink (as in the box tool and
the overlays), corrected by brush strokes.

The mask is shown in the editor's background, not on a layer: Gradio 6 places a layer handed
in with the value off the photo (by half the difference to its 800x800 starting canvas), while
strokes the user paints land exactly on the photo. So the strokes are read as corrections to the
mask the editor showed: green adds to the product, pink takes away.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr
import numpy as np
from PIL import Image, ImageColor

from stylelab.product.masks import overlay
from stylelab.web.common import ImageUpload

ADD = "#22c55e"  # green: this is product
REMOVE = "#ec4899"  # pink: this is not, the tint of what the mask removes


@dataclass
class MaskEditor:
    editor: gr.ImageEditor
    shown: gr.State  # the mask under the strokes ("L"), so they can be read as corrections to it
    upload: gr.Image
    status: gr.Markdown


def create_mask_editor(prefix: str, label: str = "Mask (tinted = removed): green adds, pink removes"
                       ) -> MaskEditor:
    editor = gr.ImageEditor(type="pil", label=label, image_mode="RGBA", sources=[], transforms=[], layers=False,
                            brush=gr.Brush(colors=[ADD, REMOVE], default_color=ADD, color_mode="fixed"),
                            eraser=gr.Eraser(), format="png", height=360, elem_id=f"{prefix}-mask-editor")
    shown = gr.State(None)
    with gr.Accordion("Or upload a mask (white = product)", open=False):
        upload = ImageUpload(type="filepath", label="Mask image", sources=["upload"], height=160,
                             elem_id=f"{prefix}-mask-upload")
    status = gr.Markdown(elem_id=f"{prefix}-mask-status")
    return MaskEditor(editor, shown, upload, status)


def editor_value(photo: Image.Image, mask: Image.Image) -> dict[str, Any]:
    """The editor's value: the photo with what ``mask`` (white = product) removes tinted, and no strokes yet."""
    return {"background": overlay(photo, mask.convert("L").point(lambda a: 255 if a >= 128 else 0)), "layers": [],
            "composite": None}


def mask_from_editor_value(value: Any, shown: Image.Image | None = None) -> Image.Image | None:
    """The mask after the user's strokes: ``shown`` (the mask the editor showed; none through the API)
    with the green strokes added and the pink ones taken away, as "L"; None when nothing is painted."""
    if not isinstance(value, dict) or not value.get("layers"):
        return None
    layers = [np.asarray(layer.convert("RGBA")) for layer in value["layers"] if layer is not None]
    if not layers:
        return None
    height, width = layers[0].shape[:2]
    added, removed = np.zeros((height, width), bool), np.zeros((height, width), bool)
    for layer in layers:
        painted = layer[..., 3] > 0
        # a stroke's soft rim blends its colour, so each pixel goes to the nearer of the two paints
        to_add = _distance(layer, ADD) <= _distance(layer, REMOVE)
        added |= painted & to_add
        removed |= painted & ~to_add
    if not (added | removed).any():
        return None
    mask = np.zeros((height, width), bool) if shown is None else (
        np.asarray(shown.convert("L").resize((width, height), Image.Resampling.NEAREST)) >= 128)
    return Image.fromarray(((mask | added) & ~removed).astype(np.uint8) * 255, "L")


def _distance(pixels: np.ndarray, colour: str) -> np.ndarray:
    target = np.array(ImageColor.getrgb(colour), dtype=np.float32)
    return np.linalg.norm(pixels[..., :3].astype(np.float32) - target, axis=-1)
