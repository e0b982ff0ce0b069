"""Admin back end: sign-in checks, the fine-tuning job queue, and usage/rating records.

No UI code here; the admin tab and the API are handed these objects.
"""
from __future__ import annotations

import contextvars
import csv
import hmac
import io
import itertools
import json
import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stylelab.errors import StyleLabError
from stylelab.storage import atomic_write_text

log = logging.getLogger("stylelab")

# The address of the client making the current admin call (set by the UI from Gradio's request),
# so wrong passwords are counted per client; None counts them all together.
current_client: contextvars.ContextVar[str | None] = contextvars.ContextVar("stylelab_admin_client", default=None)
MAX_WRONG_PASSWORDS = 5  # per client, within WRONG_PASSWORD_WINDOW seconds
WRONG_PASSWORD_WINDOW = 60.0


class AdminAuth:
    """Checks the admin password on the server for every admin action, in constant time.

    Wrong passwords are rate-limited per client (a sliding window): after ``max_failures`` within
    ``window`` seconds, every attempt from that client is refused until the oldest one ages out.
    """

    def __init__(self, password: str | None, max_failures: int = MAX_WRONG_PASSWORDS,
                 window: float = WRONG_PASSWORD_WINDOW, clock: Callable[[], float] = time.monotonic):
        self._password = password.encode() if password else None
        self.max_failures = max_failures
        self.window = window
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self._password is not None

    def check(self, credential: object, client: str | None = None) -> None:
        if self._password is None:
            raise StyleLabError("The admin area is switched off (no STYLELAB_ADMIN_PASSWORD is set).")
        key = client or current_client.get() or "(unknown client)"
        now = self._clock()
        with self._lock:
            failures = self._failures.setdefault(key, deque())
            while failures and failures[0] <= now - self.window:
                failures.popleft()
            if len(failures) >= self.max_failures:
                wait = max(1, math.ceil(failures[0] + self.window - now))
                raise StyleLabError(f"Too many wrong passwords; try again in {wait} s.")
        given = credential.encode() if isinstance(credential, str) else b""
        if not hmac.compare_digest(given, self._password):
            if given:  # an empty field is no guess; only guesses count towards the limit
                with self._lock:
                    failures.append(now)
            raise StyleLabError("Admin sign-in required: the password is missing or wrong.")


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


class UsageLog:
    """Uses and ratings per template and version, as JSON lines in the data folder."""

    def __init__(self, data_dir: Path):
        self.path = data_dir / "feedback" / "events.jsonl"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()

    def record(self, kind: str, **fields: Any) -> None:
        if kind not in ("use", "rating"):
            raise ValueError(kind)
        line = json.dumps({"time": time.time(), "kind": kind, **fields})
        try:
            with self._lock, open(self.path, "a") as stream:
                stream.write(line + "\n")
        except OSError:  # a full disk loses one usage record, never the merchant's result
            log.exception("could not record a usage event")

    def events(self) -> list[dict]:
        if not self.path.is_file():
            return []
        events = []
        for line in self.path.read_text().splitlines():
            try:
                events.append(json.loads(line))
            except ValueError:
                continue  # a line cut short by a crash is skipped, not fatal
        return events

    def summary(self) -> list[list[Any]]:
        """Rows: template, version, uses, mean SSIM, mean PSNR, thumbs up, thumbs down."""
        groups: dict[tuple[str, str], dict[str, Any]] = {}
        for event in self.events():
            key = (event.get("template", "?"), event.get("version", "v0"))
            group = groups.setdefault(key, {"uses": 0, "ssim": [], "psnr": [], "up": 0, "down": 0})
            if event["kind"] == "use":
                group["uses"] += 1
                group["ssim"].append(event.get("ssim", 0.0))
                if event.get("psnr") not in (None, float("inf")):
                    group["psnr"].append(event["psnr"])
            elif event.get("rating") == "up":
                group["up"] += 1
            elif event.get("rating") == "down":
                group["down"] += 1
        return [[template, version, g["uses"], _mean(g["ssim"]), _mean(g["psnr"]), g["up"], g["down"]]
                for (template, version), g in sorted(groups.items())]

    def summary_csv(self) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(SUMMARY_HEADERS)
        writer.writerows(self.summary())
        return buffer.getvalue()


SUMMARY_HEADERS = ["Template", "Version", "Uses", "Mean SSIM", "Mean PSNR (dB)", "Thumbs up", "Thumbs down"]


def _mean(values: list[float]) -> float | str:
    return round(sum(values) / len(values), 4) if values else "—"
