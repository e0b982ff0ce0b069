"""How fast the scene renderer makes a product shot, per scene kind.

    nice -n 5 python benchmarks/scene_speed.py     # markdown table to stdout (~1 min on 2 cores)

A 1080x1350 shot (Social 4:5) and a 512-px preview (410x512) of a synthetic bottle cut-out,
median of 3 warm runs per kind, on the CPU with torch's threads (and on a GPU when there:
shots per second at 1080x1350). The targets: 2 s per full shot and 0.3 s per preview on
2 CPU cores; 20 shots/s on a GPU. Next to wall-clock seconds it prints the process's CPU
seconds (all threads): on a shared, busy machine that is the steadier figure, and wall time
on 2 free cores is about CPU seconds / 2.
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))

from scene_sheet import synthetic_products  # noqa: E402
from stylelab.product.scene.choices import KIND_MATERIAL, SCENE_KINDS  # noqa: E402
from stylelab.product.scene.render import SceneSettings, render_scene  # noqa: E402

FULL, PREVIEW = (1080, 1350), (410, 512)


def median_times(run, repeats: int) -> tuple[float, float]:
    """Median wall-clock and CPU seconds of ``repeats`` warm runs."""
    run()  # warm-up
    wall, cpu = [], []
    for _ in range(repeats):
        started, started_cpu = time.perf_counter(), time.process_time()
        run()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return statistics.median(wall), statistics.median(cpu)


def main() -> None:
    bottle = synthetic_products()[0][1]
    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    load = Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "?"
    print(f"torch threads: {torch.get_num_threads()}; devices: {', '.join(devices)}; load average {load}\n")
    print("| scene | 1080x1350 wall s | CPU s | 410x512 preview wall s | CPU s |"
          + (" GPU 1080x1350 shots/s |" if len(devices) > 1 else ""))
    print("|---|---|---|---|---|" + ("---|" if len(devices) > 1 else ""))
    for kind in SCENE_KINDS:
        settings = SceneSettings(kind=kind, material=KIND_MATERIAL.get(kind, "matte"))
        full, full_cpu = median_times(lambda: render_scene(bottle, FULL, settings, seed=1), 3)
        preview, preview_cpu = median_times(lambda: render_scene(bottle, PREVIEW, settings, seed=1), 3)
        row = f"| {kind} | {full:.2f} | {full_cpu:.2f} | {preview:.2f} | {preview_cpu:.2f} |"
        if len(devices) > 1:
            gpu, _ = median_times(lambda: render_scene(bottle, FULL, settings, seed=1, device="cuda"), 5)
            row += f" {1 / gpu:.1f} |"
        print(row, flush=True)


if __name__ == "__main__":
    main()
