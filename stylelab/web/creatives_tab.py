"""The Ad creatives tab: the brand kit, headlines x shots x layouts side by side, ratings and winners."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import gradio as gr

from stylelab.creatives.fonts import FAMILIES
from stylelab.creatives.formats import AD_FORMATS, DEFAULT_FORMAT
from stylelab.creatives.layouts import DEFAULT_LAYOUTS, LAYOUTS
from stylelab.product.scene.choices import SCENE_KINDS
from stylelab.web.common import ImageUpload, progress_reporter, user_event

CREATIVE_HEADERS = ["#", "Creative", "Layout", "Headline", "Text contrast (lowest / needed)", "Rating"]
LAYOUT_HINT = " · ".join(f"**{layout.name}**: {layout.description}" for layout in LAYOUTS.values())


@dataclass
class CreativesTab:
    kit_fields: list[gr.components.Component]  # filled from the workspace's kit when the page loads
    load_kit: Callable


def create_creatives_tab(creative: Any) -> CreativesTab:
    """``creative``: the CreativeActions its events call."""
    with gr.Row(equal_height=False):
        with gr.Column(scale=5, min_width=300):
            gr.Markdown("### 1. Shots", elem_classes="step")
            photo = ImageUpload(type="filepath", image_mode=None, label="Product photo or cut-out (shots are made "
                                "here, the product placed to suit each layout)", sources=["upload", "clipboard"],
                                height=220, elem_id="ad-photo")
            with gr.Row():
                scenes = gr.CheckboxGroup(list(SCENE_KINDS), value=["podium", "window light"], label="Scenes",
                                          elem_id="ad-scenes")
                seed = gr.Number(value=1, precision=0, minimum=0, label="Seed", elem_id="ad-seed", scale=0,
                                 min_width=90)
            shot_files = gr.File(label="…or finished shots with their JSON sidecars (from Product shots)",
                                 file_count="multiple", file_types=["image", ".json"], elem_id="ad-shot-files",
                                 height=150)
            with gr.Accordion("Brand kit", open=True, elem_id="ad-kit-panel"):
                kit_note = gr.Markdown(elem_id="ad-kit-note", elem_classes="hint")
                colours = gr.Textbox(label="Brand colours (hex, up to six)", elem_id="ad-colours",
                                     info="First: panels and headlines; second: buttons and badges", max_lines=1)
                with gr.Row():
                    heading_font = gr.Dropdown(list(FAMILIES), value="Noto Sans", label="Heading font",
                                               elem_id="ad-heading-font")
                    body_font = gr.Dropdown(list(FAMILIES), value="Noto Sans", label="Body font",
                                            elem_id="ad-body-font")
                default_cta = gr.Textbox(label="Default call to action", elem_id="ad-default-cta", max_lines=1)
                with gr.Row():
                    logo = ImageUpload(type="filepath", image_mode="RGBA", label="Logo (PNG with transparency)",
                                       sources=["upload"], height=120, elem_id="ad-logo", format="png")
                    with gr.Column(min_width=160):
                        remove_logo = gr.Checkbox(False, label="No logo", elem_id="ad-remove-logo")
                        save_kit = gr.Button("Save brand kit", elem_id="ad-save-kit")
                kit_status = gr.Markdown(elem_id="ad-kit-status")
        with gr.Column(scale=5, min_width=300):
            gr.Markdown("### 2. Copy and layouts", elem_classes="step")
            headlines = gr.Textbox(label="Headlines, one per line (up to four)", lines=3, elem_id="ad-headlines",
                                   placeholder="Hand-thrown stoneware\n新品上市，限时八折")
            subline = gr.Textbox(label="Sub-line", elem_id="ad-subline", max_lines=1)
            with gr.Row():
                badge = gr.Textbox(label="Price or badge", placeholder="−20 %", elem_id="ad-badge", max_lines=1)
                cta = gr.Textbox(label="Call to action", placeholder="the kit's default", elem_id="ad-cta",
                                 max_lines=1)
            layouts = gr.CheckboxGroup(list(LAYOUTS), value=list(DEFAULT_LAYOUTS), label="Layouts",
                                       elem_id="ad-layouts")
            gr.Markdown(LAYOUT_HINT, elem_classes="hint")
            with gr.Row():
                ad_format = gr.Dropdown(list(AD_FORMATS), value=DEFAULT_FORMAT, label="Format", elem_id="ad-format",
                                        info=f"{DEFAULT_FORMAT}: {AD_FORMATS[DEFAULT_FORMAT].placement}")
                file_format = gr.Radio(["PNG", "JPEG"], value="PNG", label="Download as", elem_id="ad-file-format")
            make = gr.Button("Make creatives", variant="primary", size="lg", elem_id="ad-make")
    status = gr.Markdown(elem_id="ad-status")
    gallery = gr.Gallery(label="Creatives: click one to rate it", columns=4, height="auto", object_fit="contain",
                         elem_id="ad-gallery", fit_columns=False)
    with gr.Row(equal_height=True):
        number = gr.Number(value=1, precision=0, minimum=1, label="Creative #", elem_id="ad-number", scale=0,
                           min_width=110)
        good = gr.Button("👍 Good", elem_id="ad-good")
        bad = gr.Button("👎 Not good", elem_id="ad-not-good")
        winner = gr.Button("🏆 Winner", variant="primary", elem_id="ad-winner")
    rating_status = gr.Markdown(elem_id="ad-rating-status")
    table = gr.Dataframe(headers=CREATIVE_HEADERS, interactive=False, elem_id="ad-table", wrap=True)
    with gr.Row():
        downloads = gr.File(label="Downloads (the ZIP holds every creative with its JSON)", file_count="multiple",
                            interactive=False, elem_id="ad-downloads")
        winners = gr.File(label="Winners (ZIP)", file_count="multiple", interactive=False, elem_id="ad-winners")
    state = gr.State(None)

    kit_inputs = [colours, heading_font, body_font, default_cta, logo]

    @user_event
    def make_creatives(photo, scenes, seed, shot_files, headlines, subline, badge, cta, layouts, ad_format,
                       file_format, colours, heading_font, body_font, default_cta, logo, progress=gr.Progress()):
        """Headlines (one per line) x shots x layouts in one format: gallery, table, downloads, status."""
        gallery_items, rows, files, message, made = creative.make_creatives(
            photo, scenes, seed, shot_files, headlines, subline, badge, cta or default_cta, layouts, ad_format,
            file_format, colours, heading_font, body_font, logo, progress_reporter(progress))
        return gallery_items, rows, files, message, made, None

    @user_event
    def rate(made, number, rating):
        return creative.rate(made, number, rating)

    @user_event
    def save_brand_kit(colours, heading_font, body_font, default_cta, logo, remove_logo):
        return creative.save_brand_kit(colours, heading_font, body_font, default_cta, logo, remove_logo)

    @user_event
    def load_kit():
        kit_colours, heading, body, default, kit_logo, note = creative.brand_kit_fields()
        return kit_colours, heading, body, default, kit_logo, note

    make.click(make_creatives, [photo, scenes, seed, shot_files, headlines, subline, badge, cta, layouts, ad_format,
                                file_format, *kit_inputs],
               [gallery, table, downloads, status, state, winners], api_name="ad_creatives", concurrency_id="restyle",
               scroll_to_output=True)
    for button, verdict in ((good, "good"), (bad, "not good"), (winner, "winner")):
        button.click(rate, [state, number, gr.State(verdict)], [rating_status, table, state, winners],
                     api_name=f"rate_creative_{verdict.replace(' ', '_')}")
    def picked(event: gr.SelectData) -> int:
        return int(event.index) + 1

    gallery.select(picked, None, number, api_visibility="private")
    save_kit.click(save_brand_kit, [*kit_inputs, remove_logo], kit_status, api_name="save_brand_kit")
    ad_format.change(lambda name: gr.Dropdown(info=f"{name}: {AD_FORMATS[name].placement}" if name in AD_FORMATS
                                              else ""), ad_format, ad_format, api_visibility="private", queue=False)
    return CreativesTab([colours, heading_font, body_font, default_cta, logo, kit_note], load_kit)
