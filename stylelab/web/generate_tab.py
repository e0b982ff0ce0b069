"""The Product shots tab: the product in lit scenes (or on painted backdrops) in listing and ad sizes."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from stylelab.product.scene.choices import (COMPASS, DEFAULT_PRESET, GOBO_DESCRIPTIONS, GOBOS, LIGHT_ON_PRODUCT,
                                            MATERIAL_CHOICES, MATERIAL_DESCRIPTIONS, PALETTE_SOURCES, PRESETS,
                                            SCENE_DESCRIPTIONS, SHOT_SCENES, ScenePick)
from stylelab.web.catalog_section import CatalogSection, create_catalog_section
from stylelab.web.box_prompt import add_click, create_box_prompt, dragged_box, prompt_of
from stylelab.web.common import ImageUpload, explain_failures, progress_reporter, shown_to_user, user_event
from stylelab.web.mask_editor import create_mask_editor, mask_from_editor_value
from stylelab.web.shot_request import ShotRequest

SHOT_HEADERS = ["Shot", "Size", "Backdrop", "Product ΔE2000"]


@dataclass
class GenerateTab:
    template: gr.Dropdown
    catalog: CatalogSection | None


def create_generate_tab(actions: Any, default_template: str, catalog: Any = None) -> GenerateTab:
    """``catalog`` (a CatalogActions) adds the "From my catalog" section; None leaves it out."""
    section = create_catalog_section(catalog, actions.template_names(), default_template) if catalog else None
    with gr.Row(equal_height=False):
        with gr.Column(scale=4, min_width=300):
            photo = ImageUpload(type="filepath", image_mode=None, label="Product photo or transparent cutout",
                                sources=["upload", "clipboard"], height=240, elem_id="shot-photo")
            # opened by itself when the automatic cut-out is unsure
            with gr.Accordion("Cut-out: box, clicks and brush", open=False, elem_id="shot-box-panel") as cut_panel:
                tool = create_box_prompt("shot")
                cut_button = gr.Button("Cut out (transparent PNG)", elem_id="cut-out")
                with gr.Row():
                    cut_image = gr.Image(label="Cut-out", interactive=False, height=200, elem_id="cut-image",
                                         format="png", image_mode="RGBA", scale=2)
                    cut_file = gr.File(label="Cut-out (PNG)", elem_id="cut-file", scale=1, height=100)
                masks = create_mask_editor("shot")
                mask_button = gr.Button("Show the mask as an overlay", elem_id="show-mask")
                with gr.Row():
                    mask_overlay = gr.Image(label="Mask overlay (tinted = backdrop)", interactive=False, height=200,
                                            elem_id="mask-overlay", scale=2)
                    mask_file = gr.File(label="Mask (PNG)", elem_id="mask-file", scale=1, height=100)
            preset = gr.Dropdown(list(PRESETS), value=DEFAULT_PRESET, label="Format", elem_id="shot-preset",
                                 info=f"{DEFAULT_PRESET}: {PRESETS[DEFAULT_PRESET].description}")
            with gr.Row():
                scene = gr.Dropdown(list(SHOT_SCENES), value="podium", label="Scene", elem_id="shot-scene",
                                    info=SCENE_DESCRIPTIONS["podium"])
                material = gr.Dropdown(list(MATERIAL_CHOICES), value="auto", label="Podium / surface material",
                                       elem_id="shot-material", info=MATERIAL_DESCRIPTIONS["auto"])
            template = gr.Dropdown(choices=actions.template_names(), value=default_template,
                                   label="Style (painted backdrop, wall paint or template palette)",
                                   elem_id="shot-template", filterable=True, allow_custom_value=True)
            with gr.Row():
                strength = gr.Slider(0, 1, value=0.8, step=0.05, label="Style strength", elem_id="shot-strength")
                paint_wall = gr.Checkbox(False, label="Paint the scene's wall in this style",
                                         elem_id="shot-paint-wall")
            with gr.Accordion("Palette and brand colours", open=False, elem_id="shot-palette-panel"):
                palette = gr.Radio(list(PALETTE_SOURCES), value="harmonised", label="Palette", elem_id="shot-palette",
                                   info="Harmonised and complementary follow the product's main colour")
                brand = gr.Textbox("", label="Brand colours (hex)", placeholder="#E8D5C4, #2F4858",
                                   elem_id="shot-brand",
                                   info="Wall, podium, floor, accent; these win over the palette choice, and "
                                        "missing ones are derived from those given")
            with gr.Accordion("Light and camera", open=False, elem_id="shot-light-panel"):
                light = gr.Radio(["auto", *COMPASS], value="auto", label="Light from (seen from above; front = "
                                 "the camera's side; auto = where the photo's own light came from)",
                                 elem_id="shot-light")
                with gr.Row():
                    elevation = gr.Slider(10, 80, value=40, step=5, label="Light height (°)",
                                          elem_id="shot-elevation")
                    softness = gr.Slider(0, 1, value=0.4, step=0.05, label="Shadow softness",
                                         elem_id="shot-softness")
                with gr.Row():
                    gobo = gr.Dropdown(list(GOBOS), value="auto", label="Light pattern (gobo)", elem_id="shot-gobo",
                                       info=GOBO_DESCRIPTIONS["auto"])
                    light_on_product = gr.Radio(list(LIGHT_ON_PRODUCT), value="auto", label="Light across the product",
                                                info="the pattern's and the set's shadows on the product too "
                                                     "(auto: with window light)", elem_id="shot-light-on-product")
                with gr.Row():
                    camera_auto = gr.Checkbox(True, label="Camera at the photo's own height",
                                              info="a product shot from above stands on a surface seen from above",
                                              elem_id="shot-camera-auto")
                    camera_height = gr.Slider(-0.2, 3.0, value=0.55, step=0.05, label="Camera height",
                                              info="over the product's base, in product heights (when not auto)",
                                              elem_id="shot-camera-height")
                with gr.Row():
                    f_stop = gr.Slider(0, 22, value=5.6, step=0.1, label="Aperture (f-stop)",
                                       info="lower blurs the background more; 0 = everything sharp",
                                       elem_id="shot-f-stop")
                    temperature = gr.Slider(2700, 10000, value=6500, step=100, label="Light colour (K)",
                                            info="lower is warmer; 6500 is neutral", elem_id="shot-temperature")
            with gr.Accordion("Variations and placement", open=False, elem_id="shot-placement-panel"):
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
        with gr.Column(scale=6, min_width=300):
            gallery = gr.Gallery(label="Shots (a painted backdrop also shows the whole photo restyled)", columns=2,
                                 height="auto", object_fit="contain", elem_id="shot-gallery", fit_columns=False)
            table = gr.Dataframe(headers=SHOT_HEADERS, label="The product stays intact: ΔE2000 inside the product",
                                 interactive=False, elem_id="shot-table")
            downloads = gr.File(label="Downloads", file_count="multiple", interactive=False,
                                elem_id="shot-downloads")

    @shown_to_user
    def load_mask(photo_path):
        if not photo_path:
            return None, "", None
        return actions.mask_editor_value(photo_path)

    @shown_to_user
    def show_overlay(photo, mask_image, box="", include="", exclude=""):
        return actions.product_mask(photo, mask_image, box, include, exclude)

    @shown_to_user
    def cut_out(photo, box="", include="", exclude=""):
        path, status = actions.cutout(photo, box, include, exclude)
        return path, path, status

    @shown_to_user
    def show_box(photo, box_text, include, exclude):
        if not photo:
            return None, 1.0, ""
        picture, scale, status, _ = actions.box_view(photo, box_text, include, exclude)
        return picture, scale, status

    @shown_to_user
    def show_new_photo(photo):
        """The box tool for a new photo; its panel opens when the automatic cut-out is unsure."""
        picture, scale, status = show_box(photo, "", "", "")
        return picture, scale, status, gr.Accordion(open=True) if "unsure" in status else gr.update()

    @shown_to_user
    def box_clicked(photo, mode, corner, scale, box_text, include, exclude, event: gr.SelectData):
        x, y = (float(v) * float(scale or 1.0) for v in event.index)
        corner, box_text, include, exclude = add_click(mode, x, y, corner, box_text, include, exclude)
        if corner is not None:
            return corner, box_text, include, exclude, gr.update(), scale, "Now click the opposite corner."
        return (corner, box_text, include, exclude, *show_box(photo, box_text, include, exclude))

    def box_dragged(photo, drag, scale, include, exclude):
        box_text = dragged_box(drag, scale)
        if not box_text:
            return (gr.update(),) * 7
        return (None, box_text, include, exclude, *show_box(photo, box_text, include, exclude))

    @user_event
    def generate(photo, mask_editor, mask_shown, mask_image, template, preset, count, seed, scale, x, y, padding,
                 strength, scene, material, palette, brand_colours, light, elevation, softness, gobo, camera_height,
                 paint_wall, box="", include="", exclude="", camera_auto=True, f_stop=5.6, light_on_product="auto",
                 temperature=6500, progress=gr.Progress()):
        # an uploaded mask wins, then the box and clicks, then the brush (which starts as the automatic mask)
        prompt = prompt_of(box, include, exclude) if not mask_image else None
        drawn = (actions.load_mask_image(mask_image) if mask_image
                 else prompt or mask_from_editor_value(mask_editor, mask_shown))
        pick = ScenePick(scene, material, palette, brand_colours or "", light, elevation, softness, gobo,
                         "auto" if camera_auto else camera_height, bool(paint_wall), f_stop, light_on_product,
                         temperature)
        request = ShotRequest(photo, drawn, template, None, preset, count, seed, (scale, x, y, padding), strength,
                              pick)
        return actions.generate_shots(request, progress_reporter(progress))

    prompt_fields = [tool.box, tool.include, tool.exclude]
    photo.change(load_mask, photo, [masks.editor, masks.status, masks.shown], api_visibility="undocumented")
    photo.change(lambda: (None, "", "", ""), None, [tool.corner, *prompt_fields], api_visibility="undocumented").then(
        show_new_photo, photo, [tool.photo, tool.scale, tool.status, cut_panel], api_visibility="undocumented")
    tool.photo.select(box_clicked, [photo, tool.click_mode, tool.corner, tool.scale, *prompt_fields],
                     [tool.corner, *prompt_fields, tool.photo, tool.scale, tool.status], api_visibility="undocumented")
    tool.drag.change(box_dragged, [photo, tool.drag, tool.scale, tool.include, tool.exclude],
                    [tool.corner, *prompt_fields, tool.photo, tool.scale, tool.status], api_visibility="undocumented")
    for field in prompt_fields:
        field.submit(show_box, [photo, *prompt_fields], [tool.photo, tool.scale, tool.status],
                     api_visibility="undocumented")
    tool.clear.click(lambda: (None, "", "", ""), None, [tool.corner, *prompt_fields],
                    api_visibility="undocumented").then(
        show_box, [photo, *prompt_fields], [tool.photo, tool.scale, tool.status], api_visibility="undocumented")
    cut_button.click(cut_out, [photo, *prompt_fields], [cut_image, cut_file, tool.status], api_name="cutout",
                     concurrency_id="restyle")
    mask_button.click(show_overlay, [photo, masks.upload, *prompt_fields], [mask_overlay, mask_file, masks.status],
                      api_name="product_mask")
    generated = button.click(generate, [photo, masks.editor, masks.shown, masks.upload, template, preset, count, seed, scale, x, y,
                            padding, strength, scene, material, palette, brand, light, elevation, softness, gobo,
                            camera_height, paint_wall, *prompt_fields, camera_auto, f_stop, light_on_product,
                            temperature], [gallery, table, downloads, status],
                 api_name="generate_shots",
                 concurrency_id="restyle", scroll_to_output=True)
    explain_failures(generated, status)
    # each hint says what the picked choice does, from the same words as the CLI's help and the docs
    scene.change(lambda kind: gr.Dropdown(info=SCENE_DESCRIPTIONS.get(kind, "")), scene, scene,
                 api_visibility="private", queue=False)
    material.change(lambda name: gr.Dropdown(info=MATERIAL_DESCRIPTIONS.get(name, "")), material, material,
                    api_visibility="private", queue=False)
    gobo.change(lambda name: gr.Dropdown(info=GOBO_DESCRIPTIONS.get(name, "")), gobo, gobo,
                api_visibility="private", queue=False)
    preset.change(lambda name: gr.Dropdown(info=f"{name}: {PRESETS[name].description}" if name in PRESETS else ""),
                  preset, preset, api_visibility="private", queue=False)
    if section is not None:  # a generated image becomes the product photo here
        section.send_to_shots.click(lambda path: path, section.generated, photo, api_visibility="private")
    return GenerateTab(template, section)
