"""Photos per second on this machine: the local CLI against `restyle --ray` with one and with two workers.

    nice -n 5 .venv/bin/python benchmarks/ray_catalog.py [--photos 24]   # ~5 min on 2 cores

1-MP JPEGs (scikit-image samples, resized) in, JPEGs out, "Ink wash" at full strength. For each
way of running it prints the wall time of the whole command (process and Ray start-up included,
as a user waits for it) and the steady rate between the first and the last photo (start-up
excluded). Ray's workers also compute SSIM and PSNR for the manifest, which the local CLI does not;
the per-photo work on one core (decode, network, encode, figures) is measured on its own so the
overhead Ray adds can be told apart from the figures. It ends with the time and cost of 1 million
1-MP photos from the measured rate per CPU core, and an estimate per GPU.
"""
from __future__ import annotations

import argparse
import io
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import ray  # noqa: E402
import torch  # noqa: E402

import stylelab  # noqa: E402
from stylelab.cluster.runner import run_catalog  # noqa: E402
from stylelab.cluster.storage import Destination  # noqa: E402
from stylelab.engine import RestyleSettings, StyleEngine  # noqa: E402
from stylelab.engine.batch import photo_tensor, restyle_files  # noqa: E402
from stylelab.imageio import image_encoder, load_image, to_image  # noqa: E402
from stylelab.metrics import compare_images  # noqa: E402
from tests.conftest import sample_picture  # noqa: E402

STYLE = "Ink wash"
SAMPLES = [("coffee", (1224, 816)), ("astronaut", (1000, 1000)), ("chelsea", (1224, 816)), ("rocket", (816, 1224))]
GFLOP_PER_MP = 38.8  # the 26-style network, counted by stylelab/engine/roofline.py (docs/performance.md, "Roofline")


class Clock:
    """When each photo came back: the steady rate runs from the first result to the last."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.times: list[tuple[float, int]] = []

    def __call__(self, count: int = 1) -> None:
        self.times.append((time.perf_counter(), count))

    def steady_rate(self) -> float:
        (first, first_count), (last, _) = self.times[0], self.times[-1]
        done = sum(count for _, count in self.times) - first_count
        return done / (last - first)


def make_photos(folder: Path, count: int) -> list[Path]:
    folder.mkdir(parents=True)
    paths = []
    for index in range(count):
        name, size = SAMPLES[index % len(SAMPLES)]
        paths.append(folder / f"{name}-{index:03d}.jpg")
        sample_picture(name, size).save(paths[-1], quality=90)
    return paths


def cli_seconds(*arguments: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "stylelab", "restyle", *arguments, "--quiet"], check=True, cwd=ROOT)
    return time.perf_counter() - started


def per_photo_work(paths: list[Path]) -> dict[str, float]:
    """Median seconds of each step for one photo on one core, as a Ray CPU worker runs it."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    engine = StyleEngine(device_request="cpu")
    mix = stylelab.resolve_style(STYLE)
    steps: dict[str, list[float]] = {"decode": [], "network": [], "encode": [], "figures": []}
    for path in paths[:4]:
        started = time.perf_counter()
        photo = load_image(path)
        tensor, alpha = photo_tensor(photo)
        steps["decode"].append(time.perf_counter() - started)
        started = time.perf_counter()
        result = to_image(engine.restyle([tensor], mix)[0], alpha)
        steps["network"].append(time.perf_counter() - started)
        started = time.perf_counter()
        image_encoder(result, "out.jpg")(io.BytesIO())
        steps["encode"].append(time.perf_counter() - started)
        started = time.perf_counter()
        compare_images(photo, result)
        steps["figures"].append(time.perf_counter() - started)
    torch.set_num_threads(threads)
    return {step: statistics.median(seconds) for step, seconds in steps.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photos", type=int, default=24)
    parser.add_argument("--cpu-price", type=float, default=0.04, help="US$ per vCPU-hour (default: on-demand x86)")
    parser.add_argument("--gpu-price", type=float, default=0.85, help="US$ per hour of one L4 with 8 vCPUs")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="stylelab-ray-bench-"))
    photos = make_photos(work / "photos", args.photos)
    jobs = [(str(path), f"photos/{path.stem}.jpg") for path in photos]
    rows = []

    wall = cli_seconds(str(work / "photos"), "--style", STYLE, "--format", "jpg", "--out", str(work / "cli"))
    engine, clock = StyleEngine(device_request="cpu"), Clock()
    restyle_files([(Path(s), work / "cli-steady" / o) for s, o in jobs], stylelab.resolve_style(STYLE), engine=engine,
                  on_photo=clock)
    rows.append(("local CLI (engine with 2 threads, I/O threads)", wall, clock.steady_rate()))

    wall = cli_seconds(str(work / "photos"), "--style", STYLE, "--format", "jpg", "--out", str(work / "ray-cli"),
                       "--ray", "local", "--workers", "2")
    started = time.perf_counter()
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    ray_start = time.perf_counter() - started
    rates = {}
    for workers in (1, 2):
        clock = Clock()
        summary = run_catalog(jobs, Destination(str(work / f"ray-{workers}")), stylelab.resolve_style(STYLE),
                              RestyleSettings(), workers=workers, on_photo=clock)
        assert summary.done == len(jobs), summary
        rates[workers] = clock.steady_rate()
        rows.append((f"Ray, {workers} worker{'s' if workers > 1 else ''} (1 thread each), in a running Ray",
                     ray_start + summary.seconds, rates[workers]))
    ray.shutdown()
    rows.insert(1, ("`--ray local --workers 2` (starts its own Ray)", wall, rates[2]))

    print(f"{args.photos} photos of ~1 MP, JPEG in and out, style '{STYLE}', 2-core VM (shared with other work)\n")
    print("| run | whole command | steady photos/s |\n|---|---|---|")
    for name, seconds, rate in rows:
        print(f"| {name} | {seconds:.1f} s | {rate:.2f} |")
    steps = per_photo_work(photos)
    total = sum(steps.values())
    print("\nOne photo on one core (median of 4): " + ", ".join(f"{k} {v:.3f} s" for k, v in steps.items())
          + f"; total {total:.3f} s, so {1 / total:.2f} photos/s per core with figures, "
          f"{1 / (total - steps['figures']):.2f} without")

    per_core = rates[2] / 2
    cpu_hours = 1e6 / per_core / 3600
    # GPU: no GPU was lent, so the network's time is estimated (38.8 GFLOP per MP at 25 % of an L4's
    # 121 TFLOP/s bf16) and the CPU-side steps measured here, shared by 8 workers on the GPU's 8 vCPUs
    gpu_network = GFLOP_PER_MP / (0.25 * 121e3)
    per_gpu = min(1 / gpu_network, 8 / (total - steps["network"] + gpu_network))
    gpu_hours = 1e6 / per_gpu / 3600
    print("\n| 1 million 1-MP photos | photos/s per unit | unit-hours | on 100 units | cost |\n|---|---|---|---|---|")
    print(f"| CPU core (measured, Ray 2 workers / 2) | {per_core:.2f} | {cpu_hours:,.0f} vCPU-h | "
          f"{cpu_hours / 100:.1f} h | ${cpu_hours * args.cpu_price:,.0f} at ${args.cpu_price}/vCPU-h |")
    print(f"| L4 GPU + 8 vCPUs, 8 workers (estimated) | {per_gpu:.1f} | {gpu_hours:,.0f} GPU-h | "
          f"{gpu_hours / 100:.1f} h | ${gpu_hours * args.gpu_price:,.0f} at ${args.gpu_price}/h |")


if __name__ == "__main__":
    main()
