"""The Admin tab: sign in, fine-tune a style, watch the losses, publish, roll back, and the dashboard.

Every event sends the password field along; the server checks it for each action.
"""
from __future__ import annotations

from typing import Any

import gradio as gr
import pandas as pd

from stylelab.store.usage import CREATIVE_HEADERS, SUMMARY_HEADERS
from stylelab.web.catalog_admin import create_catalog_admin
from stylelab.web.common import ImageUpload, admin_event, for_client, shown_to_user

TRAINABLE = [("Style embedding only (100 numbers, seconds)", "embedding"),
             ("Embedding + style norms of the upper layers (convolutions frozen, minutes)", "upper"),
             ("Everything", "all")]
JOB_HEADERS = ["Job", "Kind", "Name", "Status", "Message"]
DASHBOARD_HEADERS = SUMMARY_HEADERS


def create_admin_tab(admin: Any, actions: Any, catalog: Any = None) -> None:
    with gr.Row():
        password = gr.Textbox(type="password", label="Admin password", elem_id="admin-password", scale=3)
        sign_in = gr.Button("Sign in", elem_id="admin-sign-in", scale=1)
    sign_in_status = gr.Markdown(elem_id="admin-status")
    with gr.Column(visible=False) as panel:
        gr.Markdown("### House templates\nEveryone sees these, read-only; merchants' own templates stay in their "
                    "workspaces.")
        with gr.Row(equal_height=False):
            house_image = ImageUpload(type="filepath", label="Style image", height=160, sources=["upload"],
                                      elem_id="house-style-image", scale=2)
            with gr.Column(scale=3):
                house_name = gr.Textbox(label="House template name", max_length=40, elem_id="house-name")
                with gr.Row():
                    house_publish = gr.Button("Publish as house template", elem_id="house-publish")
                    house_delete = gr.Button("Delete the house template of this name", variant="stop",
                                             elem_id="house-delete")
                house_status = gr.Markdown(elem_id="house-status")
        gr.Markdown("### Fine-tune a style")
        with gr.Row(equal_height=False):
            with gr.Column(scale=5):
                template = gr.Dropdown(choices=actions.house_template_names(), label="A house template",
                                       elem_id="ft-template", allow_custom_value=True)
                style_image = ImageUpload(type="filepath", label="…or a style image", height=160,
                                          sources=["upload"], elem_id="ft-style-image")
                photos = gr.File(file_count="multiple", file_types=[".jpg", ".jpeg", ".png", ".webp", ".zip"],
                                 label="Training photos or a ZIP (empty: the built-in sample set)",
                                 elem_id="ft-photos", height=110)
                name = gr.Textbox(label="Publish as template", placeholder="default: the template's name",
                                  elem_id="ft-name")
            with gr.Column(scale=5):
                trainable = gr.Radio(TRAINABLE, value="embedding", label="What to train", elem_id="ft-trainable")
                with gr.Row():
                    steps = gr.Slider(0, 2000, value=0, step=5, label="Most steps (0 = the recipe's default: "
                                      "32 for the embedding, 150 otherwise)", elem_id="ft-steps")
                    learning_rate = gr.Number(value=0, label="Learning rate (0 = the mode's default)",
                                              minimum=0, elem_id="ft-lr")
                with gr.Row():
                    batch_size = gr.Slider(1, 16, value=4, step=1, label="Batch size", elem_id="ft-batch")
                    image_size = gr.Slider(128, 512, value=192, step=64, label="Image size", elem_id="ft-size")
                with gr.Row():
                    # the fields start at the recipe's defaults; imported here, as the tab is built, because the
                    # training module brings torch and the UI modules must import without it
                    from stylelab.training.finetune import FinetuneSettings

                    recipe = FinetuneSettings()
                    style_weight = gr.Number(value=recipe.style_weight, label="Style weight", elem_id="ft-style-weight")
                    content_weight = gr.Number(value=recipe.content_weight, label="Content weight",
                                               elem_id="ft-content-weight")
                    tv_weight = gr.Number(value=recipe.tv_weight, label="Smoothness (TV) weight",
                                          elem_id="ft-tv-weight")
                    embedding_weight = gr.Number(value=None, label="Embedding weight (blank: the mode's default)",
                                                 elem_id="ft-emb-weight")
                with gr.Row():
                    start = gr.Button("Start fine-tuning", variant="primary", elem_id="ft-start")
                    cancel = gr.Button("Cancel", variant="stop", elem_id="ft-cancel")
        with gr.Row():
            job_state = gr.Number(value=None, precision=0, label="Job", interactive=False, elem_id="ft-job-id",
                                  scale=1)
            job_status = gr.Markdown(elem_id="ft-job-status")
        with gr.Row(equal_height=False):
            curves = gr.LinePlot(x="step", y="loss", color="curve", label="Loss (train and validation)",
                                 elem_id="ft-curves", height=260)
            before_after = gr.Image(label="Held-out photos: original | before | after", interactive=False,
                                    elem_id="ft-before-after", height=260)
        with gr.Accordion("All jobs (kept across restarts)", open=False, elem_id="jobs-panel"):
            refresh_jobs = gr.Button("Refresh", size="sm", elem_id="jobs-refresh")
            jobs = gr.Dataframe(headers=JOB_HEADERS, interactive=False, elem_id="jobs-table", wrap=True)
        with gr.Row():
            publish = gr.Button("Publish as the template's new version", elem_id="ft-publish")
        publish_status = gr.Markdown(elem_id="ft-publish-status")
        gr.Markdown("### Versions")
        with gr.Row():
            version_template = gr.Dropdown(choices=actions.house_template_names(), label="Template",
                                           elem_id="version-template", allow_custom_value=True)
            version = gr.Textbox(label="Version (e.g. v0, v001)", elem_id="version-name")
            show_versions = gr.Button("Show versions", elem_id="version-show")
            activate = gr.Button("Make active (roll back)", elem_id="version-activate")
            delete = gr.Button("Delete version", variant="stop", elem_id="version-delete")
        versions = gr.Dataframe(headers=["Version", "Active", "Trained", "Run"], interactive=False,
                                elem_id="version-table")
        version_status = gr.Markdown(elem_id="version-status")
        gr.Markdown("### Dashboard: uses, figures and ratings per template and version")
        with gr.Row():
            refresh = gr.Button("Refresh", elem_id="dashboard-refresh")
            export = gr.Button("Export CSV", elem_id="dashboard-export")
        dashboard = gr.Dataframe(headers=DASHBOARD_HEADERS, interactive=False, elem_id="dashboard-table")
        dashboard_file = gr.File(label="Dashboard CSV", elem_id="dashboard-csv")
        gr.Markdown("### Ad creatives: ratings per layout, format and headline")
        creative_table = gr.Dataframe(headers=CREATIVE_HEADERS, interactive=False, elem_id="creative-dashboard-table",
                                      wrap=True)
        with gr.Row():
            creative_export = gr.Button("Export ad creatives CSV", elem_id="creative-dashboard-export")
            house_kit = gr.Button("Publish my brand kit as the house kit", elem_id="publish-house-kit")
        creative_file = gr.File(label="Ad creatives CSV", elem_id="creative-dashboard-csv")
        house_kit_status = gr.Markdown(elem_id="house-kit-status")
        if catalog is not None:
            create_catalog_admin(catalog, password)
        timer = gr.Timer(1.0, active=False)

    @admin_event
    def do_sign_in(credential):
        return admin.sign_in(credential), gr.Column(visible=True)

    @admin_event
    def do_start(credential, template, style_image, photos, name, trainable, steps, learning_rate, batch_size,
                 image_size, style_weight, content_weight, tv_weight, embedding_weight):
        job_id, message = admin.start_finetune(credential, template, style_image, photos, name, trainable, steps,
                                               learning_rate, batch_size, image_size, style_weight, content_weight,
                                               tv_weight, embedding_weight)
        return job_id, message, gr.Timer(active=True)

    @shown_to_user
    def fetch_status(credential, job_id):
        return admin.job_status(credential, job_id)

    @for_client
    def poll(credential, job_id):
        if not job_id:
            return gr.update(), gr.update(), gr.update(), gr.Timer(active=False)
        message, history, picture = fetch_status(credential, job_id)
        rows = [{"step": h["step"], "loss": h["train_loss"], "curve": "train"} for h in history]
        rows += [{"step": h["step"], "loss": h["validation_loss"], "curve": "validation"}
                 for h in history if h["validation_loss"] is not None]
        finished = any(word in message for word in ("finished", "early stopping", "cancelled", "failed"))
        return (message, pd.DataFrame(rows or [{"step": 0, "loss": 0.0, "curve": "train"}]), picture,
                gr.Timer(active=not finished))

    @admin_event
    def do_cancel(credential, job_id):
        if not job_id:
            return "No job is running."
        return admin.cancel_job(credential, job_id)

    @admin_event
    def do_publish(credential, job_id):
        if not job_id:
            return "Start a job first.", gr.update()
        message = admin.publish(credential, job_id)
        names = actions.house_template_names()
        return message, gr.update(choices=names, value=admin.jobs.get(int(job_id)).name)

    @admin_event
    def publish_house(credential, name, style_image):
        message = admin.publish_house_template(credential, name, style_image)
        names = actions.house_template_names()
        return message, gr.update(choices=names), gr.update(choices=names)

    @admin_event
    def delete_house(credential, name):
        message = admin.delete_house_template(credential, name)
        names = actions.house_template_names()
        return message, gr.update(choices=names), gr.update(choices=names)

    @admin_event
    def list_versions(credential, template):
        return admin.versions(credential, template)

    @admin_event
    def activate_version(credential, template, version):
        return admin.activate_version(credential, template, version)

    @admin_event
    def delete_version(credential, template, version):
        return admin.delete_version(credential, template, version)

    @admin_event
    def list_jobs(credential):
        return admin.list_jobs(credential)

    @admin_event
    def show_creative_dashboard(credential):
        return admin.creative_dashboard(credential)

    @admin_event
    def export_creative_dashboard(credential):
        return admin.creative_dashboard_csv(credential)

    @admin_event
    def publish_house_kit(credential):
        return admin.publish_house_brand_kit(credential)

    @admin_event
    def show_dashboard(credential):
        return admin.dashboard(credential)

    @admin_event
    def export_dashboard(credential):
        return admin.dashboard_csv(credential)

    house_publish.click(publish_house, [password, house_name, house_image], [house_status, template, version_template],
                        api_name="publish_house_template")
    house_delete.click(delete_house, [password, house_name], [house_status, template, version_template],
                       api_name="delete_house_template")
    show_versions.click(list_versions, [password, version_template], versions, api_name="list_versions")
    refresh_jobs.click(list_jobs, password, jobs, api_name="list_jobs")
    sign_in.click(do_sign_in, password, [sign_in_status, panel], api_name="admin_sign_in").success(
        list_jobs, password, jobs, api_visibility="private")
    start.click(do_start, [password, template, style_image, photos, name, trainable, steps, learning_rate, batch_size,
                           image_size, style_weight, content_weight, tv_weight, embedding_weight],
                [job_state, job_status, timer], api_name="start_finetune")
    timer.tick(poll, [password, job_state], [job_status, curves, before_after, timer], api_visibility="undocumented",
               show_progress="hidden")
    cancel.click(do_cancel, [password, job_state], job_status, api_name="cancel_finetune")
    publish.click(do_publish, [password, job_state], [publish_status, version_template], api_name="publish_version"
                  ).then(list_versions, [password, version_template], versions, api_visibility="private")
    activate.click(activate_version, [password, version_template, version], version_status,
                   api_name="activate_version").then(list_versions, [password, version_template], versions,
                                                     api_visibility="private")
    delete.click(delete_version, [password, version_template, version], version_status,
                 api_name="delete_version").then(list_versions, [password, version_template], versions,
                                                 api_visibility="private")
    refresh.click(show_dashboard, password, dashboard, api_name="dashboard")
    refresh.click(show_creative_dashboard, password, creative_table, api_name="creative_dashboard")
    creative_export.click(export_creative_dashboard, password, creative_file, api_name="creative_dashboard_csv")
    house_kit.click(publish_house_kit, password, house_kit_status, api_name="publish_house_brand_kit")
    export.click(export_dashboard, password, dashboard_file, api_name="dashboard_csv")
