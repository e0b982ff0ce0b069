"""Workspaces: whose templates a request sees and changes.

Each signed-in user, and each anonymous visitor (by an unguessable workspace key their browser or
API client keeps), has a workspace of their own under ``<data>/workspaces/<id>/``, laid out like the
data folder (``templates/``, ``trash/``). The folder name is a digest, so the key never appears on
disk or in a path, and no two people's names can collide. The house templates stay where they
always were (``<data>/templates/``): templates saved before workspaces existed are house templates.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from stylelab.errors import StyleLabError
from stylelab.store.files import atomic_write_text, saving

KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]{32,64}")


@dataclass(frozen=True)
class Workspace:
    id: str  # folder name under <data>/workspaces
    owner: str  # who it belongs to, as the admin dashboard shows it: "alice", "hf:alice", "anonymous 1a2b3c"


def new_workspace_key() -> str:
    return secrets.token_urlsafe(32)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def user_workspace(name: str, provider: str = "") -> Workspace:
    """A signed-in user's workspace: the same folder from any browser, after any restart."""
    owner = f"{provider}:{name}" if provider else name
    return Workspace(f"user-{_digest(owner.lower())}", owner)


def key_workspace(key: str) -> Workspace:
    """An anonymous visitor's workspace, named by the key their browser or API client holds."""
    if not isinstance(key, str) or not KEY_PATTERN.fullmatch(key.strip()):
        raise StyleLabError("That workspace key is not valid; use the key that saving a template returned.")
    digest = _digest(key.strip())
    return Workspace(f"key-{digest}", f"anonymous {digest[:6]}")


def browser_secret(data_dir: Path) -> str:
    """The secret a browser's stored workspace key is encrypted with: made once and kept in the data
    folder, so keys stored before a restart still open after it."""
    path = data_dir / "workspaces" / ".browser-secret"
    if path.is_file():
        secret = path.read_text().strip()
        if secret:
            return secret
    secret = secrets.token_hex(16)
    with saving("the workspace secret"):
        atomic_write_text(path, secret)
    return secret
