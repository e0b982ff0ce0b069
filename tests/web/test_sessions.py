"""Memory that does not grow with visitors (issue #34, point 1): a session keeps its results on disk,
idle sessions expire whole, old result files go, and freed memory goes back to the system.
The figures over 200 sessions come from benchmarks/soak.py (benchmarks/results/soak-cpu-amd-epyc.md)."""
from __future__ import annotations

import datetime
import os
import pickle
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import skimage.data
from gradio.state_holder import StateHolder
from PIL import Image

from stylelab.engine.memory import release_free_memory, tune_allocator
from stylelab.settings import AppSettings
from stylelab.store.exports import new_results_folder, remove_old_results
from stylelab.studio import Studio
from stylelab.web.actions import WebActions
from stylelab.web.sessions import expire_idle_sessions
from tests.conftest import sample_picture


def test_a_session_keeps_its_results_on_disk_not_in_memory(tmp_path, engine):
    """What the Restyle tab's session holds after a restyle: before, the photo and its result at full
    size (2 x 12 MB for a 2048x2048 photo, kept until the session died); now a few hundred bytes."""
    settings = AppSettings(data_dir=tmp_path / "data", device="cpu", max_side=400, max_files=5, preview_side=64,
                           concurrency=1, queue_size=8, max_upload_mb=10, admin_password=None)
    actions = WebActions(Studio(engine, settings, Image.fromarray(skimage.data.coffee())))
    photo = tmp_path / "mug.png"
    sample_picture("coffee", (240, 160)).save(photo)
    output = actions.restyle([str(photo)], "Ink wash", None, 1.0, 1.0, False, "(none)", 0.0, "JPEG", 90)

    assert len(pickle.dumps(output.results)) < 2_000, "the session state holds no pixels"
    (kept,) = output.results
    result = Image.open(kept.result)
    assert result.size == (240, 160) and kept.result.endswith(".png"), "lossless, at full size"
    assert Image.open(kept.original).size == (240, 160)
    png = actions.reexport(output.results, "PNG", 92)  # re-export reads the kept result back
    assert Image.open(png[1]).tobytes() == result.tobytes()
    assert actions.rate(output.results, 0, "up").startswith("Thanks")
    before, after = output.slider  # files named after the photo and the template, for the slider's download
    assert Path(before).name == "mug-photo.png" and Path(after).name == "mug-ink-wash.jpg"
    assert Image.open(before).size == Image.open(after).size == (240, 160)


def test_idle_sessions_expire_whole_and_busy_ones_stay():
    holder = StateHolder()
    holder.blocks = SimpleNamespace(default_config=SimpleNamespace(blocks={}, config_for_block=None))
    now = datetime.datetime(2026, 12, 6, 12, 0)
    for session, idle_minutes in (("gone-a", 61), ("gone-b", 600), ("busy", 5)):
        holder.session_data[session] = object()  # stands in for Gradio's SessionState
        holder.time_last_used[session] = now - datetime.timedelta(minutes=idle_minutes)
    assert expire_idle_sessions(holder, idle_seconds=3600, now=now) == 2
    assert list(holder.session_data) == ["busy"] and list(holder.time_last_used) == ["busy"]


def test_old_result_folders_are_removed_and_recent_ones_kept(tmp_path):
    old, recent = new_results_folder(), new_results_folder()
    (old / "result.png").write_bytes(b"x")
    hours_ago = time.time() - 7 * 3600
    os.utime(old, (hours_ago, hours_ago))
    try:
        assert remove_old_results(6 * 3600) >= 1
        assert not old.exists() and recent.is_dir()
    finally:
        for folder in (old, recent):
            if folder.exists():
                for file in folder.iterdir():
                    file.unlink()
                folder.rmdir()


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def test_freed_big_buffers_go_back_to_the_system():
    assert tune_allocator(), "glibc took the settings (Linux)"
    np.ones(4_000_000).sum()  # a 32 MB buffer freed: glibc's own rule would now keep smaller ones in its heap
    before = _rss_mb()
    buffers = [np.ones(1_000_000) for _ in range(16)]  # 16 x 8 MB, as a restyle's intermediate tensors
    kept = buffers.pop()  # the last one lives on (in a heap it would pin everything below it)
    del buffers
    release_free_memory()
    assert _rss_mb() - before < 40, "the 120 MB freed went back to the system"
    assert kept.sum() == 1_000_000
