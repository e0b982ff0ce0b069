"""The render worker process: results and progress come back, and a crash, hang or memory blow-up
costs one job only; the next job runs on a fresh process."""
from __future__ import annotations

import threading

import numpy as np
import pytest

from stylelab.errors import StyleLabError
from stylelab.product.scene.worker import RenderWorker, WorkerSpec, shared_worker

JOB = "tests.product.fake_render_job:run"
# One worker for most of the file: a spawn costs a few tenths of a second, and every test leaves it usable.
SPEC = WorkerSpec(JOB, timeout_s=1.5)


@pytest.fixture(scope="module")
def worker():
    worker = RenderWorker(SPEC)
    yield worker
    worker.close()
    assert worker.pid is None


def test_result_and_progress_in_order(worker):
    seen = []
    result = worker.run({"action": "ok", "steps": 4, "value": 0.25}, progress=lambda d, t: seen.append((d, t)))
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]
    np.testing.assert_array_equal(result["image"], np.full((4, 4, 3), 0.25, dtype=np.float32))
    assert result["png"] == b"\x89PNG"
    assert result["pid"] == worker.pid


def test_same_process_serves_jobs_in_a_row(worker):
    first = worker.run({"action": "ok"})["pid"]
    assert worker.run({"action": "ok"})["pid"] == first


def test_user_error_keeps_its_sentence_and_the_worker(worker):
    pid = worker.run({"action": "ok"})["pid"]
    with pytest.raises(StyleLabError, match="^The product picture has no visible product.$"):
        worker.run({"action": "user_error"})
    with pytest.raises(StyleLabError, match="^The render failed: KeyError: 'missing_light'.$"):
        worker.run({"action": "bug"})
    assert worker.run({"action": "ok"})["pid"] == pid


def test_crash_costs_one_job(worker):
    pid = worker.run({"action": "ok"})["pid"]
    with pytest.raises(StyleLabError, match=r"stopped unexpectedly.*exit code 3.*next shot starts a fresh one"):
        worker.run({"action": "exit"})
    assert worker.pid is None
    assert worker.run({"action": "ok"})["pid"] != pid


def test_hang_is_stopped_at_the_timeout(worker):
    pid = worker.run({"action": "ok"})["pid"]
    with pytest.raises(StyleLabError, match="took longer than 1.5 s"):
        worker.run({"action": "sleep", "seconds": 30})
    assert worker.run({"action": "ok"})["pid"] != pid


def test_memory_blow_up_is_stopped():
    # Its own worker with a generous timeout: faulting pages in is slow on some sandboxes, and only
    # the memory check may stop this job.
    worker = RenderWorker(WorkerSpec(JOB, timeout_s=30.0, memory_limit_mb=150))
    try:
        pid = worker.run({"action": "ok"})["pid"]
        with pytest.raises(StyleLabError, match="more than 150 MB of memory"):
            worker.run({"action": "allocate", "mb": 500})
        assert worker.run({"action": "ok"})["pid"] != pid
    finally:
        worker.close()


def test_failing_progress_callback_does_not_leave_the_job_behind(worker):
    def cancel(done: int, total: int) -> None:
        raise StyleLabError("Cancelled.")

    with pytest.raises(StyleLabError, match="Cancelled"):
        worker.run({"action": "ok", "steps": 5}, progress=cancel)
    seen = []
    worker.run({"action": "ok", "steps": 2}, progress=lambda d, t: seen.append((d, t)))
    assert seen == [(1, 2), (2, 2)]  # nothing left over from the abandoned job


def test_threads_take_turns(worker):
    results, errors = [], []

    def one(value: float) -> None:
        try:
            results.append(worker.run({"action": "ok", "value": value})["image"][0, 0, 0])
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=one, args=(v,)) for v in (0.1, 0.2, 0.3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(results) == pytest.approx([0.1, 0.2, 0.3])


def test_shared_worker_is_one_per_spec():
    assert shared_worker(SPEC) is shared_worker(WorkerSpec(JOB, timeout_s=1.5))
    assert shared_worker(SPEC) is not shared_worker(WorkerSpec(JOB, timeout_s=2.0))
