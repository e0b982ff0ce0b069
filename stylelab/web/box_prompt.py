"""The box tool: the photo, where a box dragged (or two clicks at opposite corners) marks the
product and further clicks mark "product" or "not product"; the cut-out it gives is shown
tinted on the same photo.

The prompt lives in three plain text fields (box "x0,y0,x1,y1", clicks "x,y; x,y") in the
photo's own pixels, so a user can type it, and the Gradio API takes the same values. Gradio's
image reports clicks only, so a small script (``DRAG_SCRIPT``, in the page's head) follows the
drag, draws the rectangle while the mouse moves and hands the box, in displayed pixels, to a
hidden field of the tool.
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
    drag: gr.Textbox  # hidden: a dragged box "x0,y0,x1,y1" in displayed pixels, set by DRAG_SCRIPT


def create_box_prompt(prefix: str) -> BoxPrompt:
    gr.Markdown("Drag a box around the product (or click two opposite corners); then click **Product** / "
                "**Not product** spots to correct it.", elem_classes=["hint"])
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
    drag = gr.Textbox("", show_label=False, container=False, elem_id=f"{prefix}-drag",
                      elem_classes=["box-drag-field"])
    return BoxPrompt(photo, click_mode, box, include, exclude, clear, status, gr.State(None), gr.State(1.0), drag)


def dragged_box(drag: str, scale: float) -> str:
    """The box field's text for a box dragged on the displayed photo (``scale`` photo pixels per
    displayed pixel); empty when the drag does not hold four numbers."""
    try:
        x0, y0, x1, y1 = (float(v) * float(scale or 1.0) for v in (drag or "").split(","))
    except ValueError:
        return ""
    return f"{round(min(x0, x1))},{round(min(y0, y1))},{round(max(x0, x1))},{round(max(y0, y1))}"


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


# Follows a drag on any box tool's photo (ids "<prefix>-box-photo"), draws the rectangle while the
# mouse moves, and on release writes "x0,y0,x1,y1" in the displayed image's pixels into the tool's
# hidden field ("<prefix>-drag"), whose input event sets the box. A press without movement stays a
# click (Gradio's select); the click that ends a drag is swallowed so it does not also set a corner.
DRAG_SCRIPT = """
<script>
(() => {
  const MOVE = 6;  // px the pointer must travel before a press becomes a drag
  let drag = null;
  const tool = (el) => el && el.closest ? el.closest('[id$="-box-photo"]') : null;
  document.addEventListener('dragstart', (e) => { if (tool(e.target)) e.preventDefault(); }, true);
  document.addEventListener('pointerdown', (e) => {
    const root = tool(e.target);
    const img = root && root.querySelector('img');
    if (!img || e.button !== 0) return;
    drag = {root, img, x: e.clientX, y: e.clientY, frame: null};
  }, true);
  document.addEventListener('pointermove', (e) => {
    if (!drag) return;
    const dx = e.clientX - drag.x, dy = e.clientY - drag.y;
    if (!drag.frame && Math.hypot(dx, dy) < MOVE) return;
    e.preventDefault();
    if (!drag.frame) {
      drag.frame = document.createElement('div');
      drag.frame.className = 'box-drag-frame';
      document.body.appendChild(drag.frame);
    }
    Object.assign(drag.frame.style, {left: Math.min(e.clientX, drag.x) + 'px', top: Math.min(e.clientY, drag.y) + 'px',
                                     width: Math.abs(dx) + 'px', height: Math.abs(dy) + 'px'});
  }, true);
  document.addEventListener('pointerup', (e) => {
    const done = drag;
    drag = null;
    if (!done || !done.frame) return;
    done.frame.remove();
    const swallow = (event) => { event.stopPropagation(); event.preventDefault(); };
    window.addEventListener('click', swallow, {capture: true, once: true});
    setTimeout(() => window.removeEventListener('click', swallow, {capture: true}), 400);
    const img = done.img, r = img.getBoundingClientRect();
    const fit = Math.min(r.width / img.naturalWidth, r.height / img.naturalHeight);  // object-fit: contain
    const left = r.left + (r.width - img.naturalWidth * fit) / 2, top = r.top + (r.height - img.naturalHeight * fit) / 2;
    const clamp = (v, high) => Math.round(Math.min(Math.max(v, 0), high));
    const box = [clamp((done.x - left) / fit, img.naturalWidth), clamp((done.y - top) / fit, img.naturalHeight),
                 clamp((e.clientX - left) / fit, img.naturalWidth), clamp((e.clientY - top) / fit, img.naturalHeight)];
    const prefix = done.root.id.replace(/-box-photo$/, '');
    const field = document.querySelector('#' + prefix + '-drag textarea, #' + prefix + '-drag input');
    if (!field) return;
    field.value = box.join(',');
    field.dispatchEvent(new Event('input', {bubbles: true}));
  }, true);
})();
</script>
"""
