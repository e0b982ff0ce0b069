"""Admin back end: sign-in checks, the fine-tuning job queue, and usage/rating records.

No UI code here; the admin tab and the API are handed these objects.
"""
from __future__ import annotations

import csv
import hmac
import io
import itertools
import json
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stylelab.errors import StyleLabError


class AdminAuth:
    """Checks the admin password on the server for every admin action, in constant time."""

    def __init__(self, password: str | None):
        self._password = password.encode() if password else None

    @property
    def enabled(self) -> bool:
        return self._password is not None

    def check(self, credential: object) -> None:
        if self._password is None:
            raise StyleLabError("The admin area is switched off (no STYLELAB_ADMIN_PASSWORD is set).")
        given = credential.encode() if isinstance(credential, str) else b""
        if not hmac.compare_digest(given, self._password):
            raise StyleLabError("Admin sign-in required: the password is missing or wrong.")


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

    @property
    def done(self) -> bool:
        return self.status in ("finished", "early stopping", "cancelled", "failed")


class JobManager:
    """One fine-tuning job at a time on a background thread; the rest wait in a queue."""

    def __init__(self) -> None:
        self._jobs: dict[int, Job] = {}
        self._queue: list[tuple[Job, Callable[[Job], Any]]] = []
        self._ids = itertools.count(1)
        self._lock = threading.Condition()
        self._worker = threading.Thread(target=self._work, name="stylelab-finetune", daemon=True)
        self._worker.start()

    def submit(self, name: str, run: Callable[[Job], Any]) -> Job:
        """``run(job)`` does the work, reporting into ``job.history`` and honouring ``job.cancel``."""
        with self._lock:
            job = Job(next(self._ids), name)
            self._jobs[job.id] = job
            self._queue.append((job, run))
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
        return job

    def jobs(self) -> list[Job]:
        return list(self._jobs.values())

    def _work(self) -> None:
        while True:
            with self._lock:
                while not self._queue:
                    self._lock.wait()
                job, run = self._queue.pop(0)
            job.status = "running"
            try:
                job.result = run(job)
                if job.status == "running":
                    job.status = "finished"
            except StyleLabError as error:
                job.status, job.message = ("cancelled" if job.cancel.is_set() else "failed"), str(error)
            except Exception:  # a failed job must not take the worker down; the trace goes to the log
                traceback.print_exc()
                job.status, job.message = "failed", "The job failed; the error was logged."


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
        with self._lock, open(self.path, "a") as stream:
            stream.write(line + "\n")

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
