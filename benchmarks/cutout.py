"""How good and how fast the cut-out is, on photos with a known truth.

    nice -n 5 python benchmarks/cutout.py                 # figures to stdout (~15 min on 2 busy cores)
    nice -n 5 python benchmarks/cutout.py --limit 8       # a quick look
    python benchmarks/cutout.py --no-speed --limit 25 --rows a.json; ... --skip 25 --rows b.json
    python benchmarks/cutout.py --report a.json b.json    # the figures of a run in parts
    python benchmarks/cutout.py --sheet /tmp/sheet.png    # also a contact sheet of the real photos

The test set is built at run time from ../shared/data (nothing of it is committed): the
transparent cut-outs there (p27 sports car, p30 fire extinguisher) are composited into
scenes — the photos of other/, and corners of the product photos, which are mostly their
backdrop — once with the scene sharp and once behind a lens-like (disk) blur. The truth
is the cut-out's own alpha. Reported: mean IoU of the automatic cut-out, with a box
(the truth's bounding box plus 3 %), and with a box and one click (put where a user would:
in the middle of the largest wrong region); mean absolute alpha error in a 10-px band
around the true edge; the IoU of the quick automatic preview the box tool shows; how the
automatic confidence relates to being right; and timings.
The contact sheet shows the real lifestyle photos of ../shared/data/products with their
automatic cut-outs (a derived picture: look at it, don't commit it).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from stylelab.product.cutout import LOW_CONFIDENCE, PREVIEW, cutout  # noqa: E402
from stylelab.product.prompts import CutoutPrompt  # noqa: E402
from stylelab.product.regions import regions_of_photo  # noqa: E402

# ../shared/data beside the checkout; STYLELAB_EVAL_DATA names it where the checkout lies elsewhere (a worktree)
DATA = Path(os.environ.get("STYLELAB_EVAL_DATA") or Path(__file__).resolve().parents[2] / "shared" / "data")
SIDE = 1100  # long side of a test photo (about 1 MP)
CUTOUTS = ("p27_sports_car_cutout_rgba.png", "p30_fire_extinguisher_rgba.png")
BAND = 10  # px either side of the true edge for the alpha error
SPEED_SCENES = 10


@dataclass
class Case:
    name: str
    image: Image.Image
    alpha: np.ndarray  # truth, 0..1
    blurred: bool


def disk_blur(rgb: np.ndarray, radius: int) -> np.ndarray:
    """A lens-like defocus: a flat disk kernel, not a Gaussian."""
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1)).astype(np.float32)
    return cv2.filter2D(rgb, -1, kernel / kernel.sum(), borderType=cv2.BORDER_REFLECT)


def scenes() -> list[tuple[str, Image.Image]]:
    found = [(path.stem, Image.open(path).convert("RGB")) for path in sorted((DATA / "other").glob("*"))]
    for path in sorted((DATA / "products").glob("p*.jpg")):
        photo = Image.open(path).convert("RGB")
        w, h = photo.size
        corner = (0, 0, w // 2, h // 2) if int(path.stem[1:3]) % 2 else (w // 2, 0, w, h // 2)
        found.append((f"{path.stem}-corner", photo.crop(corner)))
    return found


def build_cases(limit: int | None) -> list[Case]:
    products = [Image.open(DATA / "products" / name).convert("RGBA") for name in CUTOUTS]
    products = [p.crop(p.getchannel("A").getbbox()) for p in products]
    cases = []
    rng = np.random.default_rng(13)
    for index, (scene_name, scene) in enumerate(scenes()):
        scale = SIDE / max(scene.size)
        scene = scene.resize((round(scene.width * scale), round(scene.height * scale)), Image.Resampling.LANCZOS)
        product = products[index % len(products)]
        share = rng.uniform(0.3, 0.6)  # of the scene's area taken by the product's box
        factor = np.sqrt(share * scene.width * scene.height / (product.width * product.height))
        factor = min(factor, 0.9 * scene.width / product.width, 0.9 * scene.height / product.height)
        placed = product.resize((max(8, round(product.width * factor)), max(8, round(product.height * factor))),
                                Image.Resampling.LANCZOS)
        x = round((scene.width - placed.width) * rng.uniform(0.3, 0.7))
        y = round((scene.height - placed.height) * rng.uniform(0.4, 0.8))
        layer = Image.new("RGBA", scene.size, (0, 0, 0, 0))
        layer.paste(placed, (x, y))
        alpha = np.asarray(layer.getchannel("A"), dtype=np.float32) / 255.0
        for blurred in (False, True):
            backdrop = np.asarray(scene)
            if blurred:
                backdrop = disk_blur(backdrop, max(3, round(0.012 * SIDE)))
            image = Image.fromarray(backdrop).convert("RGBA")
            image.alpha_composite(layer)
            cases.append(Case(f"{scene_name}-{'blurred' if blurred else 'sharp'}", image.convert("RGB"), alpha,
                              blurred))
    return cases[:limit] if limit else cases


def iou(alpha: np.ndarray, truth: np.ndarray) -> float:
    a, b = alpha >= 0.5, truth >= 0.5
    return float((a & b).sum() / max((a | b).sum(), 1))


def edge_band(truth: np.ndarray) -> np.ndarray:
    hard = (truth >= 0.5).astype(np.uint8)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * BAND + 1, 2 * BAND + 1))
    return (cv2.dilate(hard, kernel) - cv2.erode(hard, kernel)) > 0


def truth_box(truth: np.ndarray, pad: float = 0.03) -> tuple[float, float, float, float]:
    ys, xs = np.nonzero(truth >= 0.5)
    h, w = truth.shape
    px, py = pad * (xs.max() - xs.min()), pad * (ys.max() - ys.min())
    return (max(0, xs.min() - px), max(0, ys.min() - py), min(w, xs.max() + px), min(h, ys.max() + py))


def one_click(alpha: np.ndarray, truth: np.ndarray) -> tuple[tuple[float, float] | None, bool]:
    """Where a user would click to correct the worst mistake, and whether it says "product"."""
    wrong = (alpha >= 0.5) != (truth >= 0.5)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(wrong.astype(np.uint8))
    if count <= 1:
        return None, True
    largest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    inside = cv2.distanceTransform((labels == largest).astype(np.uint8), cv2.DIST_L2, 5)
    y, x = np.unravel_index(int(np.argmax(inside)), inside.shape)
    return (float(x), float(y)), bool(truth[y, x] >= 0.5)


def evaluate(cases: list[Case]) -> list[dict]:
    rows = []
    for case in cases:
        auto = cutout(case.image)
        a_auto = np.asarray(auto.mask, dtype=np.float32) / 255.0
        a_preview = np.asarray(cutout(case.image, quality=PREVIEW).mask, dtype=np.float32) / 255.0
        box = truth_box(case.alpha)
        boxed = cutout(case.image, CutoutPrompt(box=box))
        a_box = np.asarray(boxed.mask, dtype=np.float32) / 255.0
        click, is_product = one_click(a_box, case.alpha)
        obeyed = None
        if click is None:
            a_click = a_box
        else:
            prompt = CutoutPrompt(box=box, include=(click,) if is_product else (), exclude=() if is_product else (click,))
            a_click = np.asarray(cutout(case.image, prompt).mask, dtype=np.float32) / 255.0
            regions = regions_of_photo(np.asarray(case.image), prompt)
            region = regions.include if is_product else regions.exclude
            obeyed = bool(np.all((a_click[region] >= 0.5) == is_product))
        band = edge_band(case.alpha)
        row = {"name": case.name, "blurred": case.blurred, "confidence": auto.confidence,
               "box_confidence": boxed.confidence, "click_obeyed": obeyed,
               "iou_auto": iou(a_auto, case.alpha), "iou_preview": iou(a_preview, case.alpha),
               "iou_box": iou(a_box, case.alpha),
               "iou_click": iou(a_click, case.alpha),
               "band_error_box": float(np.abs(a_box - case.alpha)[band].mean()),
               "band_error_click": float(np.abs(a_click - case.alpha)[band].mean())}
        rows.append(row)
        print(f"  {case.name:<40} auto {row['iou_auto']:.3f} (conf {auto.confidence:.2f})  box {row['iou_box']:.3f}"
              f"  +click {row['iou_click']:.3f}  band err {row['band_error_click']:.3f}", file=sys.stderr, flush=True)
    return rows


def report(rows: list[dict]) -> None:
    print("| scenes | n | IoU automatic | IoU box | IoU box + 1 click | alpha error, 10-px band (box + click) "
          "| IoU automatic preview |")
    print("|---|---|---|---|---|---|---|")
    for label, keep in (("blurred backdrop", True), ("sharp backdrop", False), ("all", None)):
        chosen = [r for r in rows if keep is None or r["blurred"] == keep]
        if not chosen:
            continue
        mean = lambda key: float(np.mean([r[key] for r in chosen]))  # noqa: E731
        print(f"| {label} | {len(chosen)} | {mean('iou_auto'):.3f} | {mean('iou_box'):.3f} | {mean('iou_click'):.3f} "
              f"| {mean('band_error_click'):.3f} | {mean('iou_preview'):.3f} |")
    print()
    print(f"Automatic confidence against being right (IoU >= 0.8); the app asks for a box below {LOW_CONFIDENCE}:")
    print("| confidence | n | mean IoU | share with IoU < 0.8 |")
    print("|---|---|---|---|")
    edges = [0.0, 0.25, LOW_CONFIDENCE, 0.75, 1.01]
    for low, high in zip(edges, edges[1:]):
        chosen = [r for r in rows if low <= r["confidence"] < high]
        if chosen:
            wrong = np.mean([r["iou_auto"] < 0.8 for r in chosen])
            print(f"| {low:.2f}–{min(high, 1):.2f} | {len(chosen)} | {np.mean([r['iou_auto'] for r in chosen]):.3f} "
                  f"| {wrong:.0%} |")
    if all("box_confidence" in r for r in rows):
        print()
        print(f"Box confidence against being right (IoU >= 0.9); the panel asks for a click below {LOW_CONFIDENCE}:")
        print("| box confidence | n | mean IoU box | share with IoU < 0.9 |")
        print("|---|---|---|---|")
        for low, high in ((0.0, LOW_CONFIDENCE), (LOW_CONFIDENCE, 1.01)):
            chosen = [r for r in rows if low <= r["box_confidence"] < high]
            if chosen:
                wrong = np.mean([r["iou_box"] < 0.9 for r in chosen])
                print(f"| {low:.2f}–{min(high, 1):.2f} | {len(chosen)} | {np.mean([r['iou_box'] for r in chosen]):.3f} "
                      f"| {wrong:.0%} |")
        clicked = [r["click_obeyed"] for r in rows if r.get("click_obeyed") is not None]
        print(f"\nThe click's region on its side: {sum(clicked)} of {len(clicked)} clicks.")


def speed(cases: list[Case]) -> None:
    """Median of 3 warm runs: a box and automatic on a 12-MP photo, and the 1-MP mask preview."""
    base = cases[0]
    big = base.image.resize((4000, 3000), Image.Resampling.BICUBIC)
    scale = 4000 / base.image.width
    box = tuple(v * scale for v in truth_box(base.alpha))
    cutout(base.image)  # warm pymatting's JIT
    one_mp = base.image.resize((1155, 866), Image.Resampling.BICUBIC)
    timings = {
        "box prompt, 12 MP (4000x3000)": lambda: cutout(big, CutoutPrompt(box=box)),
        "automatic, 12 MP (4000x3000)": lambda: cutout(big),
        "mask preview, 1 MP": lambda: cutout(one_mp, quality=PREVIEW),
    }
    print()
    print("| what | seconds (median of 3, warm) |")
    print("|---|---|")
    for name, run in timings.items():
        print(f"| {name} | {np.median([_seconds(run) for _ in range(3)]):.2f} |")
    # GrabCut's cost depends on the photo, and a mask that reaches the frame takes a second pass
    scenes = [case.image.resize((4000, 3000), Image.Resampling.BICUBIC) for case in cases[:SPEED_SCENES]]
    slowest = max(_seconds(lambda: cutout(scene)) for scene in scenes)
    print(f"| automatic, 12 MP: slowest of the first {SPEED_SCENES} scenes (one run each) | {slowest:.2f} |")
    slowest = max(_seconds(lambda: cutout(case.image, quality=PREVIEW)) for case in cases)
    print(f"| mask preview, ~1 MP: slowest of all {len(cases)} test photos (one run each) | {slowest:.2f} |")


def _seconds(run) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def contact_sheet(path: Path) -> None:
    photos = [p for p in sorted((DATA / "products").glob("p*.jpg"))]
    tiles = []
    for photo_path in photos:
        photo = Image.open(photo_path).convert("RGB")
        result = cutout(photo)
        thumb = photo.copy()
        thumb.thumbnail((256, 256))
        shown = Image.new("RGB", result.rgba.size, (60, 200, 90))
        shown.paste(result.rgba, (0, 0), result.rgba)
        shown.thumbnail((256, 256))
        pair = Image.new("RGB", (512, 276), (255, 255, 255))
        pair.paste(thumb, (0, 0))
        pair.paste(shown, (256, 0))
        from PIL import ImageDraw
        ImageDraw.Draw(pair).text((4, 260), f"{photo_path.stem}  conf {result.confidence:.2f}", fill=(0, 0, 0))
        tiles.append(pair)
    columns = 3
    rows = (len(tiles) + columns - 1) // columns
    sheet = Image.new("RGB", (512 * columns, 276 * rows), (255, 255, 255))
    for index, tile in enumerate(tiles):
        sheet.paste(tile, ((index % columns) * 512, (index // columns) * 276))
    sheet.save(path)
    print(f"\ncontact sheet: {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, help="only the first N test photos")
    parser.add_argument("--skip", type=int, default=0, help="leave out the first N test photos (run in parts)")
    parser.add_argument("--report", type=Path, nargs="+", help="only print the figures of --rows files of earlier runs")
    parser.add_argument("--sheet", type=Path, help="write a contact sheet of the real product photos here")
    parser.add_argument("--rows", type=Path, help="write the per-photo figures as JSON here")
    parser.add_argument("--no-speed", action="store_true")
    parser.add_argument("--speed-only", action="store_true", help="only the timings")
    args = parser.parse_args()
    if not DATA.is_dir():
        sys.exit(f"{DATA} is missing: this benchmark needs the shared evaluation photos.")
    if args.report:
        report([row for path in args.report for row in json.loads(path.read_text())])
        return
    cases = build_cases(args.limit)[args.skip:]
    if args.speed_only:
        speed(cases)
        return
    rows = evaluate(cases)
    if args.rows:
        args.rows.write_text(json.dumps(rows, indent=1))
    report(rows)
    if not args.no_speed:
        speed(cases)
    if args.sheet:
        contact_sheet(args.sheet)


if __name__ == "__main__":
    main()
