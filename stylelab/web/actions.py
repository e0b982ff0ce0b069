"""Web actions: the Studio's operations with the plain arguments and display-ready
results that Gradio components deal in (file paths, names, numbers, captions, rows).

The UI tabs are handed these functions; every StyleLabError becomes the one clear
sentence the merchant (or an API client) sees.
"""
from __future__ import annotations

import functools
import hashlib
import logging
import shutil
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image

from stylelab.engine import RestyleSettings
from stylelab.errors import StyleLabError, UserFacingError
from stylelab.imageio import save_image
from stylelab.store.exports import export_results, safe_stem, save_named
from stylelab.product.cutout import LOW_CONFIDENCE, PREVIEW
from stylelab.product.masks import ProductMask, overlay
from stylelab.product.prompts import CutoutPrompt
from stylelab.product.region_metrics import region_figures
from stylelab.product.restyle import ShotProgress
from stylelab.product.scene.options import scene_request
from stylelab.product.shots import Placement
from stylelab.studio import KeptResult, Photo, RestyledPhoto, StyleChoice, Studio
from stylelab.text import literal
from stylelab.web.box_prompt import draw_prompt, prompt_of
from stylelab.web.mask_editor import editor_value
from stylelab.web.shot_request import ShotRequest
from stylelab.vocabulary import CUTOUT_COLUMNS, RESULT_COLUMNS
from stylelab.web.workspace import current_key, current_workspace

log = logging.getLogger("stylelab")
NO_BLEND = "(none)"
BOX_VIEW_SIDE = 1024  # the box tool shows the photo at most this big; its cut-out is a quick preview
QUICK_MASKS_KEPT = 8


