"""Admin sign-in: the password checked on the server for every admin action, with wrong guesses
rate-limited per client."""
from __future__ import annotations

import contextvars
import hmac
import math
import threading
import time
from collections import deque
from collections.abc import Callable

from stylelab.errors import StyleLabError

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
