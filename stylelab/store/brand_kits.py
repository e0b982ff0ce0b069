"""Brand kits on disk: a workspace's own under ``<data>/workspaces/<id>/brand/``, the house kit the
admin publishes under ``<data>/brand/``. ``kit.json`` holds the fields; the logo is a PNG named by
its content, written first, so a crash leaves the old kit or the new one whole, never half of one."""
from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from pathlib import Path

from stylelab.store.files import atomic_write_bytes, atomic_write_text, saving
from stylelab.store.workspaces import Workspace


@dataclass(frozen=True)
class StoredKit:
    fields: dict  # colours, heading_font, body_font, cta
    logo_png: bytes | None
    source: str  # "yours" or "house"


class BrandKitStore:
    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        self._lock = threading.Lock()

    def folder(self, workspace: Workspace | None) -> Path:
        if workspace is None:
            return self.data_dir / "brand"
        return self.data_dir / "workspaces" / workspace.id / "brand"

    def _read(self, folder: Path, source: str) -> StoredKit | None:
        meta = folder / "kit.json"
        if not meta.is_file():
            return None
        try:
            fields = json.loads(meta.read_text(encoding="utf-8"))
        except ValueError:
            return None  # unreadable: the next save replaces it
        logo = folder / fields.pop("logo", "") if fields.get("logo") else None
        return StoredKit(fields, logo.read_bytes() if logo is not None and logo.is_file() else None, source)

    def load(self, workspace: Workspace | None) -> StoredKit | None:
        """The workspace's own kit, else the house kit, else None."""
        own = self._read(self.folder(workspace), "yours" if workspace else "house") if workspace else None
        return own or self._read(self.folder(None), "house")

    def save(self, workspace: Workspace | None, fields: dict, logo_png: bytes | None) -> None:
        """Save the kit (None: as the house kit everyone sees)."""
        folder = self.folder(workspace)
        with self._lock, saving("the brand kit"):
            record = dict(fields)
            if logo_png is not None:
                name = f"logo-{hashlib.sha256(logo_png).hexdigest()[:16]}.png"
                if not (folder / name).is_file():
                    atomic_write_bytes(folder / name, logo_png)
                record["logo"] = name
            atomic_write_text(folder / "kit.json", json.dumps(record, indent=2, ensure_ascii=False))
