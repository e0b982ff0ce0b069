"""The Admin tab's "Catalog generator" section: train from scratch or fine-tune (FreezeD), watch
losses and FD/KID-MobileNet, see the sample grid, cancel. The password goes with every event."""
from __future__ import annotations

from typing import Any

import gradio as gr
import pandas as pd

from stylelab.web.catalog_section import FIGURE_HEADERS
from stylelab.web.common import admin_event, for_client, shown_to_user

MODES = [("Train from scratch", "scratch"), ("Fine-tune an existing generator (lower discriminator layers frozen)",
                                             "finetune")]
NETWORKS = [("StyleGAN-style (can be fine-tuned later)", "stylegan"),
            ("FastGAN-lite (learns faster from few photos; cannot be fine-tuned)", "fastgan")]
FINISHED = ("finished", "cancelled", "failed")
# fixed colours for both curves: otherwise the plot keeps the categories of its first update only
CURVE_COLOURS = {"generator": "#4f46e5", "discriminator": "#db2777"}


def create_catalog_admin(catalog: Any, password: gr.Textbox) -> None:
    names = catalog.generator_names()
    gr.Markdown("### Catalog generator\nA generator (StyleGAN-style or FastGAN-lite) learns one product category from your photos "
                "(or the built-in synthetic bottles and mugs) and makes new product images for the "
                "Product shots tab.")
    with gr.Row(equal_height=False):
        with gr.Column(scale=5):
            mode = gr.Radio(MODES, value="scratch", label="How", elem_id="gan-mode")
            network = gr.Radio(NETWORKS, value="stylegan", label="Network (training from scratch)",
                               elem_id="gan-network",
                               info="In our tests with equal training time, FastGAN-lite drew recognisable "
                                    "products sooner")
            source = gr.Dropdown(names, value=names[0] if names else None, label="Generator to fine-tune",
                                 elem_id="gan-source", info="Fine-tuning keeps its image size")
            data = gr.File(file_count="multiple", file_types=[".jpg", ".jpeg", ".png", ".webp", ".zip"],
                           label="Photos of one product category, or a ZIP (empty: the synthetic set)",
                           elem_id="gan-data", height=110)
            name = gr.Textbox(label="Name", placeholder="e.g. mugs", elem_id="gan-name")
        with gr.Column(scale=5):
            with gr.Row():
                resolution = gr.Dropdown([32, 64, 128, 256], value=64, label="Image size (px)",
                                         elem_id="gan-resolution")
                steps = gr.Slider(10, 20000, value=2000, step=10, label="Steps", elem_id="gan-steps")
            with gr.Row():
                batch_size = gr.Slider(2, 64, value=16, step=2, label="Batch size", elem_id="gan-batch")
                freeze_d = gr.Slider(0, 6, value=2, step=1, label="Frozen discriminator blocks (fine-tuning)",
                                     elem_id="gan-freeze-d")
            with gr.Row():
                center = gr.Checkbox(value=True, label="Centre products on white (product mask)",
                                     elem_id="gan-center")
                mirror = gr.Checkbox(value=True, label="Add mirrored copies", elem_id="gan-mirror")
            with gr.Row():
                start = gr.Button("Start training", variant="primary", elem_id="gan-start")
                cancel = gr.Button("Cancel", variant="stop", elem_id="gan-cancel")
    with gr.Row():
        job_state = gr.Number(value=None, precision=0, label="Job", interactive=False, elem_id="gan-job-id", scale=1)
        job_status = gr.Markdown(elem_id="gan-job-status")
    with gr.Row(equal_height=False):
        curves = gr.LinePlot(x="step", y="loss", color="curve", label="Generator and discriminator loss",
                             elem_id="gan-curves", height=260, color_map=CURVE_COLOURS)
        grid = gr.Image(label="Samples (the same 32 seeds at every checkpoint)", interactive=False,
                        elem_id="gan-samples", height=260)
    figures = gr.Dataframe(headers=FIGURE_HEADERS, interactive=False, elem_id="gan-figures",
                           label="FD-MobileNet / KID-MobileNet against held-out photos (lower is better)")
    timer = gr.Timer(1.0, active=False)

    @admin_event
    def do_start(credential, mode, data, name, source, resolution, steps, batch_size, freeze_d, center, mirror,
                 network):
        job_id, message = catalog.start_training(credential, mode, data, name, source, resolution, steps,
                                                 batch_size, freeze_d, center, mirror, architecture=network)
        return job_id, message, gr.Timer(active=True)

    @shown_to_user
    def fetch(credential, job_id):
        return catalog.training_status(credential, job_id)

    @for_client
    def poll(credential, job_id):
        if not job_id:
            return gr.update(), gr.update(), gr.update(), gr.update(), gr.update(), gr.Timer(active=False)
        message, history, picture, table = fetch(credential, job_id)
        rows = [{"step": h["step"], "loss": h[key], "curve": label} for h in history
                for key, label in (("generator_loss", "generator"), ("discriminator_loss", "discriminator"))
                if h[key] == h[key]]  # NaN at step 0 (nothing trained yet) is left out
        finished = any(f"**{word}**" in message for word in FINISHED)
        names = catalog.generator_names()
        placeholder = [{"step": 0, "loss": 0.0, "curve": name} for name in CURVE_COLOURS]
        return (message, pd.DataFrame(rows or placeholder), picture, table,
                gr.update(choices=names), gr.Timer(active=not finished))

    @admin_event
    def do_cancel(credential, job_id):
        return catalog.cancel_training(credential, job_id) if job_id else "No job is running."

    start.click(do_start, [password, mode, data, name, source, resolution, steps, batch_size, freeze_d, center,
                           mirror, network], [job_state, job_status, timer], api_name="start_generator_training")
    timer.tick(poll, [password, job_state], [job_status, curves, grid, figures, source, timer],
               api_visibility="undocumented", show_progress="hidden")
    cancel.click(do_cancel, [password, job_state], job_status, api_name="cancel_generator_training")
