"""Which workspace a Gradio request works in.

- Signed in (accounts, or *Sign in with Hugging Face*): that user's workspace.
- Anonymous: the workspace of the key the request itself carries: the ``X-StyleLab-Workspace``
  header, else the key handed in with the event (a browser sends the one kept in its local
  storage with every event; an API client may pass it as ``workspace_key``). The key must be one
  this server signed (see stylelab.store.workspaces); a made-up one gets a sentence.
- Anonymous without a key: a fresh, empty workspace for this request only; ``save_template``
  returns its key, which later requests send.

The Gradio session id plays no part: the client makes it up and it travels in URLs, so reusing
someone's session id reaches nothing of theirs.
"""
from __future__ import annotations

import contextvars
from typing import Any

from stylelab.store.workspaces import Workspace, WorkspaceKeys, user_workspace

KEY_HEADER = "x-stylelab-workspace"

# The workspace of the request being handled (set by stylelab.web.common.serving).
current_workspace: contextvars.ContextVar[Workspace | None] = contextvars.ContextVar("stylelab_workspace",
                                                                                    default=None)
# The anonymous key behind it, for save_template to hand back ("" when signed in).
current_key: contextvars.ContextVar[str] = contextvars.ContextVar("stylelab_workspace_key", default="")


_keys: WorkspaceKeys | None = None


def use_workspace_keys(keys: WorkspaceKeys) -> None:
    """The app's key issuer (made from the data folder at start-up)."""
    global _keys
    _keys = keys


def workspace_keys() -> WorkspaceKeys:
    if _keys is None:
        raise RuntimeError("use_workspace_keys() was not called: the app makes its key issuer at start-up")
    return _keys


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


def workspace_of(request: Any, given_key: str | None = None) -> tuple[Workspace, str]:
    """The request's workspace and its anonymous key ("" when signed in).

    ``given_key`` is the key handed in with the event (a browser's kept key, an API argument).
    """
    user = signed_in_user(request)
    if user is not None:
        return user, ""
    headers = getattr(request, "headers", None) or {}
    key = headers.get(KEY_HEADER) or given_key
    if key:
        return workspace_keys().open(key)  # a made-up key is a sentence, never a fresh empty workspace
    fresh = workspace_keys().issue()
    return workspace_keys().open(fresh)
