"""FastGAN-lite against the StyleGAN-style generator for the same wall-clock training time.

    python benchmarks/gan_fastgan.py [--seconds 240] [--images 3000] [--resolution 32]
        [--fastgan-lrs 0.0002 0.001] [--stylegan-lr 0.002] [--seed 0] [--out DIR] [--sheet PNG]

Same synthetic bottles-and-mugs catalog, same seed, same held-out split, same evaluation
(FD/KID-MobileNet, EMA generator, 500 generated vs 500 held-out images) and the same
channel widths for every run. Each run trains until its *training* time reaches
``--seconds``: the time spent computing MobileNet features for the figures is not counted,
so how often a run is evaluated does not change what it gets. Prints a markdown table of
FD/KID over training time for every run, and writes a sheet of sample grids (real images,
then each run's final samples for the same 32 seeds).
"""
from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402

from stylelab.engine.device import choose_device  # noqa: E402
from stylelab.gan import checkpoints  # noqa: E402
from stylelab.gan.dataset import to_uint8_batch  # noqa: E402
from stylelab.gan.metrics import MobileNetFeatures  # noqa: E402
from stylelab.gan.synthetic import synthetic_catalog  # noqa: E402
from stylelab.gan.settings import GanProgress, GanSettings  # noqa: E402
from stylelab.gan.train import split_held_out, train_generator  # noqa: E402
from stylelab.weights.store import load_network  # noqa: E402


class TimedFeatures(MobileNetFeatures):
    """MobileNet features that add up the seconds spent computing them (evaluation, not training)."""

    seconds = 0.0

    def of_batches(self, images: torch.Tensor, batch_size: int = 64) -> np.ndarray:
        started = time.perf_counter()
        try:
            return super().of_batches(images, batch_size)
        finally:
            self.seconds += time.perf_counter() - started


@dataclass
class TrainingClock:
    """Cancels a run once its training time (wall time less feature time) passes the budget."""

    budget: float
    features: TimedFeatures
    started: float | None = None
    features_at_start: float = 0.0
    marks: dict[int, float] = field(default_factory=dict)  # step -> training seconds at its evaluation

    def training_seconds(self) -> float:
        if self.started is None:
            return 0.0
        return time.perf_counter() - self.started - (self.features.seconds - self.features_at_start)

    def __call__(self) -> bool:  # abort_fn: asked before every step
        if self.started is None:
            self.started, self.features_at_start = time.perf_counter(), self.features.seconds
        return self.training_seconds() >= self.budget

    def progress(self, p: GanProgress) -> None:
        if p.fd is not None:
            self.marks[p.step] = self.training_seconds()


@dataclass
class Run:
    label: str
    settings: GanSettings
    folder: Path = Path()
    evaluations: list[dict] = field(default_factory=list)
    marks: dict[int, float] = field(default_factory=dict)
    parameters: tuple[int, int] = (0, 0)


def train(run: Run, images: torch.Tensor, features: TimedFeatures, seconds: float, out: Path,
          device: torch.device) -> None:
    clock = TrainingClock(seconds, features)
    run.folder = out / run.label.replace(" ", "-").replace("=", "")
    result = train_generator(images, run.settings, run.folder, features, progress_fn=clock.progress, abort_fn=clock,
                             device=device)
    run.evaluations, run.marks = result.evaluations, clock.marks
    G, _, D = checkpoints.load_networks(run.folder)
    run.parameters = (sum(p.numel() for p in G.parameters()), sum(p.numel() for p in D.parameters()))


