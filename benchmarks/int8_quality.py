"""int8 against fp32 on this CPU: quality (PSNR of the engine's results) and network speed.

    python benchmarks/int8_quality.py                        # scikit-image photos, all 26 styles + 5 style images
    python benchmarks/int8_quality.py --photos ../shared/data/products --styles ../shared/data/styles [--limit 6]

Photos are scaled to --side on the long side. PSNR figures do not depend on how busy the
machine is. Speed: each network alone at 1024x1024, median of --repeats warm runs, fp32
channels-last against int8 (--no-speed skips it). The header says which convolutions
stay in float and what share of the multiply-adds runs in int8.
"""
from __future__ import annotations

import argparse
import functools
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402
from PIL import Image  # noqa: E402

from stylelab.engine import StyleEngine, StyleMix  # noqa: E402
from stylelab.engine import style_engine  # noqa: E402
from stylelab.imageio import load_image, split_alpha, to_tensor  # noqa: E402
from stylelab.models import NUM_STYLES  # noqa: E402
from stylelab.models.quantized import FULL_WEIGHT_MAX, NO_SATURATION_WEIGHT_MAX, multiply_adds  # noqa: E402
from stylelab.weights import calibration  # noqa: E402
from stylelab.weights.calibration import load_float_layers  # noqa: E402
from stylelab.weights.store import load_network  # noqa: E402
from tests.conftest import sample_picture  # noqa: E402

GATE_DB = 35.0


def psnr(a: torch.Tensor, b: torch.Tensor) -> float:
    return float(10 * torch.log10(1 / (a - b).square().mean().clamp_min(1e-12)))


def pictures(folder: Path | None, defaults: tuple[str, ...], side: int) -> dict[str, Image.Image]:
    if folder is None:
        found = {name: sample_picture(name) for name in defaults}
    else:
        found = {p.name: load_image(p) for p in sorted(folder.iterdir()) if p.suffix.lower() in (".jpg", ".png")}
    for name, picture in found.items():
        picture = split_alpha(picture)[0]  # cut-outs on white, as the app, CLI and API restyle them
        picture.thumbnail((side, side), Image.Resampling.LANCZOS)
        found[name] = picture
    return found


def quality(photos: dict[str, Image.Image], styles: dict[str, Image.Image]) -> list[str]:
    engines = {p: StyleEngine(device_request="cpu", precision_request=p) for p in ("fp32", "int8")}
    embeddings = {name: engines["fp32"].embed_styles([to_tensor(s)])[0] for name, s in styles.items()}
    lines = ["| photo | 26 styles: worst (style) | median | styles under 35 dB | style images: worst | median |",
             "|---|---|---|---|---|---|"]
    every_builtin, every_image = [], []
    for name, picture in photos.items():
        photo = to_tensor(picture)
        builtin = []
        for index in range(NUM_STYLES):
            mix = StyleMix(builtin=((index, 1.0),))
            builtin.append(psnr(*(e.restyle([photo], mix)[0] for e in engines.values())))
        images = [psnr(*(e.restyle([photo], StyleMix(images=((embedding, 1.0),)))[0] for e in engines.values()))
                  for embedding in embeddings.values()]
        every_builtin += builtin
        every_image += images
        worst = min(range(NUM_STYLES), key=builtin.__getitem__)
        lines.append(f"| {name} | {builtin[worst]:.1f} dB ({worst}) | {statistics.median(builtin):.1f} dB "
                     f"| {sum(b < GATE_DB for b in builtin)} | {min(images):.1f} dB | {statistics.median(images):.1f} dB |")
        print(lines[-1], file=sys.stderr, flush=True)
    lines += ["", f"All photos: 26 styles worst {min(every_builtin):.1f} dB, median {statistics.median(every_builtin):.1f} "
              f"dB, {sum(b >= GATE_DB for b in every_builtin)}/{len(every_builtin)} at or above {GATE_DB:.0f} dB; "
              f"style images ({len(styles)}) worst {min(every_image):.1f} dB, median "
              f"{statistics.median(every_image):.1f} dB, {sum(b >= GATE_DB for b in every_image)}/{len(every_image)} "
              f"at or above {GATE_DB:.0f} dB."]
    return lines


