"""The record of a catalog run in DST/manifest/: one row per photo, kept in Parquet parts.

Parts are written as results arrive, so a crash or a cancelled job loses at most the last few
seconds of rows, and each part is a whole file (an object store PUT, or written then renamed), so a
reader never sees half of one. A photo done twice (a rerun after a failure) has several rows; the
latest wins. At the end of a run the parts are folded into one file.
"""
from __future__ import annotations

import secrets
import time

import pyarrow as pa
import pyarrow.parquet as pq
from pyarrow import fs as pafs

from stylelab.cluster.storage import Destination

FOLDER = "manifest"
SCHEMA = pa.schema([
    ("source", pa.string()),    # the photo read
    ("output", pa.string()),    # the file written, relative to the destination (as the local CLI lays it out)
    ("size", pa.string()),      # "WIDTHxHEIGHT" of the photo and the result
    ("ssim", pa.float64()),     # of the result against the photo, as the app reports them
    ("psnr", pa.float64()),
    ("seconds", pa.float64()),  # decode + the photo's share of its batch on the engine + encode, write, figures
    ("device", pa.string()),    # the engine's device and the node that ran it
    ("error", pa.string()),     # null when the photo was done; the reason when it was not
])


def new_part_name() -> str:
    """Names that sort in the order they were written, across runs (to the nanosecond: two runs can
    start within one second, as a test's do)."""
    now = time.time_ns()
    return f"{time.strftime('%Y%m%dT%H%M%S', time.gmtime(now // 10**9))}.{now % 10**9:09d}Z-{secrets.token_hex(3)}"


def _parts(destination: Destination) -> list[str]:
    filesystem, root = destination.filesystem_and_root
    folder = f"{root}/{FOLDER}"
    if filesystem.get_file_info(folder).type != pafs.FileType.Directory:
        return []
    listing = filesystem.get_file_info(pafs.FileSelector(folder))
    return sorted(info.path for info in listing if info.path.endswith(".parquet"))


def read_manifest(destination: Destination) -> pa.Table:
    """Every photo's latest row, in the order the rows were written."""
    filesystem = destination.filesystem_and_root[0]
    parts = [pq.read_table(path, filesystem=filesystem, schema=SCHEMA) for path in _parts(destination)]
    if not parts:
        return SCHEMA.empty_table()
    rows = pa.concat_tables(parts)
    latest = {output: index for index, output in enumerate(rows.column("output").to_pylist())}
    return rows.take(sorted(latest.values()))


def finished_outputs(manifest: pa.Table) -> set[str]:
    """Outputs whose latest row says the photo was done."""
    done = manifest.filter(manifest.column("error").is_null())
    return set(done.column("output").to_pylist())


class ManifestWriter:
    """Collects rows and writes them as a new part every ``flush_rows`` rows or ``flush_seconds``."""

    def __init__(self, destination: Destination, flush_rows: int = 500, flush_seconds: float = 10.0) -> None:
        self.destination = destination
        self.flush_rows = flush_rows
        self.flush_seconds = flush_seconds
        self._pending: list[pa.Table] = []
        self._pending_rows = 0
        self._last_flush = time.monotonic()
        self._run = new_part_name()
        self._count = 0

    def add(self, rows: pa.Table) -> None:
        self._pending.append(rows.select(SCHEMA.names).cast(SCHEMA))
        self._pending_rows += rows.num_rows
        if self._pending_rows >= self.flush_rows or time.monotonic() - self._last_flush >= self.flush_seconds:
            self.flush()

    def flush(self) -> None:
        if self._pending:
            self._count += 1
            self._write(pa.concat_tables(self._pending), f"{self._run}-{self._count:06d}")
        self._pending, self._pending_rows, self._last_flush = [], 0, time.monotonic()

    def compact(self) -> None:
        """Fold every part into one file of latest rows: written first, then the old parts removed."""
        self.flush()
        old = _parts(self.destination)
        if len(old) < 2:
            return
        written = self._write(read_manifest(self.destination), new_part_name())
        filesystem = self.destination.filesystem_and_root[0]
        for path in old:
            if path != written:
                filesystem.delete_file(path)

    def _write(self, table: pa.Table, name: str) -> str:
        filesystem, root = self.destination.filesystem_and_root
        folder = f"{root}/{FOLDER}"
        filesystem.create_dir(folder, recursive=True)
        path = f"{folder}/{name}.parquet"
        if self.destination.is_local:  # written beside, then renamed: readers never meet half a part
            pq.write_table(table, f"{path}.partial", filesystem=filesystem)
            filesystem.move(f"{path}.partial", path)
        else:
            pq.write_table(table, path, filesystem=filesystem)
        return path
