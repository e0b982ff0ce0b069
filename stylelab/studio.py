"""The merchant-facing operations behind the web app and its API, free of any UI code.

The Gradio tabs are handed these methods; they never touch torch themselves.
"""
from __future__ import annotations

import hashlib
import io
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import torch
from PIL import Image

from stylelab.creatives.brand import DEFAULT_COLOURS, BrandKit, make_kit
from stylelab.creatives.creative import AdSource, png_bytes
from stylelab.creatives.fonts import DEFAULT_FAMILY
from stylelab.creatives.formats import ad_format
from stylelab.creatives.layouts import layout
from stylelab.product.compose import MODES
from stylelab.product.scene.choices import SCENE_KINDS, ScenePick
from stylelab.product.scene.options import SceneRequest, scene_request
from stylelab.engine import RestyleSettings, StyleEngine, StyleMix
from stylelab.engine.device import describe
from stylelab.errors import StyleLabError
from stylelab.store.exports import export_results, new_results_folder
from stylelab.imageio import load_image, load_image_with_notes, split_alpha, to_image, to_tensor
from stylelab.product.cutout import FULL, LOW_CONFIDENCE, PREVIEW, CutoutResult, Quality, cutout, photo_mask
from stylelab.product.masks import ProductMask, mask_from_drawing
from stylelab.product.prompts import CutoutPrompt
from stylelab.metrics import Similarity, compare_images, format_similarity
from stylelab.product.restyle import Shot, ShotProgress, generate_shots, restyle_with_mask
from stylelab.product.region_metrics import RegionFigures, region_figures
from stylelab.product.shots import Placement
from stylelab.store.files import check_writable
from stylelab.settings import AppSettings
from stylelab.styles import BUILTIN_STYLES
from stylelab.store.brand_kits import BrandKitStore
from stylelab.store.usage import UsageLog
from stylelab.store.templates import Template, TemplateStore, WorkspaceStores, clean_template_name
from stylelab.store.workspaces import Workspace

THUMBNAIL_SIZE = (240, 160)
MAX_COMPARE = 4
MIN_SIDE = 16  # pixels, the engine's smallest working size
MAX_ASPECT = 20  # longest side over shortest: a banner is about 8:1; 10000x40 is not a photo
TRUSTED_MASK = 0.6  # below this confidence, product figures from an automatic mask are not shown
MaskChoice = Image.Image | CutoutPrompt | None  # a painted or uploaded mask, a box and clicks, or nothing
ProgressCallback = Callable[[float, str], None]


@dataclass(frozen=True)
class StyleChoice:
    """What the merchant picked: a template (or their own style image), optionally blended."""

    template: str | None = None
    style_image: Image.Image | None = None
    blend_template: str | None = None
    blend_weight: float = 0.0
    workspace: Workspace | None = None  # whose templates the names are looked up in (None: the house's)


@dataclass(frozen=True)
class Photo:
    name: str  # file name without extension, for captions and downloads
    image: Image.Image
    note: str = ""  # e.g. "scaled down from 8000x6000"


@dataclass(frozen=True)
class RestyledPhoto:
    name: str
    original: Image.Image
    result: Image.Image
    similarity: Similarity
    seconds: float
    device: str
    product: RegionFigures | None = None  # figures inside the product mask, when there is a mask to trust
    template: str = ""  # what made it, for ratings and the dashboard
    version: str = "v0"
    settings: dict = field(default_factory=dict)
    notes: str = ""  # what was done to make it work, e.g. "scaled down from 8000x6000 to 4096x3072"
    no_product_figures: str = ""  # why ``product`` is None, e.g. "no product mask: unsure cut-out"
    own: bool = False  # made with the workspace's own template (the dashboard keeps those apart)

    @property
    def caption(self) -> str:
        """A short caption for a gallery tile; the full figures are in the results table."""
        colour = f" · colour ΔE {self.product.seen_delta_e:.1f}" if self.product else ""
        return f"{self.name} · {format_similarity(self.similarity)}{colour}"


