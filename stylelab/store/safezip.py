"""The photos in a ZIP, read safely: the one reader behind fine-tuning and generator training.

A ZIP is read in memory and never unpacked to disk. Before any photo is read, the whole ZIP is
refused, with one sentence, when a path leaves the ZIP (``../``, an absolute or drive path), an
entry is a symbolic link, it holds too many photos, or it would unpack to far more than it holds
(a "zip bomb": an entry 100x its packed size, or photos over the total limit). Each entry is then
read no further than the size it declares, so a ZIP that lies about its sizes cannot fill memory.
"""
from __future__ import annotations

import io
import re
import stat
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from PIL import Image

from stylelab.errors import StyleLabError
from stylelab.imageio import decode, load_image

PHOTO_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp"}
MAX_UNPACKED = 2_000_000_000  # bytes of photos a ZIP may unpack to
MAX_RATIO = 100  # photos barely compress; an entry 100x its packed size is a zip bomb
MIN_BOMB_BYTES = 1_000_000  # small entries (a blank PNG, a text file) may compress well


def zip_photos(path: Path, max_photos: int, max_unpacked: int = MAX_UNPACKED) -> Iterator[Image.Image]:
    """Each photo in the ZIP at ``path``, in name order, upright (see stylelab.imageio.load_image).

    Every check runs before the first photo is yielded, so a refused ZIP yields nothing."""
    path = Path(path)
    with _open(path) as bundle:
        for member in _checked_photos(bundle, path.name, max_photos, max_unpacked):
            yield load_image(decode(io.BytesIO(_read(bundle, member, path.name)), PurePosixPath(member.filename).name))


def check_zip(path: Path, max_photos: int, max_unpacked: int = MAX_UNPACKED) -> int:
    """Refuse an unsafe ZIP now (e.g. before a job is queued), reading no photo; how many photos it holds."""
    path = Path(path)
    with _open(path) as bundle:
        return len(_checked_photos(bundle, path.name, max_photos, max_unpacked))


def _open(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise StyleLabError(f"'{path.name}' is not a ZIP file we can read.") from None


def _checked_photos(bundle: zipfile.ZipFile, archive: str, max_photos: int, max_unpacked: int
                    ) -> list[zipfile.ZipInfo]:
    members = [m for m in bundle.infolist() if not m.is_dir() and not m.filename.startswith("__MACOSX")]
    for member in members:
        _check_member(member, archive)
    photos = sorted((m for m in members if PurePosixPath(m.filename).suffix.lower() in PHOTO_SUFFIXES),
                    key=lambda m: m.filename)
    if len(photos) > max_photos:
        raise StyleLabError(f"'{archive}' holds {len(photos)} photos; use at most {max_photos}.")
    if sum(m.file_size for m in photos) > max_unpacked:
        raise _bomb(archive)
    return photos


def _read(bundle: zipfile.ZipFile, member: zipfile.ZipInfo, archive: str) -> bytes:
    """The entry's bytes, never more than it declares (a lying header cannot fill memory)."""
    try:
        with bundle.open(member) as stream:
            data = stream.read(member.file_size + 1)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        raise StyleLabError(f"'{member.filename}' in '{archive}' is damaged.") from None
    if len(data) > member.file_size:
        raise _bomb(archive)
    return data


def _check_member(member: zipfile.ZipInfo, archive: str) -> None:
    name = member.filename.replace("\\", "/")
    parts = PurePosixPath(name).parts
    if name.startswith("/") or re.match(r"[A-Za-z]:", name) or ".." in parts:
        raise StyleLabError(f"The ZIP '{archive}' was refused: it contains the unsafe path '{member.filename}' "
                            "(every path must stay inside the ZIP).")
    if stat.S_ISLNK(member.external_attr >> 16):
        raise StyleLabError(f"The ZIP '{archive}' was refused: '{member.filename}' is a symbolic link.")
    if member.file_size > MIN_BOMB_BYTES and member.file_size > MAX_RATIO * max(member.compress_size, 1):
        raise _bomb(archive)


def _bomb(archive: str) -> StyleLabError:
    return StyleLabError(f"The ZIP '{archive}' was refused: it would unpack to far more than it holds "
                         "(a 'zip bomb').")
