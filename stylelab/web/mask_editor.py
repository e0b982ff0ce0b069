"""A product-mask editor: the photo with its mask painted on a layer to correct by brush."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr
from PIL import Image

from stylelab.web.common import ImageUpload

PAINT = "#ec4899"


@dataclass
class MaskEditor:
    editor: gr.ImageEditor
    upload: gr.Image
    status: gr.Markdown


def create_mask_editor(prefix: str, label: str = "Product mask (pink) — paint to add, erase to remove"
                       ) -> MaskEditor:
    editor = gr.ImageEditor(type="pil", label=label, image_mode="RGBA", sources=[], transforms=[], layers=False,
                            brush=gr.Brush(colors=[PAINT], default_color=PAINT, color_mode="fixed"),
                            eraser=gr.Eraser(), height=360, elem_id=f"{prefix}-mask-editor")
    with gr.Accordion("Or upload a mask (white = product)", open=False):
        upload = ImageUpload(type="filepath", label="Mask image", sources=["upload"], height=160,
                             elem_id=f"{prefix}-mask-upload")
    status = gr.Markdown(elem_id=f"{prefix}-mask-status")
    return MaskEditor(editor, upload, status)


def mask_from_editor_value(value: Any) -> Any:
    """The union of the editor's paint layers as an "L" mask, or None when nothing is painted."""
    if not isinstance(value, dict) or not value.get("layers"):
        return None
    layers = [layer for layer in value["layers"] if layer is not None]
    if not layers:
        return None
    painted = Image.new("L", layers[0].size, 0)
    for layer in layers:
        painted.paste(255, (0, 0), layer.convert("RGBA").getchannel("A").point(lambda a: 255 if a > 0 else 0))
    return painted if painted.getbbox() else None
