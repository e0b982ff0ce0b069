"""Rewrite the docs' generated blocks from the code's own words, so the docs, the CLI's help and
the web app's hints cannot disagree.

A block is the text between `<!-- generated:NAME -->` and `<!-- /generated:NAME -->` in README.md
or a page under docs/. `python tools/sync_docs.py` rewrites them in place; `--check` only says
which files are stale (exit 1), as tests/test_docs.py does.
"""
from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from stylelab.product.scene.choices import (GOBO_DESCRIPTIONS, MATERIAL_DESCRIPTIONS, PRESETS,  # noqa: E402
                                            SCENE_DESCRIPTIONS)
from stylelab.vocabulary import PRECISIONS  # noqa: E402
from stylelab.creatives.fonts import FAMILIES  # noqa: E402
from stylelab.creatives.formats import AD_FORMATS  # noqa: E402
from stylelab.creatives.layouts import LAYOUTS  # noqa: E402

BLOCK = re.compile(r"(<!-- generated:(?P<name>[a-z-]+) -->\n)(?P<body>.*?)(<!-- /generated:(?P=name) -->)", re.S)


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _described(heading: str, descriptions: dict[str, str]) -> Callable[[], str]:
    return lambda: _table((heading, "what it means"), [(f"`{name}`", text) for name, text in descriptions.items()])


def _presets() -> str:
    rows = [(f"`{p.name}`", f"{p.size[0]}x{p.size[1]}", p.description) for p in PRESETS.values()]
    return _table(("format", "size (px)", "what it is for"), rows)


def _ad_formats() -> str:
    rows = [(f"`{a.name}`", a.ratio, f"{a.size[0]}x{a.size[1]}", a.placement if a.allows_text else
             "no text, badge or logo: asking for a creative gets a sentence") for a in AD_FORMATS.values()]
    return _table(("format", "ratio", "size (px)", "placement and safe zone"), rows)


def _fonts() -> str:
    rows = []
    for family in FAMILIES.values():
        faces = dict.fromkeys([family.bold, family.regular, family.cjk_bold, family.cjk_regular])
        rows.append((f"`{family.name}`", family.description,
                     "; ".join(f"{f.name} {f.version} (`{f.package}`)" for f in faces), family.bold.licence))
    return _table(("font", "what it is", "faces (Python package)", "licence"), rows)


BLOCKS: dict[str, Callable[[], str]] = {
    "layouts": _described("layout", {name: layout.description for name, layout in LAYOUTS.items()}),
    "ad-formats": _ad_formats,
    "fonts": _fonts,
    "precisions": _described("precision", PRECISIONS),
    "scenes": _described("scene", SCENE_DESCRIPTIONS),
    "materials": _described("material", MATERIAL_DESCRIPTIONS),
    "gobos": _described("light pattern (gobo)", GOBO_DESCRIPTIONS),
    "presets": _presets,
}


def documents() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def synced(text: str, where: str = "") -> str:
    """``text`` with every generated block rewritten; an unknown block name is an error."""
    def fill(match: re.Match[str]) -> str:
        name = match["name"]
        if name not in BLOCKS:
            raise SystemExit(f"{where}: unknown generated block '{name}' (known: {', '.join(BLOCKS)})")
        return match.group(1) + BLOCKS[name]() + match.group(4)

    return BLOCK.sub(fill, text)


def stale_documents() -> list[Path]:
    return [path for path in documents() if synced(path.read_text(), str(path)) != path.read_text()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only list stale files; exit 1 if any")
    args = parser.parse_args()
    stale = stale_documents()
    if args.check:
        for path in stale:
            print(f"stale: {path.relative_to(ROOT)}")
        return 1 if stale else 0
    for path in stale:
        path.write_text(synced(path.read_text(), str(path)))
        print(f"rewrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
