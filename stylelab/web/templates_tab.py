"""The My templates tab: see, rename and delete the templates saved from your own style images."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from stylelab.text import literal


@dataclass
class TemplatesTab:
    gallery: gr.Gallery
    chosen: gr.Dropdown
    new_name: gr.Textbox
    rename_button: gr.Button
    delete_button: gr.Button
    status: gr.Markdown
    workspace: gr.Markdown
    workspace_key: gr.Textbox


def custom_gallery_items(actions: Any) -> list[tuple[str, str]]:
    custom = set(actions.custom_template_names())
    return [(thumbnail, name) for thumbnail, name in actions.gallery_items() if name in custom]


def workspace_note(actions: Any) -> str:
    owner = actions.workspace_owner()
    if not actions.workspace_key():
        return (f"Signed in as **{literal(owner)}**: your templates follow you to any browser and survive restarts. "
                "Nobody else sees them.")
    return ("Your templates are kept in this browser's own workspace: a reload finds them again, and nobody else "
            "sees them. Another browser starts a workspace of its own.")


def create_templates_tab(actions: Any) -> TemplatesTab:
    gr.Markdown("Templates you save from your own style images (Restyle → *Use my own style image*) are kept "
                "here and survive restarts. The 26 built-in styles and the house templates are there for "
                "everyone, read-only.")
    workspace = gr.Markdown(elem_id="workspace-note")
    # empty until the page loads and knows whose workspace it is (an API client names a template itself)
    gallery = gr.Gallery(value=[], label="Your templates", columns=6, height=220, fit_columns=False,
                         allow_preview=False, object_fit="cover", elem_id="custom-gallery")
    with gr.Row():
        chosen = gr.Dropdown(choices=[], value=None, label="Template", elem_id="manage-template",
                             allow_custom_value=True)
        new_name = gr.Textbox(label="New name", max_length=40, elem_id="new-template-name")
    with gr.Row():
        rename_button = gr.Button("Rename", elem_id="rename-template")
        delete_button = gr.Button("Delete", variant="stop", elem_id="delete-template")
    status = gr.Markdown(elem_id="manage-status")
    with gr.Accordion("Workspace key (for the API)", open=False, elem_id="workspace-key-panel"):
        gr.Markdown("An API client sends this key as the `X-StyleLab-Workspace` header to work in this "
                    "workspace. Keep it private: whoever has it can change your templates.")
        workspace_key = gr.Textbox(label="Workspace key", show_label=False, interactive=False, buttons=["copy"], elem_id="workspace-key")
    return TemplatesTab(gallery, chosen, new_name, rename_button, delete_button, status, workspace, workspace_key)
