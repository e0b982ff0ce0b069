"""Workspaces: whose templates a request sees and changes.

Each signed-in user, and each anonymous visitor (by a workspace key their browser or API client
keeps), has a workspace of their own under ``<data>/workspaces/<id>/``, laid out like the data
folder (``templates/``, ``trash/``). The folder name is a digest, so the key never appears on disk
or in a path, and no two people's names can collide. The house templates stay where they always
were (``<data>/templates/``): templates saved before workspaces existed are house templates.

An anonymous key is only good if this server issued it: ``<random>.<signature>``, where the
signature is an HMAC-SHA256 of the random part with a server secret kept in
``<data>/workspaces/.key-secret`` (never served, readable by its owner only). A made-up key fails
the check and gets a sentence; it never opens or creates a workspace. Keys issued before keys were
signed (the random part alone) still open a workspace that already holds templates, and are
swapped for their signed form (same random part, so the same folder) — they never create one.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from stylelab.errors import StyleLabError
from stylelab.store.files import atomic_write_text, saving

RANDOM_PATTERN = re.compile(r"[A-Za-z0-9_-]{32,64}")  # the random part (and the whole of an unsigned key)
SIGNATURE_LENGTH = 22  # characters of the URL-safe base64 HMAC kept: 132 bits
KEY_PATTERN = re.compile(rf"(?P<random>[A-Za-z0-9_-]{{32,64}})\.(?P<signature>[A-Za-z0-9_-]{{{SIGNATURE_LENGTH}}})")
NOT_VALID = ("That workspace key is not valid: it was not issued by this StyleLab. Use the key that saving a "
             "template returned (My templates → Workspace key).")


@dataclass(frozen=True)
class Workspace:
    id: str  # folder name under <data>/workspaces
    owner: str  # who it belongs to, as the admin dashboard shows it: "alice", "hf:alice", "anonymous 1a2b3c"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def user_workspace(name: str, provider: str = "") -> Workspace:
    """A signed-in user's workspace: the same folder from any browser, after any restart."""
    owner = f"{provider}:{name}" if provider else name
    return Workspace(f"user-{_digest(owner.lower())}", owner)


def _random_part_workspace(random_part: str) -> Workspace:
    digest = _digest(random_part)
    return Workspace(f"key-{digest}", f"anonymous {digest[:6]}")


class WorkspaceKeys:
    """Issues anonymous workspace keys and opens the workspace of a key this server issued."""

    def __init__(self, data_dir: Path):
        self.root = Path(data_dir) / "workspaces"
        self._secret = _server_secret(self.root / ".key-secret")

    def _signature(self, random_part: str) -> str:
        mac = hmac.new(self._secret, b"stylelab-workspace:" + random_part.encode("ascii"), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac).decode("ascii")[:SIGNATURE_LENGTH]

    def issue(self) -> str:
        """A new key for a new, empty workspace (nothing is written until its first save)."""
        random_part = secrets.token_urlsafe(32)
        return f"{random_part}.{self._signature(random_part)}"

    def open(self, key: object) -> tuple[Workspace, str]:
        """The key's workspace and the key to keep from now on (the signed form of an old key)."""
        text = key.strip() if isinstance(key, str) else ""
        signed = KEY_PATTERN.fullmatch(text)
        if signed:
            random_part = signed["random"]
            if hmac.compare_digest(signed["signature"], self._signature(random_part)):
                return _random_part_workspace(random_part), text
            raise StyleLabError(NOT_VALID)
        if RANDOM_PATTERN.fullmatch(text):  # issued before keys were signed: only for a workspace that exists
            workspace = _random_part_workspace(text)
            if (self.root / workspace.id).is_dir():
                return workspace, f"{text}.{self._signature(text)}"
        raise StyleLabError(NOT_VALID)


def _server_secret(path: Path) -> bytes:
    """32 random bytes made once and kept in the data folder (so keys survive restarts), owner-only."""
    if path.is_file():
        secret = path.read_text().strip()
        if re.fullmatch(r"[0-9a-f]{64}", secret):
            return bytes.fromhex(secret)
    secret = secrets.token_hex(32)
    with saving("the workspace key secret"):
        atomic_write_text(path, secret)
        os.chmod(path, 0o600)
    return bytes.fromhex(secret)


def browser_storage_secret(data_dir: Path) -> str:
    """What Gradio's BrowserState scrambles the kept key with in the browser's local storage. It is
    not a secret (the page's /config serves it to every visitor) and protects nothing; it only has to
    stay the same across restarts so the browser can read back what it stored. What protects a
    workspace is the signed key itself (WorkspaceKeys)."""
    path = data_dir / "workspaces" / ".browser-secret"
    if path.is_file():
        value = path.read_text().strip()
        if value:
            return value
    value = secrets.token_hex(16)
    with saving("the browser storage value"):
        atomic_write_text(path, value)
    return value
