"""Faults: a process killed mid-write, a restart after a crash, a full disk, a read-only data folder,
and a GPU that runs out of memory. Nothing a merchant saved is lost or half-written.

(Killing a publisher mid-publish is tested in tests/test_finetune.py; the engine's batch/tile
fallback itself in tests/test_engine.py.)
"""
from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import skimage.data
import torch
from PIL import Image

from stylelab.web.actions import WebActions
from stylelab.store.jobs import INTERRUPTED, JobManager
from stylelab.web.auth import AdminAuth
from stylelab.web.admin_actions import AdminActions
from stylelab.engine import OUT_OF_MEMORY_NOTICE, EngineLimits, RestyleSettings, StyleEngine
from stylelab.errors import StyleLabError, UserFacingError
from stylelab.store.safeload import load_safetensors
from stylelab.settings import AppSettings
from stylelab.store.files import atomic_write_text
from stylelab.studio import Photo, StyleChoice, Studio
from tests.conftest import sample_picture

ROOT = Path(__file__).resolve().parents[1]


def make_studio(data_dir: Path, engine, password: str | None = None) -> Studio:
    settings = AppSettings(data_dir=data_dir, device="cpu", max_side=400, max_files=5, preview_side=64,
                           concurrency=1, queue_size=8, max_upload_mb=10, admin_password=password)
    return Studio(engine, settings, sample_photo=Image.fromarray(skimage.data.coffee()))


def run_until_marker_then_kill(code: str, marker: Path, *args: str) -> None:
    """Start a Python child, wait until it is in the middle of its write, and SIGKILL it there."""
    child = subprocess.Popen([sys.executable, "-c", textwrap.dedent(code), str(marker), *args], cwd=ROOT)
    deadline = time.monotonic() + 60
    while not marker.exists() and time.monotonic() < deadline and child.poll() is None:
        time.sleep(0.02)
    assert marker.exists(), "the child never reached the middle of its write"
    os.kill(child.pid, signal.SIGKILL)
    assert child.wait(timeout=10) == -signal.SIGKILL


# -- killed mid-write ------------------------------------------------------------------------

KILLED_TEMPLATE_SAVE = """
    import sys, time, torch
    from pathlib import Path
    from PIL import Image
    import stylelab.store.templates as templates

    real_save = templates.save_file
    def slow_save(tensors, path, *args, **kwargs):
        real_save(tensors, path, *args, **kwargs)
        Path(sys.argv[1]).write_text("half-way")
        time.sleep(60)  # the parent kills us here, with the new template half written
    templates.save_file = slow_save
    store = templates.TemplateStore(Path(sys.argv[2]))
    store.save("Autumn board", Image.new("RGB", (64, 64), "orange"), torch.ones(100), Image.new("RGB", (24, 16)))
"""


def test_a_process_killed_while_saving_a_template_leaves_the_saved_ones_intact(tmp_path, engine):
    studio = make_studio(tmp_path / "data", engine)
    studio.save_template("Spring board", sample_picture("rocket", (160, 120)))
    photo = Photo("mug", sample_picture("coffee", (96, 64)))
    before = studio.restyle([photo], StyleChoice(template="Spring board"), RestyleSettings())[0].result.tobytes()

    run_until_marker_then_kill(KILLED_TEMPLATE_SAVE, tmp_path / "half-way", str(tmp_path / "data"))

    reopened = make_studio(tmp_path / "data", engine)
    assert [t.name for t in reopened.store.custom()] == ["Spring board"], "the half-saved one is not listed"
    assert reopened.restyle([photo], StyleChoice(template="Spring board"),
                            RestyleSettings())[0].result.tobytes() == before
    reopened.save_template("Autumn board", sample_picture("chelsea", (160, 120)))  # the name is free again
    assert [t.name for t in reopened.store.custom()] == ["Spring board", "Autumn board"]


KILLED_CHECKPOINT = """
    import sys, time, torch
    from pathlib import Path
    import stylelab.training.finetune as finetune

    run_log = finetune._RunLog(Path(sys.argv[2]), finetune.FinetuneSettings())
    run_log.checkpoint({"embedding": torch.zeros(100)})  # the previous best checkpoint
    real_save = finetune.save_file
    def slow_save(tensors, path, *args, **kwargs):
        with open(path, "wb") as partial:
            partial.write(b"half a checkpoint")
        Path(sys.argv[1]).write_text("half-way")
        time.sleep(60)  # killed here, mid-write of the new best checkpoint
    finetune.save_file = slow_save
    run_log.checkpoint({"embedding": torch.ones(100)})
"""


