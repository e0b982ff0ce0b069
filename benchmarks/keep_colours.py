"""Does *keep original colours* keep the colour a buyer sees, and does the brushwork still show?

    python benchmarks/keep_colours.py                 # all product photos x 26 styles + 4 style images (~8 min)
    python benchmarks/keep_colours.py --limit 4       # a quick look
    python benchmarks/keep_colours.py --markdown benchmarks/results/keep-colours.md

The photos are ../shared/data/products (nothing of them is committed), shrunk to --side pixels on
the long side; the style images are ../shared/data/styles. The product is the photo's own
transparency where it has one, else its automatic cut-out.

Reported per style, over all photos: the seen colour difference — mean ΔE2000 inside the product
after blurring photo and result alike by a Gaussian of 1 % of the long side
(stylelab.product.region_metrics.seen_colour_difference) — with the switch off, with the switch on
as it was before (the style's whole lightness over the photo's a*, b*), and with it on now at
strengths 0.5 and 1; and the SSIM of the whole result to the photo at strength 1 with the switch
on (the brushwork: 1 would be the photo itself).
"""
from __future__ import annotations

import argparse
import platform
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from stylelab.engine import RestyleSettings, StyleEngine, StyleMix, imageops  # noqa: E402
from stylelab.imageio import split_alpha, to_image, to_tensor  # noqa: E402
from stylelab.metrics import compare_images  # noqa: E402
from stylelab.product.cutout import photo_mask  # noqa: E402
from stylelab.product.region_metrics import seen_colour_difference  # noqa: E402
from stylelab.styles import BUILTIN_STYLES  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"  # ../shared/data beside the checkout
TARGET = 3.0  # the bound on the seen colour difference with the switch on
COLUMNS = ("off", "before", "on 0.5", "on 1")


def load_photos(data: Path, side: int, limit: int | None) -> list[tuple[str, Image.Image, Image.Image, float]]:
    """(name, RGB photo, product mask, mask confidence) for each product photo."""
    photos = []
    for path in sorted((data / "products").glob("p*"))[:limit]:
        image = Image.open(path)
        image.load()
        image.thumbnail((side, side), Image.Resampling.LANCZOS)
        rgb, alpha = split_alpha(image)
        if alpha is not None:
            photos.append((path.stem, rgb, alpha.point(lambda a: 255 if a >= 128 else 0), 1.0))
        else:
            found = photo_mask(rgb)
            photos.append((path.stem, rgb, found.mask, found.confidence))
    return photos


def old_keep_colours(stylized: torch.Tensor, photo: torch.Tensor) -> torch.Tensor:
    """What the switch did before: the style's whole lightness under the photo's a*, b*."""
    lab = imageops.rgb_to_lab(photo)
    lab[:1] = imageops.rgb_to_lab(stylized)[:1]
    return imageops.lab_to_rgb(lab)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--side", type=int, default=512, help="long side of each photo in pixels")
    parser.add_argument("--limit", type=int, default=None, help="only the first N photos")
    parser.add_argument("--data", type=Path, default=DATA, help="the shared data folder (products/, styles/)")
    parser.add_argument("--style-images", type=int, default=4, help="how many of the style images to add")
    parser.add_argument("--markdown", type=Path, default=None, help="also write the tables to this file")
    args = parser.parse_args()

    engine = StyleEngine("cpu")
    photos = load_photos(args.data, args.side, args.limit)
    if not photos:
        sys.exit(f"No product photos in {args.data / 'products'}; give the shared data folder with --data.")
    styles = [(style.name, StyleMix(builtin=((style.index, 1.0),))) for style in BUILTIN_STYLES]
    for path in sorted((args.data / "styles").glob("*.jpg"))[:args.style_images]:
        embedding = engine.embed_styles([to_tensor(Image.open(path).convert("RGB"))])[0]
        styles.append((f"image: {path.stem.split('_', 1)[1]}", StyleMix(images=((embedding, 1.0),))))

    seen: dict[str, dict[str, list[float]]] = {name: {c: [] for c in COLUMNS} for name, _ in styles}
    brushwork: dict[str, list[float]] = {name: [] for name, _ in styles}
    per_photo: dict[str, float] = {}
    started = time.perf_counter()
    for photo_name, photo, mask, _ in photos:
        tensor = to_tensor(photo)
        for style_name, mix in styles:
            (plain,) = engine.restyle([tensor], mix, RestyleSettings(strength=1.0))
            results = {
                "off": plain,
                "before": old_keep_colours(plain, tensor),
                "on 0.5": engine.restyle([tensor], mix, RestyleSettings(strength=0.5, keep_colours=True))[0],
                "on 1": engine.restyle([tensor], mix, RestyleSettings(strength=1.0, keep_colours=True))[0],
            }
            for column, result in results.items():
                seen[style_name][column].append(seen_colour_difference(photo, to_image(result), mask))
            brushwork[style_name].append(compare_images(photo, to_image(results["on 1"])).ssim)
            per_photo[photo_name] = max(per_photo.get(photo_name, 0.0), *(seen[style_name][c][-1] for c in COLUMNS[2:]))
        print(f"{photo_name}: worst seen ΔE with the switch on {per_photo[photo_name]:.2f} "
              f"({time.perf_counter() - started:.0f} s)", flush=True)

    lines = report(photos, styles, seen, brushwork, per_photo, args)
    print("\n".join(lines))
    if args.markdown:
        args.markdown.write_text("\n".join(lines) + "\n")


