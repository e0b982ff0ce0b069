"""Which workspace a Gradio request works in.

- Signed in (accounts, or *Sign in with Hugging Face*): that user's workspace.
- Anonymous, with the ``X-StyleLab-Workspace`` header (an API client keeping its workspace across
  clients): the workspace of that key.
- Anonymous otherwise: the key this session holds. A browser hands in the key kept in its
  ``gr.BrowserState`` when the page loads (so a reload keeps the workspace); an API client's session
  gets a fresh key on its first call, which ``save_template`` returns.
"""
from __future__ import annotations

import contextvars
import threading
from collections import OrderedDict
from typing import Any

from stylelab.errors import StyleLabError
from stylelab.store.workspaces import Workspace, key_workspace, new_workspace_key, user_workspace

KEY_HEADER = "x-stylelab-workspace"
REMEMBERED_SESSIONS = 100_000  # session -> key pairs kept in memory (about 150 bytes each)

# The workspace of the request being handled (set by stylelab.web.common.for_client).
current_workspace: contextvars.ContextVar[Workspace | None] = contextvars.ContextVar("stylelab_workspace",
                                                                                    default=None)
# The anonymous key behind it, for save_template to hand back ("" when signed in).
current_key: contextvars.ContextVar[str] = contextvars.ContextVar("stylelab_workspace_key", default="")


class SessionKeys:
    """The anonymous workspace key of each Gradio session (a browser tab or an API client)."""

    def __init__(self, capacity: int = REMEMBERED_SESSIONS):
        self._keys: OrderedDict[str, str] = OrderedDict()
        self._capacity = capacity
        self._lock = threading.Lock()

    def get_or_create(self, session: str) -> str:
        with self._lock:
            key = self._keys.get(session) or new_workspace_key()
            self._remember(session, key)
            return key

    def set(self, session: str, key: str) -> None:
        with self._lock:
            self._remember(session, key)

    def _remember(self, session: str, key: str) -> None:
        self._keys[session] = key
        self._keys.move_to_end(session)
        while len(self._keys) > self._capacity:
            self._keys.popitem(last=False)


sessions = SessionKeys()


def signed_in_user(request: Any) -> Workspace | None:
    """The workspace of the user signed in with an account or with Hugging Face, if any."""
    name = getattr(request, "username", None)
    if name:
        return user_workspace(str(name))
    starlette = getattr(request, "request", None)
    scope = getattr(starlette, "scope", None) or {}
    oauth = scope.get("session", {}).get("oauth_info") if "session" in scope else None
    hf_name = ((oauth or {}).get("userinfo") or {}).get("preferred_username")
    return user_workspace(hf_name, provider="hf") if hf_name else None


def workspace_of(request: Any, browser_key: str | None = None) -> tuple[Workspace, str]:
    """The request's workspace and its anonymous key ("" when signed in).

    ``browser_key`` is the key a browser kept from an earlier visit (handed in when the page loads).
    """
    user = signed_in_user(request)
    if user is not None:
        return user, ""
    session = str(getattr(request, "session_hash", None) or "")
    headers = getattr(request, "headers", None) or {}
    given = headers.get(KEY_HEADER) or browser_key
    if given:
        workspace = key_workspace(given)  # a malformed key is a sentence, not a fresh empty workspace
        if session:
            sessions.set(session, given.strip())
        return workspace, given.strip()
    if not session:
        raise StyleLabError("This request has no session; reload the page.")
    key = sessions.get_or_create(session)
    return key_workspace(key), key
