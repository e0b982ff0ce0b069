"""The box tool: the photo, where two clicks set a box around the product and further clicks
mark "product" or "not product"; the cut-out it gives is shown tinted on the same photo.

The prompt lives in three plain text fields (box "x0,y0,x1,y1", clicks "x,y; x,y") in the
photo's own pixels, so a user can type it, and the Gradio API takes the same values.
"""
from __future__ import annotations

from dataclasses import dataclass

import gradio as gr
from PIL import Image, ImageDraw

from stylelab.product.prompts import CutoutPrompt, make_prompt

CLICK_MODES = ["Box corners", "Product", "Not product"]
BOX_COLOUR, PRODUCT_COLOUR, NOT_PRODUCT_COLOUR = (250, 204, 21), (34, 197, 94), (239, 68, 68)


@dataclass
class BoxPrompt:
    photo: gr.Image  # the photo shown at display size, with the box, clicks and cut-out drawn
    click_mode: gr.Radio
    box: gr.Textbox
    include: gr.Textbox
    exclude: gr.Textbox
    clear: gr.Button
    status: gr.Markdown
    corner: gr.State  # the first corner of a box being set, in photo pixels, or None
    scale: gr.State  # photo pixels per displayed pixel


def create_box_prompt(prefix: str) -> BoxPrompt:
    gr.Markdown("Click two opposite corners of a box around the product; then click **Product** / **Not product** "
                "spots to correct it.", elem_classes=["hint"])
    photo = gr.Image(label="Cut-out (tinted = removed)", interactive=False, height=360, buttons=[],
                     elem_id=f"{prefix}-box-photo", format="png")
    with gr.Row():
        click_mode = gr.Radio(CLICK_MODES, value=CLICK_MODES[0], label="A click on the photo sets",
                              elem_id=f"{prefix}-click-mode", scale=3)
        clear = gr.Button("Clear box and clicks", size="sm", elem_id=f"{prefix}-clear-box", scale=1)
    with gr.Row():
        box = gr.Textbox("", label="Box x0,y0,x1,y1 (photo pixels)", elem_id=f"{prefix}-box", scale=2)
        include = gr.Textbox("", label="Product clicks x,y; x,y", elem_id=f"{prefix}-include", scale=2)
        exclude = gr.Textbox("", label="Not-product clicks", elem_id=f"{prefix}-exclude", scale=2)
    status = gr.Markdown(elem_id=f"{prefix}-box-status")
    return BoxPrompt(photo, click_mode, box, include, exclude, clear, status, gr.State(None), gr.State(1.0))


def add_click(mode: str, x: float, y: float, corner: tuple[float, float] | None, box: str, include: str,
              exclude: str) -> tuple[tuple[float, float] | None, str, str, str]:
    """The prompt fields after a click at (x, y) in photo pixels: (corner, box, include, exclude)."""
    point = f"{round(x)},{round(y)}"
    if mode == "Product":
        return corner, box, _joined(include, point), exclude
    if mode == "Not product":
        return corner, box, include, _joined(exclude, point)
    if corner is None:  # the first corner: wait for the second
        return (x, y), box, include, exclude
    x0, y0 = corner
    return None, f"{round(min(x0, x))},{round(min(y0, y))},{round(max(x0, x))},{round(max(y0, y))}", include, exclude


def prompt_of(box: str | None, include: str | None, exclude: str | None) -> CutoutPrompt | None:
    return make_prompt(box or None, include or None, exclude or None)


def _joined(points: str, point: str) -> str:
    return f"{points}; {point}" if points and points.strip() else point


def draw_prompt(image: Image.Image, prompt: CutoutPrompt | None, scale: float) -> Image.Image:
    """The prompt drawn on a displayed image (``scale`` photo pixels per displayed pixel)."""
    shown = image.convert("RGB").copy()
    if prompt is None:
        return shown
    draw = ImageDraw.Draw(shown)
    width = max(2, round(max(shown.size) / 300))
    if prompt.box is not None:
        draw.rectangle([v / scale for v in prompt.box], outline=BOX_COLOUR, width=width)
    radius = 3 * width
    for points, colour in ((prompt.include, PRODUCT_COLOUR), (prompt.exclude, NOT_PRODUCT_COLOUR)):
        for x, y in points:
            x, y = x / scale, y / scale
            draw.ellipse([x - radius, y - radius, x + radius, y + radius], fill=colour, outline=(255, 255, 255))
    return shown
