"""The background job queue (fine-tuning and generator training) and its records in the data folder.

One job runs at a time on a worker thread; each job's status is kept as a small JSON file so a
restart still lists it. No UI code here: the admin tab is handed a JobManager.
"""
from __future__ import annotations

import itertools
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stylelab.errors import StyleLabError
from stylelab.store.files import atomic_write_text

log = logging.getLogger("stylelab")


DONE_STATUSES = ("finished", "early stopping", "cancelled", "failed")
INTERRUPTED = "Interrupted by a restart"


@dataclass
class Job:
    id: int
    name: str
    status: str = "queued"  # queued, running, finished, early stopping, cancelled, failed
    history: list[dict] = field(default_factory=list)
    message: str = ""
    eta_seconds: float | None = None
    result: Any = None
    cancel: threading.Event = field(default_factory=threading.Event)
    kind: str = "fine-tuning"
    created: float = field(default_factory=time.time)

    @property
    def done(self) -> bool:
        return self.status in DONE_STATUSES

    def record(self) -> dict[str, Any]:
        """What outlives the process: enough to list the job after a restart."""
        return {"id": self.id, "name": self.name, "kind": self.kind, "status": self.status,
                "message": self.message, "created": self.created, "updated": time.time()}


class JobManager:
    """One job at a time on a background thread; the rest wait in a queue.

    With a ``records`` folder, each job's status is kept there as ``<id>.json`` (written atomically),
    so a restart lists earlier jobs and marks the ones a crash interrupted as failed.
    """

    def __init__(self, records: Path | None = None) -> None:
        self._records = records
        self._jobs: dict[int, Job] = {job.id: job for job in self._read_records()}
        self._queue: list[tuple[Job, Callable[[Job], Any]]] = []
        self._ids = itertools.count(max(self._jobs, default=0) + 1)
        self._lock = threading.Condition()
        self._worker = threading.Thread(target=self._work, name="stylelab-jobs", daemon=True)
        self._worker.start()

    def submit(self, name: str, run: Callable[[Job], Any], kind: str = "fine-tuning") -> Job:
        """``run(job)`` does the work, reporting into ``job.history`` and honouring ``job.cancel``."""
        with self._lock:
            job = Job(next(self._ids), name, kind=kind)
            self._jobs[job.id] = job
            self._queue.append((job, run))
            self._save(job)
            self._lock.notify()
        return job

    def get(self, job_id: int) -> Job:
        if job_id not in self._jobs:
            raise StyleLabError(f"There is no job {job_id}.")
        return self._jobs[job_id]

    def cancel(self, job_id: int) -> Job:
        job = self.get(job_id)
        job.cancel.set()
        with self._lock:
            if job.status == "queued":
                self._queue = [(j, r) for j, r in self._queue if j.id != job_id]
                job.status, job.message = "cancelled", "Cancelled before it started."
                self._save(job)
        return job

    def jobs(self) -> list[Job]:
        return list(self._jobs.values())

    def _read_records(self) -> list[Job]:
        """Earlier jobs from the records folder; queued or running ones were cut off by a restart."""
        if self._records is None or not self._records.is_dir():
            return []
        jobs = []
        for path in sorted(self._records.glob("*.json")):
            try:
                info = json.loads(path.read_text())
                job = Job(int(info["id"]), str(info["name"]), str(info["status"]), message=str(info.get("message", "")),
                          kind=str(info.get("kind", "fine-tuning")), created=float(info.get("created", 0)))
            except (OSError, ValueError, KeyError, TypeError):
                continue  # not one of ours, or unreadable: skipped, never fatal
            if not job.done:
                job.status, job.message = "failed", INTERRUPTED
                self._save(job)
            jobs.append(job)
        return jobs

    def _save(self, job: Job) -> None:
        if self._records is None:
            return
        try:
            atomic_write_text(self._records / f"{job.id:06d}.json", json.dumps(job.record()))
        except OSError:  # a full disk must not stop the queue; the job itself still runs
            log.exception("could not record the status of job %s", job.id)

    def _work(self) -> None:
        while True:
            with self._lock:
                while not self._queue:
                    self._lock.wait()
                job, run = self._queue.pop(0)
            job.status = "running"
            self._save(job)
            try:
                job.result = run(job)
                if job.status == "running":
                    job.status = "finished"
            except StyleLabError as error:
                job.status, job.message = ("cancelled" if job.cancel.is_set() else "failed"), str(error)
            except Exception:  # a failed job must not take the worker down; the trace goes to the log
                log.exception("job %s (%s) failed", job.id, job.kind)
                job.status, job.message = "failed", "The job failed; the error was logged."
            self._save(job)
