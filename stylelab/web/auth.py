"""Sign-in: the admin password checked on the server for every admin action, and the accounts'
passwords checked at Gradio's sign-in; wrong guesses slow their source down (GuessThrottle).

The admin's source is the client's address: the peer, or what a proxy named in
STYLELAB_TRUSTED_PROXIES says (uvicorn reads X-Forwarded-For from those proxies only), so a made-up
X-Forwarded-For header buys no fresh allowance. Gradio's sign-in page hands over no address, so
accounts are throttled per user name.
"""
from __future__ import annotations

import asyncio
import contextvars
import hmac
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from stylelab.errors import StyleLabError
from stylelab.store.accounts import UsersFile

# The address of the client making the current admin call (set by the UI from Gradio's request),
# so wrong passwords are counted per client; None counts them all together.
current_client: contextvars.ContextVar[str | None] = contextvars.ContextVar("stylelab_admin_client", default=None)
FREE_GUESSES = 3  # wrong passwords from one source before any check of it waits
FIRST_DELAY = 1.0  # seconds; doubles with each further wrong password
MAX_DELAY = 30.0  # the longest any check waits, the right password included
FORGET_AFTER = 15 * 60.0  # a source's wrong passwords are forgotten this long after its last one


@dataclass
class _Source:
    failures: int = 0
    last_failure: float = 0.0
    next_check: float = 0.0  # no check of this source runs before this time


class GuessThrottle:
    """Growing delays per source instead of a lockout: after ``free`` wrong passwords from one source
    (a client address, a user name), each check of that source waits until ``first_delay``, then
    twice, four times as long ... (at most ``max_delay``) has passed since its last wrong password,
    and concurrent checks of one source take turns. The right password is never refused; at worst it
    waits ``max_delay``. So one source guesses at most one password per ``max_delay`` in the long
    run, and a stranger's wrong guesses only slow the sources they come from."""

    def __init__(self, free: int = FREE_GUESSES, first_delay: float = FIRST_DELAY, max_delay: float = MAX_DELAY,
                 forget_after: float = FORGET_AFTER, clock: Callable[[], float] = time.monotonic):
        self.free, self.first_delay, self.max_delay, self.forget_after = free, first_delay, max_delay, forget_after
        self._clock = clock
        self._sources: dict[str, _Source] = {}
        self._lock = threading.Lock()

    def delay_after(self, failures: int) -> float:
        """How long a source with ``failures`` recent wrong passwords waits after the last one."""
        if failures < self.free:
            return 0.0
        return min(self.first_delay * 2 ** (failures - self.free), self.max_delay)

    def _reserve(self, key: str) -> tuple[float, float]:
        """This check's turn (a time) and how long to wait for it; takes the turn after it for others."""
        now = self._clock()
        with self._lock:
            self._forget_old(now)
            source = self._sources.setdefault(key, _Source())
            turn = min(max(now, source.next_check), now + self.max_delay)
            source.next_check = turn + self.delay_after(source.failures)  # a concurrent check waits its turn
            return turn, turn - now

    def _record(self, key: str, turn: float, right: bool) -> None:
        now = self._clock()
        with self._lock:
            source = self._sources.setdefault(key, _Source())
            if right:  # the right password adds no delay for the checks after it
                source.next_check = min(source.next_check, max(turn, now))
            else:
                source.failures += 1
                source.last_failure = now
                source.next_check = max(source.next_check, now + self.delay_after(source.failures))

    def _forget_old(self, now: float) -> None:
        stale = [k for k, s in self._sources.items()
                 if now - s.last_failure > self.forget_after and s.next_check <= now]
        for key in stale:
            del self._sources[key]

    def check(self, key: str, verify: Callable[[], bool], sleep: Callable[[float], None] = time.sleep) -> bool:
        """Wait for ``key``'s turn, then ``verify()``; a False counts as a wrong password."""
        turn, wait = self._reserve(key)
        if wait > 0:
            sleep(wait)
        right = verify()
        self._record(key, turn, right)
        return right

    async def check_async(self, key: str, verify: Callable[[], bool]) -> bool:
        """``check`` for the event loop: waits without holding a thread, verifies in one."""
        turn, wait = self._reserve(key)
        if wait > 0:
            await asyncio.sleep(wait)
        right = await asyncio.to_thread(verify)
        self._record(key, turn, right)
        return right


class AdminAuth:
    """Checks the admin password on the server for every admin action, in constant time, with wrong
    passwords throttled per client (see GuessThrottle)."""

    def __init__(self, password: str | None, throttle: GuessThrottle | None = None,
                 sleep: Callable[[float], None] = time.sleep):
        self._password = password.encode() if password else None
        self.throttle = throttle or GuessThrottle()
        self._sleep = sleep

    @property
    def enabled(self) -> bool:
        return self._password is not None

    def check(self, credential: object, client: str | None = None) -> None:
        if self._password is None:
            raise StyleLabError("The admin area is switched off (no STYLELAB_ADMIN_PASSWORD is set).")
        given = credential.encode() if isinstance(credential, str) else b""
        if not given:  # an empty field is no guess: it neither waits nor counts
            raise StyleLabError("Admin sign-in required: the password is missing or wrong.")
        key = client or current_client.get() or "(unknown client)"
        if not self.throttle.check(key, lambda: hmac.compare_digest(given, self._password), self._sleep):
            raise StyleLabError("Admin sign-in required: the password is missing or wrong.")


class AccountAuth:
    """Gradio's sign-in against the users file; wrong passwords are throttled per user name (Gradio's
    sign-in hands over no client address). Gradio awaits it on the event loop, so waiting and the
    scrypt check hold no thread and stall nobody else."""

    def __init__(self, users: UsersFile, throttle: GuessThrottle | None = None):
        self.users = users
        self.throttle = throttle or GuessThrottle()

    async def sign_in(self, name: str, password: str) -> bool:
        """Hand Gradio this bound method (``launch(auth=...)``): it awaits coroutine functions only, and
        would take the coroutine an async ``__call__`` returns for a yes."""
        key = str(name).strip().lower()
        return await self.throttle.check_async(key, lambda: self.users.verify(name, password) is not None)
