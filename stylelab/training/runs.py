"""Run folders, held-out evaluation and publishing of a fine-tuning run."""
from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from stylelab.engine import imageops
from stylelab.errors import StyleLabError
from stylelab.imageio import load_image, to_image, to_tensor
from stylelab.metrics import compare_images
from stylelab.models import ArbitraryStyleTransformer, StylePredictor
from stylelab.product.masks import automatic_mask
from stylelab.product.region_metrics import region_figures
from stylelab.training import losses
from stylelab.training.data import colours_and_alpha, on_white, split
from stylelab.training.finetune import (FinetuneResult, FinetuneSettings, Progress, StyleTarget, finetune,
                                       held_out_crops, start_embedding)


def new_run_dir(root: Path, name: str) -> Path:
    """``root/00007-name``: every run gets its own numbered folder."""
    root.mkdir(parents=True, exist_ok=True)
    numbers = [int(p.name[:5]) for p in root.iterdir() if re.match(r"\d{5}-", p.name)]
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:30] or "run"
    folder = root / f"{max(numbers, default=0) + 1:05d}-{slug}"
    folder.mkdir()
    return folder


MIN_STYLE_GAIN = 0.05  # a held-out style distance that falls by less is noise, not an improvement
MAX_SSIM_DROP = 0.05  # more than this and the product may no longer look like itself
TRUSTED_MASK = 0.6  # automatic masks below this confidence are not used for the product's colours


@dataclass(frozen=True)
class HeldOutFigures:
    """Before (the pretrained network with the style's embedding) and after (the fine-tuned one), averaged
    over the fixed held-out crops."""
    style_loss_before: float  # held-out style distance: Gram loss against the style's crops
    style_loss_after: float
    ssim_before: float  # content: the result against the photo
    ssim_after: float
    psnr_before: float
    psnr_after: float
    embedding_distance_before: float = 0.0  # second view: the style predictor's embedding, result vs style image
    embedding_distance_after: float = 0.0
    palette_distance_before: float = 0.0  # colours: sliced Wasserstein distance in Lab to the whole painting
    palette_distance_after: float = 0.0
    delta_e_before: float | None = None  # mean ΔE2000 inside the product, where a mask is trusted
    delta_e_after: float | None = None

    @property
    def style_gain(self) -> float:
        """How much closer to the style, as a share of the distance before (0.31 = 31 % closer)."""
        return 1 - self.style_loss_after / max(self.style_loss_before, 1e-12)

    @property
    def embedding_gain(self) -> float:
        return 1 - self.embedding_distance_after / max(self.embedding_distance_before, 1e-12)

    @property
    def palette_gain(self) -> float:
        return 1 - self.palette_distance_after / max(self.palette_distance_before, 1e-12)

    @property
    def improved(self) -> bool:
        return self.style_gain >= MIN_STYLE_GAIN

    @property
    def worth_publishing(self) -> bool:
        return self.improved and self.ssim_after - self.ssim_before >= -MAX_SSIM_DROP


def verdict(figures: HeldOutFigures) -> str:
    """The run's outcome in words, for the admin deciding whether to publish."""
    similarity = f"product similarity {_signed(figures.ssim_after - figures.ssim_before)}"
    if not figures.improved:
        return (f"no improvement (held-out style distance {_percent(-figures.style_gain)}, {similarity}): "
                "not worth publishing")
    closer = f"style closer by {figures.style_gain * 100:.0f} %, {similarity}"
    if figures.worth_publishing:
        return f"{closer}: worth publishing"
    return f"{closer}: the product changes a lot, look at the before/after before publishing"


def _signed(value: float) -> str:
    return f"{value:+.2f}".replace("-", "−")


def _percent(value: float) -> str:
    return f"{value * 100:+.0f} %".replace("-", "−")


def _product_masks(held_out: Sequence[torch.Tensor], size: int) -> list[torch.Tensor | None]:
    """A [1, S, S] mask of each held-out photo's centre square where one is trusted: a cut-out's alpha, or an
    automatic mask the product finder is confident about; None elsewhere."""
    masks: list[torch.Tensor | None] = []
    for photo in held_out:
        if photo.shape[0] == 4:
            mask = photo[3:]
        else:
            found = automatic_mask(to_image(photo))
            mask = to_tensor(found.mask)[:1] if found.confidence >= TRUSTED_MASK else None
        masks.append(None if mask is None else imageops.resize(imageops.center_square(mask)[None], size, size)[0])
    return masks


def _mean_delta_e(photos: torch.Tensor, results: torch.Tensor, masks: list[torch.Tensor | None]) -> float | None:
    values = [region_figures(to_image(p), to_image(r), to_image(m.expand(3, -1, -1)))
              for p, r, m in zip(photos, results, masks) if m is not None]
    values = [v.delta_e for v in values if v is not None]
    return float(np.mean(values)) if values else None


