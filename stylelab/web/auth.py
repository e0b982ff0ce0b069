"""Sign-in: the admin password checked on the server for every admin action, and the accounts'
passwords checked at Gradio's sign-in; wrong guesses are rate-limited by one limiter."""
from __future__ import annotations

import contextvars
import hmac
import math
import threading
import time
from collections import deque
from collections.abc import Callable

from fastapi import HTTPException

from stylelab.errors import StyleLabError
from stylelab.store.accounts import UsersFile

# The address of the client making the current admin call (set by the UI from Gradio's request),
# so wrong passwords are counted per client; None counts them all together.
current_client: contextvars.ContextVar[str | None] = contextvars.ContextVar("stylelab_admin_client", default=None)
MAX_WRONG_PASSWORDS = 5  # per client, within WRONG_PASSWORD_WINDOW seconds
WRONG_PASSWORD_WINDOW = 60.0


class FailureLimiter:
    """Wrong passwords counted per key (a client, or a user name) in a sliding window: after
    ``max_failures`` within ``window`` seconds, every attempt for that key is refused until the
    oldest one ages out. One limiter serves the admin password and the accounts' sign-in."""

    def __init__(self, max_failures: int = MAX_WRONG_PASSWORDS, window: float = WRONG_PASSWORD_WINDOW,
                 clock: Callable[[], float] = time.monotonic):
        self.max_failures = max_failures
        self.window = window
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, key: str) -> None:
        """Raise with the seconds to wait when ``key`` has had too many wrong passwords."""
        now = self._clock()
        with self._lock:
            failures = self._failures.setdefault(key, deque())
            while failures and failures[0] <= now - self.window:
                failures.popleft()
            if len(failures) >= self.max_failures:
                wait = max(1, math.ceil(failures[0] + self.window - now))
                raise StyleLabError(f"Too many wrong passwords; try again in {wait} s.")

    def failed(self, key: str) -> None:
        with self._lock:
            self._failures.setdefault(key, deque()).append(self._clock())


class AdminAuth:
    """Checks the admin password on the server for every admin action, in constant time, with
    wrong passwords rate-limited per client (see FailureLimiter)."""

    def __init__(self, password: str | None, max_failures: int = MAX_WRONG_PASSWORDS,
                 window: float = WRONG_PASSWORD_WINDOW, clock: Callable[[], float] = time.monotonic):
        self._password = password.encode() if password else None
        self.limiter = FailureLimiter(max_failures, window, clock)

    @property
    def enabled(self) -> bool:
        return self._password is not None

    def check(self, credential: object, client: str | None = None) -> None:
        if self._password is None:
            raise StyleLabError("The admin area is switched off (no STYLELAB_ADMIN_PASSWORD is set).")
        key = client or current_client.get() or "(unknown client)"
        self.limiter.check(key)
        given = credential.encode() if isinstance(credential, str) else b""
        if not hmac.compare_digest(given, self._password):
            if given:  # an empty field is no guess; only guesses count towards the limit
                self.limiter.failed(key)
            raise StyleLabError("Admin sign-in required: the password is missing or wrong.")


class AccountAuth:
    """Gradio's sign-in against the users file; wrong passwords are rate-limited per user name
    (Gradio's login hands over no client address), so nobody can guess one user's password fast."""

    def __init__(self, users: UsersFile, limiter: FailureLimiter | None = None):
        self.users = users
        self.limiter = limiter or FailureLimiter()

    def __call__(self, name: str, password: str) -> bool:
        key = str(name).strip().lower()
        try:
            self.limiter.check(key)
        except StyleLabError as error:
            # 400 like a wrong password, so the sign-in page says so too (it ignores other codes); an API
            # client reads the wait in the detail
            raise HTTPException(status_code=400, detail=str(error)) from None
        if self.users.verify(name, password) is None:
            self.limiter.failed(key)
            return False
        return True
