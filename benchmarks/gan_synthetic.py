"""Does the catalog generator learn? FD/KID-MobileNet over training on the synthetic catalog.

    python benchmarks/gan_synthetic.py [--images 3000] [--resolution 32] [--steps 2000] [--out DIR]

Renders the project's procedural bottles-and-mugs catalog, trains from scratch, and prints a
markdown table of FD-MobileNet and KID-MobileNet (smoothed generator vs held-out real images)
at every evaluation, with the time and device. Sample grids are written to the run folder.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from stylelab.engine.device import choose_device  # noqa: E402
from stylelab.gan.dataset import to_uint8_batch  # noqa: E402
from stylelab.gan.metrics import MobileNetFeatures  # noqa: E402
from stylelab.gan.synthetic import synthetic_catalog  # noqa: E402
from stylelab.gan.settings import GanSettings  # noqa: E402
from stylelab.gan.train import train_generator  # noqa: E402
from stylelab.weights.store import load_network  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=3000)
    parser.add_argument("--resolution", type=int, default=32)
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--eval-every", type=int, default=250)
    parser.add_argument("--channel-base", type=int, default=1024)
    parser.add_argument("--channel-max", type=int, default=64)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--out", type=Path, default=Path("/tmp/stylelab-gan-benchmark"))
    args = parser.parse_args()
    device = choose_device(args.device)
    started = time.perf_counter()
    images = to_uint8_batch(synthetic_catalog(args.images, side=args.resolution * 2), args.resolution)
    settings = GanSettings(resolution=args.resolution, steps=args.steps, batch_size=args.batch_size,
                           eval_every=args.eval_every, channel_base=args.channel_base, channel_max=args.channel_max)
    features = MobileNetFeatures(load_network("arbitrary_predictor")).to(device)
    folder = args.out / f"synthetic-{args.resolution}px-{int(time.time())}"
    result = train_generator(images, settings, folder, features, device=device)
    total = time.perf_counter() - started
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else f"CPU ({torch.get_num_threads()} threads)"
    print(f"Synthetic catalog: {args.images} images at {args.resolution} px "
          f"({settings.held_out} held out), batch {args.batch_size}, {result.steps_run} steps, "
          f"channels base {args.channel_base} / max {args.channel_max}; device {name}; "
          f"training {result.seconds:.0f} s, total {total:.0f} s.\n")
    print("| Step | Images seen | FD-MobileNet | KID-MobileNet | Time (s) |")
    print("|---:|---:|---:|---:|---:|")
    for e in result.evaluations:
        print(f"| {e['step']} | {e['images_seen']} | {e['fd_mobilenet']:.1f} | {e['kid_mobilenet']:.4f} "
              f"| {e['seconds']:.0f} |")
    print(f"\nSample grids: {folder}/samples-*.png")


if __name__ == "__main__":
    main()
