"""How long laying out one ad creative on an existing 1080x1350 shot takes, per layout.

    python benchmarks/ad_creatives.py     # markdown table to stdout (~20 s on 2 cores)

The shot is rendered once (podium scene, a synthetic bottle) with the product where each layout
wants it; then each layout is timed on it — framing, fitting the text, measuring contrast, painting
(what ``stylelab.creatives.creative.make_creative`` does; the PNG encoding for the download is not
counted) — median of 5 warm runs, English and Chinese copy, with a logo. The target: 0.3 s on the CPU.
It also prints the process's CPU seconds per creative: on a shared machine the steadier figure.
"""
from __future__ import annotations

import platform
import statistics
import sys
import time
from pathlib import Path

import skimage.data
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))

from scene_sheet import synthetic_products  # noqa: E402
from stylelab.creatives.brand import make_kit  # noqa: E402
from stylelab.creatives.compose import AdCopy  # noqa: E402
from stylelab.creatives.creative import AdSource, make_creative  # noqa: E402
from stylelab.creatives.layouts import LAYOUTS  # noqa: E402
from stylelab.engine import StyleEngine  # noqa: E402
from stylelab.product.restyle import generate_shots  # noqa: E402
from stylelab.product.scene.choices import ScenePick  # noqa: E402
from stylelab.product.scene.options import scene_request  # noqa: E402
from stylelab.product.shots import Placement  # noqa: E402

RUNS = 5
FORMAT = "Social 4:5"
COPY = {"English": AdCopy("Hand-thrown stoneware, made to last", "Glazed by hand in small batches", "−20 %"),
        "Chinese": AdCopy("新品上市，限时八折！", "手工制作，温暖每一个清晨", "新品", "立即购买")}


def main() -> None:
    engine = StyleEngine(device_request="cpu")
    _, bottle = synthetic_products()[0]
    kit = make_kit("#1F2A44, #E4572E, #F4F1EA", logo=Image.fromarray(skimage.data.logo()))
    print(f"Python {platform.python_version()}, {platform.machine()}; {FORMAT} 1080x1350, median of {RUNS} warm runs\n")
    print("| layout | copy | wall s | CPU s |")
    print("|---|---|---|---|")
    worst = 0.0
    for name, chosen in LAYOUTS.items():
        placement = Placement(scale=chosen.product_scale, x=chosen.product_at[0], y=chosen.product_at[1])
        (shot,) = generate_shots(engine, bottle, bottle.getchannel("A"), None, FORMAT, 1, 3, placement, 0.8,
                                 scene_request(ScenePick(kind="podium")).settings)
        source = AdSource("bottle", shot.image, tuple(shot.record["product_box"]), shot.record)
        for language, copy in COPY.items():
            make_creative(source, copy, kit, FORMAT, name)  # warm: fonts loaded, glyphs cached
            walls, cpus = [], []
            for _ in range(RUNS):
                wall, cpu = time.perf_counter(), time.process_time()
                make_creative(source, copy, kit, FORMAT, name)
                walls.append(time.perf_counter() - wall)
                cpus.append(time.process_time() - cpu)
            wall_s, cpu_s = statistics.median(walls), statistics.median(cpus)
            worst = max(worst, wall_s)
            print(f"| {name} | {language} | {wall_s:.3f} | {cpu_s:.3f} |")
    print(f"\nSlowest: {worst:.3f} s per creative (target 0.3 s).")


if __name__ == "__main__":
    main()
