"""Does fine-tuning (FreezeD) reach a new category faster than training from scratch?

    python benchmarks/gan_finetune.py SOURCE_GENERATOR_FOLDER [--kind mug] [--images 700] [--steps 300]

Trains on a small set of one synthetic category twice with the same seed, steps and data:
from scratch, and fine-tuning SOURCE with the discriminator's lower blocks frozen. Prints a
markdown table of FD/KID-MobileNet against held-out images of that category.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from stylelab.engine.device import choose_device  # noqa: E402
from stylelab.gan.checkpoints import read_config  # noqa: E402
from stylelab.gan.dataset import to_uint8_batch  # noqa: E402
from stylelab.gan.metrics import MobileNetFeatures  # noqa: E402
from stylelab.gan.synthetic import synthetic_catalog  # noqa: E402
from stylelab.gan.settings import GanSettings  # noqa: E402
from stylelab.gan.train import train_generator  # noqa: E402
from stylelab.weights.store import load_network  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source", type=Path)
    parser.add_argument("--kind", choices=["bottle", "mug"], default="mug")
    parser.add_argument("--images", type=int, default=700,
                        help="images of the new category; a fifth (at most 500) is held out for the figures")
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--eval-every", type=int, default=100)
    parser.add_argument("--freeze-d", type=int, default=2)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--out", type=Path, default=Path("/tmp/stylelab-gan-finetune"))
    args = parser.parse_args()
    device = choose_device(args.device)
    source = read_config(args.source)["settings"]
    held_out = 500
    # a different seed range from the source's training set: new products of the new category
    images = to_uint8_batch(synthetic_catalog(args.images, side=max(64, source["resolution"]),
                                              first_seed=1_000_000, kind=args.kind), source["resolution"])
    features = MobileNetFeatures(load_network("arbitrary_predictor")).to(device)
    rows = {}
    for label, start_from, freeze in (("from scratch", None, 0), (f"fine-tuned, FreezeD {args.freeze_d}",
                                                                   args.source, args.freeze_d)):
        settings = GanSettings(**(source | {"steps": args.steps, "eval_every": args.eval_every, "freeze_d": freeze,
                                            "held_out": held_out}))
        folder = args.out / f"{label.split(',')[0].replace(' ', '-')}-{int(time.time())}"
        result = train_generator(images, settings, folder, features, start_from=start_from, device=device)
        rows[label] = (result, folder)
    record = json.loads((next(iter(rows.values()))[1] / "settings.json").read_text())
    print(f"New category: {record['training_images']} synthetic {args.kind}s at {source['resolution']} px for "
          f"training, {record['held_out_images']} held out; "
          f"{args.steps} steps, batch {source['batch_size']}; source generator {args.source.name}; device {device}.\n")
    steps = [e["step"] for e in next(iter(rows.values()))[0].evaluations]
    print("| Step | " + " | ".join(f"FD-MobileNet {label}" for label in rows) + " | "
          + " | ".join(f"KID {label}" for label in rows) + " |")
    print("|---:|" + "---:|" * (2 * len(rows)))
    for index, step in enumerate(steps):
        fds = [f"{r.evaluations[index]['fd_mobilenet']:.1f}" for r, _ in rows.values()]
        kids = [f"{r.evaluations[index]['kid_mobilenet']:.4f}" for r, _ in rows.values()]
        print(f"| {step} | " + " | ".join(fds) + " | " + " | ".join(kids) + " |")
    for label, (result, folder) in rows.items():
        print(f"\n{label}: {result.seconds:.0f} s; grids in {folder}")


if __name__ == "__main__":
    main()
