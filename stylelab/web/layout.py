"""Assembles the tabs into one Blocks app and wires the events that span tabs."""
from __future__ import annotations

from typing import Any

import gradio as gr

from stylelab.web.admin_tab import create_admin_tab
from stylelab.web.catalog_section import refreshed_generators
from stylelab.web.common import carry_workspace_key, serving, user_event
from stylelab.web.compare_tab import create_compare_tab
from stylelab.web.creatives_tab import create_creatives_tab
from stylelab.web.generate_tab import create_generate_tab
from stylelab.web.gradio_cache import use_atomic_image_cache
from stylelab.web.restyle_tab import create_restyle_tab
from stylelab.web.templates_tab import create_templates_tab, custom_gallery_items, workspace_note

DEFAULT_TEMPLATE = "Ink wash"
DEFAULT_COMPARISON = ["Ink wash", "Starry swirls", "Coloured pencil", "Bold primaries"]

CSS = """
#header h1 { margin-bottom: 0; }
#header p { margin-top: 4px; color: var(--body-text-color-subdued); }
.step h3 { margin: 6px 0 2px; }
.hint p { margin: 0; font-size: 0.9em; color: var(--body-text-color-subdued); }
#device-badge { white-space: nowrap; font-size: 0.9em; }
#device-badge::before { content: "· "; }
#status p, #compare-status p { font-weight: 600; }
footer { display: none !important; }
.box-drag-field { display: none !important; }
.box-drag-frame { position: fixed; border: 2px solid #facc15; box-shadow: 0 0 0 1px rgba(0, 0, 0, .45);
                  pointer-events: none; z-index: 1000; }
[id$="-box-photo"] img { cursor: crosshair; touch-action: none; }
/* a picture's label sits above it, not over its top; gallery captions wrap instead of being cut */
label.float { position: static !important; margin: 4px 0 6px 4px !important; width: fit-content; }
.caption-label { white-space: normal !important; max-width: calc(100% - 12px) !important; }
/* result galleries grow to show every row (Gradio caps a gallery at 55 % of the window and scrolls inside) */
#compare-gallery .fixed-height, #shot-gallery .fixed-height { max-height: none !important; overflow-y: visible !important; }
"""

# System fonts only: a Google font would make every visitor's browser call out to Google.
THEME = gr.themes.Soft(primary_hue="indigo", secondary_hue="pink", font=["system-ui", "sans-serif"],
                       font_mono=["ui-monospace", "Consolas", "monospace"])


