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
from stylelab.imageio import load_image, to_image
from stylelab.metrics import compare_images
from stylelab.models import ArbitraryStyleTransformer, StylePredictor
from stylelab.training import losses
from stylelab.training.data import colours_and_alpha, on_white, split, validation_batch
from stylelab.training.finetune import FinetuneResult, FinetuneSettings, Progress, finetune


def new_run_dir(root: Path, name: str) -> Path:
    """``root/00007-name``: every run gets its own numbered folder."""
    root.mkdir(parents=True, exist_ok=True)
    numbers = [int(p.name[:5]) for p in root.iterdir() if re.match(r"\d{5}-", p.name)]
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:30] or "run"
    folder = root / f"{max(numbers, default=0) + 1:05d}-{slug}"
    folder.mkdir()
    return folder


@dataclass(frozen=True)
class HeldOutFigures:
    style_loss_before: float
    style_loss_after: float
    ssim_before: float
    ssim_after: float
    psnr_before: float
    psnr_after: float


def evaluate_held_out(predictor: StylePredictor, transformer: ArbitraryStyleTransformer, style_image: torch.Tensor,
                      photos: Sequence[torch.Tensor], result: FinetuneResult, settings: FinetuneSettings,
                      run_dir: Path | None) -> HeldOutFigures:
    """Before (pretrained) and after (fine-tuned) on the held-out photos, with a side-by-side PNG."""
    _, held_out = split(photos, settings.validation_fraction, settings.seed)
    batch, alpha = colours_and_alpha(validation_batch(held_out, settings.image_size))
    # evaluate on CPU copies: the engine's shared modules may live on a GPU and must not move
    predictor, transformer = copy.deepcopy(predictor).cpu(), copy.deepcopy(transformer).cpu()
    net = losses.LossNetwork(predictor)
    tuned = transformer
    if result.transformer_state is not None:
        tuned = ArbitraryStyleTransformer()
        tuned.load_state_dict(result.transformer_state)
        tuned.eval()
    style = imageops.resize(imageops.center_square(style_image)[None], settings.image_size, settings.image_size)
    with torch.no_grad():
        start = net.embed(style)
        # cut-outs are judged and shown as the merchant gets them: restyled product, transparent ground on white
        before = on_white(transformer(batch, start.expand(len(batch), -1)).clamp(0, 1), alpha)
        after = on_white(tuned(batch, result.embedding[None].expand(len(batch), -1)).clamp(0, 1), alpha)
        style_grams = {n: losses.gram(f) for n, f in net(style).items() if n in losses.STYLE_LAYERS}
        loss_before = float(losses.style_loss(net(before), style_grams))
        loss_after = float(losses.style_loss(net(after), style_grams))
    figures_before = [compare_images(to_image(p), to_image(o)) for p, o in zip(batch, before)]
    figures_after = [compare_images(to_image(p), to_image(o)) for p, o in zip(batch, after)]
    if run_dir is not None:
        rows = [torch.cat([p, b, a], dim=2) for p, b, a in zip(batch, before, after)]
        to_image(torch.cat(rows, dim=1)).save(run_dir / "before-after.png")
    return HeldOutFigures(
        style_loss_before=loss_before, style_loss_after=loss_after,
        ssim_before=float(np.mean([f.ssim for f in figures_before])),
        ssim_after=float(np.mean([f.ssim for f in figures_after])),
        psnr_before=float(np.mean([f.psnr for f in figures_before])),
        psnr_after=float(np.mean([f.psnr for f in figures_after])),
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
               "initial_validation_loss": result.initial_validation_loss,
               "best_validation_loss": result.best_validation_loss, "held_out": asdict(figures)}
    (run_dir / "summary.json").write_text(json.dumps(summary, indent=2))
    return result, figures


def figures_table(figures: HeldOutFigures) -> str:
    return (f"style loss {figures.style_loss_before:.3g} -> {figures.style_loss_after:.3g}; "
            f"content SSIM {figures.ssim_before:.3f} -> {figures.ssim_after:.3f}; "
            f"PSNR {figures.psnr_before:.1f} -> {figures.psnr_after:.1f} dB")


def style_image_for(template_store, name_or_path: str) -> tuple[Image.Image, str | None]:
    """A style image from a saved template's name, or from an image file path."""
    if Path(name_or_path).is_file():
        return load_image(name_or_path, what="style image").convert("RGB"), None
    template = template_store.custom_template(name_or_path)
    return Image.open(template.folder / "style.png").convert("RGB"), template.name
