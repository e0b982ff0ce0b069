"""Run render jobs in a long-lived worker process, so a crash, a hang or a memory blow-up costs one shot.

Blender (``bpy``) is imported once per process and is not thread-safe, so product-shot renders
run in a separate process that stays alive between jobs (bpy stays imported). The caller gets a
plain sentence as a ``StyleLabError`` when a job fails; the app keeps serving and, where the
process itself is gone, the next job starts a fresh one.

    spec = WorkerSpec("stylelab.product.scene.blender_job:render", timeout_s=300, memory_limit_mb=8000)
    result = shared_worker(spec).run({"scene": ...}, progress=lambda done, total: ...)

The job function runs in the worker as ``fn(job, report) -> dict``; ``report(done, total)``
reaches the caller's ``progress`` while the job runs. Messages over the pipe are tuples:
``("progress", done, total)``, ``("result", dict)``, ``("error", type_name, message, is_user_error)``.
"""
from __future__ import annotations

import atexit
import contextlib
import importlib
import multiprocessing
import os
import signal
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, Callable, Iterator

from stylelab.errors import StyleLabError, UserFacingError

try:
    import psutil
except ImportError:  # optional: /proc/<pid>/statm gives the same number on Linux
    psutil = None

Progress = Callable[[int, int], None]

POLL_S = 0.1  # how often the parent looks for messages, death, the deadline and memory
_CONTEXT = multiprocessing.get_context("spawn")  # fork would copy the app's threads and torch state


@dataclass(frozen=True)
class WorkerSpec:
    target: str  # "package.module:function", called in the worker as fn(job, report) -> dict
    timeout_s: float = 300.0  # per job; past it the worker is killed
    memory_limit_mb: int | None = None  # resident memory; past it the worker is killed


# ---- the worker process ----------------------------------------------------------------------

@contextlib.contextmanager
def _main_module_hidden() -> Iterator[None]:
    """Start the worker without re-running the caller's script: spawn would import ``__main__`` again,
    and a user's script without an ``if __name__ == "__main__"`` guard would render from the start."""
    main = sys.modules.get("__main__")
    saved = {name: getattr(main, name) for name in ("__file__", "__spec__") if hasattr(main, name)}
    for name in saved:
        setattr(main, name, None) if name == "__spec__" else delattr(main, name)
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(main, name, value)


def _load(target: str) -> Callable[[dict, Progress], dict]:
    module_name, _, function_name = target.partition(":")
    return getattr(importlib.import_module(module_name), function_name)


def _short(text: str, limit: int = 200) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _serve(conn: Connection, target: str) -> None:
    """The worker's loop: one job in, progress messages and one result or error out."""
    # Ctrl-C in a terminal reaches the whole process group; the parent decides when we stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    function = None  # imported on the first job, so an import error is reported like any other
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return  # the parent has gone
        try:
            if function is None:
                function = _load(target)
            result = function(job, lambda done, total: conn.send(("progress", int(done), int(total))))
            conn.send(("result", result))
        except Exception as error:  # noqa: BLE001 - every failure goes back to the caller as a message
            user_error = isinstance(error, (StyleLabError, UserFacingError))
            conn.send(("error", type(error).__name__, _short(str(error)), user_error))


# ---- the parent side -------------------------------------------------------------------------

