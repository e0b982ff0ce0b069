"""Housekeeping for a long-running public app: idle sessions expire, old result files go, and freed
memory goes back to the system.

Gradio keeps each session's state (the Restyle tab's photos and masks, a copy of every component's
settings) in memory until 10,000 sessions exist, or an hour after a browser tab closes; an API
client's session never closes. Here a session nobody has used for ``STYLELAB_SESSION_MINUTES`` is
dropped whole. Results themselves live on disk (see stylelab.studio.KeptResult) and are deleted
after ``STYLELAB_RESULTS_HOURS``, as are the copies Gradio served (its ``delete_cache``).
"""
from __future__ import annotations

import datetime
import logging
import threading
from typing import Any

from stylelab.engine.memory import release_free_memory
from stylelab.store.exports import remove_old_results

log = logging.getLogger("stylelab")


def expire_idle_sessions(holder: Any, idle_seconds: float, now: datetime.datetime | None = None) -> int:
    """Drop every session of Gradio's StateHolder not used for ``idle_seconds``; how many went."""
    now = now or datetime.datetime.now()
    with holder.lock:
        idle = [session for session, used in list(holder.time_last_used.items())
                if (now - used).total_seconds() > idle_seconds]
        for session in idle:
            holder.session_data.pop(session, None)
            holder.time_last_used.pop(session, None)
    return len(idle)


class Housekeeping:
    """A daemon thread that, every ``interval`` seconds, expires idle sessions, removes old results
    and returns free memory to the system."""

    def __init__(self, app: Any, session_seconds: float, results_seconds: float, interval: float | None = None):
        self.app = app
        self.session_seconds = session_seconds
        self.results_seconds = results_seconds
        self.interval = interval or max(1.0, min(60.0, session_seconds / 4))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="stylelab-housekeeping", daemon=True)

    def start(self) -> Housekeeping:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def sweep(self) -> int:
        holder = getattr(self.app, "state_holder", None)  # there once the app is launched
        expired = expire_idle_sessions(holder, self.session_seconds) if holder is not None else 0
        remove_old_results(self.results_seconds)
        release_free_memory()
        return expired

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                expired = self.sweep()
                if expired:
                    log.info("expired %d idle session(s)", expired)
            except Exception:  # noqa: BLE001 - housekeeping must never stop; the next pass tries again
                log.exception("housekeeping failed")
