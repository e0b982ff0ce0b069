"""Where a catalog run writes: a local or shared folder, or an s3:// / gs:// prefix through pyarrow.

Files are named by their path relative to the destination (``catalog/shoes/a.png``), exactly as the
local CLI lays them out under ``--out``.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from PIL import Image
from pyarrow import fs as pafs

from stylelab.errors import StyleLabError
from stylelab.imageio import image_encoder, save_image
from stylelab.store.files import atomic_write_bytes


@dataclass(frozen=True)
class Destination:
    """The output folder a run was given: a path, or a URI pyarrow has a filesystem for."""

    location: str

    def __post_init__(self) -> None:
        if self.is_local:  # fixed here, on the driver: Ray workers run in folders of their own
            object.__setattr__(self, "location", str(Path(self.location.removeprefix("file://")).resolve()))

    @property
    def is_local(self) -> bool:
        return "://" not in self.location or self.location.startswith("file://")

    def __reduce__(self) -> tuple[type, tuple[str]]:
        return Destination, (self.location,)  # each Ray worker opens its own filesystem (and credentials)

    @property
    def root(self) -> str:
        """The destination as the filesystem names it (an absolute path, or bucket/prefix)."""
        return self.filesystem_and_root[1]

    @cached_property
    def filesystem_and_root(self) -> tuple[pafs.FileSystem, str]:
        if self.is_local:
            return pafs.LocalFileSystem(), self.location
        try:
            filesystem, root = pafs.FileSystem.from_uri(self.location)
        except (ValueError, OSError) as error:  # an unknown scheme, or no credentials / library for it
            raise StyleLabError(f"Cannot write to '{self.location}': {error}") from None
        return filesystem, root.rstrip("/")

    def path_of(self, relative: str) -> str:
        """Where ``relative`` lands, as the filesystem names it."""
        return f"{self.root}/{relative}"

    def existing_files(self) -> set[str]:
        """Every file already under the destination, relative to it (one listing, not one call per photo)."""
        filesystem, root = self.filesystem_and_root
        if filesystem.get_file_info(root).type == pafs.FileType.NotFound:
            return set()
        listing = filesystem.get_file_info(pafs.FileSelector(root, recursive=True))
        return {info.path[len(root) + 1:] for info in listing if info.type == pafs.FileType.File}

    def save_text(self, text: str, relative: str) -> None:
        """Write a small text file (a shot's JSON sidecar); local files atomically."""
        filesystem, root = self.filesystem_and_root
        if self.is_local:
            atomic_write_bytes(Path(root) / relative, text.encode("utf-8"))
            return
        with filesystem.open_output_stream(f"{root}/{relative}") as stream:
            stream.write(text.encode("utf-8"))

    def save(self, image: Image.Image, relative: str, quality: int) -> None:
        """Write ``image`` in the format its name asks for; local files atomically, like the CLI."""
        filesystem, root = self.filesystem_and_root
        if self.is_local:
            save_image(image, Path(root) / relative, quality=quality)
            return
        buffer = io.BytesIO()
        image_encoder(image, relative, quality)(buffer)
        with filesystem.open_output_stream(f"{root}/{relative}") as stream:  # an object store PUT: all or nothing
            stream.write(buffer.getvalue())