def test_a_process_killed_while_writing_a_checkpoint_leaves_the_previous_one_loadable(tmp_path):
    run_dir = tmp_path / "run"
    run_until_marker_then_kill(KILLED_CHECKPOINT, tmp_path / "half-way", str(run_dir))
    checkpoint = load_safetensors(run_dir / "checkpoint-best.safetensors", "checkpoint")
    assert torch.equal(checkpoint["embedding"], torch.zeros(100)), "the previous checkpoint, whole"


# -- restart after a crash -------------------------------------------------------------------

KILLED_WITH_JOBS = """
    import sys, time
    from pathlib import Path
    from stylelab.store.jobs import JobManager

    jobs = JobManager(Path(sys.argv[2]))
    jobs.submit("Finished before the crash", lambda job: "ok")
    while not jobs.get(1).done:
        time.sleep(0.01)
    def long_run(job):
        Path(sys.argv[1]).write_text("running")
        time.sleep(60)  # killed while this job runs and the next one waits
    jobs.submit("Running at the crash", long_run)
    jobs.submit("Queued at the crash", lambda job: "never", kind="gan-training")
    time.sleep(60)
"""


def test_a_restart_after_a_crash_marks_interrupted_jobs_failed_and_keeps_serving(tmp_path, engine):
    data = tmp_path / "data"
    run_until_marker_then_kill(KILLED_WITH_JOBS, tmp_path / "running", str(data / "jobs"))
    studio = make_studio(data, engine, password="pw")
    admin = AdminActions(studio, AdminAuth("pw"))  # the app's start-up: jobs are read from the data folder
    rows = admin.list_jobs("pw")
    assert rows == [
        [3, "gan-training", "Queued at the crash", "failed", INTERRUPTED],
        [2, "fine-tuning", "Running at the crash", "failed", INTERRUPTED],
        [1, "fine-tuning", "Finished before the crash", "finished", ""],
    ]
    assert "failed" in admin.job_status("pw", 2)[0] and INTERRUPTED in admin.job_status("pw", 2)[0]
    after = admin.jobs.submit("After the restart", lambda job: "fine")
    deadline = time.monotonic() + 10
    while not after.done and time.monotonic() < deadline:
        time.sleep(0.02)
    assert (after.id, after.status, after.result) == (4, "finished", "fine"), "new jobs run; ids continue"
    record = json.loads((data / "jobs" / "000002.json").read_text())
    assert record["status"] == "failed" and record["message"] == INTERRUPTED, "the record itself is updated"


def test_unreadable_job_records_are_skipped_not_fatal(tmp_path):
    records = tmp_path / "jobs"
    records.mkdir()
    (records / "000001.json").write_text('{"id": 1, "name": "cut sh')
    atomic_write_text(records / "000002.json", json.dumps({"id": 2, "name": "ok", "status": "queued"}))
    jobs = JobManager(records)
    assert [(j.id, j.status) for j in jobs.jobs()] == [(2, "failed")]


# -- a full disk, an unwritable data folder ---------------------------------------------------------

def disk_full(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def files_under(folder: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture()
def studio(tmp_path, engine) -> Studio:
    studio = make_studio(tmp_path / "data", engine)
    studio.save_template("Spring board", sample_picture("rocket", (160, 120)))
    return studio


def test_a_full_disk_while_saving_a_template_is_a_clear_sentence_and_nothing_is_half_written(studio, monkeypatch):
    before = files_under(studio.settings.data_dir)
    monkeypatch.setattr(os, "fsync", disk_full)
    actions = WebActions(studio)
    with pytest.raises(UserFacingError, match="the disk is full. Nothing was changed"):
        actions.save_template("Autumn board", str(_style_file(studio)))
    with pytest.raises(UserFacingError, match="the disk is full"):
        actions.rename_template("Spring board", "Summer board")
    with pytest.raises(StyleLabError, match="the disk is full"):
        studio.store.publish_version("Spring board", torch.ones(100), None, {"note": "full disk"})
    monkeypatch.undo()
    assert files_under(studio.settings.data_dir) == before, "no half-written or changed file"
    assert actions.custom_template_names() == ["Spring board"]
    assert studio.store.versions("Spring board")[-1]["version"] == "v0"


def test_a_full_disk_while_exporting_results_is_a_clear_sentence_with_no_partial_files(studio, monkeypatch, tmp_path):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "downloads"))
    (tmp_path / "downloads").mkdir()
    photo = tmp_path / "mug.png"
    sample_picture("coffee", (96, 64)).save(photo)
    monkeypatch.setattr(os, "fsync", disk_full)
    actions = WebActions(studio)
    with pytest.raises(UserFacingError, match="Could not save the results: the disk is full"):
        actions.restyle([str(photo)], "Ink wash", None, 0.5, 1.0, False, "(none)", 0.0, "PNG", 92)
    assert not [p for p in (tmp_path / "downloads").rglob("*") if p.is_file()], "no partial download"
    monkeypatch.undo()
    assert "Restyled 1" in actions.restyle([str(photo)], "Ink wash", None, 0.5, 1.0, False, "(none)", 0.0,
                                           "PNG", 92).status, "and it works again once there is space"


