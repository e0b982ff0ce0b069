"""Two users who get the same result at the same moment both download the whole image.

StyleLab is deterministic, so identical photos and settings give byte-identical results, which
Gradio caches under one content-hashed path. Its own writer truncates that file while another
download may be reading it; the app replaces it with an atomic writer (stylelab/web/gradio_cache.py).
"""
from __future__ import annotations

import threading
from pathlib import Path

import gradio.processing_utils as processing_utils
import numpy as np
import skimage.data
from PIL import Image

from stylelab.web.gradio_cache import restore_gradio_image_cache, use_atomic_image_cache


def _partial_reads_while_writing(cache_dir: Path, image: Image.Image, writes: int = 300) -> tuple[int, int]:
    """Write the same image again and again from two threads while a third reads it like a download."""
    first = processing_utils.save_pil_to_cache(image, str(cache_dir), format="png")
    size = Path(first).stat().st_size
    done = threading.Event()
    reads, partial = 0, 0

    def read() -> None:
        nonlocal reads, partial
        while not done.is_set():
            data = Path(first).read_bytes()
            reads += 1
            partial += len(data) != size

    def write() -> None:
        for _ in range(writes):
            processing_utils.save_pil_to_cache(image, str(cache_dir), format="png")

    reader = threading.Thread(target=read)
    writers = [threading.Thread(target=write) for _ in range(2)]
    reader.start()
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join()
    done.set()
    reader.join()
    return reads, partial


def test_a_result_being_downloaded_is_never_seen_half_written(tmp_path):
    image = Image.fromarray(skimage.data.coffee()[:96, :128])
    use_atomic_image_cache()
    try:
        reads, partial = _partial_reads_while_writing(tmp_path, image)
    finally:
        restore_gradio_image_cache()
    assert reads > 50
    assert partial == 0


def test_the_cached_image_is_the_image_returned(tmp_path):
    image = Image.fromarray(skimage.data.astronaut()[::4, ::4])
    use_atomic_image_cache()
    try:
        path = processing_utils.save_pil_to_cache(image, str(tmp_path), format="png")
        again = processing_utils.save_pil_to_cache(image, str(tmp_path), format="png")
    finally:
        restore_gradio_image_cache()
    assert path == again
    assert np.array_equal(np.asarray(Image.open(path)), np.asarray(image))
    assert not [p for p in Path(path).parent.iterdir() if p.name.endswith(".partial")]
