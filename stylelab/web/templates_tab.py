"""The My templates tab: see, rename and delete the templates saved from your own style images."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr


@dataclass
class TemplatesTab:
    gallery: gr.Gallery
    chosen: gr.Dropdown
    new_name: gr.Textbox
    rename_button: gr.Button
    delete_button: gr.Button
    status: gr.Markdown


def custom_gallery_items(actions: Any) -> list[tuple[str, str]]:
    custom = set(actions.custom_template_names())
    return [(thumbnail, name) for thumbnail, name in actions.gallery_items() if name in custom]


def create_templates_tab(actions: Any) -> TemplatesTab:
    gr.Markdown("Templates you save from your own style images (Restyle → *Use my own style image*) are kept "
                "here and survive restarts. The 26 built-in styles are always available.")
    gallery = gr.Gallery(value=custom_gallery_items(actions), label="Your templates", columns=6, height=220,
                         allow_preview=False, object_fit="cover", elem_id="custom-gallery")
    with gr.Row():
        names = actions.custom_template_names()
        chosen = gr.Dropdown(choices=names, value=names[0] if names else None, label="Template",
                             elem_id="manage-template")
        new_name = gr.Textbox(label="New name", max_length=40, elem_id="new-template-name")
    with gr.Row():
        rename_button = gr.Button("Rename", elem_id="rename-template")
        delete_button = gr.Button("Delete", variant="stop", elem_id="delete-template")
    status = gr.Markdown(elem_id="manage-status")
    return TemplatesTab(gallery, chosen, new_name, rename_button, delete_button, status)