def evaluate_held_out(predictor: StylePredictor, transformer: ArbitraryStyleTransformer, style_image: torch.Tensor,
                      photos: Sequence[torch.Tensor], result: FinetuneResult, settings: FinetuneSettings,
                      run_dir: Path | None) -> HeldOutFigures:
    """Before (pretrained) and after (fine-tuned) on the fixed held-out crops, with a side-by-side PNG of
    each held-out photo's centre square: original | before | after."""
    _, held_out = split(photos, settings.validation_fraction, settings.seed)
    batch, alpha = colours_and_alpha(held_out_crops(photos, settings))
    # evaluate on CPU copies: the engine's shared modules may live on a GPU and must not move
    predictor, transformer = copy.deepcopy(predictor).cpu(), copy.deepcopy(transformer).cpu()
    net = losses.LossNetwork(predictor)
    tuned = transformer
    if result.transformer_state is not None:
        tuned = ArbitraryStyleTransformer()
        tuned.load_state_dict(result.transformer_state)
        tuned.eval()
    target = StyleTarget(net, style_image, settings.image_size, settings.seed)
    style_embedding = start_embedding(predictor, style_image)
    with torch.no_grad():
        # cut-outs are judged and shown as the merchant gets them: restyled product, transparent ground on white
        before = on_white(transformer(batch, style_embedding.expand(len(batch), -1)).clamp(0, 1), alpha)
        after = on_white(tuned(batch, result.embedding[None].expand(len(batch), -1)).clamp(0, 1), alpha)
        distances = [float(target.distance(net(images))) for images in (before, after)]
        embedding_distances = [float((net.embed(images) - style_embedding).norm(dim=1).mean())
                               for images in (before, after)]
        palette_distances = [float(target.palette_distance(images)) for images in (before, after)]
    figures_before = [compare_images(to_image(p), to_image(o)) for p, o in zip(batch, before)]
    figures_after = [compare_images(to_image(p), to_image(o)) for p, o in zip(batch, after)]
    centres = len(held_out)  # the first crop of each held-out photo is its centre square
    masks = _product_masks(held_out, settings.image_size)
    if run_dir is not None:
        rows = [torch.cat([p, b, a], dim=2) for p, b, a in zip(batch[:centres], before[:centres], after[:centres])]
        to_image(torch.cat(rows, dim=1)).save(run_dir / "before-after.png")
    return HeldOutFigures(
        style_loss_before=distances[0], style_loss_after=distances[1],
        ssim_before=float(np.mean([f.ssim for f in figures_before])),
        ssim_after=float(np.mean([f.ssim for f in figures_after])),
        psnr_before=float(np.mean([f.psnr for f in figures_before])),
        psnr_after=float(np.mean([f.psnr for f in figures_after])),
        embedding_distance_before=embedding_distances[0], embedding_distance_after=embedding_distances[1],
        palette_distance_before=palette_distances[0], palette_distance_after=palette_distances[1],
        delta_e_before=_mean_delta_e(batch[:centres], before[:centres], masks),
        delta_e_after=_mean_delta_e(batch[:centres], after[:centres], masks),
    )


def run_finetune_job(predictor: StylePredictor, transformer: ArbitraryStyleTransformer, style_image: torch.Tensor,
                     photos: Sequence[torch.Tensor], settings: FinetuneSettings, run_dir: Path,
                     progress_fn: Callable[[Progress], None] | None = None,
                     abort_fn: Callable[[], bool] | None = None, device: torch.device | str = "cpu"
                     ) -> tuple[FinetuneResult, HeldOutFigures]:
    result = finetune(predictor, transformer, style_image, photos, settings, run_dir, progress_fn, abort_fn, device)
    if result.stopped == "cancelled" and result.best_step == 0:
        raise StyleLabError("The job was cancelled before it improved anything; nothing to publish.")
    figures = evaluate_held_out(predictor, transformer, style_image, photos, result, settings, run_dir)
    summary = {"stopped": result.stopped, "steps_run": result.steps_run, "best_step": result.best_step,
               "seconds": round(result.seconds, 1), "initial_validation_loss": result.initial_validation_loss,
               "best_validation_loss": result.best_validation_loss, "held_out": asdict(figures),
               "verdict": verdict(figures), "worth_publishing": figures.worth_publishing}
    (run_dir / "summary.json").write_text(json.dumps(summary, indent=2))
    return result, figures


def figures_table(figures: HeldOutFigures) -> str:
    colour = ("" if figures.delta_e_before is None else
              f"; product ΔE {figures.delta_e_before:.1f} -> {figures.delta_e_after:.1f}")
    return (f"style distance {figures.style_loss_before:.3g} -> {figures.style_loss_after:.3g} "
            f"(embedding view {figures.embedding_distance_before:.2f} -> {figures.embedding_distance_after:.2f}, "
            f"palette {figures.palette_distance_before:.1f} -> {figures.palette_distance_after:.1f}); "
            f"content SSIM {figures.ssim_before:.3f} -> {figures.ssim_after:.3f}; "
            f"PSNR {figures.psnr_before:.1f} -> {figures.psnr_after:.1f} dB{colour}")


def publish_refusal(figures: HeldOutFigures) -> str | None:
    """Why a run should not be published without a deliberate override, or None when it may be."""
    if figures.improved:
        return None
    return (f"This run did not bring the style closer on held-out photos (style distance "
            f"{figures.style_loss_before:.3g} -> {figures.style_loss_after:.3g}); publishing it would not help.")


def style_image_for(template_store, name_or_path: str) -> tuple[Image.Image, str | None]:
    """A style image from a saved template's name, or from an image file path."""
    if Path(name_or_path).is_file():
        return load_image(name_or_path, what="style image").convert("RGB"), None
    template = template_store.custom_template(name_or_path)
    return Image.open(template.folder / "style.png").convert("RGB"), template.name
