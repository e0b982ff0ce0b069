"""Writing to the data folder so that a crash, a full disk or a read-only folder loses nothing.

Every file is written under a temporary name, flushed to disk (fsync) and then renamed over
the old one: a reader sees the previous version or the new one, never half of either.
"""
from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from stylelab.errors import StyleLabError

_DISK_FULL = {errno.ENOSPC, errno.EDQUOT}
_NOT_WRITABLE = {errno.EACCES, errno.EPERM, errno.EROFS}


def fsync_file(path: Path) -> None:
    """Flush a file that another library wrote (e.g. safetensors) to disk."""
    with open(path, "rb") as stream:
        os.fsync(stream.fileno())


def fsync_tree(folder: Path) -> None:
    """Flush every file in a folder written completely under a temporary name, before renaming it."""
    for path in folder.rglob("*"):
        if path.is_file():
            fsync_file(path)


def atomic_write(path: Path, write: Callable[[BinaryIO], None], durable: bool = True) -> Path:
    """Replace ``path`` in one step: ``write`` fills a temporary file, then fsync, then rename.

    ``durable=False`` skips the fsync, for caches that need only readers never to see half a file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    try:
        with os.fdopen(handle, "wb") as stream:
            write(stream)
            stream.flush()
            if durable:
                os.fsync(stream.fileno())  # on disk before the rename makes it visible
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def atomic_write_bytes(path: Path, data: bytes, durable: bool = True) -> Path:
    return atomic_write(path, lambda stream: stream.write(data), durable)


def atomic_write_text(path: Path, text: str) -> Path:
    return atomic_write_bytes(path, text.encode("utf-8"))


def storage_problem(error: OSError, what: str) -> StyleLabError | None:
    """The sentence for a write that failed for a reason the operator can fix, else None."""
    if error.errno in _DISK_FULL:
        return StyleLabError(f"Could not save {what}: the disk is full. Nothing was changed; free some space "
                             "and try again.")
    if error.errno in _NOT_WRITABLE:
        return StyleLabError(f"Could not save {what}: the data folder is not writable. Nothing was changed; "
                             "check the folder's permissions (STYLELAB_DATA_DIR).")
    return None


@contextlib.contextmanager
def saving(what: str) -> Iterator[None]:
    """Turn a full disk or an unwritable folder into one clear sentence (the caller cleans up)."""
    try:
        yield
    except OSError as error:
        problem = storage_problem(error, what)
        if problem is None:
            raise
        raise problem from None


def check_writable(folder: Path) -> None:
    """Fail at start-up, with a sentence, when the data folder cannot be written."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(folder / ".write-check", b"ok").unlink()
    except OSError as error:
        problem = storage_problem(error, "to the data folder")
        raise problem or StyleLabError(f"The data folder '{folder.name}' cannot be used ({error.strerror}); set "
                                       "STYLELAB_DATA_DIR to a writable folder.") from None
