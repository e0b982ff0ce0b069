"""Contact sheet of ad creatives: for each product, every text format (rows) x every layout (columns),
on shots the current renderer makes with the product where each layout wants it.

    python tools/creative_sheet.py --out docs/ad-creatives-sheet.jpg          # synthetic products
    python tools/creative_sheet.py ../shared/data/products/p12*.jpg --out /tmp/creatives   # your photos

Without product files it uses the scene sheet's synthetic products (drawn by tools/scene_sheet.py),
so the picture can live in the repo. English and Chinese copy alternate by product. With --out a
folder, each product gets its own sheet there; with a file name, the first product's sheet."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import skimage.data
from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from scene_sheet import load_products, synthetic_products  # noqa: E402

from stylelab.creatives.brand import make_kit  # noqa: E402
from stylelab.creatives.compose import AdCopy  # noqa: E402
from stylelab.creatives.creative import AdSource, make_creative  # noqa: E402
from stylelab.creatives.formats import TEXT_FORMATS  # noqa: E402
from stylelab.creatives.layouts import LAYOUTS  # noqa: E402
from stylelab.engine import StyleEngine  # noqa: E402
from stylelab.product.restyle import generate_shots  # noqa: E402
from stylelab.product.scene.choices import ScenePick  # noqa: E402
from stylelab.product.scene.options import scene_request  # noqa: E402
from stylelab.product.shots import Placement  # noqa: E402

COPY = (AdCopy("Hand-thrown stoneware, made to last", "Glazed by hand in small batches", "−20 %", "Shop now"),
        AdCopy("新品上市，限时八折！", "手工制作，温暖每一个清晨", "新品", "立即购买"))
SCENES = ("podium", "window light", "arch", "counter")
FORMATS = tuple(name for name in TEXT_FORMATS if name != "Square 2048")  # Feed 1:1 is the same layout, smaller


def product_sheet(engine: StyleEngine, name: str, cutout: Image.Image, index: int, kit, row_height: int = 360
                  ) -> Image.Image:
    tiles = []
    for format_name in FORMATS:
        row = []
        for layout_name, chosen in LAYOUTS.items():
            placement = Placement(scale=chosen.product_scale, x=chosen.product_at[0], y=chosen.product_at[1])
            kind = SCENES[index % len(SCENES)]
            (shot,) = generate_shots(engine, cutout, cutout.getchannel("A"), None, format_name, 1, 3 + index,
                                     placement, 0.8, scene_request(ScenePick(kind=kind)).settings)
            source = AdSource(name, shot.image, tuple(shot.record["product_box"]), shot.record)
            try:
                picture = make_creative(source, COPY[index % 2], kit, format_name, layout_name).image
            except Exception as error:  # noqa: BLE001 - the sheet shows what failed, in its tile
                picture = Image.new("RGB", shot.image.size, "white")
                ImageDraw.Draw(picture).text((10, 10), str(error)[:200], fill="red")
            row.append(picture.resize((round(picture.width * row_height / picture.height), row_height),
                                      Image.Resampling.LANCZOS))
        tiles.append((format_name, row))
    width = max(sum(t.width + 8 for t in row) for _, row in tiles) + 8
    sheet = Image.new("RGB", (width, len(tiles) * (row_height + 26) + 30), "white")
    draw = ImageDraw.Draw(sheet)
    draw.text((8, 6), f"{name}: " + " | ".join(LAYOUTS), fill=(40, 40, 40))
    for r, (format_name, row) in enumerate(tiles):
        y = 30 + r * (row_height + 26)
        draw.text((8, y), format_name, fill=(40, 40, 40))
        x = 8
        for tile in row:
            sheet.paste(tile, (x, y + 16))
            x += tile.width + 8
    return sheet


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("products", nargs="*", type=Path, help="cut-outs or product photos (default: synthetic)")
    parser.add_argument("--out", type=Path, default=Path("creative-sheet.jpg"))
    parser.add_argument("--limit", type=int, default=2, help="synthetic products to use (default 2)")
    parser.add_argument("--row-height", type=int, default=360, help="each row's height in pixels (default 360)")
    args = parser.parse_args()
    products = load_products(args.products) if args.products else synthetic_products(720)[:args.limit]
    logo = Image.fromarray(skimage.data.logo()).convert("RGBA")
    kit = make_kit("#1F2A44, #E4572E, #F4F1EA", "Noto Sans", "Noto Sans", "Shop now", logo)
    engine = StyleEngine(device_request="cpu")
    for index, (name, cutout) in enumerate(products):
        sheet = product_sheet(engine, name, cutout, index, kit, args.row_height)
        target = args.out / f"{name}.jpg" if args.out.suffix == "" else args.out
        target.parent.mkdir(parents=True, exist_ok=True)
        sheet.save(target, quality=88)
        print(target)
        if args.out.suffix:
            break


if __name__ == "__main__":
    main()
