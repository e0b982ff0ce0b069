"""The Restyle tab: photos in, a template or your own style image, sliders, full-resolution results."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr
from PIL import Image

from stylelab.product.prompts import CutoutPrompt
from stylelab.text import literal, no_tags
from stylelab.web.box_prompt import add_click, create_box_prompt, dragged_box
from stylelab.web.mask_editor import create_mask_editor, mask_from_editor_value
from stylelab.web.common import (
    DEFAULT_KEEP_COLOURS,
    DEFAULT_STRENGTH,
    ImageUpload,
    explain_failures,
    METRIC_HEADERS,
    keep_colours_checkbox,
    progress_reporter,
    shown_to_user,
    user_event,
    strength_slider,
    stroke_slider,
)

PHOTO_TYPES = [".jpg", ".jpeg", ".png", ".webp", ".gif"]  # a GIF: its first frame, with a note
MODES = ["whole photo", "background only", "product only"]


@dataclass
class RestyleTab:
    template_gallery: gr.Gallery
    template: gr.Dropdown
    blend_template: gr.Dropdown
    style_image: gr.Image
    template_name: gr.Textbox
    save_button: gr.Button
    save_status: gr.Markdown
    photo_files: gr.File


def create_restyle_tab(actions: Any, default_template: str) -> RestyleTab:
    """``actions`` is a stylelab.web.actions.WebActions (handed in, so this module needs no torch)."""
    photos_state = gr.State([])
    selected_state = gr.State(0)
    results_state = gr.State([])
    masks_state = gr.State({})  # photo name -> mask the user painted, or the box and clicks they set
    result_index = gr.State(0)

    with gr.Row(equal_height=False):
        with gr.Column(scale=6, min_width=320):
            gr.Markdown("### 1 · Product photos", elem_classes=["step"])
            photo_files = gr.File(file_count="multiple", file_types=PHOTO_TYPES,
                                  label="JPEG, PNG, WebP or GIF — one or many",
                                  elem_id="photo-upload", height=120)
            photo_strip = gr.Gallery(show_label=False, columns=6, rows=1, height=130, fit_columns=False,
                                     allow_preview=False, object_fit="cover", elem_id="photo-strip", visible=False)
            gr.Markdown("### 2 · Style", elem_classes=["step"])
            gr.Markdown("Click a template to use it.", elem_classes=["hint"])
            template_gallery = gr.Gallery(value=actions.gallery_items(), show_label=False, columns=4, height=380,
                                          allow_preview=False, object_fit="cover", elem_id="template-gallery")
            template = gr.Dropdown(choices=actions.template_names(), value=default_template, label="Template",
                                   elem_id="template", filterable=True, allow_custom_value=True)
            with gr.Accordion("Use my own style image", open=False, elem_id="own-style"):
                style_image = ImageUpload(type="filepath", label="Any picture: a mood board, a painting, a texture",
                                          sources=["upload", "clipboard"], height=200, elem_id="style-image")
                gr.Markdown("While a style image is here, it is used instead of the template. Clear it to go back.")
                with gr.Row():
                    template_name = gr.Textbox(label="Template name", placeholder="e.g. Spring mood board",
                                               max_length=40, elem_id="template-name", scale=3)
                    save_button = gr.Button("Save as template", elem_id="save-template", scale=1)
                save_status = gr.Markdown(elem_id="save-status")
            with gr.Accordion("Product mask of the selected photo", open=False, elem_id="mask-panel") as mask_panel:
                box = create_box_prompt("restyle")
                masks = create_mask_editor("restyle")
                use_mask = gr.Button("Use this mask for this photo", elem_id="use-mask")

        with gr.Column(scale=5, min_width=300):
            gr.Markdown("### 3 · Adjust", elem_classes=["step"])
            strength = strength_slider("strength")
            stroke_scale = stroke_slider("stroke-scale")
            keep_colours = keep_colours_checkbox("keep-colours")
            mode = gr.Radio(MODES, value="whole photo", label="Restyle", elem_id="mode",
                            info="Background only keeps the product photo-true; product only restyles just it")
            with gr.Row():
                blend_template = gr.Dropdown(choices=["(none)", *actions.template_names()], value="(none)",
                                             label="Blend with a second template", elem_id="blend-template",
                                             filterable=True, allow_custom_value=True)
                blend_weight = gr.Slider(0, 1, value=0.3, step=0.05, label="Blend weight", elem_id="blend-weight",
                                         info="Share of the second template")
            preview = gr.Image(value=actions.preview([], 0, default_template, None, DEFAULT_STRENGTH, 1.0,
                                                  DEFAULT_KEEP_COLOURS, "(none)", 0.3),
                               label="Quick preview (reduced size; a sample photo until you add yours)",
                               interactive=False, height=300,
                               elem_id="preview", buttons=[], format="jpeg")
            with gr.Row():
                image_format = gr.Radio(["PNG", "JPEG"], value="PNG", label="Download format", elem_id="format")
                quality = gr.Slider(50, 100, value=92, step=1, label="JPEG quality", elem_id="quality")
            restyle_button = gr.Button("Restyle all at full resolution", variant="primary", size="lg",
                                       elem_id="restyle-button")
            remove_button = gr.Button("Remove background (transparent PNGs)", elem_id="remove-background")
            status = gr.Markdown(elem_id="status")  # under the buttons, where the user looks after a click
    with gr.Column(elem_id="results", visible=False) as results_panel:
        slider = gr.ImageSlider(label="Before | after — drag to compare", format="png", elem_id="result-slider",
                                max_height=620, interactive=False)
        with gr.Row():
            thumbs_up = gr.Button("✓ Good result", size="sm", elem_id="rate-up")
            thumbs_down = gr.Button("✗ Not good", size="sm", elem_id="rate-down")
            rating_status = gr.Markdown(elem_id="rating-status")
        gr.Markdown("All results — click one to compare it above.", elem_classes=["hint"])
        results_gallery = gr.Gallery(show_label=False, columns=4, height=300,
                                     fit_columns=False,
                                     allow_preview=False, object_fit="contain", elem_id="results-gallery",
                                     format="png")
        metrics = gr.Dataframe(headers=METRIC_HEADERS, label="Similarity to the original (full resolution)",
                               interactive=False, elem_id="metrics-table", wrap=True)
        downloads = gr.File(label="Downloads: all results as one ZIP, and each at full resolution",
                            file_count="multiple", interactive=False, elem_id="downloads")

    # -- events --------------------------------------------------------------------------
    preview_inputs = [photos_state, selected_state, template, style_image, strength, stroke_scale, keep_colours,
                      blend_template, blend_weight, mode, masks_state]

    @shown_to_user
    def load_photos(files):
        photos, message = actions.load_photos(files)
        strip = [(p.image, p.name) for p in photos]
        if message:
            gr.Warning(no_tags(message))
        return photos, 0, gr.update(value=strip, visible=bool(strip))

    @user_event
    def show_preview(photos, selected, template, style_image, strength, stroke_scale, keep_colours, blend_template,
                     blend_weight, mode, corrected_masks):
        return actions.preview(photos, selected, template, style_image, strength, stroke_scale, keep_colours,
                               blend_template, blend_weight, mode, corrected_masks)

    @shown_to_user
    def show_mask(photos, selected, corrected):
        if not photos:
            return None, "", None
        photo = photos[min(int(selected or 0), len(photos) - 1)]
        return actions.mask_editor_value(photo, corrected.get(photo.name))

    @shown_to_user
    def show_box(photos, selected, corrected):
        """The box tool for the selected photo, with the prompt or painted mask kept for it; opened when
        the cut-out is unsure."""
        if not photos:
            return None, 1.0, "", "", "", "", gr.update()
        photo = photos[min(int(selected or 0), len(photos) - 1)]
        kept = corrected.get(photo.name)
        texts = _prompt_texts(kept if isinstance(kept, CutoutPrompt) else None)
        painted = kept if isinstance(kept, Image.Image) else None
        picture, scale, status, _ = actions.box_view(photo, *texts, painted)
        unsure = "unsure" in status
        return picture, scale, status, *texts, gr.Accordion(open=True) if unsure else gr.update()

    @shown_to_user
    def box_changed(photos, selected, corrected, box_text, include, exclude):
        if not photos:
            raise gr.Error("Upload a photo first.", print_exception=False)
        photo = photos[min(int(selected or 0), len(photos) - 1)]
        picture, scale, status, prompt = actions.box_view(photo, box_text, include, exclude)
        corrected = {name: value for name, value in corrected.items() if name != photo.name}
        if prompt is not None:
            corrected[photo.name] = prompt
        return picture, scale, status, corrected

    @shown_to_user
    def box_clicked(photos, selected, corrected, mode, corner, scale, box_text, include, exclude,
                    event: gr.SelectData):
        x, y = (float(v) * float(scale or 1.0) for v in event.index)
        corner, box_text, include, exclude = add_click(mode, x, y, corner, box_text, include, exclude)
        if corner is not None:  # half a box: show where it starts
            return corner, box_text, include, exclude, gr.update(), scale, "Now click the opposite corner.", corrected
        return (corner, box_text, include, exclude,
                *box_changed(photos, selected, corrected, box_text, include, exclude))

    @shown_to_user
    def box_dragged(photos, selected, corrected, drag, scale, include, exclude):
        box_text = dragged_box(drag, scale)
        if not box_text:
            return (gr.update(),) * 8
        return (None, box_text, include, exclude, *box_changed(photos, selected, corrected, box_text, include, exclude))

    @shown_to_user
    def keep_mask(photos, selected, corrected, editor_value, shown, uploaded):
        if not photos:
            raise gr.Error("Upload a photo first.", print_exception=False)
        photo = photos[min(int(selected or 0), len(photos) - 1)]
        # no strokes: the mask as shown is the one to use
        drawn = (actions.load_mask_image(uploaded) if uploaded
                 else mask_from_editor_value(editor_value, shown) or shown)
        if drawn is None:
            raise gr.Error("Paint the product on the mask, or upload a mask, first.", print_exception=False)
        corrected = {**corrected, photo.name: drawn}
        editor, _, shown = actions.mask_editor_value(photo, drawn)  # the strokes are now part of the mask shown
        return corrected, f"Using your mask for **{literal(photo.name)}**.", editor, shown

    def choose_template(event: gr.SelectData):
        caption = event.value.get("caption") if isinstance(event.value, dict) else None
        return caption or gr.update()

    def choose_photo(event: gr.SelectData):
        return event.index

    @user_event
    def restyle(photos, template, style_image, strength, stroke_scale, keep_colours, blend_template, blend_weight,
                image_format, quality, mode, corrected_masks=None, progress=gr.Progress()):
        output = actions.restyle(photos, template, style_image, strength, stroke_scale, keep_colours, blend_template,
                                 blend_weight, image_format, quality, mode, corrected_masks,
                                 progress_reporter(progress))
        return _shown(output)

    def compare_result(results, event: gr.SelectData):
        if not results or event.index is None:
            return gr.update(), gr.update()
        chosen = results[event.index]
        return (chosen.original, chosen.result), event.index

    @user_event
    def rate_up(results, index):
        return actions.rate(results, index, "up")

    @user_event
    def rate_down(results, index):
        return actions.rate(results, index, "down")

    @shown_to_user
    def reexport(results, image_format, quality):
        if not results:  # cut-outs are always PNG: nothing to convert
            return gr.update()
        return actions.reexport(results, image_format, quality)

    @user_event
    def remove_background(photos, corrected, progress=gr.Progress()):
        return _shown(actions.remove_background(photos, corrected, progress_reporter(progress)))

    mask_inputs = [photos_state, selected_state, masks_state]
    mask_outputs = [masks.editor, masks.status, masks.shown]
    # a new prompt: a new mask. The box tool's picture goes back first; the brush editor (three images at the
    # photo's size) follows from the same cached cut-out, so a click answers in the box tool sooner
    prompt_outputs = [box.photo, box.scale, box.status, masks_state]
    loaded = photo_files.change(load_photos, photo_files, [photos_state, selected_state, photo_strip],
                                api_visibility="undocumented")
    loaded.then(show_preview, preview_inputs, preview, api_visibility="undocumented")
    box_outputs = [box.photo, box.scale, box.status, box.box, box.include, box.exclude, mask_panel]
    loaded.then(lambda: {}, None, masks_state, api_visibility="undocumented").then(
        show_mask, mask_inputs, mask_outputs, api_visibility="undocumented").then(
        show_box, mask_inputs, box_outputs, api_visibility="undocumented")
    selected = photo_strip.select(choose_photo, None, selected_state, api_visibility="undocumented")
    selected.then(show_preview, preview_inputs, preview, api_visibility="undocumented")
    selected.then(show_mask, mask_inputs, mask_outputs, api_visibility="undocumented")
    selected.then(show_box, mask_inputs, box_outputs, api_visibility="undocumented")
    prompt_fields = [box.box, box.include, box.exclude]
    box.photo.select(box_clicked, [*mask_inputs, box.click_mode, box.corner, box.scale, *prompt_fields],
                     [box.corner, *prompt_fields, *prompt_outputs], api_visibility="undocumented").then(
        show_mask, mask_inputs, mask_outputs, api_visibility="undocumented").then(
        show_preview, preview_inputs, preview, api_visibility="undocumented")
    box.drag.change(box_dragged, [*mask_inputs, box.drag, box.scale, box.include, box.exclude],
                   [box.corner, *prompt_fields, *prompt_outputs], api_visibility="undocumented").then(
        show_mask, mask_inputs, mask_outputs, api_visibility="undocumented").then(
        show_preview, preview_inputs, preview, api_visibility="undocumented")
    for field in prompt_fields:
        field.submit(box_changed, [*mask_inputs, *prompt_fields], prompt_outputs,
                     api_visibility="undocumented").then(show_mask, mask_inputs, mask_outputs,
                                                         api_visibility="undocumented")
    box.clear.click(lambda: (None, "", "", ""), None, [box.corner, *prompt_fields],
                    api_visibility="undocumented").then(
        box_changed, [*mask_inputs, *prompt_fields], prompt_outputs,
        api_visibility="undocumented").then(show_mask, mask_inputs, mask_outputs, api_visibility="undocumented")
    use_mask.click(keep_mask, [photos_state, selected_state, masks_state, masks.editor, masks.shown, masks.upload],
                   [masks_state, masks.status, masks.editor, masks.shown], api_visibility="undocumented",
                   show_progress_on=[masks.status]).then(
        show_preview, preview_inputs, preview, api_visibility="undocumented").then(
        show_box, mask_inputs, box_outputs, api_visibility="undocumented")  # the box tool shows the brushed mask
    template_gallery.select(choose_template, None, template, api_visibility="undocumented")
    for control in (template, style_image, keep_colours, blend_template, mode):
        control.change(show_preview, preview_inputs, preview, trigger_mode="always_last",
                       show_progress="minimal", api_visibility="undocumented")
    for control in (strength, stroke_scale, blend_weight):
        control.release(show_preview, preview_inputs, preview, trigger_mode="always_last",
                        show_progress="minimal", api_visibility="undocumented")
    restyled = restyle_button.click(
        restyle,
        [photo_files, template, style_image, strength, stroke_scale, keep_colours, blend_template, blend_weight,
         image_format, quality, mode, masks_state],
        [slider, results_gallery, metrics, downloads, status, results_state, results_panel, result_index],
        api_name="restyle", scroll_to_output=True, concurrency_id="restyle",
    )
    explain_failures(restyled, status)
    removed = remove_button.click(remove_background, [photo_files, masks_state],
                        [slider, results_gallery, metrics, downloads, status, results_state, results_panel,
                         result_index], api_visibility="undocumented", scroll_to_output=True,
                        concurrency_id="restyle")
    explain_failures(removed, status)
    results_gallery.select(compare_result, results_state, [slider, result_index], api_visibility="undocumented")
    thumbs_up.click(rate_up, [results_state, result_index], rating_status, api_visibility="undocumented")
    thumbs_down.click(rate_down, [results_state, result_index], rating_status, api_visibility="undocumented")
    for control in (image_format, quality):
        control.change(reexport, [results_state, image_format, quality], downloads, trigger_mode="always_last",
                       api_visibility="undocumented")
    return RestyleTab(template_gallery, template, blend_template, style_image, template_name, save_button,
                      save_status, photo_files)


def _shown(output: Any) -> tuple:
    """A RestyleOutput as the results panel's values: slider, gallery, table, downloads, status, results,
    the panel shown, the first result picked."""
    gallery = list(zip(output.files[1:], [caption for _, caption in output.gallery]))
    table = {"headers": output.headers, "data": output.table}
    return output.slider, gallery, table, output.files, output.status, output.results, gr.Column(visible=True), 0


def _prompt_texts(prompt: CutoutPrompt | None) -> tuple[str, str, str]:
    """The box tool's text fields for a kept prompt."""
    if prompt is None:
        return "", "", ""
    numbers = (lambda values: ",".join(str(round(v)) for v in values))
    return (numbers(prompt.box) if prompt.box else "", "; ".join(numbers(p) for p in prompt.include),
            "; ".join(numbers(p) for p in prompt.exclude))
