"""Gradio's image cache, written atomically.

Gradio saves every image a function returns under a folder named by the hash of its bytes and
writes it with ``write_bytes`` — truncate, then write. Two users who restyle the same photo with the
same settings at the same moment get byte-identical results (StyleLab is deterministic), so the
second write truncates the file while the first user's browser or API client is still downloading
it: that download ends early ("peer closed connection without sending complete message body").
Here the same file is written to a private temporary name and renamed into place, and a copy that
is already complete is only touched, so a reader always sees a whole image.
"""
from __future__ import annotations

import os
from pathlib import Path

import gradio.processing_utils as processing_utils
from PIL import Image

from stylelab.store.files import atomic_write_bytes

_original_save_pil_to_cache = processing_utils.save_pil_to_cache


def save_pil_to_cache_atomically(img: Image.Image, cache_dir: str, name: str = "image", format: str = "webp") -> str:
    """Same contract as ``gradio.processing_utils.save_pil_to_cache``."""
    data = processing_utils.encode_pil_to_bytes(img, format)
    target = (Path(cache_dir) / processing_utils.hash_bytes(data) / f"{name}.{format}").resolve()
    if target.is_file() and target.stat().st_size == len(data):
        try:  # Gradio's delete_cache ages files by ctime: a copy handed out again must look new
            os.utime(target)
        except OSError:
            pass
        return str(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(target, data, durable=False)
    return str(target)


def use_atomic_image_cache() -> None:
    """Route every Gradio component that caches a PIL image or array through the atomic writer."""
    processing_utils.save_pil_to_cache = save_pil_to_cache_atomically


def restore_gradio_image_cache() -> None:
    """For tests: Gradio's own writer again."""
    processing_utils.save_pil_to_cache = _original_save_pil_to_cache
