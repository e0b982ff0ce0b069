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
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from stylelab.errors import StyleLabError
from stylelab.store.files import atomic_write_text, saving
from stylelab.store.templates import TemplateStore

KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]{32,64}")
OPEN_STORES = 1024  # workspace stores kept open (each is a few paths and a lock)


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


class WorkspaceStores:
    """One TemplateStore per workspace (so saves in one workspace are serialised by one lock)."""

    def __init__(self, data_dir: Path, house: TemplateStore):
        self.root = data_dir / "workspaces"
        self.house = house
        self._open: OrderedDict[str, TemplateStore] = OrderedDict()
        self._lock = threading.Lock()

    def store(self, workspace: Workspace | None) -> TemplateStore:
        """The workspace's own templates plus the house's; no workspace: the house store itself."""
        if workspace is None:
            return self.house
        with self._lock:
            store = self._open.get(workspace.id)
            if store is None:
                store = TemplateStore(self.root / workspace.id, house=self.house)
                self._open[workspace.id] = store
                while len(self._open) > OPEN_STORES:
                    self._open.popitem(last=False)
            self._open.move_to_end(workspace.id)
            return store


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
