"""Contact sheet of the scene renderer: products (rows) x scene kinds (columns).

    python tools/scene_sheet.py --out docs/scene-sheet.png          # synthetic products
    python tools/scene_sheet.py ../shared/data/*.png --out /tmp/sheet.png   # your own cut-outs

Without product files it draws five product-like cut-outs itself (a bottle, a jar, a box,
a vase and a mug, labelled with pictures scikit-image ships), so the sheet can live in the repo.
Photos without transparency go through the app's automatic cut-out first.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import skimage.data
from PIL import Image, ImageDraw

from stylelab.imageio import load_image
from stylelab.product.cutout import cutout
from stylelab.product.scene.choices import SCENE_KINDS
from stylelab.product.scene.lights import KeyLight
from stylelab.product.scene.render import SceneSettings, render_scene

MATERIAL_FOR = {"podium": "matte", "stacked podium": "terrazzo", "steps": "concrete", "arch": "matte",
                "counter": "marble", "window light": "wood"}
LIGHT_FOR = {"window light": KeyLight(azimuth=300, elevation=32, softness=0.2)}


def _shaded(shape: np.ndarray, colour: tuple[float, float, float], label: np.ndarray | None = None,
            label_rows: tuple[int, int] | None = None) -> Image.Image:
    """A cylinder-shaded RGBA product from a boolean silhouette, with an optional wrapped label."""
    height, width = shape.shape
    cols = np.flatnonzero(shape.any(0))
    x = (np.arange(width) - (cols[0] + cols[-1]) / 2) / max((cols[-1] - cols[0]) / 2, 1)
    light = np.clip(0.55 + 0.45 * np.cos((x + 0.35) * 1.3), 0.2, 1.0) + 0.25 * np.exp(-((x + 0.45) / 0.08) ** 2)
    rgb = np.ones((height, width, 3)) * np.array(colour)
    if label is not None and label_rows is not None:
        top, bottom = label_rows
        patch = np.asarray(Image.fromarray(label).resize((cols[-1] - cols[0] + 1, bottom - top))) / 255
        rgb[top:bottom, cols[0]:cols[-1] + 1] = patch[..., :3]
    rgb = np.clip(rgb * light[None, :, None], 0, 1)
    alpha = shape.astype(np.float64)
    return Image.fromarray(np.dstack([rgb, alpha]).__mul__(255).astype(np.uint8), "RGBA")


def synthetic_products(height: int = 480) -> list[tuple[str, Image.Image]]:
    h = height
    y, x = np.mgrid[0:h, 0:h].astype(np.float64) / h
    bottle = (((np.abs(x - 0.5) < 0.14) & (y > 0.38)) | ((np.abs(x - 0.5) < 0.05) & (y > 0.05))
              | (((x - 0.5) / 0.14) ** 2 + ((y - 0.38) / 0.16) ** 2 <= 1) & (y <= 0.38)) & (y < 0.999)
    jar = (np.abs(x - 0.5) < 0.24) & (y > 0.28) & (y < 0.999) | ((np.abs(x - 0.5) < 0.2) & (y > 0.2) & (y < 0.999))
    box = (np.abs(x - 0.5) < 0.3) & (y > 0.25) & (y < 0.999)
    vase = (np.abs(x - 0.5) < 0.08 + 0.22 * np.sin(np.clip((y - 0.15) / 0.85, 0, 1) * np.pi) ** 1.5) & (y > 0.15)
    vase &= y < 0.999
    mug_body = (np.abs(x - 0.42) < 0.24) & (y > 0.35) & (y < 0.999)
    ring = np.hypot(x - 0.68, y - 0.6)
    mug = mug_body | ((ring < 0.13) & (ring > 0.07) & (x > 0.6))
    coffee, astronaut, chelsea = skimage.data.coffee(), skimage.data.astronaut(), skimage.data.chelsea()
    return [("bottle", _shaded(bottle, (0.55, 0.3, 0.12), coffee[40:300, 150:450], (int(0.55 * h), int(0.8 * h)))),
            ("jar", _shaded(jar, (0.9, 0.88, 0.82), astronaut[30:250, 120:380], (int(0.42 * h), int(0.8 * h)))),
            ("box", _shaded(box, (0.2, 0.35, 0.6), chelsea[:, 60:360], (int(0.35 * h), int(0.9 * h)))),
            ("vase", _shaded(vase, (0.25, 0.55, 0.45))),
            ("mug", _shaded(mug, (0.85, 0.35, 0.3)))]


def load_products(paths: list[Path]) -> list[tuple[str, Image.Image]]:
    products = []
    for path in paths:
        # the app's own cut-out: an existing alpha as it is, else the automatic one, decontaminated
        products.append((path.stem, cutout(load_image(path)).rgba))
    return products


def contact_sheet(products: list[tuple[str, Image.Image]], tile: tuple[int, int] = (320, 400)) -> Image.Image:
    width, height = tile
    sheet = Image.new("RGB", (width * len(SCENE_KINDS), (height + 22) * len(products) + 22), "white")
    draw = ImageDraw.Draw(sheet)
    for column, kind in enumerate(SCENE_KINDS):
        draw.text((column * width + 8, 4), kind, fill=(40, 40, 40))
    for row, (name, cutout) in enumerate(products):
        for column, kind in enumerate(SCENE_KINDS):
            settings = SceneSettings(kind=kind, material=MATERIAL_FOR[kind], light=LIGHT_FOR.get(kind, KeyLight()))
            shot = render_scene(cutout, tile, settings, seed=row * 7 + column)
            sheet.paste(shot.image, (column * width, 22 + row * (height + 22)))
        draw.text((8, 22 + row * (height + 22) + height + 4), name, fill=(40, 40, 40))
    return sheet


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("products", nargs="*", type=Path, help="cut-outs or product photos (default: synthetic)")
    parser.add_argument("--out", type=Path, default=Path("scene-sheet.png"))
    args = parser.parse_args()
    products = load_products(args.products) if args.products else synthetic_products()
    sheet = contact_sheet(products)
    sheet.save(args.out, quality=88) if args.out.suffix.lower() in (".jpg", ".jpeg") else sheet.save(args.out)
    print(args.out)


if __name__ == "__main__":
    main()
