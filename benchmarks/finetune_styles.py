"""Does the default fine-tuning recipe bring each style closer on photos it never saw?

    nice -n 5 python benchmarks/finetune_styles.py STYLE_FOLDER PHOTO_FOLDER [--train upper] [--styles 5]
        [--set colour_weight=0 --set embedding_weight=0.2 ...]   # a recipe other than the defaults

Fine-tunes every style image (the first ``--styles`` in name order) on the same photos with the
default settings, and prints a markdown row per style: seconds and steps per second, the held-out
style distance before -> after (the Gram loss the training lowers, and the style predictor's
embedding distance, which it does not train on, and the palette distance: sliced Wasserstein distance
of Lab colours between the results and the whole painting), held-out SSIM before -> after, and the
verdict an admin would see. The before/after sheets go to --out (default benchmarks/results/finetune-styles/,
ignored by git): look at them.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from stylelab.engine import StyleEngine  # noqa: E402
from stylelab.imageio import load_image, to_tensor  # noqa: E402
from stylelab.training.data import PHOTO_SUFFIXES, read_training_photos  # noqa: E402
from stylelab.training.finetune import FinetuneSettings  # noqa: E402
from stylelab.training.runs import new_run_dir, run_finetune_job, verdict  # noqa: E402

OUT = Path(__file__).resolve().parent / "results" / "finetune-styles"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("styles", type=Path, help="a folder of style images")
    parser.add_argument("photos", nargs="+", type=Path, help="photos or folders of photos")
    parser.add_argument("--styles", dest="count", type=int, default=5, help="how many style images (default 5)")
    parser.add_argument("--train", default="upper", choices=["embedding", "upper", "all"])
    parser.add_argument("--steps", type=int, help="default: the recipe's for the mode")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="override a FinetuneSettings field, e.g. colour_weight=0 (repeatable)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    styles = sorted(p for p in args.styles.iterdir() if p.suffix.lower() in PHOTO_SUFFIXES)[: args.count]
    engine = StyleEngine(args.device)
    networks = engine.networks()
    photos = read_training_photos(args.photos)
    overrides = {name: float(value) for name, value in (item.split("=", 1) for item in args.set)}
    settings = FinetuneSettings(trainable=args.train, steps=args.steps, **overrides)
    print(f"{len(photos)} photos, train={args.train}, {settings.total_steps} steps max, batch {settings.batch_size} "
          f"x {settings.accumulate}, {settings.image_size} px, {torch.get_num_threads()} threads, {engine.device}"
          f"{', ' + ', '.join(args.set) if args.set else ''}\n")
    print("| style | seconds | steps (steps/s) | held-out style distance | embedding view | palette | SSIM "
          "| verdict |")
    print("|---|---|---|---|---|---|---|---|")
    gains = []
    for style_path in styles:
        style = to_tensor(load_image(style_path).convert("RGB"))
        run_dir = new_run_dir(args.out, f"{style_path.stem}-{args.train}")
        started = time.perf_counter()
        result, figures = run_finetune_job(networks.predictor, networks.transformer, style, photos, settings,
                                           run_dir, device=engine.device)
        seconds = time.perf_counter() - started
        shutil.copy(run_dir / "before-after.png", args.out / f"{style_path.stem}-{args.train}.png")
        gains.append((figures.style_gain, figures.ssim_after - figures.ssim_before, figures.embedding_gain,
                      figures.palette_gain))
        print(f"| {style_path.stem} | {seconds:.0f} | {result.steps_run} ({result.steps_run / result.seconds:.2f}) "
              f"| {figures.style_loss_before:.4f} → {figures.style_loss_after:.4f} ({-figures.style_gain:+.0%}) "
              f"| {figures.embedding_distance_before:.2f} → {figures.embedding_distance_after:.2f} "
              f"({-figures.embedding_gain:+.0%}) | {figures.palette_distance_before:.1f} → "
              f"{figures.palette_distance_after:.1f} ({-figures.palette_gain:+.0%}) "
              f"| {figures.ssim_before:.3f} → {figures.ssim_after:.3f} "
              f"| {verdict(figures)} |", flush=True)
    met = sum(gain >= 0.25 and drop >= -0.03 for gain, drop, _, _ in gains)
    agree = sum(gain >= 0.25 and drop >= -0.03 and embedding > 0 and colours > 0
                for gain, drop, embedding, colours in gains)
    print(f"\n{met} of {len(gains)} styles: held-out style distance down >= 25 % with SSIM down <= 0.03; "
          f"{agree} of {len(gains)} with the embedding view and the palette distance down too")


if __name__ == "__main__":
    main()
