"""Writing results for download: one file per result, and all of them as one ZIP."""
from __future__ import annotations

import re
import shutil
import tempfile
import time
import zipfile
from collections.abc import Sequence
from pathlib import Path

from PIL import Image

from stylelab.errors import StyleLabError
from stylelab.imageio import save_image
from stylelab.store.files import saving

EXPORT_FORMATS = {"PNG": "png", "JPEG": "jpg"}
RESULTS_PREFIX = "stylelab-results-"


def new_results_folder() -> Path:
    """A fresh folder for one run's downloads, in the temp folder (Gradio serves files from there)."""
    return Path(tempfile.mkdtemp(prefix=RESULTS_PREFIX))


def remove_old_results(max_age_seconds: float, root: Path | None = None, now: float | None = None) -> int:
    """Delete the results folders last changed more than ``max_age_seconds`` ago; how many went."""
    now = time.time() if now is None else now
    removed = 0
    for folder in Path(root or tempfile.gettempdir()).glob(f"{RESULTS_PREFIX}*"):
        try:
            if folder.is_dir() and now - folder.stat().st_mtime > max_age_seconds:
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
        except OSError:
            continue  # gone meanwhile
    return removed


def export_results(
    named_images: Sequence[tuple[str, Image.Image]], folder: Path, image_format: str = "PNG", quality: int = 92,
    sidecars: Sequence[tuple[str, str]] = (),
) -> tuple[list[Path], Path]:
    """Save each (file stem, image) at full resolution, plus ``stylelab-results.zip``; each
    (file name, text) in ``sidecars`` (a shot's JSON) goes next to them and into the ZIP."""
    if image_format not in EXPORT_FORMATS:
        raise StyleLabError(f"Choose PNG or JPEG, not {image_format!r}.")
    if not 1 <= int(quality) <= 100:
        raise StyleLabError("JPEG quality must be from 1 to 100.")
    with saving("the results"):
        return _export(named_images, folder, image_format, int(quality), sidecars)


def save_named(named_images: Sequence[tuple[str, Image.Image]], folder: Path, image_format: str = "PNG",
               quality: int = 92) -> list[Path]:
    """Save each (file stem, image) into ``folder`` under a safe, unique name (what a download is called)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    used: set[str] = set()
    for stem, image in named_images:
        name = _unique(safe_stem(stem), used)
        paths.append(save_image(image, folder / f"{name}.{EXPORT_FORMATS[image_format]}", quality=int(quality)))
    return paths


def _export(named_images: Sequence[tuple[str, Image.Image]], folder: Path, image_format: str, quality: int,
            sidecars: Sequence[tuple[str, str]] = ()) -> tuple[list[Path], Path]:
    paths = save_named(named_images, folder, image_format, quality)
    texts = []
    for name, text in sidecars:
        texts.append(folder / safe_stem(name))
        texts[-1].write_text(text, encoding="utf-8")
    archive = folder / "stylelab-results.zip"
    partial = archive.with_suffix(".partial")
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_STORED) as bundle:
            for path in [*paths, *texts]:
                bundle.write(path, arcname=path.name)
        partial.replace(archive)
    except BaseException:
        partial.unlink(missing_ok=True)  # no half-written ZIP is ever offered for download
        raise
    return paths, archive


def safe_stem(stem: str) -> str:
    """A file stem any system accepts: letters, digits, '.', '_' and '-'."""
    return re.sub(r"[^\w.-]+", "-", stem).strip("-.")[:80] or "result"


def _unique(name: str, used: set[str]) -> str:
    candidate, counter = name, 2
    while candidate.lower() in used:
        candidate, counter = f"{name}-{counter}", counter + 1
    used.add(candidate.lower())
    return candidate