NETWORKS = (("26 styles", "multistyle26", torch.eye(NUM_STYLES)[:1]),
            ("any image", "arbitrary_transformer", torch.zeros(1, 100)))


def coverage(weight_max: int) -> list[str]:
    """Which convolutions stay in float, and the int8 share of the multiply-adds (at any image size)."""
    lines = []
    for label, name, condition in NETWORKS:
        counts = multiply_adds(load_network(name), torch.rand(1, 3, 256, 256), condition)
        kept = load_float_layers(name, weight_max)
        share = 1 - sum(counts[k] for k in kept) / sum(counts.values())
        lines.append(f"- {label}: {len(counts) - len(kept)} of {len(counts)} convolutions in int8, {share:.0%} of the "
                     f"multiply-adds; in float: {', '.join(kept) or 'none'}")
    return lines


def speed(repeats: int, weight_max: int) -> list[str]:
    image = torch.rand(1, 3, 1024, 1024).contiguous(memory_format=torch.channels_last)
    lines = ["| network at 1024x1024 | fp32 | int8 | int8 / fp32 |", "|---|---|---|---|"]
    for label, name, condition in NETWORKS:
        seconds = {}
        for precision, network in (("fp32", load_network(name).to(memory_format=torch.channels_last)),
                                   ("int8", calibration.load_int8_network(name, weight_max))):
            with torch.inference_mode():
                network(image, condition)
                times = []
                for _ in range(repeats):
                    started = time.perf_counter()
                    network(image, condition)
                    times.append(time.perf_counter() - started)
            seconds[precision] = statistics.median(times)
        lines.append(f"| {label} | {seconds['fp32']:.3f} s | {seconds['int8']:.3f} s "
                     f"| **{seconds['int8'] / seconds['fp32']:.2f}** |")
    return lines


def emulate_vnni() -> None:
    """Make the engine build its int8 networks as a VNNI/AMX CPU would (8-bit weights, exact int32
    sums), computed in float: the quality figures of such CPUs, measurable on any CPU."""
    style_engine.has_int8_dot_product = lambda: True
    calibration.load_int8_network = functools.partial(calibration.load_int8_network, emulate=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photos", type=Path, help="a folder of photos (default: scikit-image's chelsea, astronaut)")
    parser.add_argument("--styles", type=Path, help="a folder of style images (default: five scikit-image pictures)")
    parser.add_argument("--side", type=int, default=384, help="long side the photos are scaled to (default 384)")
    parser.add_argument("--limit", type=int, help="only the first N photos of --photos (sorted by name)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-speed", action="store_true", help="quality only")
    parser.add_argument("--emulate-vnni", action="store_true",
                        help="quality of VNNI/AMX CPUs (8-bit weights, int32 sums) emulated in float; no speed")
    args = parser.parse_args()
    if args.emulate_vnni:
        emulate_vnni()
        args.no_speed = True  # emulated convolutions say nothing about speed
    photos = dict(list(pictures(args.photos, ("chelsea", "astronaut"), args.side).items())[: args.limit])
    styles = dict(list(pictures(args.styles, ("rocket", "brick", "grass", "chelsea", "coffee"), 256).items())[:5])
    weight_max = FULL_WEIGHT_MAX if style_engine.has_int8_dot_product() else NO_SATURATION_WEIGHT_MAX
    cpu = "VNNI/AMX: 8-bit weights" if style_engine.has_int8_dot_product() else "no VNNI/AMX: 7-bit weights"
    cpu += ", emulated in float" if args.emulate_vnni else ""
    lines = [f"# int8 against fp32 ({cpu}; torch {torch.__version__}, {torch.get_num_threads()} threads)", ""]
    lines += coverage(weight_max) + [""]
    print("\n".join(lines), file=sys.stderr, flush=True)
    lines += quality(photos, styles) + ([] if args.no_speed else [""] + speed(args.repeats, weight_max))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