def _resident_mb(pid: int) -> float | None:
    """Resident memory of a process in MB, or None where it cannot be read (gone, not Linux)."""
    try:
        if psutil is not None:
            return psutil.Process(pid).memory_info().rss / 2**20
        with open(f"/proc/{pid}/statm") as statm:
            pages = int(statm.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except Exception:  # noqa: BLE001 - the process may exit between the check and the read
        return None


def _describe_exit(exitcode: int | None) -> str:
    if exitcode is None:
        return "no exit code"
    if exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        hint = ", often a sign it ran out of memory" if exitcode == -signal.SIGKILL else ""
        return f"killed by {name}{hint}"
    return f"exit code {exitcode}"


class RenderWorker:
    """One worker process for one job function; ``run`` is safe to call from several threads."""

    def __init__(self, spec: WorkerSpec):
        self.spec = spec
        self._lock = threading.Lock()
        self._process: multiprocessing.process.BaseProcess | None = None
        self._conn: Connection | None = None
        self._busy = False  # a job was sent and its result or error not yet read

    @property
    def pid(self) -> int | None:
        process = self._process
        return process.pid if process is not None and process.is_alive() else None

    def run(self, job: dict, progress: Progress | None = None) -> dict:
        with self._lock:
            conn = self._ensure_started()
            try:
                conn.send(job)
            except (BrokenPipeError, EOFError, OSError):
                raise self._died() from None
            self._busy = True
            try:
                return self._wait(conn, progress)
            finally:
                if self._busy:
                    # A progress callback raised or the caller was interrupted: the job still runs
                    # and would leave stale messages in the pipe, so this process must go.
                    self._stop()

    def close(self) -> None:
        """Stop the worker process; a job still running in another thread fails with the 'stopped' sentence."""
        if self._lock.acquire(timeout=1.0):
            try:
                self._stop()
            finally:
                self._lock.release()
        elif (process := self._process) is not None:
            process.kill()  # the running job's thread sees it die and cleans up

    def _ensure_started(self) -> Connection:
        if self._process is not None and self._process.is_alive() and self._conn is not None:
            return self._conn
        self._stop()  # clear a process that died between jobs
        parent_conn, child_conn = _CONTEXT.Pipe(duplex=True)
        process = _CONTEXT.Process(target=_serve, args=(child_conn, self.spec.target),
                                   name="stylelab-render-worker", daemon=True)
        with _main_module_hidden():
            process.start()
        child_conn.close()  # so the parent sees EOF when the worker dies
        self._process, self._conn = process, parent_conn
        return parent_conn

    def _wait(self, conn: Connection, progress: Progress | None) -> dict:
        deadline = time.monotonic() + self.spec.timeout_s
        while True:
            if conn.poll(POLL_S):
                try:
                    message = conn.recv()
                except (EOFError, OSError):
                    raise self._died() from None
                kind = message[0]
                self._busy = kind == "progress"
                if kind == "progress":
                    if progress is not None:
                        progress(message[1], message[2])
                elif kind == "result":
                    return message[1]
                elif kind == "error":
                    _, type_name, text, user_error = message
                    if user_error:
                        raise StyleLabError(text)
                    detail = f"{type_name}: {text}" if text else type_name
                    raise StyleLabError(f"The render failed: {detail.rstrip('.')}.")
                continue
            assert self._process is not None
            if not self._process.is_alive():
                if conn.poll(0):
                    continue  # read what it sent before it went
                raise self._died()
            if time.monotonic() > deadline:
                self._stop()
                raise StyleLabError(
                    f"The render took longer than {self.spec.timeout_s:g} s and was stopped; "
                    "try a smaller image or simpler settings (the next shot starts a fresh renderer).")
            limit = self.spec.memory_limit_mb
            if limit is not None:
                used = _resident_mb(self._process.pid)
                if used is not None and used > limit:
                    self._stop()
                    raise StyleLabError(
                        f"The render needed more than {limit} MB of memory ({used:.0f} MB) and was stopped; "
                        "try a smaller image or simpler settings (the next shot starts a fresh renderer).")

    def _died(self) -> StyleLabError:
        process = self._process
        if process is not None:
            process.join(timeout=1.0)
        exitcode = process.exitcode if process is not None else None
        self._stop()
        return StyleLabError(
            f"The renderer stopped unexpectedly while rendering this shot ({_describe_exit(exitcode)}); "
            "the next shot starts a fresh one.")

    def _stop(self) -> None:
        process, conn = self._process, self._conn
        self._process, self._conn, self._busy = None, None, False
        if conn is not None:
            conn.close()
        if process is None:
            return
        if process.is_alive():
            process.terminate()
            process.join(timeout=2.0)
            if process.is_alive():
                process.kill()  # a job stuck in native code may ignore SIGTERM
        process.join(timeout=2.0)


_SHARED: dict[WorkerSpec, RenderWorker] = {}
_SHARED_LOCK = threading.Lock()


def shared_worker(spec: WorkerSpec) -> RenderWorker:
    """The one worker for this spec in this process, so the web app, CLI and API share it."""
    with _SHARED_LOCK:
        worker = _SHARED.get(spec)
        if worker is None:
            worker = _SHARED[spec] = RenderWorker(spec)
        return worker


@atexit.register
def _close_shared_workers() -> None:
    with _SHARED_LOCK:
        workers = list(_SHARED.values())
        _SHARED.clear()
    for worker in workers:
        worker.close()
