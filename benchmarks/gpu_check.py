"""The GPU figures docs/performance.md asks for, within a fixed time: `bash benchmarks/gpu_check.sh` runs this.

    python benchmarks/gpu_check.py [--budget SECONDS]

Prints markdown: megapixels per second at 1024x1024 for fp16 and bf16, channels-last and
NCHW, batches 1/8/32 and torch.compile; the best against the 500 MP/s target and its
roofline fraction; end-to-end 1-MP JPEG photos per second (decode, restyle, encode) against
150. Settings still waiting when the budget runs out are listed as not measured.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

from stylelab.engine.roofline import measure_peaks, network_cost  # noqa: E402
from stylelab.engine.throughput import (CONDITION_SIZE, NETWORKS, ThroughputSetting,  # noqa: E402
                                        megapixels_per_second)
from stylelab.weights.store import load_network  # noqa: E402

NETWORK_TARGET_MP_PER_SECOND = 500
FOLDER_TARGET_PHOTOS_PER_SECOND = 150
SIDE = 1024


def settings(bf16: bool) -> list[ThroughputSetting]:
    precisions = ["fp16"] + (["bf16"] if bf16 else [])
    chosen = [ThroughputSetting(b, p, True) for p in precisions for b in (1, 8, 32)]
    chosen += [ThroughputSetting(8, p, False) for p in precisions]  # NCHW, for comparison
    chosen += [ThroughputSetting(32, "fp32", True)]
    return chosen


def compiled_settings(bf16: bool) -> list[ThroughputSetting]:
    """Measured last, after the folder run: compiling and autotuning take the longest."""
    return [ThroughputSetting(32, "bf16" if bf16 else "fp16", True, compiled=True)]


def throughput_lines(device: torch.device, deadline: float, chosen: list[ThroughputSetting],
                     best: dict[str, tuple[float, str]]) -> list[str]:
    lines = []
    for setting in chosen:
        cells = []
        for label, name in NETWORKS.items():
            if time.monotonic() > deadline:
                cells.append("not measured (time)")
                continue
            try:
                rate = megapixels_per_second(name, device, setting, SIDE)
            except Exception as error:  # a failed compile or out-of-memory is a figure to report
                cells.append(f"failed: {type(error).__name__}")
                continue
            cells.append(f"{rate:,.0f}")
            if rate > best.get(label, (0.0, ""))[0]:
                best[label] = (rate, setting.label)
        lines.append(f"| {setting.label} | " + " | ".join(cells) + " |")
        print(lines[-1], flush=True)
    return lines


def roofline_lines(device: torch.device, best: dict[str, tuple[float, str]]) -> list[str]:
    low = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    peaks = measure_peaks(device, low)
    lines = ["", f"Measured peaks: {peaks.flops_per_second / 1e12:.0f} TFLOP/s ({low} matrix product), "
             f"{peaks.bytes_per_second / 1e9:.0f} GB/s (copy).", ""]
    for label, (rate, setting) in best.items():
        name = NETWORKS[label]
        cost = network_cost(load_network(name).to(device), torch.rand(1, CONDITION_SIZE[name]), bytes_per_value=2)
        bound = peaks.bound_seconds(cost, 1.0)
        verdict = "meets" if rate >= NETWORK_TARGET_MP_PER_SECOND else "misses"
        lines.append(f"- {label}: best **{rate:,.0f} MP/s** ({setting}), {verdict} the "
                     f"{NETWORK_TARGET_MP_PER_SECOND} MP/s target; roofline {1 / bound:,.0f} MP/s, "
                     f"reached {rate * bound:.0%}.")
    return lines


def folder_line(device: torch.device, count: int) -> str:
    import skimage.data
    from PIL import Image

    import stylelab
    from stylelab.engine import StyleEngine
    from stylelab.engine.batch import restyle_files

    engine = StyleEngine(device_request=str(device))
    picture = Image.fromarray(skimage.data.astronaut()).resize((SIDE, SIDE))
    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder, "in"), Path(folder, "out")
        source.mkdir()
        for index in range(count):
            picture.rotate(index * 7).save(source / f"{index:04d}.jpg", quality=90)
        jobs = [(path, target / path.name) for path in sorted(source.iterdir())]
        mix = stylelab.resolve_style(19)
        restyle_files(jobs[: engine.limits.batch_size], mix, engine=engine)  # warm-up: cuDNN picks its kernels
        report = restyle_files(jobs, mix, engine=engine)
    verdict = "meets" if report.photos_per_second >= FOLDER_TARGET_PHOTOS_PER_SECOND else "misses"
    return (f"End-to-end folder run on {engine.device_name} ({count} JPEGs of 1 MP, decode + restyle + encode, "
            f"26 styles): **{report.photos_per_second:.1f} photos/s**, {verdict} the "
            f"{FOLDER_TARGET_PHOTOS_PER_SECOND}/s target.")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--budget", type=float, default=150, help="seconds for the throughput table (default 150)")
    parser.add_argument("--photos", type=int, default=256, help="JPEGs in the folder run (default 256)")
    args = parser.parse_args()
    if not torch.cuda.is_available():
        print("No CUDA device: nothing to measure.", file=sys.stderr)
        return 1
    device, bf16 = torch.device("cuda"), torch.cuda.is_bf16_supported()
    deadline = time.monotonic() + args.budget
    # printed as measured, so a run cut short by its time limit still leaves its figures
    print(f"## GPU: {torch.cuda.get_device_name()} (torch {torch.__version__})\n\n"
          f"Network throughput at {SIDE}x{SIDE} (megapixels per second; target {NETWORK_TARGET_MP_PER_SECOND}):\n\n"
          "| setting | " + " | ".join(NETWORKS) + " |\n|---|" + "---|" * len(NETWORKS), flush=True)
    best: dict[str, tuple[float, str]] = {}
    throughput_lines(device, deadline, settings(bf16), best)
    print("\n".join(roofline_lines(device, best)), flush=True)
    print("\n" + folder_line(device, args.photos), flush=True)
    print("\ntorch.compile (max-autotune, after the rest):\n\n| setting | " + " | ".join(NETWORKS) + " |\n|---|"
          + "---|" * len(NETWORKS), flush=True)
    throughput_lines(device, deadline + 60, compiled_settings(bf16), best)
    return 0


if __name__ == "__main__":
    sys.exit(main())