def build_app(actions: Any, device_name: str, admin: Any = None, catalog: Any = None,
              browser_storage: str | None = None, hf_login: bool = False,
              delete_cache: tuple[int, int] | None = None, creative: Any = None) -> gr.Blocks:
    """``catalog`` (a stylelab.web.gan_actions.CatalogActions) adds the catalog generator's sections.

    ``creative`` (a stylelab.web.creative_actions.CreativeActions) adds the Ad creatives tab.
    ``browser_storage`` is what Gradio scrambles the browser's kept workspace key with; the page serves
    it, so it hides nothing, but a fixed one lets the browser read its key back after a restart.
    ``hf_login`` shows *Sign in with Hugging Face* (on a Space with OAuth enabled); ``delete_cache``
    (every, older than; seconds) is how Gradio clears the files it served."""
    use_atomic_image_cache()  # identical results for two users at once must not truncate each other's download
    with gr.Blocks(title="StyleLab — restyle product photos", analytics_enabled=False,
                   delete_cache=delete_cache) as app:
        gr.Markdown(f"# StyleLab\nRestyle product photos at full resolution — and keep your products' true "
                    f"colours. <span id='device-badge'>Running on <b>{device_name}</b></span>", elem_id="header")
        if hf_login:
            gr.LoginButton(elem_id="hf-login")
        # An anonymous visitor's workspace key, kept in this browser (a reload finds the same templates) and
        # sent with every workspace event (carry_workspace_key below).
        browser_key = gr.BrowserState(None, storage_key="stylelab-workspace", secret=browser_storage)
        with gr.Tabs(elem_id="tabs") as tabs:
            with gr.Tab("Restyle", id="restyle", elem_id="tab-restyle"):
                restyle = create_restyle_tab(actions, DEFAULT_TEMPLATE)
            with gr.Tab("Compare", id="compare", elem_id="tab-compare"):
                compare = create_compare_tab(actions, DEFAULT_COMPARISON)
            with gr.Tab("Product shots", id="generate", elem_id="tab-generate"):
                generate = create_generate_tab(actions, DEFAULT_TEMPLATE, catalog)
            creatives = None
            if creative is not None:
                with gr.Tab("Ad creatives", id="creatives", elem_id="tab-creatives"):
                    creatives = create_creatives_tab(creative)
            with gr.Tab("My templates", id="templates", elem_id="tab-templates"):
                manage = create_templates_tab(actions)
            if admin is not None and admin.enabled:  # no password configured: no admin tab at all
                with gr.Tab("Admin", id="admin", elem_id="tab-admin"):
                    create_admin_tab(admin, actions, catalog)

        template_outputs = [restyle.template_gallery, restyle.template, restyle.blend_template, compare.templates,
                            manage.gallery, manage.chosen, generate.template]
        if generate.catalog is not None:  # a generated image goes to the Restyle tab as its photo
            generate.catalog.send_to_restyle.click(lambda path: ([path] if path else None, gr.Tabs(selected="restyle")),
                                                   generate.catalog.generated, [restyle.photo_files, tabs],
                                                   api_visibility="private")

        def refreshed_templates(select: str | None = None) -> list:
            names = actions.template_names()
            custom = actions.custom_template_names()
            return [
                gr.update(value=actions.gallery_items()),
                gr.update(choices=names),
                gr.update(choices=["(none)", *names]),
                gr.update(choices=names),
                gr.update(value=custom_gallery_items(actions)),
                gr.update(choices=custom, value=select if select in custom else (custom[0] if custom else None)),
                gr.update(choices=names),
            ]

        @user_event
        def save_template(name: str, style_image: str | None):
            """Save a style image as a template in your workspace. Returns the message, then the workspace
            key: anonymous API clients send it as the X-StyleLab-Workspace header to keep the workspace."""
            message = actions.save_template(name, style_image)
            return [message, actions.workspace_key(), *refreshed_templates(name.strip())]

        @user_event
        def rename_template(name: str, new_name: str):
            message = actions.rename_template(name, new_name)
            return [message, *refreshed_templates(new_name.strip())]

        @user_event
        def delete_template(name: str):
            message = actions.delete_template(name)
            return [message, *refreshed_templates()]

        def start_session(stored_key: str | None, request: gr.Request):
            """On page load: this browser's workspace (its kept key, in its signed form, or a fresh one) and
            its templates; the key to keep goes back into the browser."""
            kept = stored_key if isinstance(stored_key, str) and stored_key else None
            try:
                with serving(request, kept):
                    return [actions.workspace_key() or stored_key, workspace_note(actions),
                            actions.workspace_key(), *refreshed_templates()]
            except gr.Error:  # a damaged or foreign kept key: a fresh workspace rather than a broken page
                with serving(request):
                    return [actions.workspace_key(), workspace_note(actions), actions.workspace_key(),
                            *refreshed_templates()]

        restyle.save_button.click(save_template, [restyle.template_name, restyle.style_image],
                                  [restyle.save_status, manage.workspace_key, *template_outputs],
                                  api_name="save_template")
        manage.rename_button.click(rename_template, [manage.chosen, manage.new_name],
                                   [manage.status, *template_outputs], api_name="rename_template")
        manage.delete_button.click(delete_template, manage.chosen, [manage.status, *template_outputs],
                                   api_name="delete_template")
        session = app.load(start_session, browser_key, [browser_key, manage.workspace, manage.workspace_key,
                                                        *template_outputs], api_visibility="undocumented")
        if creatives is not None:  # the workspace's brand kit, once the session knows its workspace
            session.then(creatives.load_kit, None, creatives.kit_fields, api_visibility="undocumented")
        if generate.catalog is not None:
            app.load(lambda current: refreshed_generators(catalog, current), generate.catalog.generator,
                     generate.catalog.generator, api_visibility="undocumented")

        @user_event
        def list_templates() -> list[dict[str, str]]:
            """All templates a restyle can use, yours first: [{"name": ..., "kind": "custom" | "house" | "builtin"}]."""
            return actions.list_templates()

        gr.api(list_templates, api_name="list_templates")
        carry_workspace_key(app, browser_key)
    return app
