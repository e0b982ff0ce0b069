"""What the colour term changes, on generated images only: the README's fine-tuning sheet.

    OMP_NUM_THREADS=1 nice -n 19 python benchmarks/finetune_palette_sheet.py [--out docs/finetune-palette-sheet.jpg]

A generated "painting" (broad strokes in a few strong colours: ultramarine, orange, lemon,
viridian on a dark ground) and four scikit-image photos; the embedding is fine-tuned twice with
the same seed and steps: with the recipe's losses before the colour term (Gram + content + TV),
and with the default recipe (+ the painting's palette and a light embedding pull). Each row of
the sheet is one held-out photo: original | pretrained | fine-tuned without | with the colour term,
the painting at the top right. Prints the held-out figures of both runs.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import cv2
import numpy as np
import skimage.data
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from stylelab.engine import StyleEngine  # noqa: E402
from stylelab.imageio import to_tensor  # noqa: E402
from stylelab.training.finetune import FinetuneSettings  # noqa: E402
from stylelab.training.runs import figures_table, new_run_dir, run_finetune_job  # noqa: E402

PALETTE = [(30, 50, 160), (235, 120, 30), (245, 215, 60), (20, 130, 90)]  # RGB
PHOTOS = ("coffee", "chelsea", "astronaut", "rocket", "cat", "coins")  # scikit-image samples
OUT = Path(__file__).resolve().parents[1] / "docs" / "finetune-palette-sheet.jpg"


def painting(size: int = 384, seed: int = 0) -> np.ndarray:
    """Broad brush strokes in a few strong colours on a dark ground, [size, size, 3] uint8."""
    rng = np.random.default_rng(seed)
    canvas = np.full((size, size, 3), (25, 20, 45), np.uint8)
    for _ in range(260):
        colour = PALETTE[rng.integers(len(PALETTE))]
        start = rng.integers(0, size, 2)
        end = np.clip(start + rng.integers(-60, 60, 2), 0, size - 1)
        cv2.line(canvas, tuple(int(v) for v in start), tuple(int(v) for v in end), colour,
                 int(rng.integers(6, 16)), cv2.LINE_AA)
    return cv2.GaussianBlur(canvas, (3, 3), 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--steps", type=int, default=40)
    args = parser.parse_args()
    networks = StyleEngine("cpu").networks()
    style = painting()
    photos = [to_tensor(Image.fromarray(getattr(skimage.data, name)()).convert("RGB").resize((192, 144)))
              for name in PHOTOS]
    recipes = {"without the colour term": dict(colour_weight=0.0, embedding_weight=0.0), "default recipe": {}}
    sheets = []
    with tempfile.TemporaryDirectory() as folder:
        for label, weights in recipes.items():
            settings = FinetuneSettings(trainable="embedding", steps=args.steps, image_size=128, batch_size=4,
                                        validation_fraction=0.5, **weights)
            run_dir = new_run_dir(Path(folder), label)
            _, figures = run_finetune_job(networks.predictor, networks.transformer, to_tensor(Image.fromarray(style)),
                                          photos, settings, run_dir)
            print(f"{label}: {figures_table(figures)}")
            sheets.append(np.asarray(Image.open(run_dir / "before-after.png").convert("RGB")))
    size = sheets[0].shape[1] // 3
    rows = np.concatenate([sheets[0], sheets[1][:, 2 * size:]], axis=1)  # original | before | without | with
    corner = np.asarray(Image.fromarray(style).resize((size, size), Image.Resampling.LANCZOS))
    rows = np.concatenate([rows, np.full((rows.shape[0], size, 3), 255, np.uint8)], axis=1)
    rows[:size, -size:] = corner
    args.out.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(rows).save(args.out, quality=90)
    print(f"sheet: {args.out}")


if __name__ == "__main__":
    main()