def make_read_only(folder: Path, monkeypatch) -> None:
    """chmod 0o555, and where that does not stop writes (running as root, as CI may) refuse them the
    way the kernel would for everyone else: EACCES for creating anything below the folder."""
    for path in [folder, *folder.rglob("*")]:
        if path.is_dir():
            path.chmod(0o555)
    if os.geteuid() != 0:
        return
    real_open, real_mkdir = os.open, os.mkdir

    def below(path) -> bool:
        return Path(os.path.abspath(path)).is_relative_to(folder)

    def guarded_open(path, flags, *args, **kwargs):
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT) and below(path):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    def guarded_mkdir(path, *args, **kwargs):
        if below(path):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", guarded_open)
    monkeypatch.setattr(os, "mkdir", guarded_mkdir)


def test_an_unwritable_data_folder_is_a_clear_sentence(studio, monkeypatch, engine):
    data = studio.settings.data_dir
    before = files_under(data)
    make_read_only(data, monkeypatch)
    try:
        with pytest.raises(StyleLabError, match="the data folder is not writable"):
            make_studio(data, engine)  # start-up says so at once
        with pytest.raises(UserFacingError, match="the data folder is not writable. Nothing was changed"):
            WebActions(studio).save_template("Autumn board", str(_style_file(studio)))
    finally:
        for path in [data, *data.rglob("*")]:
            if path.is_dir():
                path.chmod(0o755)
    monkeypatch.undo()
    assert files_under(data) == before
    assert WebActions(studio).custom_template_names() == ["Spring board"]


def test_the_app_refuses_to_start_on_an_unwritable_data_folder_with_one_line(tmp_path):
    data = tmp_path / "data"
    data.write_text("a file where the data folder should be")
    completed = subprocess.run([sys.executable, "app.py"], cwd=ROOT, capture_output=True, text=True, timeout=120,
                               env=os.environ | {"STYLELAB_DATA_DIR": str(data), "STYLELAB_DEVICE": "cpu"})
    assert completed.returncode != 0
    assert "StyleLab cannot start" in completed.stderr and "Traceback" not in completed.stderr, completed.stderr


def _style_file(studio: Studio) -> Path:
    path = studio.settings.data_dir.parent / "style.png"
    if not path.exists():
        sample_picture("chelsea", (160, 120)).save(path)
    return path


# -- a GPU that runs out of memory -------------------------------------------------------------

def test_out_of_gpu_memory_falls_back_to_tiles_and_tells_the_user(tmp_path, monkeypatch):
    engine = StyleEngine("cpu", EngineLimits(max_direct_pixels=10**8, tile=256, stats_side=256))
    real_forward = engine._forward

    def forward_that_runs_out_of_memory_on_big_inputs(network, images, condition, stats):
        if images.shape[-1] * images.shape[-2] > 256 * 256 and stats is None:
            raise torch.cuda.OutOfMemoryError("simulated")
        return real_forward(network, images, condition, stats)

    studio = make_studio(tmp_path / "data", engine)
    photo = tmp_path / "big.png"
    sample_picture("coffee", (400, 264)).save(photo)
    monkeypatch.setattr(engine, "_forward", forward_that_runs_out_of_memory_on_big_inputs)
    output = WebActions(studio).restyle([str(photo)], "Ink wash", None, 1.0, 1.0, False, "(none)", 0.0, "PNG", 92)
    assert Image.open(output.results[0].result).size == (400, 264)
    assert OUT_OF_MEMORY_NOTICE in output.status
    assert "Note for big" in output.status