@dataclass(frozen=True)
class KeptResult:
    """A restyle's result as a web session keeps it between clicks (to compare, rate and re-export):
    its figures and the paths of its pictures on disk. A session holds no pixels, so its memory
    stays small however large the photos are."""

    name: str
    original: str  # the photo as restyled, PNG
    result: str  # the full-resolution result, lossless (PNG)
    similarity: Similarity
    template: str = ""
    version: str = "v0"
    settings: dict = field(default_factory=dict)
    own: bool = False


class Studio:
    def __init__(self, engine: StyleEngine, settings: AppSettings, sample_photo: Image.Image):
        self.engine = engine
        self.settings = settings
        self.sample_photo = sample_photo.convert("RGB")
        check_writable(settings.data_dir)  # a read-only data folder is a sentence at start-up, not a crash later
        self.store = TemplateStore(settings.data_dir, self._builtin_thumbnails())  # the house templates
        self.workspaces = WorkspaceStores(settings.data_dir, self.store)
        self.usage = UsageLog(settings.data_dir)
        self.brand_kits = BrandKitStore(settings.data_dir)
        self._embeddings: OrderedDict[str, torch.Tensor] = OrderedDict()
        self._embeddings_lock = threading.Lock()
        # cut-outs (GrabCut, matting) run on the CPU whatever the engine's device; named the engine's way
        self.cutout_device = describe(torch.device("cpu"))

    # -- templates ---------------------------------------------------------------------

    def _builtin_thumbnails(self) -> dict[int, Path]:
        """Each built-in style applied to the sample photo, made once and cached on disk."""
        folder = self.settings.data_dir / "thumbnails" / "builtin"
        folder.mkdir(parents=True, exist_ok=True)
        sample = self.sample_photo.resize(THUMBNAIL_SIZE, Image.Resampling.LANCZOS)
        paths = {}
        for style in BUILTIN_STYLES:
            path = folder / f"{style.index:02d}-{style.slug}.png"
            if not path.is_file():
                (result,) = self.engine.restyle([to_tensor(sample)], StyleMix(builtin=((style.index, 1.0),)))
                to_image(result).save(path.with_suffix(".partial.png"))
                path.with_suffix(".partial.png").replace(path)
            paths[style.index] = path
        return paths

    def templates_of(self, workspace: Workspace | None) -> TemplateStore:
        """A workspace's own templates plus the house's; None: the house store (the admin's)."""
        return self.workspaces.store(workspace)

    def templates(self, workspace: Workspace | None = None) -> list[Template]:
        return self.templates_of(workspace).all()

    def template_names(self, workspace: Workspace | None = None) -> list[str]:
        return self.templates_of(workspace).names()

    def save_template(self, name: str, style_image: Image.Image | str | None,
                      workspace: Workspace | None = None) -> Template:
        """Save into the workspace; without one, as a house template everyone sees."""
        name = clean_template_name(name)
        if style_image is None:
            raise StyleLabError("Upload a style image first, then save it as a template.")
        image = split_alpha(load_image(style_image, what="style image"))[0]
        embedding = self._embed(image)
        thumbnail = self._apply(self.sample_photo.resize(THUMBNAIL_SIZE, Image.Resampling.LANCZOS),
                                StyleMix(images=((embedding, 1.0),)), RestyleSettings())
        stored_style = image.copy()
        stored_style.thumbnail((1024, 1024), Image.Resampling.LANCZOS)
        return self.templates_of(workspace).save(name, stored_style, embedding, thumbnail)

    def rename_template(self, old_name: str, new_name: str, workspace: Workspace | None = None) -> Template:
        return self.templates_of(workspace).rename(old_name, new_name)

    def delete_template(self, name: str, workspace: Workspace | None = None) -> None:
        self.templates_of(workspace).delete(name)

    # -- style resolution --------------------------------------------------------------

    def mix_for(self, choice: StyleChoice) -> StyleMix:
        if not isinstance(choice.blend_weight, (int, float)) or not 0 <= choice.blend_weight <= 1:
            raise StyleLabError("The blend weight must be from 0 to 1.")
        parts: dict[str, list] = {"builtin": [], "images": [], "tuned": []}
        if choice.style_image is not None:
            parts["images"].append((self._embed(choice.style_image), 1.0))
        else:
            self._add_template(choice.template, 1.0, parts, choice.workspace)
        if choice.blend_template and choice.blend_weight > 0:
            for entries in parts.values():
                entries[:] = [(*entry[:1], entry[1] * (1 - choice.blend_weight), *entry[2:]) for entry in entries]
            self._add_template(choice.blend_template, choice.blend_weight, parts, choice.workspace)
        return StyleMix(builtin=tuple(parts["builtin"]), images=tuple(parts["images"]), tuned=tuple(parts["tuned"]))

    def _add_template(self, name: str | None, weight: float, parts: dict[str, list],
                      workspace: Workspace | None) -> None:
        template = self.templates_of(workspace).find(name or "")
        if template.kind == "builtin":
            parts["builtin"].append((template.builtin_index, weight))
            return
        transformer = self.store.transformer_path(template)
        if transformer is None:
            parts["images"].append((self.store.embedding(template), weight))
        else:
            parts["tuned"].append((self.store.embedding(template), weight, str(transformer)))

    def _embed(self, style_image: Image.Image) -> torch.Tensor:
        """Style embedding, cached by image content so moving a slider doesn't recompute it."""
        rgb = style_image.convert("RGB")
        key = hashlib.sha1(rgb.tobytes() + str(rgb.size).encode()).hexdigest()
        with self._embeddings_lock:
            if key in self._embeddings:
                self._embeddings.move_to_end(key)
                return self._embeddings[key]
        embedding = self.engine.embed_styles([to_tensor(rgb)])[0]
        with self._embeddings_lock:
            self._embeddings[key] = embedding
            while len(self._embeddings) > 64:
                self._embeddings.popitem(last=False)
        return embedding

    # -- photos ------------------------------------------------------------------------

    def load_photos(self, files: Sequence[str | Path]) -> tuple[list[Photo], list[str]]:
        """Readable photos, and one sentence per file that could not be used."""
        if len(files) > self.settings.max_files:
            raise StyleLabError(f"Please upload at most {self.settings.max_files} photos at a time.")
        photos, problems = [], []
        for file in files:
            path = Path(file)
            try:
                photos.append(self.load_photo(path))
            except StyleLabError as error:
                problems.append(str(error))
        return photos, problems

    def load_photo(self, source: str | Path | Image.Image, name: str | None = None, what: str = "photo") -> Photo:
        name = name or _stem(source)
        image, notes = load_image_with_notes(source, what)
        if max(image.size) > MAX_ASPECT * min(image.size):
            raise StyleLabError(f"'{name}' is {image.width}x{image.height} pixels: too long and thin to restyle "
                                f"(at most {MAX_ASPECT}:1). Crop it closer to the product first.")
        if max(image.size) > self.settings.max_side:
            original_size = image.size
            image = image.copy()
            image.thumbnail((self.settings.max_side, self.settings.max_side), Image.Resampling.LANCZOS)
            notes.append(f"scaled down from {original_size[0]}x{original_size[1]} to {image.width}x{image.height}")
        if min(image.size) < MIN_SIDE:
            raise StyleLabError(f"'{name}' is {image.width}x{image.height} pixels; both sides need at least "
                                f"{MIN_SIDE}.")
        return Photo(name, image, "; ".join(notes))

    # -- restyling ---------------------------------------------------------------------

    def _apply(self, image: Image.Image, mix: StyleMix, settings: RestyleSettings,
               notices: list[str] | None = None) -> Image.Image:
        rgb, alpha = split_alpha(image)
        (result,) = self.engine.restyle([to_tensor(rgb)], mix, settings, notices=notices)
        return to_image(result, alpha)

    def preview(self, photo: Photo, choice: StyleChoice, settings: RestyleSettings, mode: str = "whole photo",
                drawn_mask: MaskChoice = None) -> Image.Image:
        """A quick look at reduced size (the preview side), for following the sliders."""
        small = photo.image.copy()
        small.thumbnail((self.settings.preview_side, self.settings.preview_side), Image.Resampling.LANCZOS)
        if mode == "whole photo":
            return self._apply(small, self.mix_for(choice), settings)
        if isinstance(drawn_mask, CutoutPrompt):
            drawn: MaskChoice = drawn_mask.scaled(small.width / photo.image.width)
        else:
            drawn = drawn_mask.resize(small.size, Image.Resampling.BILINEAR) if drawn_mask is not None else None
        mask = self.mask_for(Photo(photo.name, small), drawn, PREVIEW)
        return restyle_with_mask(self.engine, small, mask.mask, self.mix_for(choice), settings, mode)

    def _describe(self, choice: StyleChoice) -> tuple[str, str, bool]:
        """Template name and active version behind a choice, as the dashboard groups them, and whether
        the template is the workspace's own."""
        if choice.style_image is not None:
            return "(uploaded style image)", "v0", False
        template = self.templates_of(choice.workspace).find(choice.template or "")
        version = self.store.active_version(template) if template.kind != "builtin" else "v0"
        blend = f" + {choice.blend_template}" if choice.blend_template and choice.blend_weight else ""
        return template.true_name + blend, version, template.kind == "custom" and choice.workspace is not None

    def rate(self, result: RestyledPhoto | KeptResult, rating: str, workspace: Workspace | None = None) -> None:
        if rating not in ("up", "down"):
            raise StyleLabError("A rating is thumbs up or thumbs down.")
        self.usage.record("rating", rating=rating, template=result.template, version=result.version,
                          settings=result.settings, ssim=result.similarity.ssim, psnr=result.similarity.psnr,
                          photo=result.name, **_who(workspace, result.own and workspace is not None))

    def mask_for(self, photo: Photo, drawn: MaskChoice = None, quality: Quality = FULL) -> ProductMask:
        """The user's painted mask when given, else the cutout's alpha, else a cut-out (from the
        user's box and clicks when given, else automatic)."""
        if isinstance(drawn, Image.Image):
            return mask_from_drawing(photo.image.size, drawn)
        return photo_mask(photo.image, drawn, quality)

    def cutout(self, photo: Photo, drawn: MaskChoice = None) -> CutoutResult:
        """The product on transparency; a painted mask is matted like a box's mask is not, so it is used as drawn."""
        if isinstance(drawn, Image.Image):
            mask = mask_from_drawing(photo.image.size, drawn).mask
            rgba = photo.image.convert("RGB")
            rgba.putalpha(mask)
            return CutoutResult(rgba, mask, 1.0, "drawn")
        return cutout(photo.image, drawn)

    def check_mask(self, photo: Photo, mask: ProductMask) -> None:
        """Background-only restyling on an unsure automatic mask paints patches: ask for a box instead."""
        if mask.source == "automatic" and mask.confidence < LOW_CONFIDENCE:
            raise StyleLabError(f"The automatic cut-out of '{photo.name}' is unsure: "
                                "drag a box around the product in the mask panel, then try again.")

    def restyle(
        self, photos: Sequence[Photo], choice: StyleChoice, settings: RestyleSettings,
        progress: ProgressCallback | None = None, mode: str = "whole photo",
        masks: dict[str, MaskChoice] | None = None,
    ) -> list[RestyledPhoto]:
        if not photos:
            raise StyleLabError("Upload at least one product photo first.")
        if mode not in MODES:
            raise StyleLabError(f"Choose a mode from: {', '.join(MODES)}.")
        mix = self.mix_for(choice)
        results = []
        for index, photo in enumerate(photos):
            if progress:
                progress(index / len(photos), f"Restyling {photo.name} ({index + 1} of {len(photos)})")
            mask = self.mask_for(photo, (masks or {}).get(photo.name))
            results.append(self._restyle_photo(photo, choice, mix, settings, mode, mask))
        if progress:
            progress(1.0, "Done")
        return results

    def _restyle_photo(self, photo: Photo, choice: StyleChoice, mix: StyleMix, settings: RestyleSettings,
                       mode: str, mask: ProductMask) -> RestyledPhoto:
        started = time.perf_counter()
        if mode == "background only":
            self.check_mask(photo, mask)
        notices = [photo.note] if photo.note else []
        if mode == "whole photo":
            result = self._apply(photo.image, mix, settings, notices)
        else:
            result = restyle_with_mask(self.engine, photo.image, mask.mask, mix, settings, mode, notices)
        seconds = time.perf_counter() - started
        trusted = mode != "whole photo" or mask.confidence >= TRUSTED_MASK
        product = region_figures(photo.image, result, mask.mask) if trusted else None
        # no figure here: the mask panel's quick cut-out gives the one figure the user sees
        missing = ("" if product else "no product mask: unsure cut-out" if not trusted
                   else "no product mask: no product found")
        template, version, own = self._describe(choice)
        similarity = compare_images(photo.image, result)
        self.usage.record("use", template=template, version=version, ssim=similarity.ssim, psnr=similarity.psnr,
                          **_who(choice.workspace, own))
        return RestyledPhoto(photo.name, photo.image, result, similarity, seconds, self.engine.device_name, product,
                             template, version, asdict(settings) | {"mode": mode}, "; ".join(notices),
                             no_product_figures=missing, own=own)

    def compare(self, photo: Photo, template_names: Sequence[str], settings: RestyleSettings,
                progress: ProgressCallback | None = None, workspace: Workspace | None = None) -> list[RestyledPhoto]:
        names = [n for n in dict.fromkeys(template_names or []) if n]
        if not names:
            raise StyleLabError("Pick up to four templates to compare.")
        if len(names) > MAX_COMPARE:
            raise StyleLabError(f"Compare at most {MAX_COMPARE} templates at a time.")
        mask = self.mask_for(photo)  # one cut-out for every template: their product figures agree
        results = []
        for index, name in enumerate(names):
            if progress:
                progress(index / len(names), f"Applying {name}")
            choice = StyleChoice(template=name, workspace=workspace)
            restyled = self._restyle_photo(photo, choice, self.mix_for(choice), settings, "whole photo", mask)
            results.append(replace(restyled, name=name))  # each row is named after its template
        return results

    def shots(self, photo: Photo, drawn_mask: MaskChoice, choice: StyleChoice | None, preset: str,
              count: int, seed: int, placement: Placement, strength: float,
              scene: SceneRequest = SceneRequest(None), progress: ShotProgress | None = None
              ) -> tuple[list[Shot], ProductMask]:
        """Product shots in a lit scene (``scene``) or on painted backdrops (its settings None);
        ``choice`` paints the scene's wall or the backdrop, None leaves them unpainted."""
        found = self.cutout(photo, drawn_mask)  # decontaminated colours: no rim of the old background
        mix = self.mix_for(choice) if choice is not None else None
        shots = generate_shots(self.engine, found.rgba, found.mask, mix, preset, count, seed, placement, strength,
                               scene.settings, paint_wall=mix is not None and scene.settings is not None,
                               template_palette=scene.template_palette, progress=progress)
        return shots, ProductMask(found.mask, found.confidence, found.source, found.note)

    # -- ad creatives ------------------------------------------------------------------------

    def brand_kit(self, workspace: Workspace | None = None) -> BrandKit:
        """The workspace's own kit, else the house kit, else StyleLab's default."""
        stored = self.brand_kits.load(workspace)
        if stored is None:
            return BrandKit()
        logo = load_image(Image.open(io.BytesIO(stored.logo_png)), what="logo") if stored.logo_png else None
        fields = stored.fields
        return make_kit(fields.get("colours", DEFAULT_COLOURS), fields.get("heading_font", DEFAULT_FAMILY),
                        fields.get("body_font", DEFAULT_FAMILY), fields.get("cta", ""), logo, stored.source)

    def save_brand_kit(self, kit: BrandKit, workspace: Workspace | None = None) -> None:
        """Into the workspace; without one, as the house kit everyone without their own sees."""
        self.brand_kits.save(workspace, {k: v for k, v in kit.record().items() if k != "source"},
                             png_bytes(kit.logo) if kit.logo is not None else None)

    def ad_shots(self, photo: Photo, scenes: Sequence[str], seed: int, format_name: str,
                 drawn_mask: MaskChoice = None) -> Callable[[str], list[AdSource]]:
        """Shots for creatives, by layout: each scene rendered with the product where the layout wants it
        (shots for layouts that want the same place are rendered once); the product is cut out once."""
        if not scenes:
            raise StyleLabError("Pick at least one scene for the shots.")
        unknown = [kind for kind in scenes if kind not in SCENE_KINDS]
        if unknown:
            raise StyleLabError(f"There is no scene called '{unknown[0]}'. Pick from: {', '.join(SCENE_KINDS)}.")
        if not isinstance(seed, int) or seed < 0:
            raise StyleLabError("The seed must be a whole number, 0 or more.")
        ad_format(format_name)
        found = self.cutout(photo, drawn_mask)
        made: dict[tuple, list[AdSource]] = {}

        def for_layout(layout_name: str) -> list[AdSource]:
            chosen = layout(layout_name)
            key = (*chosen.product_at, chosen.product_scale)
            if key not in made:
                placement = Placement(scale=chosen.product_scale, x=chosen.product_at[0], y=chosen.product_at[1])
                made[key] = []
                for kind in scenes:
                    (shot,) = generate_shots(self.engine, found.rgba, found.mask, None, format_name, 1, seed,
                                             placement, 0.8, scene_request(ScenePick(kind=kind)).settings)
                    made[key].append(AdSource(f"{photo.name}-{kind.replace(' ', '-')}-seed{seed}", shot.image,
                                              tuple(shot.record["product_box"]), shot.record))
            return made[key]

        return for_layout

    def rate_creative(self, record: dict, rating: str, workspace: Workspace | None = None) -> None:
        if rating not in ("good", "not good", "winner"):
            raise StyleLabError("A creative is rated good, not good or a winner.")
        shot = record["source"].get("shot") or {}
        shot_name = f"{shot['scene']} seed {shot.get('seed')}" if "scene" in shot else record["source"]["name"]
        self.usage.record("creative rating", rating=rating, creative=record["name"], layout=record["layout"],
                          format=record["format"], headline=record["copy"]["headline"], copy=record["copy"],
                          shot=shot_name, shot_settings=shot, template=shot.get("template"),
                          brand={k: v for k, v in record["brand"].items() if k != "logo_pixels_sha256"},
                          **_who(workspace, False))

    @staticmethod
    def new_output_folder() -> Path:
        """A fresh folder for one run's downloads (Gradio serves files from the temp folder)."""
        return new_results_folder()

    @staticmethod
    def keep(results: Sequence[RestyledPhoto], folder: Path, exported: Sequence[Path]) -> list[KeptResult]:
        """The results as a session keeps them: figures, and their pictures as files in ``folder``. A
        lossless export is the kept result itself; otherwise a fast PNG is written next to it."""
        kept = []
        for index, (restyled, export) in enumerate(zip(results, exported)):
            original = _quick_png(restyled.original, folder / f".original-{index}.png")
            result = export if export.suffix.lower() == ".png" else _quick_png(restyled.result,
                                                                               folder / f".result-{index}.png")
            kept.append(KeptResult(restyled.name, str(original), str(result), restyled.similarity, restyled.template,
                                   restyled.version, restyled.settings, restyled.own))
        return kept

    def export(self, results: Sequence[RestyledPhoto], image_format: str, quality: int,
               suffix: str = "") -> tuple[list[Path], Path]:
        return export_results([(f"{r.name}{suffix}", r.result) for r in results], self.new_output_folder(),
                              image_format, quality)


def _who(workspace: Workspace | None, own: bool) -> dict[str, str | bool]:
    """Who used or rated, for the dashboard: the workspace's owner and id, and whether the template is
    the workspace's own."""
    return {"by": workspace.owner, "workspace": workspace.id, "own": own} if workspace else {}


def _quick_png(image: Image.Image, path: Path) -> Path:
    """A server-side copy for the session: lossless, fast to write, never downloaded as it is."""
    image.save(path, format="PNG", compress_level=1)
    return path


def _stem(source: object) -> str:
    if isinstance(source, (str, Path)):
        return Path(source).stem
    return "photo"