def sample_sheet(runs: list[Run], real: torch.Tensor, path: Path) -> None:
    """Rows of 8: the real images, then each run's final grid (same 32 seeds), each under a label."""
    from stylelab.gan import sample

    real_grid = sample.grid(sample.to_images(real[:32].float() / 127.5 - 1), columns=8,
                            scale=max(1, 512 // (8 * real.shape[-1])))
    panels = [("real (held out)", real_grid)]
    for run in runs:
        grid = Image.open(run.folder / "samples.png").convert("RGB")
        panels.append((f"{run.label}, step {run.evaluations[-1]['step']}",
                       grid.resize(real_grid.size, Image.Resampling.NEAREST)))
    label_height = 14
    sheet = Image.new("RGB", (real_grid.width, len(panels) * (real_grid.height + label_height)), (255, 255, 255))
    draw = ImageDraw.Draw(sheet)
    for index, (label, grid) in enumerate(panels):
        top = index * (real_grid.height + label_height)
        draw.text((2, top + 1), label, fill=(0, 0, 0))
        sheet.paste(grid, (0, top + label_height))
    path.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=240, help="training seconds per run (evaluation excluded)")
    parser.add_argument("--images", type=int, default=3000)
    parser.add_argument("--resolution", type=int, default=32)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--eval-every", type=int, default=150)
    parser.add_argument("--channel-base", type=int, default=1024)
    parser.add_argument("--channel-max", type=int, default=64)
    parser.add_argument("--stylegan-lr", type=float, default=0.002)
    parser.add_argument("--fastgan-lrs", type=float, nargs="+", default=[0.0002, 0.001],
                        help="FastGAN-lite learning rates to run (the paper uses 0.0002)")
    parser.add_argument("--seed", type=int, default=0, help="network initialisation, batches and held-out split")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--out", type=Path, default=Path("/tmp/stylelab-gan-fastgan"))
    parser.add_argument("--sheet", type=Path, help="where to write the sheet of sample grids (default: in --out)")
    args = parser.parse_args()
    device = choose_device(args.device)
    images = to_uint8_batch(synthetic_catalog(args.images, side=args.resolution * 2), args.resolution)
    common = dict(resolution=args.resolution, steps=1_000_000, batch_size=args.batch_size, eval_every=args.eval_every,
                  channel_base=args.channel_base, channel_max=args.channel_max, seed=args.seed)
    runs = [Run(f"StyleGAN lr={args.stylegan_lr:g}", GanSettings(**common, learning_rate=args.stylegan_lr))]
    runs += [Run(f"FastGAN-lite lr={lr:g}", GanSettings(**common, learning_rate=lr, architecture="fastgan"))
             for lr in args.fastgan_lrs]
    features = TimedFeatures(load_network("arbitrary_predictor")).to(device)
    out = args.out / f"{args.resolution}px-{int(time.time())}"
    for run in runs:
        print(f"training {run.label} for {args.seconds:.0f} s ...", file=sys.stderr, flush=True)
        train(run, images, features, args.seconds, out, device)
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else f"CPU ({torch.get_num_threads()} threads)"
    held_out = len(split_held_out(images, runs[0].settings)[1])
    print(f"Synthetic catalog: {args.images} images at {args.resolution} px ({held_out} held out), batch "
          f"{args.batch_size}, channels base {args.channel_base} / max {args.channel_max}, {args.seconds:.0f} s of "
          f"training per run (feature extraction for the figures not counted); seed {args.seed}; device {name}.\n")
    print("| Run | Parameters G / D | Steps | Images seen | s / step |")
    print("|---|---:|---:|---:|---:|")
    for run in runs:
        last = run.evaluations[-1]
        print(f"| {run.label} | {run.parameters[0]:,} / {run.parameters[1]:,} | {last['step']} | "
              f"{last['images_seen']} | {run.marks[last['step']] / max(last['step'], 1):.3f} |")
    print("\n| Run | Step | Training time (s) | FD-MobileNet | KID-MobileNet |")
    print("|---|---:|---:|---:|---:|")
    for run in runs:
        for e in run.evaluations:
            print(f"| {run.label} | {e['step']} | {run.marks.get(e['step'], 0.0):.0f} | {e['fd_mobilenet']:.1f} | "
                  f"{e['kid_mobilenet']:.4f} |")
    sheet = args.sheet or out / "samples-sheet.png"
    held = split_held_out(images, runs[0].settings)[1]
    sample_sheet(runs, held, sheet)
    print(f"\nSample grids: {out}/*/samples-*.png; sheet (real, then each run's final samples): {sheet}")


if __name__ == "__main__":
    main()
