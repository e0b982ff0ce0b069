"""How long a product shot takes to render with Blender Cycles, and the render worker's peak memory.

    python benchmarks/product_shots.py                  # CPU: preview, final per scene kind, marketplace
    python benchmarks/product_shots.py --device cuda    # a CUDA/OptiX GPU: final shots per second
    python benchmarks/product_shots.py --markdown benchmarks/results/product-shots-cpu.md

Run it on an idle machine (torch and Cycles threads slow each other down many times over).
Each case renders a synthetic bottle (a shaded RGBA cut-out the project draws itself) through
``render_scene`` — the plan, the worker's build and render, the denoiser, the product pasted —
once to warm the worker, then ``--repeats`` times; the median is reported. Targets (2-core CPU):
a preview (long side <= 540 px) <= 3 s, a final 1080x1350 <= 15 s, a 2000x2000 marketplace image
<= 20 s, the worker's peak memory <= 2.5 GB; on a GPU, >= 2 final shots per second.
"""
from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from stylelab.product.scene.choices import KIND_MATERIAL, SCENE_KINDS  # noqa: E402
from stylelab.product.scene.plan import SceneSettings  # noqa: E402
from stylelab.product.scene.render import RENDER_WORKER, render_scene  # noqa: E402
from stylelab.product.scene.worker import shared_worker  # noqa: E402

PREVIEW, FINAL, MARKETPLACE = (432, 540), (1080, 1350), (2000, 2000)
TARGETS = {"preview": 3.0, "final": 15.0, "marketplace": 20.0}


def bottle(height: int = 900) -> Image.Image:
    """A shaded bottle cut-out lit from the left: a body, a shoulder and a neck, Lambertian shading."""
    width = height // 2
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    u = (xs - width / 2) / (width / 2)
    half = np.where(ys < 0.25 * height, 0.3, np.where(ys < 0.38 * height, 0.3 + 0.7 * (ys - 0.25 * height)
                                                      / (0.13 * height), 1.0)) * 0.95
    inside = np.abs(u) <= half
    nx = np.clip(u / np.maximum(half, 1e-3), -1, 1)
    shade = 0.25 + 0.75 * np.clip(-0.7 * nx + 0.7 * np.sqrt(1 - nx ** 2), 0, 1)
    colour = np.stack([0.75 * shade, 0.32 * shade, 0.22 * shade], -1)
    rgba = np.concatenate([colour, inside[..., None].astype(np.float32)], -1)
    return Image.fromarray(np.rint(rgba * 255).astype(np.uint8), "RGBA")


def peak_memory_mb() -> float:
    """The render worker's peak resident memory (VmHWM), MB."""
    pid = shared_worker(RENDER_WORKER).pid
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def timed(frame, settings, device: str, repeats: int, marketplace: bool = False) -> float:
    cutout = bottle()
    fill = 0.85 if marketplace else 0.7
    render_scene(cutout, frame, settings, seed=1, fill=fill, device=device, marketplace=marketplace)  # warm
    times = []
    for seed in range(2, 2 + repeats):
        started = time.perf_counter()
        render_scene(cutout, frame, settings, seed=seed, fill=fill, device=device, marketplace=marketplace)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def cpu_name() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="cpu", choices=("cpu", "cuda"))
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--kinds", nargs="*", default=list(SCENE_KINDS))
    parser.add_argument("--markdown", type=Path, help="also write the table to this file")
    args = parser.parse_args()
    import os
    rows = [f"Machine: {cpu_name()}, {os.cpu_count()} cores; device {args.device}; "
            f"{time.strftime('%Y-%m-%d')}; `python benchmarks/product_shots.py"
            f"{' --device cuda' if args.device == 'cuda' else ''}`", "",
            "| case | size | seconds (median) | target | met |", "|---|---|---|---|---|"]

    def row(case: str, frame, seconds: float, target: float | None) -> None:
        met = "—" if target is None else ("yes" if seconds <= target else "no")
        rows.append(f"| {case} | {frame[0]}x{frame[1]} | {seconds:.2f} | {'—' if target is None else target} | {met} |")
        print(rows[-1], flush=True)

    print("\n".join(rows), flush=True)
    row("preview, podium", PREVIEW, timed(PREVIEW, SceneSettings(kind="podium"), args.device, args.repeats),
        TARGETS["preview"])
    finals = []
    for kind in args.kinds:
        settings = SceneSettings(kind=kind, material=KIND_MATERIAL.get(kind, "matte"))
        seconds = timed(FINAL, settings, args.device, args.repeats)
        finals.append(seconds)
        row(f"final, {kind}", FINAL, seconds, TARGETS["final"])
    row("marketplace main image", MARKETPLACE,
        timed(MARKETPLACE, SceneSettings(), args.device, args.repeats, marketplace=True), TARGETS["marketplace"])
    memory = peak_memory_mb()
    rows += ["", f"Render worker peak memory (VmHWM): {memory:.0f} MB (target <= 2500 MB).",
             f"Final shots per second (median over kinds): {1 / statistics.median(finals):.2f}"
             f"{' (target >= 2 on a GPU)' if args.device == 'cuda' else ''}."]
    print("\n".join(rows[-3:]))
    if args.markdown:
        args.markdown.write_text("# Product shots: speed\n\n" + "\n".join(rows) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
