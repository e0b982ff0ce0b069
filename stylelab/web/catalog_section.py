"""The "From my catalog" section of the Product shots tab: new product images from a generator
trained on the merchant's own photos, with seeds, truncation, interpolation, and a hand-off
to Restyle or to Product shots. Generated and restyled side by side.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from stylelab.web.common import shown_to_user, user_event

FIGURE_HEADERS = ["Step", "Images seen", "FD-MobileNet", "KID-MobileNet", "Time (s)"]


@dataclass
class CatalogSection:
    generator: gr.Dropdown
    generated: gr.Image  # the generated image the user chose (a file path)
    send_to_restyle: gr.Button
    send_to_shots: gr.Button


def refreshed_generators(catalog: Any, current: str | None) -> dict:
    """The dropdown's choices now (a job may have added a generator), keeping the choice if it still exists."""
    names = catalog.generator_names()
    return gr.update(choices=names, value=current if current in names else (names[0] if names else None))


def create_catalog_section(catalog: Any, template_names: list[str], default_template: str) -> CatalogSection:
    """``catalog`` is a stylelab.web.gan_actions.CatalogActions (handed in, so this module needs no torch)."""
    names = catalog.generator_names()
    with gr.Accordion("From my catalog: new product images from a generator trained on your photos", open=False,
                      elem_id="catalog-section"):
        with gr.Row(equal_height=False):
            with gr.Column(scale=4, min_width=280):
                generator = gr.Dropdown(names, value=names[0] if names else None, label="Generator",
                                        elem_id="catalog-generator",
                                        info="Trained in the Admin tab (Catalog generator)")
                with gr.Row():
                    seed = gr.Number(value=0, precision=0, minimum=0, label="Seed", elem_id="catalog-seed",
                                     info="Same seed, same image")
                    count = gr.Slider(1, 16, value=8, step=1, label="How many", elem_id="catalog-count")
                truncation = gr.Slider(0, 1, value=0.7, step=0.05, label="Truncation: fidelity ← → variety",
                                       elem_id="catalog-truncation",
                                       info="Lower stays close to a typical product; 1 shows the full range")
                with gr.Row():
                    generate = gr.Button("Generate", variant="primary", elem_id="catalog-generate")
                    refresh = gr.Button("Refresh list", size="sm", elem_id="catalog-refresh")
                with gr.Accordion("Interpolate between two seeds", open=False):
                    with gr.Row():
                        seed_a = gr.Number(value=0, precision=0, minimum=0, label="Seed A", elem_id="catalog-seed-a")
                        seed_b = gr.Number(value=1, precision=0, minimum=0, label="Seed B", elem_id="catalog-seed-b")
                        steps = gr.Slider(2, 12, value=6, step=1, label="Steps", elem_id="catalog-steps")
                    interpolate = gr.Button("Interpolate A → B", elem_id="catalog-interpolate")
            with gr.Column(scale=6, min_width=320):
                status = gr.Markdown(elem_id="catalog-status")
                gallery = gr.Gallery(label="Generated — click one to use it", columns=4, height=340,
                                     object_fit="contain", allow_preview=False, elem_id="catalog-gallery")
                with gr.Row():
                    template = gr.Dropdown(template_names, value=default_template, label="Restyle with",
                                           elem_id="catalog-template", filterable=True, allow_custom_value=True)
                    strength = gr.Slider(0, 1, value=0.8, step=0.05, label="Strength", elem_id="catalog-strength")
                with gr.Row():
                    restyle = gr.Button("Restyle the chosen image", elem_id="catalog-restyle")
                    send_to_restyle = gr.Button("Send to Restyle", elem_id="catalog-send-restyle")
                    send_to_shots = gr.Button("Send to Product shots", elem_id="catalog-send-shots")
        with gr.Row():
            generated = gr.Image(type="filepath", label="Generated (the chosen image)", interactive=False, height=280,
                                 elem_id="catalog-generated", format="png")
            restyled = gr.Image(label="Restyled", interactive=False, height=280, elem_id="catalog-restyled")
        with gr.Accordion("Quality over training (FD/KID on our MobileNetV2 features; lower is better)",
                          open=False, elem_id="catalog-quality"):
            figures = gr.Dataframe(headers=FIGURE_HEADERS, interactive=False, elem_id="catalog-figures")

    @shown_to_user
    def do_generate(generator, seed, truncation, count):
        items, message = catalog.sample(generator, seed, truncation, count)
        return items, message, items[0][0], None, catalog.evaluations(generator)

    @shown_to_user
    def do_interpolate(generator, seed_a, seed_b, steps, truncation):
        items = catalog.interpolate(generator, seed_a, seed_b, steps, truncation)
        return items, f"Seed {int(seed_a)} → seed {int(seed_b)} in {len(items)} steps.", items[0][0], None

    def choose(items, event: gr.SelectData):
        path = items[event.index][0] if items else None
        path = path.get("path") if isinstance(path, dict) else getattr(path, "path", path)
        return path, None

    @user_event
    def do_restyle(image, template, strength):
        return catalog.restyle_generated(image, template, strength)

    generate.click(do_generate, [generator, seed, truncation, count], [gallery, status, generated, restyled, figures],
                   api_name="catalog_generate")
    interpolate.click(do_interpolate, [generator, seed_a, seed_b, steps, truncation],
                      [gallery, status, generated, restyled], api_name="catalog_interpolate")
    gallery.select(choose, gallery, [generated, restyled], api_visibility="undocumented")
    restyle.click(do_restyle, [generated, template, strength], [generated, restyled], api_name="catalog_restyle",
                  concurrency_id="restyle")
    refresh.click(lambda current: refreshed_generators(catalog, current), generator, generator,
                  api_name="catalog_generators")
    return CatalogSection(generator, generated, send_to_restyle, send_to_shots)
