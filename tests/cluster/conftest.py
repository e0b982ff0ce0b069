"""A small catalog (sub-folders, a cutout, a damaged file) and what the local CLI makes of it."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from stylelab.cli import main
from tests.conftest import make_cutout, sample_picture

STYLE_ARGS = ["--style", "Ink wash:0.7", "--style", "Bold primaries:0.3", "--strength", "0.8"]
GOOD = ["catalog/mug.png", "catalog/shoes/boot.png", "catalog/shoes/cutout.png"]
BROKEN = "catalog/broken.png"


@pytest.fixture(scope="session")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("photos") / "catalog"
    (folder / "shoes").mkdir(parents=True)
    sample_picture("coffee", (96, 64)).save(folder / "mug.jpg", quality=90)
    sample_picture("astronaut", (64, 64)).save(folder / "shoes" / "boot.png")
    make_cutout((80, 60)).save(folder / "shoes" / "cutout.png")
    (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a JPEG")
    return folder


@pytest.fixture(scope="session")
def cli_results(catalog: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The local CLI's results: the files every Ray run must reproduce."""
    out = tmp_path_factory.mktemp("cli-out")
    assert main(["restyle", str(catalog), *STYLE_ARGS, "--out", str(out), "--device", "cpu", "--quiet"]) == 1
    return out


def pixels(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image.convert("RGBA"))


def assert_same_results(out: Path, reference: Path) -> None:
    """Every photo the CLI made is there with the same pixels (alpha too), and nothing else is."""
    made = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.png"))
    assert made == GOOD
    for relative in GOOD:
        assert np.array_equal(pixels(out / relative), pixels(reference / relative)), relative
