"""Give freed memory back to the system (glibc's allocator; elsewhere these do nothing).

A restyle of a 2048x2048 photo allocates hundreds of MB of short-lived buffers from many threads.
With glibc's defaults each thread may get an arena of its own, and after a large buffer is freed
the allocator raises its mmap threshold, so the next ones come from the heap and stay resident
after they are freed. Here large buffers always get pages of their own (returned on free), threads
share two arenas, and ``release_free_memory`` hands what is free in the heaps back.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import functools
import sys

M_TRIM_THRESHOLD = -1  # mallopt parameters, from glibc's malloc.h
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8
LARGE_BUFFER = 4 * 1024 * 1024  # bytes: buffers this big get pages of their own, freed at once
ARENAS = 2
TRIM_THRESHOLD = 32 * 1024 * 1024  # free memory at the top of a heap beyond this is returned at once


@functools.cache
def _glibc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt  # noqa: B018 - musl and others lack these
        libc.malloc_trim
    except (OSError, AttributeError):
        return None
    return libc


def tune_allocator() -> bool:
    """Call once at start-up, before worker threads start; True where it took effect."""
    libc = _glibc()
    if libc is None:
        return False
    # a fixed mmap threshold also switches off glibc's dynamic one, which would creep up to 32 MB
    return all([libc.mallopt(M_MMAP_THRESHOLD, LARGE_BUFFER) == 1, libc.mallopt(M_ARENA_MAX, ARENAS) == 1,
                libc.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1])


def release_free_memory() -> None:
    """Return the free parts of every heap to the system (a few ms)."""
    libc = _glibc()
    if libc is not None:
        libc.malloc_trim(0)
