"""The Product shots tab: the product on generated, styled backdrops in listing and ad sizes."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from stylelab.web.catalog_section import CatalogSection, create_catalog_section
from stylelab.web.common import ImageUpload, progress_reporter, shown_to_user, user_event
from stylelab.web.mask_editor import create_mask_editor, mask_from_editor_value

PRESETS = ["Marketplace main image", "Square 2048", "Social 4:5", "Story 9:16", "Banner 16:9"]
SHOT_HEADERS = ["Shot", "Size", "Backdrop", "Product ΔE2000"]


@dataclass
class GenerateTab:
    template: gr.Dropdown
    catalog: CatalogSection | None


def create_generate_tab(actions: Any, default_template: str, catalog: Any = None) -> GenerateTab:
    """``catalog`` (a CatalogActions) adds the "From my catalog" section; None leaves it out."""
    section = create_catalog_section(catalog, actions.template_names(), default_template) if catalog else None
    with gr.Row(equal_height=False):
        with gr.Column(scale=5, min_width=300):
            photo = ImageUpload(type="filepath", image_mode=None, label="Product photo or transparent cutout",
                                sources=["upload", "clipboard"], height=240, elem_id="shot-photo")
            masks = create_mask_editor("shot")
            with gr.Row():
                mask_button = gr.Button("Show the mask as an overlay", elem_id="show-mask")
            with gr.Row():
                mask_overlay = gr.Image(label="Mask overlay (tinted = backdrop)", interactive=False, height=200,
                                        elem_id="mask-overlay", scale=2)
                mask_file = gr.File(label="Mask (PNG)", elem_id="mask-file", scale=1, height=100)
        with gr.Column(scale=5, min_width=300):
            preset = gr.Dropdown(PRESETS, value="Social 4:5", label="Format", elem_id="shot-preset",
                                 info="Marketplace main image: pure white, product fills ~85%, 2000 px")
            template = gr.Dropdown(choices=actions.template_names(), value=default_template,
                                   label="Backdrop style", elem_id="shot-template", filterable=True,
                                   allow_custom_value=True)
            strength = gr.Slider(0, 1, value=0.8, step=0.05, label="Backdrop style strength",
                                 elem_id="shot-strength")
            with gr.Row():
                count = gr.Slider(1, 8, value=4, step=1, label="How many", elem_id="shot-count")
                seed = gr.Number(value=1, precision=0, minimum=0, label="First seed", elem_id="shot-seed",
                                 info="Same seed, same shot")
            with gr.Row():
                scale = gr.Slider(0.3, 1.2, value=1.0, step=0.05, label="Product size", elem_id="shot-scale")
                padding = gr.Slider(0, 0.3, value=0.05, step=0.01, label="Padding", elem_id="shot-padding")
            with gr.Row():
                x = gr.Slider(0, 1, value=0.5, step=0.05, label="Position across", elem_id="shot-x")
                y = gr.Slider(0, 1, value=0.6, step=0.05, label="Position down", elem_id="shot-y")
            button = gr.Button("Generate product shots", variant="primary", size="lg", elem_id="generate-button")
    status = gr.Markdown(elem_id="shot-status")
    gallery = gr.Gallery(label="Shots, next to the whole photo restyled", columns=3, height="auto",
                         object_fit="contain", elem_id="shot-gallery", fit_columns=False)
    table = gr.Dataframe(headers=SHOT_HEADERS, label="The product stays intact: ΔE2000 inside the product",
                         interactive=False, elem_id="shot-table")
    downloads = gr.File(label="Downloads", file_count="multiple", interactive=False, elem_id="shot-downloads")

    @shown_to_user
    def load_mask(photo_path):
        if not photo_path:
            return None, ""
        return actions.mask_editor_value(photo_path)

    @shown_to_user
    def show_overlay(photo, mask_image):
        return actions.product_mask(photo, mask_image)

    @user_event
    def generate(photo, mask_editor, mask_image, template, preset, count, seed, scale, x, y, padding, strength,
                 progress=gr.Progress()):
        drawn = actions.load_mask_image(mask_image) if mask_image else mask_from_editor_value(mask_editor)
        return actions.generate_shots(photo, drawn, template, None, preset, count, seed, scale, x, y, padding,
                                      strength, progress_reporter(progress))

    photo.change(load_mask, photo, [masks.editor, masks.status], api_visibility="undocumented")
    mask_button.click(show_overlay, [photo, masks.upload], [mask_overlay, mask_file, masks.status],
                      api_name="product_mask")
    button.click(generate, [photo, masks.editor, masks.upload, template, preset, count, seed, scale, x, y, padding,
                            strength], [gallery, table, downloads, status], api_name="generate_shots",
                 concurrency_id="restyle", scroll_to_output=True)
    if section is not None:  # a generated image becomes the product photo here
        section.send_to_shots.click(lambda path: path, section.generated, photo, api_visibility="private")
    return GenerateTab(template, section)