def user_errors(function: Callable) -> Callable:
    """Turn our errors into one readable sentence and anything unexpected into a calm one."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except StyleLabError as error:
            raise UserFacingError(str(error)) from None
        except Exception:
            log.exception("unexpected error in %s", function.__name__)
            raise UserFacingError("Something went wrong on our side; the error was logged. Please try again.") from None

    return wrapper


@dataclass
class RestyleOutput:
    slider: tuple[str, str] | None  # the first photo and its result as files named after them
    gallery: list[tuple[Image.Image, str]]
    table: list[list[Any]]
    files: list[str]
    status: str
    results: list[KeptResult]  # what the session keeps: figures and file paths, no pixels
    headers: list[str] = field(default_factory=lambda: list(RESULT_COLUMNS))  # the table's columns


def _settings(strength: float, stroke_scale: float, keep_colours: bool) -> RestyleSettings:
    return RestyleSettings(strength=float(strength), stroke_scale=float(stroke_scale), keep_colours=bool(keep_colours))


def _choice(template: str | None, style_image: str | None, blend_template: str | None, blend_weight: float,
            studio: Studio) -> StyleChoice:
    image = studio.load_photo(style_image, what="style image").image if style_image else None
    blend = None if not blend_template or blend_template == NO_BLEND else blend_template
    return StyleChoice(template=template, style_image=image, blend_template=blend, blend_weight=float(blend_weight),
                       workspace=current_workspace.get())


def _rows(results: Sequence[RestyledPhoto]) -> list[list[Any]]:
    """Photo, Size, SSIM, PSNR, product SSIM, product PSNR, product colour ΔE2000, seconds, device; where
    there are no product figures, the first product cell says why."""
    rows = []
    for r in results:
        product = ([round(r.product.ssim, 4), _finite(r.product.psnr), round(r.product.seen_delta_e, 2)] if r.product
                   else [r.no_product_figures or "—", "—", "—"])
        rows.append([r.name, f"{r.result.width}x{r.result.height}", round(r.similarity.ssim, 4),
                     _finite(r.similarity.psnr), *product, round(r.seconds, 2), r.device])
    return rows


def _finite(value: float) -> float | str:
    return "∞" if value == float("inf") else round(value, 2)


class WebActions:
    def __init__(self, studio: Studio):
        self.studio = studio
        self._masks: OrderedDict[tuple, ProductMask] = OrderedDict()  # see _quick_mask
        self._masks_lock = threading.Lock()

    # -- templates (each request's own workspace, see stylelab.web.workspace) ---------------

    def gallery_items(self) -> list[tuple[str, str]]:
        return [(str(t.thumbnail), t.name) for t in self.studio.templates(current_workspace.get()) if t.thumbnail]

    def template_names(self) -> list[str]:
        return self.studio.template_names(current_workspace.get())

    def custom_template_names(self) -> list[str]:
        """The templates of the request's own workspace (the ones it may rename and delete)."""
        return [t.name for t in self.studio.templates_of(current_workspace.get()).custom()]

    def house_template_names(self) -> list[str]:
        """The admin's published templates (what fine-tuning and versions work on)."""
        return [t.name for t in self.studio.store.custom()]

    def list_templates(self) -> list[dict[str, str]]:
        """Every template a restyle can use: name and kind ("custom" = your own, "house", "builtin")."""
        return [{"name": t.name, "kind": t.kind} for t in self.studio.templates(current_workspace.get())]

    def workspace_key(self) -> str:
        """The anonymous workspace key of this request ("" when signed in)."""
        return current_key.get()

    def workspace_owner(self) -> str:
        workspace = current_workspace.get()
        return workspace.owner if workspace else ""

    @user_errors
    def save_template(self, name: str, style_image: str | None) -> str:
        template = self.studio.save_template(name, style_image, current_workspace.get())
        return f"Saved template **{literal(template.name)}** in your workspace. It is now in the gallery."

    @user_errors
    def rename_template(self, old_name: str, new_name: str) -> str:
        template = self.studio.rename_template(old_name, new_name, current_workspace.get())
        return f"Renamed to **{literal(template.name)}**."

    @user_errors
    def delete_template(self, name: str) -> str:
        self.studio.delete_template(name, current_workspace.get())
        return f"Deleted **{literal(name)}**."

    @user_errors
    def style_preview(self, style_image: str | None) -> Image.Image | None:
        """The sample photo painted in an uploaded style image."""
        if not style_image:
            return None
        choice = StyleChoice(style_image=self.studio.load_photo(style_image, what="style image").image)
        return self.studio.preview(Photo("sample", self.studio.sample_photo), choice, RestyleSettings())

    # -- photos ------------------------------------------------------------------------

    @user_errors
    def load_photos(self, files: Sequence[str] | None) -> tuple[list[Photo], str]:
        photos, problems = self.studio.load_photos([upload_path(f) for f in files or []])
        notes = [f"{p.name}: {p.note}" for p in photos if p.note]
        message = " ".join([*problems, *notes])
        return photos, message

    # -- restyling ---------------------------------------------------------------------

    @user_errors
    def preview(self, photos: Sequence[Photo] | None, selected: int, template: str | None, style_image: str | None,
                strength: float, stroke_scale: float, keep_colours: bool, blend_template: str | None,
                blend_weight: float, mode: str = "whole photo", masks: dict[str, Image.Image] | None = None
                ) -> Image.Image | None:
        if not template and not style_image:
            return None
        if photos:
            photo = photos[min(max(int(selected or 0), 0), len(photos) - 1)]
        else:  # no photo yet: show the style on the sample photo, as the gallery does
            photo = Photo("sample", self.studio.sample_photo)
        choice = _choice(template, style_image, blend_template, blend_weight, self.studio)
        return self.studio.preview(photo, choice, _settings(strength, stroke_scale, keep_colours),
                                   mode or "whole photo", (masks or {}).get(photo.name))

    @user_errors
    def restyle(self, files: Sequence[str] | None, template: str | None, style_image: str | None, strength: float,
                stroke_scale: float, keep_colours: bool, blend_template: str | None, blend_weight: float,
                image_format: str, quality: int, mode: str = "whole photo",
                masks: dict[str, Image.Image] | None = None,
                progress: Callable[[float, str], None] | None = None) -> RestyleOutput:
        photos, problems = self.studio.load_photos([upload_path(f) for f in files or []])
        if not photos:
            raise StyleLabError(" ".join(problems) or "Upload at least one product photo first.")
        choice = _choice(template, style_image, blend_template, blend_weight, self.studio)
        results = self.studio.restyle(photos, choice, _settings(strength, stroke_scale, keep_colours), progress,
                                      mode=mode or "whole photo", masks=masks)
        files_out, archive = self.studio.export(results, image_format, quality)
        kept = self.studio.keep(results, archive.parent, files_out)
        skipped = f" Skipped: {literal(' '.join(problems))}" if problems else ""
        notes = "".join(f" Note for {literal(r.name)}: {literal(r.notes)}." for r in results if r.notes)
        status = f"Restyled {len(results)} photo(s) at full resolution on {results[0].device}.{notes}{skipped}"
        return RestyleOutput(
            slider=self._slider_files(results[0].name, results[0].original, files_out[0], results[0].template),
            gallery=[(r.result, r.caption) for r in results],
            table=_rows(results),
            files=[str(archive), *map(str, files_out)],
            status=status,
            results=kept,
        )

    def _slider_files(self, name: str, original: Image.Image, result_file: Path, template: str = "") -> tuple[str, str]:
        """The before/after slider's two images as files, so its download is called after the photo and
        the template (e.g. mug-coloured-pencil.png), not image.png."""
        folder = self.studio.new_output_folder()
        (before,) = save_named([(f"{name}-photo", original)], folder)
        after = folder / (safe_stem(f"{name}-{template.lower()}" if template else result_file.stem) + result_file.suffix)
        shutil.copyfile(result_file, after)  # the exported file itself: no second encoding
        return str(before), str(after)

    @user_errors
    def rate(self, results: Sequence[KeptResult] | None, index: int, rating: str) -> str:
        if not results:
            raise StyleLabError("Restyle a photo first, then rate the result.")
        result = results[min(max(int(index or 0), 0), len(results) - 1)]
        self.studio.rate(result, rating, current_workspace.get())
        verdict = "thumbs up" if rating == "up" else "thumbs down"
        return f"Thanks — your {verdict} for {result.name} ({result.template}) is recorded."

    @user_errors
    def reexport(self, results: Sequence[KeptResult] | None, image_format: str, quality: int) -> list[str]:
        if not results:
            return []
        try:
            named = [(r.name, self.studio.load_photo(r.result, what="result").image) for r in results]
        except StyleLabError:  # removed after STYLELAB_RESULTS_HOURS
            raise StyleLabError("These results are no longer kept on the server; restyle the photos again.") from None
        files_out, archive = export_results(named, self.studio.new_output_folder(), image_format, quality)
        return [str(archive), *map(str, files_out)]

    # -- product masks ---------------------------------------------------------------------

    @user_errors
    def load_mask_image(self, path: str) -> Image.Image:
        return self.studio.load_photo(upload_path(path), name="mask", what="mask").image

    @user_errors
    def mask_editor_value(self, photo: Photo | str | None, drawn: Image.Image | CutoutPrompt | None = None
                          ) -> tuple[dict[str, Any] | None, str, Image.Image | None]:
        """The photo with its product mask tinted, for the user to correct by brush; a status line (empty:
        the box tool's line above it says what the mask is); the mask at the photo's size."""
        if photo is None:
            return None, "", None
        photo = photo if isinstance(photo, Photo) else self.studio.load_photo(upload_path(photo))
        mask = self._quick_mask(photo, drawn).mask.resize(photo.image.size, Image.Resampling.BILINEAR)
        return editor_value(photo.image, mask), "", mask

    @user_errors
    def product_mask(self, photo: str | None, mask_file: str | None = None, box: str | None = None,
                     include: str | None = None, exclude: str | None = None) -> tuple[Image.Image, str, str]:
        """Overlay, mask PNG path and a status line for a photo (an uploaded mask, else the box and
        clicks, else automatic)."""
        if not photo:
            raise StyleLabError("Upload a product photo first.")
        loaded = self.studio.load_photo(upload_path(photo))
        drawn = self.studio.load_photo(upload_path(mask_file), what="mask").image if mask_file else None
        mask = self.studio.mask_for(loaded, drawn if drawn is not None else prompt_of(box, include, exclude))
        mask_path = self.studio.new_output_folder() / f"{loaded.name}-mask.png"
        mask.mask.save(mask_path)
        return overlay(loaded.image, mask.mask), str(mask_path), f"{mask_status(mask)} Source: {mask.source}."

    @user_errors
    def box_view(self, photo: Photo | str | None, box: str | None, include: str | None, exclude: str | None,
                 painted: Image.Image | None = None) -> tuple[Image.Image | None, float, str, CutoutPrompt | None]:
        """The box tool's picture (the photo with the mask in use tinted and the prompt drawn), photo
        pixels per displayed pixel, a status line, and the prompt in photo pixels. The mask in use is
        the one ``painted`` by brush when there is no prompt, else the quick cut-out."""
        if photo is None:
            return None, 1.0, "", None
        photo = photo if isinstance(photo, Photo) else self.studio.load_photo(upload_path(photo))
        prompt = prompt_of(box, include, exclude)
        prompt = prompt.checked(photo.image.size) if prompt else None
        shown = _box_view_image(photo.image)
        scale = photo.image.width / shown.width
        mask = self._quick_mask(photo, prompt or painted)
        picture = draw_prompt(overlay(shown, mask.mask), prompt, scale)
        return picture, scale, mask_status(mask), prompt

    def _quick_mask(self, photo: Photo, drawn: Image.Image | CutoutPrompt | None) -> ProductMask:
        """The mask the mask panel shows, at the box tool's size: the box tool and the brush editor show
        one mask with one figure (two cut-outs at different sizes disagreed: 69 % beside 95 %). Kept for
        the last few photos, as both ask for it one after the other."""
        shown = _box_view_image(photo.image)
        if isinstance(drawn, Image.Image):
            return self.studio.mask_for(Photo(photo.name, shown), drawn, PREVIEW)
        key = (hashlib.sha1(shown.tobytes()).hexdigest(), shown.size, drawn)
        with self._masks_lock:
            if key in self._masks:
                return self._masks[key]
        scaled = drawn.scaled(shown.width / photo.image.width) if drawn else None
        mask = self.studio.mask_for(Photo(photo.name, shown), scaled, PREVIEW)
        with self._masks_lock:
            self._masks[key] = mask
            while len(self._masks) > QUICK_MASKS_KEPT:
                self._masks.popitem(last=False)
        return mask

    @user_errors
    def cutout(self, photo: str | None, box: str | None = None, include: str | None = None,
               exclude: str | None = None) -> tuple[str, str]:
        """The transparent PNG of a photo's product (from the box and clicks, else automatic) and a status line."""
        if not photo:
            raise StyleLabError("Upload a product photo first.")
        loaded = self.studio.load_photo(upload_path(photo))
        result = self.studio.cutout(loaded, prompt_of(box, include, exclude))
        path = self.studio.new_output_folder() / f"{loaded.name}-cutout.png"
        save_image(result.rgba, path)
        return str(path), _cutout_status(loaded.name, result)

    @user_errors
    def remove_background(self, files: Sequence[str] | None, masks: dict[str, Any] | None = None,
                          progress: Callable[[float, str], None] | None = None) -> RestyleOutput:
        """Every photo's product on transparency: one PNG each and a ZIP."""
        photos, problems = self.studio.load_photos([upload_path(f) for f in files or []])
        if not photos:
            raise StyleLabError(" ".join(problems) or "Upload at least one product photo first.")
        cut, rows, notes = [], [], []
        for index, photo in enumerate(photos):
            if progress:
                progress(index / len(photos), f"Cutting out {photo.name} ({index + 1} of {len(photos)})")
            started = time.perf_counter()
            result = self.studio.cutout(photo, (masks or {}).get(photo.name))
            seconds = time.perf_counter() - started
            cut.append((photo, result))
            rows.append([photo.name, f"{photo.image.width}x{photo.image.height}", result.source,
                         f"{result.confidence:.0%}", round(seconds, 2), self.studio.cutout_device])
            if result.source == "automatic" and result.low_confidence:
                notes.append(_cutout_status(photo.name, result))
        files_out, archive = export_results([(f"{p.name}-cutout", r.rgba) for p, r in cut],
                                            self.studio.new_output_folder(), "PNG", 92)
        skipped = f" Skipped: {literal(' '.join(problems))}" if problems else ""
        status = " ".join([f"Removed the background of {len(cut)} photo(s): transparent PNGs.", *notes]) + skipped
        return RestyleOutput(
            slider=self._slider_files(cut[0][0].name, cut[0][0].image, files_out[0]),
            gallery=[(r.rgba, f"{p.name} · {r.source} cut-out, confidence {r.confidence:.0%}") for p, r in cut],
            table=rows, files=[str(archive), *map(str, files_out)], status=status, results=[],
            headers=list(CUTOUT_COLUMNS))

    @user_errors
    def generate_shots(self, shot: ShotRequest, progress: Callable[[float, str], None] | None = None
                       ) -> tuple[list[tuple[str, str]], list[list[Any]], list[str], str]:
        """Shots in the picked scene (default: the painted backdrop, as before scenes existed)."""
        if not shot.photo:
            raise StyleLabError("Upload a product photo or cutout first.")
        pick, preset, strength = shot.scene, shot.preset, float(shot.strength)
        request = scene_request(pick)
        loaded = self.studio.load_photo(upload_path(shot.photo))
        wants_style = request.settings is None or pick.paint_wall or request.template_palette
        choice = (_choice(shot.template, shot.style_image, None, 0.0, self.studio)
                  if (shot.template or shot.style_image) and wants_style else None)
        if progress:
            progress(0.02, "Rendering scenes" if request.settings else "Painting backdrops")
        scale, x, y, padding = (float(v) for v in shot.placement)
        placement = Placement(scale=scale, x=x, y=y, padding=padding)
        shots, mask = self.studio.shots(loaded, shot.drawn, choice, preset, int(shot.count), int(shot.seed),
                                        placement, strength, request, _samples_reporter(progress))
        named = [(f"{loaded.name}-seed{shot.seed}", shot.image) for shot in shots]
        sidecars = [(f"{loaded.name}-seed{shot.seed}.json", shot.sidecar()) for shot in shots]
        captions = [shot.caption for shot in shots]  # the format is in the status line: captions stay short
        rows = [[f"seed {shot.seed}", f"{shot.image.width}x{shot.image.height}", shot.backdrop,
                 round(shot.product_figures.delta_e, 3) if shot.product_figures else "—"] for shot in shots]
        if request.settings is None and choice is not None:  # a painted backdrop: compare with the photo restyled
            if progress:
                progress(0.8, "Restyling the whole photo for comparison")
            whole = self.studio.restyle([loaded], choice, _settings(strength, 1.0, False))[0]
            named.append((f"{loaded.name}-restyled", whole.result))
            captions.append(f"Whole photo restyled · {whole.caption}")
            whole_product = region_figures(loaded.image, whole.result, mask.mask)
            rows.append(["whole photo restyled", f"{whole.result.width}x{whole.result.height}", "the photo itself",
                         round(whole_product.delta_e, 3) if whole_product else "—"])
        files, archive = export_results(named, self.studio.new_output_folder(), "PNG", 92, sidecars)
        gallery = [(str(path), caption) for path, caption in zip(files, captions)]
        status = (f"Made {len(shots)} {preset} shot(s) with seeds {shots[0].seed}–{shots[-1].seed}"
                  f"{' in a ' + pick.kind + ' scene' if request.settings else ''}. "
                  f"Mask: {mask.source}, confidence {mask.confidence:.0%}. The ZIP holds each shot and its JSON.")
        return gallery, rows, [str(archive), *map(str, files)], status

    @user_errors
    def compare(self, photo: str | None, templates: Sequence[str] | None, strength: float, stroke_scale: float,
                keep_colours: bool, progress: Callable[[float, str], None] | None = None
                ) -> tuple[list[tuple[Image.Image, str]], list[list[Any]], str]:
        if not photo:
            raise StyleLabError("Upload the hero photo to compare templates on.")
        loaded = self.studio.load_photo(upload_path(photo))
        results = self.studio.compare(loaded, templates or [], _settings(strength, stroke_scale, keep_colours),
                                      progress, current_workspace.get())
        files = save_named([(f"{loaded.name}-{r.name.lower()}", r.result) for r in results],
                           self.studio.new_output_folder())  # a download is named after photo and template
        gallery = [(str(path), r.caption) for path, r in zip(files, results)]
        return gallery, _rows(results), f"Compared {len(results)} template(s) on {loaded.name}."