def report(photos, styles, seen, brushwork, per_photo, args) -> list[str]:
    everything = {c: np.concatenate([seen[name][c] for name, _ in styles]) for c in COLUMNS}
    on = np.concatenate([everything["on 0.5"], everything["on 1"]])
    lines = [
        f"Machine: {platform.processor() or platform.machine()} ({torch.get_num_threads()} threads), "
        f"{date.today().isoformat()}; command: `python benchmarks/keep_colours.py"
        f"{' --side ' + str(args.side) if args.side != 512 else ''}"
        f"{' --limit ' + str(args.limit) if args.limit else ''}"
        f"{' --style-images ' + str(args.style_images) if args.style_images != 4 else ''}`",
        "",
        f"{len(photos)} product photos at {args.side} px (long side) x {len(styles)} styles. Seen colour "
        "difference = mean ΔE2000 inside the product after blurring photo and result by a Gaussian of 1 % of "
        "the long side. Brushwork = SSIM of the result to the photo at strength 1, switch on.",
        "",
        "| | switch off | switch on, before | switch on now, strength 0.5 | switch on now, strength 1 |",
        "|---|---|---|---|---|",
        "| mean seen ΔE2000 | " + " | ".join(f"{everything[c].mean():.2f}" for c in COLUMNS) + " |",
        "| worst seen ΔE2000 | " + " | ".join(f"{everything[c].max():.2f}" for c in COLUMNS) + " |",
        "",
        f"With the switch on now: {np.mean(on <= TARGET):.1%} of photo-style-strength cases at or below "
        f"ΔE {TARGET:g}; mean brushwork SSIM {np.mean([v for b in brushwork.values() for v in b]):.3f}, highest "
        f"style mean {max(np.mean(b) for b in brushwork.values()):.3f}.",
        "",
        "## Per style (mean / worst over the photos)",
        "",
        "| style | switch off | switch on, before | on now, 0.5 | on now, 1 | brushwork SSIM at 1 |",
        "|---|---|---|---|---|---|",
    ]
    for name, _ in styles:
        cells = [f"{np.mean(seen[name][c]):.2f} / {np.max(seen[name][c]):.2f}" for c in COLUMNS]
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {np.mean(brushwork[name]):.3f} |")
    lines += ["", "## Per photo (worst over the styles and both strengths, switch on now)", "",
              "| photo | product mask | worst seen ΔE2000 |", "|---|---|---|"]
    for photo_name, _, _, confidence in photos:
        source = "its transparency" if confidence == 1.0 else f"automatic, confidence {confidence:.0%}"
        lines.append(f"| {photo_name} | {source} | {per_photo[photo_name]:.2f} |")
    return lines


if __name__ == "__main__":
    main()
