"""Style templates: the 26 built-in styles, the house templates the admin publishes, and the ones
each merchant saves from their own images in their own workspace.

A saved template is a folder under ``<folder>/templates/<id>/`` holding the style image,
its 100-number embedding (safetensors), a thumbnail and ``template.json``. Folders are
written completely under a temporary name and then renamed, so a template is either
fully there or not there at all; deleting moves it to ``<folder>/trash/``. The house store's
folder is the data folder itself (``<data>/templates/``, as before workspaces existed); a
workspace's is ``<data>/workspaces/<id>/`` (see stylelab.store.workspaces).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import torch
from PIL import Image
from safetensors.torch import save_file

from stylelab.errors import StyleLabError
from stylelab.imageio import save_image
from stylelab.store.safeload import load_safetensors
from stylelab.store.files import atomic_write_text, fsync_tree, saving
from stylelab.store.workspaces import Workspace
from stylelab.styles import BUILTIN_STYLES, find_builtin_style

MAX_NAME_LENGTH = 40
HOUSE_MARK = " (house)"  # how a workspace tells a house template from its own one of the same name
OPEN_STORES = 1024  # workspace stores kept open (each is a few paths and a lock)


@dataclass(frozen=True)
class Template:
    name: str
    kind: str  # "builtin", "house" (published by the admin) or "custom" (the workspace's own)
    thumbnail: Path | None
    builtin_index: int | None = None
    folder: Path | None = None
    house_name: str = ""  # a house template listed under another name (see HOUSE_MARK): its own name

    @property
    def true_name(self) -> str:
        """The name it was saved under (what the dashboard and the admin call it)."""
        return self.house_name or self.name

    @property
    def embedding_path(self) -> Path:
        assert self.folder is not None
        return self.folder / "embedding.safetensors"


def clean_template_name(name: object) -> str:
    if not isinstance(name, str) or not name.strip():
        raise StyleLabError("Give the template a name.")
    name = re.sub(r"\s+", " ", name.strip())
    if len(name) > MAX_NAME_LENGTH:
        raise StyleLabError(f"Template names can be at most {MAX_NAME_LENGTH} characters.")
    if not re.fullmatch(r"[\w .,&'()+-]+", name):
        raise StyleLabError("Template names may use letters, digits, spaces and . , & ' ( ) + -")
    return name


class TemplateStore:
    """The templates saved in one folder. Without ``house`` it is the house store (the admin's);
    with it, a workspace's own store, which also lists and finds the house templates (read-only)."""

    def __init__(self, folder: Path, builtin_thumbnails: dict[int, Path] | None = None,
                 house: TemplateStore | None = None):
        self.root = folder / "templates"
        self.trash = folder / "trash"
        self.house = house
        self.kind = "custom" if house is not None else "house"
        if house is None:
            self.root.mkdir(parents=True, exist_ok=True)  # a workspace's folder is made by its first save
        self._builtin_thumbnails = house._builtin_thumbnails if house is not None else (builtin_thumbnails or {})
        self._lock = threading.Lock()

    # -- reading -----------------------------------------------------------------------

    def builtin(self) -> list[Template]:
        return [Template(s.name, "builtin", self._builtin_thumbnails.get(s.index), builtin_index=s.index)
                for s in BUILTIN_STYLES]

    def custom(self) -> list[Template]:
        templates = []
        for folder in sorted(self.root.iterdir()) if self.root.is_dir() else []:
            meta = folder / "template.json"
            if folder.name.startswith(".") or not meta.is_file():
                continue  # an unfinished write, or not ours
            try:
                info = json.loads(meta.read_text())
                templates.append((info.get("created", 0), Template(info["name"], self.kind,
                                                                    folder / "thumbnail.png", folder=folder)))
            except (ValueError, KeyError):
                continue
        return [template for _, template in sorted(templates, key=lambda item: item[0])]

    def house_templates(self, own: list[Template] | None = None) -> list[Template]:
        """The admin's published templates, as a workspace sees them (the house store: its own). One
        published after a merchant saved the same name is listed as "Name (house)", so each name in
        the workspace means one template and the merchant sees which is theirs."""
        if self.house is None:
            return []
        taken = {t.name.lower() for t in (self.custom() if own is None else own)}
        return [Template(f"{t.name}{HOUSE_MARK}", t.kind, t.thumbnail, folder=t.folder, house_name=t.name)
                if t.name.lower() in taken else t for t in self.house.custom()]

    def all(self) -> list[Template]:
        own = self.custom()
        return own + self.house_templates(own) + self.builtin()

    def names(self) -> list[str]:
        return [t.name for t in self.all()]

    def find(self, name: str) -> Template:
        if not isinstance(name, str) or not name.strip():
            raise StyleLabError("Pick a template first.")
        key = re.sub(r"\s+", " ", name.strip()).lower()
        own = self.custom()
        for template in own + self.house_templates(own):
            if template.name.lower() == key:
                return template
        builtin = find_builtin_style(name)
        if builtin is not None:
            return self.builtin()[builtin.index]
        raise StyleLabError(f"There is no template called '{name}'. Pick one from the gallery.")

    def embedding(self, template: Template) -> torch.Tensor:
        """The active version's embedding (the original one until a fine-tuned version is published)."""
        folder = self.active_version_folder(template)
        path = folder / "embedding.safetensors" if folder else template.embedding_path
        tensors = load_safetensors(path, f"'{template.name}' style embedding")
        if "embedding" not in tensors:
            raise StyleLabError(f"The style embedding of '{template.name}' is damaged; re-save the template.")
        return tensors["embedding"]

    # -- versions (fine-tuned) -----------------------------------------------------------

    def active_version(self, template: Template) -> str:
        pointer = template.folder / "active.json" if template.folder else None
        if pointer is None or not pointer.is_file():
            return "v0"
        return json.loads(pointer.read_text()).get("version", "v0")

    def active_version_folder(self, template: Template) -> Path | None:
        version = self.active_version(template)
        return None if version == "v0" else template.folder / "versions" / version

    def transformer_path(self, template: Template) -> Path | None:
        """Fine-tuned transformer weights of the active version, if it has its own."""
        folder = self.active_version_folder(template)
        path = folder / "transformer.safetensors" if folder else None
        return path if path is not None and path.is_file() else None

    def versions(self, name: str) -> list[dict]:
        template = self.custom_template(name)
        active = self.active_version(template)
        listed = [{"version": "v0", "created": None, "note": "original", "active": active == "v0"}]
        root = template.folder / "versions"
        for folder in sorted(root.iterdir()) if root.is_dir() else []:
            if folder.name.startswith("v") and (folder / "version.json").is_file():
                info = json.loads((folder / "version.json").read_text())
                listed.append(info | {"version": folder.name, "active": folder.name == active})
        return listed

    def publish_version(self, name: str, embedding: torch.Tensor, transformer_state: dict[str, torch.Tensor] | None,
                        info: dict) -> str:
        """Write a new version completely, then make it active; a crash leaves the old one active."""
        template = self.custom_template(name)
        root = template.folder / "versions"
        with saving(f"a new version of '{template.name}'"):
            root.mkdir(exist_ok=True)
        with self._lock, saving(f"a new version of '{template.name}'"):
            numbers = [int(p.name[1:]) for p in root.iterdir() if re.fullmatch(r"v\d+", p.name)]
            version = f"v{max(numbers, default=0) + 1:03d}"
            partial = root / f".partial-{version}"
            shutil.rmtree(partial, ignore_errors=True)
            partial.mkdir()
            try:
                save_file({"embedding": embedding.detach().float().reshape(-1).contiguous()},
                          str(partial / "embedding.safetensors"))
                if transformer_state is not None:
                    save_file({k: v.contiguous() for k, v in transformer_state.items()},
                              str(partial / "transformer.safetensors"))
                (partial / "version.json").write_text(json.dumps(info | {"created": time.time()}, indent=2))
                fsync_tree(partial)  # every file on disk before the rename makes the version visible
                os.replace(partial, root / version)
            except BaseException:
                shutil.rmtree(partial, ignore_errors=True)
                raise
            self._point_to(template, version)
        return version

    def activate(self, name: str, version: str) -> None:
        """Make a version active (roll back or forward); "v0" is the original."""
        template = self.custom_template(name)
        if version != "v0" and not (template.folder / "versions" / version / "version.json").is_file():
            raise StyleLabError(f"'{name}' has no version {version}.")
        with self._lock, saving(f"the active version of '{template.name}'"):
            self._point_to(template, version)

    def delete_version(self, name: str, version: str) -> None:
        template = self.custom_template(name)
        if version == "v0":
            raise StyleLabError("The original version cannot be deleted; delete the template instead.")
        if version == self.active_version(template):
            raise StyleLabError(f"{version} is active; roll back to another version before deleting it.")
        folder = template.folder / "versions" / version
        if not folder.is_dir():
            raise StyleLabError(f"'{name}' has no version {version}.")
        with self._lock, saving(f"the deletion of {version}"):
            self.trash.mkdir(parents=True, exist_ok=True)
            os.replace(folder, self.trash / f"{template.folder.name}-{version}-{int(time.time())}")

    def _point_to(self, template: Template, version: str) -> None:
        atomic_write_text(template.folder / "active.json", json.dumps({"version": version}))

    def custom_template(self, name: str) -> Template:
        template = self.find(name)
        if template.kind == "builtin":
            raise StyleLabError(f"'{template.name}' is a built-in style of the 26-style network; fine-tuning works "
                                "on templates made from a style image.")
        self._check_own(template, "changed")
        return template

    # -- writing -----------------------------------------------------------------------

    def save(self, name: str, style_image: Image.Image, embedding: torch.Tensor, thumbnail: Image.Image) -> Template:
        name = self._own_name(name)
        with self._lock, saving(f"the template '{name}'"):
            self._check_name_is_free(name)
            self.root.mkdir(parents=True, exist_ok=True)
            final = self.root / f"{_slug(name)}-{uuid.uuid4().hex[:6]}"
            partial = self.root / f".partial-{final.name}"
            partial.mkdir(parents=True)
            try:
                save_image(style_image, partial / "style.png")
                save_image(thumbnail, partial / "thumbnail.png")
                save_file({"embedding": embedding.detach().float().reshape(-1).contiguous()},
                          str(partial / "embedding.safetensors"))
                (partial / "template.json").write_text(json.dumps({"name": name, "created": time.time()}))
                fsync_tree(partial)  # every file on disk before the rename makes the template visible
                os.replace(partial, final)
            except BaseException:
                shutil.rmtree(partial, ignore_errors=True)
                raise
        return Template(name, self.kind, final / "thumbnail.png", folder=final)

    def rename(self, old_name: str, new_name: str) -> Template:
        template = self.find(old_name)
        self._check_own(template, "renamed")
        new_name = self._own_name(new_name)
        with self._lock, saving(f"the new name '{new_name}'"):
            if new_name.lower() != template.name.lower():
                self._check_name_is_free(new_name)
            meta = template.folder / "template.json"
            info = json.loads(meta.read_text()) | {"name": new_name}
            atomic_write_text(meta, json.dumps(info))
        return Template(new_name, self.kind, template.thumbnail, folder=template.folder)

    def delete(self, name: str) -> None:
        template = self.find(name)
        self._check_own(template, "deleted")
        with self._lock, saving(f"the deletion of '{template.name}'"):
            self.trash.mkdir(parents=True, exist_ok=True)
            os.replace(template.folder, self.trash / f"{template.folder.name}-{int(time.time())}")

    def _check_own(self, template: Template, change: str) -> None:
        """Only this store's own templates change here: a workspace cannot touch the house's."""
        if template.kind == "builtin":
            raise StyleLabError(f"'{template.name}' is a built-in style; only your own templates can be {change}.")
        if template.kind != self.kind:
            raise StyleLabError(f"'{template.name}' is a house template, shared with everyone; only your own "
                                f"templates can be {change}.")

    def _own_name(self, name: object) -> str:
        name = clean_template_name(name)
        if self.house is not None and name.lower().endswith(HOUSE_MARK.lower()):
            raise StyleLabError(f"Names ending in '{HOUSE_MARK.strip()}' mark the house templates; choose another name.")
        return name

    def _check_name_is_free(self, name: str) -> None:
        if any(existing.lower() == name.lower() for existing in self.names()):
            raise StyleLabError(f"A template called '{name}' already exists. Choose another name.")


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


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:30] or "template"