def _samples_reporter(progress: Callable[[float, str], None] | None) -> ShotProgress | None:
    """The renderer's samples as the progress bar's fraction and words."""
    if progress is None:
        return None

    def report(number: int, count: int, done: int, total: int) -> None:
        progress(((number - 1) + done / max(total, 1)) / count, f"Shot {number} of {count}: {done}/{total} samples")
    return report


def mask_status(mask: ProductMask) -> str:
    """The mask panel's one status line: what the mask is, one confidence figure, what to do next."""
    if mask.source == "drawn":
        return "Using your own mask. Drag a box to start again from a cut-out."
    if mask.source == "alpha":
        return "Using the cutout's transparency."
    if mask.source == "automatic" and mask.confidence < LOW_CONFIDENCE:
        return (f"The automatic cut-out is unsure ({mask.confidence:.0%}): drag a box around the product "
                "on the photo.")
    if mask.source == "automatic":
        return f"Automatic cut-out, confidence {mask.confidence:.0%}. Drag a box to guide it."
    if mask.confidence < LOW_CONFIDENCE and mask.note:  # an unsure box or click cut-out asks for the click that fixes it
        return mask.note
    return f"Cut out from your {mask.source}. Add **Product** / **Not product** clicks to correct it."


def _box_view_image(photo: Image.Image) -> Image.Image:
    shown = photo.copy()
    shown.thumbnail((BOX_VIEW_SIDE, BOX_VIEW_SIDE), Image.Resampling.LANCZOS)
    return shown


def _cutout_status(name: str, result: Any) -> str:
    if result.source == "automatic" and result.low_confidence:
        return (f"The automatic cut-out of {literal(name)} is unsure ({result.confidence:.0%}): set a box around the "
                "product on the photo and cut it out again.")
    if result.source in ("box", "clicks") and result.low_confidence:
        return (f"The cut-out of {literal(name)} from your {result.source} is unsure ({result.confidence:.0%}): add a "
                "not-product click on backdrop it kept, or a product click on a part it lost.")
    return f"Cut out {literal(name)}: {result.source}, confidence {result.confidence:.0%}."


def upload_path(file: Any) -> str:
    """Gradio hands files over as paths or as objects with a .name / path."""
    if isinstance(file, (str, Path)):
        return str(file)
    for attribute in ("path", "name"):
        if hasattr(file, attribute):
            return str(getattr(file, attribute))
    if isinstance(file, dict) and "path" in file:
        return str(file["path"])
    raise StyleLabError("That upload could not be read; please try the file again.")
