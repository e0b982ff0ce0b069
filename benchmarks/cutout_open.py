"""Cut-outs of open and thin products, on a test set the project draws itself with a known alpha.

    python benchmarks/cutout_open.py                      # quality, click obedience, speed (~4 min on 2 cores)
    python benchmarks/cutout_open.py --no-speed
    python benchmarks/cutout_open.py --sheet /tmp/open.png   # also the real thin products of ../shared/data

The set (tests/product/open_products.py): an articulated lamp, a slatted chair, a ring, a wire basket
and a spoked wheel, each on a plain, a graded and a textured backdrop, 800x600, antialiased. The box
is the truth's bounding box plus 3 %; the one click goes where a user would put it (the middle of the
largest wrong region, as in benchmarks/cutout.py). Reported: IoU with a box, with a box and one
click, automatic (for reference), the box cut-out's confidence, whether every click's region ends on
the side the click says (in every mode: box, box + clicks, clicks alone; clicks that agree with the
truth and clicks that contradict it), and how fast the box tool answers a correction click on a 1-MP
photo.

``--sheet`` writes the cut-outs of the thin and open products of ../shared/data/products (p34-p39)
with a box drawn around each, automatic and boxed side by side (look at it, don't commit it).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from cutout import DATA as SHARED_DATA  # noqa: E402  (benchmarks/cutout.py)
from cutout import _seconds, iou, one_click  # noqa: E402

from stylelab.product.cutout import FULL, LOW_CONFIDENCE, PREVIEW, Quality, cutout  # noqa: E402
from stylelab.product.masks import overlay  # noqa: E402
from stylelab.product.prompts import CutoutPrompt  # noqa: E402
from stylelab.product.regions import regions_of_photo  # noqa: E402
from tests.product.open_products import BACKDROPS, PRODUCTS, OpenCase, open_cases  # noqa: E402

SIZE = (800, 600)
DATA = SHARED_DATA / "products"
# boxes around the thin and open products of ../shared/data, in each photo's pixels (drawn by eye)
REAL_BOXES = {
    "p34_wooden_stool_blue.jpg": (232, 472, 832, 1420),
    "p35_road_bike_black_studio.jpg": (120, 160, 1440, 1020),
    "p36_pendant_lamp_teal_wall.jpg": (240, 0, 720, 740),
    "p37_hanging_plant_white.jpg": (480, 0, 1100, 1020),
    "p38_cafe_chairs_thin_legs.jpg": (240, 760, 1067, 1600),
    "p39_glass_terrarium_white.jpg": (75, 130, 657, 704),
}


def alpha_of(result) -> np.ndarray:
    return np.asarray(result.mask, dtype=np.float32) / 255.0


def test_clicks(case: OpenCase) -> list[tuple[CutoutPrompt, bool]]:
    """Prompts with one click each, and whether that click says "product": clicks that agree with the
    truth (on the backdrop seen through, on the product's deepest point) and clicks that contradict it,
    with a box and without one."""
    truth = (case.alpha >= 0.5).astype(np.uint8)
    inner = cv2.erode(truth, np.ones((5, 5), np.uint8))  # off the antialiased edge
    ys, xs = np.nonzero(inner if inner.any() else truth)
    middle = len(ys) // 2
    on_product = (float(xs[middle]), float(ys[middle]))
    x0, y0, _, _ = case.box
    corner = (x0 + 3.0, y0 + 3.0)  # backdrop inside the box
    prompts = []
    for box in (case.box, None):
        prompts += [(CutoutPrompt(box=box, exclude=(case.hole,)), False),
                    (CutoutPrompt(box=box, include=(on_product,)), True),
                    (CutoutPrompt(box=box, exclude=(on_product,)), False),  # contradicts the truth: obeyed too
                    (CutoutPrompt(box=box, include=(corner,)), True)]
    return prompts


def obeyed(image: Image.Image, prompt: CutoutPrompt, product: bool, quality: Quality) -> bool:
    """The click's pixel and its whole region end on the side the click says."""
    alpha = alpha_of(cutout(image, prompt, quality))
    regions = regions_of_photo(np.asarray(image), prompt)
    region = regions.include if product else regions.exclude
    x, y = (prompt.include or prompt.exclude)[0]
    return bool(region[int(y), int(x)]) and bool(np.all((alpha[region] >= 0.5) == product))


def evaluate(cases: list[OpenCase]) -> list[dict]:
    rows = []
    for case in cases:
        boxed = cutout(case.image, CutoutPrompt(box=case.box))
        a_box = alpha_of(boxed)
        click, is_product = one_click(a_box, case.alpha)
        a_click = a_box
        if click is not None:
            prompt = CutoutPrompt(box=case.box, include=(click,) if is_product else (),
                                  exclude=() if is_product else (click,))
            a_click = alpha_of(cutout(case.image, prompt))
        checks = [obeyed(case.image, prompt, product, quality)
                  for prompt, product in test_clicks(case) for quality in (FULL, PREVIEW)]
        row = {"name": case.name, "iou_box": iou(a_box, case.alpha), "iou_click": iou(a_click, case.alpha),
               "iou_auto": iou(alpha_of(cutout(case.image)), case.alpha), "confidence": boxed.confidence,
               "obeyed": sum(checks), "clicks": len(checks)}
        rows.append(row)
        print(f"  {case.name:<18} box {row['iou_box']:.3f} (conf {boxed.confidence:.2f})  +click {row['iou_click']:.3f}"
              f"  auto {row['iou_auto']:.3f}  clicks obeyed {row['obeyed']}/{row['clicks']}", file=sys.stderr,
              flush=True)
    return rows


def report(rows: list[dict]) -> None:
    print("| product | backdrop | IoU box | IoU box + 1 click | IoU automatic | box confidence | clicks obeyed |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        product, backdrop = row["name"].split("-")
        print(f"| {product} | {backdrop} | {row['iou_box']:.3f} | {row['iou_click']:.3f} | {row['iou_auto']:.3f} "
              f"| {row['confidence']:.2f} | {row['obeyed']}/{row['clicks']} |")
    mean = lambda key: float(np.mean([r[key] for r in rows]))  # noqa: E731
    print(f"| **all** | {len(rows)} photos | **{mean('iou_box'):.3f}** | **{mean('iou_click'):.3f}** "
          f"| {mean('iou_auto'):.3f} | {mean('confidence'):.2f} "
          f"| **{sum(r['obeyed'] for r in rows)}/{sum(r['clicks'] for r in rows)}** |")
    print(f"\nTargets: IoU box >= 0.92, box + 1 click >= 0.95, every click obeyed. Box cut-outs below "
          f"confidence {LOW_CONFIDENCE} (the panel asks for a click): "
          f"{sum(r['confidence'] < LOW_CONFIDENCE for r in rows)}, their mean IoU "
          f"{np.mean([r['iou_box'] for r in rows if r['confidence'] < LOW_CONFIDENCE] or [np.nan]):.3f}.")


def speed() -> None:
    """What the box tool does for a correction click on a 1-MP photo (the photo shown at most
    BOX_VIEW_SIDE, the preview cut-out, the overlay with the prompt drawn), and the full cut-out that
    follows; median of 3 warm runs, over the five products on the plain backdrop."""
    from stylelab.web.actions import BOX_VIEW_SIDE
    from stylelab.web.box_prompt import draw_prompt

    def box_tool(case: OpenCase, prompt: CutoutPrompt) -> None:
        shown = case.image.copy()
        shown.thumbnail((BOX_VIEW_SIDE, BOX_VIEW_SIDE), Image.Resampling.LANCZOS)
        scale = case.image.width / shown.width
        result = cutout(shown, prompt.scaled(1 / scale), PREVIEW)
        draw_prompt(overlay(shown, result.mask), prompt, scale)

    cases = open_cases((1155, 866), backdrops=("plain",))
    cutout(cases[0].image, CutoutPrompt(box=cases[0].box))  # warm pymatting's JIT
    print("\n| what, 1 MP (1155x866) | slowest of the 5 products, seconds (median of 3 warm runs each) |")
    print("|---|---|")
    for label, run in (("box tool: a correction click (preview)", box_tool),
                       ("full cut-out with the box and the click", lambda c, p: cutout(c.image, p))):
        slowest = 0.0
        for case in cases:
            prompt = CutoutPrompt(box=case.box, exclude=(case.hole,))
            slowest = max(slowest, float(np.median([_seconds(lambda: run(case, prompt)) for _ in range(3)])))
        print(f"| {label} | {slowest:.2f} |")


def real_sheet(path: Path) -> None:
    """The thin and open products of ../shared/data on green: photo, automatic, with the box."""
    tiles = []
    for name, box in REAL_BOXES.items():
        photo = Image.open(DATA / name).convert("RGB")
        row = [photo.copy()]
        ImageDraw.Draw(row[0]).rectangle(box, outline=(250, 204, 21), width=max(3, photo.width // 200))
        for prompt in (None, CutoutPrompt(box=box)):
            result = cutout(photo, prompt)
            shown = Image.new("RGB", photo.size, (60, 200, 90))
            shown.paste(result.rgba, (0, 0), result.rgba)
            ImageDraw.Draw(shown).text((10, 10), f"{result.source} {result.confidence:.2f}", fill=(0, 0, 0))
            row.append(shown)
            print(f"  {name}: {result.source}, confidence {result.confidence:.2f}", file=sys.stderr, flush=True)
        for image in row:
            image.thumbnail((400, 400))
        tile = Image.new("RGB", (1200, 400), (255, 255, 255))
        for index, image in enumerate(row):
            tile.paste(image, (index * 400, 0))
        tiles.append(tile)
    sheet = Image.new("RGB", (1200, 400 * len(tiles)), (255, 255, 255))
    for index, tile in enumerate(tiles):
        sheet.paste(tile, (0, index * 400))
    sheet.save(path)
    print(f"\nsheet of the real photos: {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-speed", action="store_true")
    parser.add_argument("--speed-only", action="store_true")
    parser.add_argument("--products", nargs="+", default=list(PRODUCTS), choices=PRODUCTS)
    parser.add_argument("--backdrops", nargs="+", default=list(BACKDROPS), choices=BACKDROPS)
    parser.add_argument("--sheet", type=Path, help="write the real thin products' cut-outs here")
    args = parser.parse_args()
    if not args.speed_only:
        report(evaluate(open_cases(SIZE, tuple(args.products), tuple(args.backdrops))))
    if not args.no_speed:
        speed()
    if args.sheet:
        if not DATA.is_dir():
            sys.exit(f"{DATA} is missing: the sheet needs the shared evaluation photos.")
        real_sheet(args.sheet)


if __name__ == "__main__":
    main()
