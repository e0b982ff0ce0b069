"""The Compare tab: one hero photo in up to four templates, side by side, with their figures."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from stylelab.web.common import (
    ImageUpload,
    explain_failures,
    METRIC_HEADERS,
    keep_colours_checkbox,
    progress_reporter,
    user_event,
    strength_slider,
    stroke_slider,
)


@dataclass
class CompareTab:
    templates: gr.Dropdown


def create_compare_tab(actions: Any, default_templates: list[str]) -> CompareTab:
    with gr.Row(equal_height=False):
        with gr.Column(scale=4, min_width=300):
            photo = ImageUpload(type="filepath", label="Hero photo", sources=["upload", "clipboard"],
                                height=280, elem_id="compare-photo")
            templates = gr.Dropdown(choices=actions.template_names(), value=default_templates, multiselect=True,
                                    max_choices=4, label="Templates to compare (up to four)",
                                    elem_id="compare-templates", filterable=True, allow_custom_value=True)
            strength = strength_slider("compare-strength")
            stroke_scale = stroke_slider("compare-stroke-scale")
            keep_colours = keep_colours_checkbox("compare-keep-colours")
            button = gr.Button("Compare", variant="primary", size="lg", elem_id="compare-button")
            status = gr.Markdown(elem_id="compare-status")
        with gr.Column(scale=7, min_width=300):
            gallery = gr.Gallery(label="Side by side", columns=2, rows=2, height="auto", object_fit="contain",
                                 elem_id="compare-gallery", format="png", fit_columns=False)
    # the whole width: nine columns need it, and their headers stay readable
    table = gr.Dataframe(headers=METRIC_HEADERS, label="Similarity to the original", interactive=False,
                         elem_id="compare-table", wrap=True)

    @user_event
    def compare(photo, templates, strength, stroke_scale, keep_colours, progress=gr.Progress()):
        return actions.compare(photo, templates, strength, stroke_scale, keep_colours, progress_reporter(progress))

    compared = button.click(compare, [photo, templates, strength, stroke_scale, keep_colours], [gallery, table, status],
                 api_name="compare", concurrency_id="restyle", scroll_to_output=True)
    explain_failures(compared, status)
    return CompareTab(templates)
