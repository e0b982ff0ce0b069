"""Which loss combination fine-tunes best? Prints a markdown table of held-out figures.

    python benchmarks/finetune_losses.py STYLE_IMAGE PHOTO_FOLDER [--steps 60] [--train embedding]

For each combination the same photos, split, seed and steps are used; the table shows the
style loss on held-out photos (lower = closer to the style) and the content SSIM / PSNR
against the photos (higher = product better kept), before and after.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from stylelab.engine import StyleEngine  # noqa: E402
from stylelab.imageio import load_image, to_tensor  # noqa: E402
from stylelab.training.data import read_training_photos  # noqa: E402
from stylelab.training.finetune import FinetuneSettings  # noqa: E402
from stylelab.training.runs import new_run_dir, run_finetune_job  # noqa: E402

COMBINATIONS = {
    "style + content": dict(style_weight=1.0, content_weight=1.0, tv_weight=0.0, embedding_weight=0.0),
    "style + content + TV": dict(style_weight=1.0, content_weight=1.0, tv_weight=0.1, embedding_weight=0.0),
    "style + 2x content + TV": dict(style_weight=1.0, content_weight=2.0, tv_weight=0.1, embedding_weight=0.0),
    "style + content + TV + embedding": dict(style_weight=1.0, content_weight=1.0, tv_weight=0.1,
                                             embedding_weight=1.0),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("style", type=Path)
    parser.add_argument("photos", nargs="+", type=Path)
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--train", default="embedding", choices=["embedding", "upper", "all"])
    parser.add_argument("--out", type=Path, default=Path("/tmp/stylelab-finetune-study"))
    args = parser.parse_args()
    engine = StyleEngine("cpu")
    networks = engine.networks()
    style = to_tensor(load_image(args.style).convert("RGB"))
    photos = read_training_photos(args.photos, max_side=512)
    print(f"style {args.style.name}, {len(photos)} photos, train={args.train}, {args.steps} steps\n")
    print("| losses | val loss (start → best) | held-out style loss (before → after) | SSIM before → after "
          "| PSNR before → after | seconds |")
    print("|---|---|---|---|---|---|")
    for name, weights in COMBINATIONS.items():
        settings = FinetuneSettings(trainable=args.train, steps=args.steps, validate_every=10, patience=4, **weights)
        started = time.perf_counter()
        result, figures = run_finetune_job(networks.predictor, networks.transformer, style, photos, settings,
                                           new_run_dir(args.out, name))
        print(f"| {name} | {result.initial_validation_loss:.2f} → {result.best_validation_loss:.2f} "
              f"| {figures.style_loss_before:.4f} → {figures.style_loss_after:.4f} "
              f"| {figures.ssim_before:.3f} → {figures.ssim_after:.3f} "
              f"| {figures.psnr_before:.1f} → {figures.psnr_after:.1f} | {time.perf_counter() - started:.0f} |",
              flush=True)


if __name__ == "__main__":
    main()
