"""Contact sheet of the product-shot renderer: products (rows) x scene kinds (columns), one PNG.

    python tools/scene_sheet.py --out docs/scene-sheet.jpg                     # synthetic products, every kind
    python tools/scene_sheet.py --products ../shared/data/*.png --kinds podium plinth shelf --out /tmp/sheet.png
    python tools/scene_sheet.py --products bottle.png --kinds podium --tile 120x150 --out /tmp/smoke.png

Without --products it draws five product-like cut-outs itself (a bottle, a jar, a box, a vase and
a mug, labelled with pictures scikit-image ships), so the sheet can live in the repo. RGBA cut-outs
are used as they are; photos without transparency go through the app's automatic cut-out
(``stylelab.product.cutout.cutout``) first. Each tile is one shot rendered by Blender Cycles in the
render worker (``stylelab.product.scene.render.render_scene``), with the kind's own material and
light pattern; the light comes from where each product's own shading says (``--light auto``).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import skimage.data
from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from stylelab.errors import StyleLabError  # noqa: E402
from stylelab.imageio import load_image  # noqa: E402
from stylelab.product.cutout import cutout  # noqa: E402
from stylelab.product.scene.choices import KIND_MATERIAL, SCENE_KINDS  # noqa: E402
from stylelab.product.scene.lights import KeyLight, azimuth_from  # noqa: E402
from stylelab.product.scene.plan import SceneSettings  # noqa: E402
from stylelab.product.scene.render import render_scene  # noqa: E402

LABEL = 22  # px of label strip above the sheet and under each row
ELEVATION = {"window light": 32.0}  # low sun through the window: the blinds' stripes run long
SOFTNESS = {"window light": 0.2}


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
    """Each file as an RGBA cut-out: an existing alpha as it is, else the app's automatic cut-out."""
    return [(path.stem, cutout(load_image(path)).rgba) for path in paths]


def settings_for(kind: str, light: str | float = "auto") -> SceneSettings:
    """The kind's own material and gobo, the light from ``light`` (auto: the product's own shading)."""
    key = KeyLight(azimuth=azimuth_from(light), elevation=ELEVATION.get(kind, 40.0), softness=SOFTNESS.get(kind, 0.4))
    return SceneSettings(kind=kind, material=KIND_MATERIAL.get(kind, "matte"), light=key)


def contact_sheet(products: list[tuple[str, Image.Image]], kinds: tuple[str, ...] = SCENE_KINDS,
                  tile: tuple[int, int] = (540, 675), light: str | float = "auto", seed: int = 0) -> Image.Image:
    """One shot per product and kind, rows of products under a strip of kind names."""
    width, height = tile
    sheet = Image.new("RGB", (width * len(kinds), (height + LABEL) * len(products) + LABEL), "white")
    draw = ImageDraw.Draw(sheet)
    for column, kind in enumerate(kinds):
        draw.text((column * width + 8, 4), kind, fill=(40, 40, 40))
    for row, (name, product) in enumerate(products):
        top = LABEL + row * (height + LABEL)
        for column, kind in enumerate(kinds):
            print(f"{name} in {kind} ({row * len(kinds) + column + 1}/{len(products) * len(kinds)})",
                  file=sys.stderr, flush=True)
            shot = render_scene(product, tile, settings_for(kind, light), seed=seed + row * 7 + column)
            sheet.paste(shot.image, (column * width, top))
        draw.text((8, top + height + 4), name, fill=(40, 40, 40))
    return sheet


def _tile(text: str) -> tuple[int, int]:
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"a tile is WIDTHxHEIGHT in pixels, like 540x675; got '{text}'") from None
    if min(width, height) < 64:
        raise argparse.ArgumentTypeError("a tile needs at least 64 px a side")
    return width, height


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--products", nargs="+", type=Path, metavar="PATH",
                        help="RGBA cut-outs or product photos, one row each (default: five synthetic products)")
    parser.add_argument("--kinds", nargs="+", choices=SCENE_KINDS, default=list(SCENE_KINDS), metavar="KIND",
                        help=f"scene kinds, one column each (default: all: {', '.join(SCENE_KINDS)})")
    parser.add_argument("--tile", type=_tile, default=(540, 675), help="one shot's size, WIDTHxHEIGHT (default 540x675)")
    parser.add_argument("--light", default="auto",
                        help="where the key light comes from: auto (default), a compass word or degrees")
    parser.add_argument("--seed", type=int, default=0, help="first seed (default 0)")
    parser.add_argument("--out", type=Path, default=Path("scene-sheet.png"), help="the sheet (.png, or .jpg)")
    args = parser.parse_args()
    try:
        settings_for(args.kinds[0], args.light)  # a bad --light is said before any cut-out or render
    except StyleLabError as error:
        parser.error(str(error))
    products = load_products(args.products) if args.products else synthetic_products()
    sheet = contact_sheet(products, tuple(args.kinds), args.tile, args.light, args.seed)
    sheet.save(args.out, quality=88) if args.out.suffix.lower() in (".jpg", ".jpeg") else sheet.save(args.out)
    print(args.out)


if __name__ == "__main__":
    main()
