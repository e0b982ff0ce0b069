"""Workspaces: each merchant's templates are theirs alone; house templates are everyone's, read-only;
old data folders keep their templates as house templates."""
from __future__ import annotations

import json

import pytest
import skimage.data
import torch
from PIL import Image
from safetensors.torch import save_file

from stylelab.engine import RestyleSettings
from stylelab.errors import StyleLabError
from stylelab.settings import AppSettings
from stylelab.store.templates import TemplateStore
from stylelab.store.workspaces import browser_secret, key_workspace, new_workspace_key, user_workspace
from stylelab.studio import Photo, StyleChoice, Studio
from tests.conftest import sample_picture


def _save(store: TemplateStore, name: str) -> None:
    picture = sample_picture("brick", (32, 32))
    store.save(name, picture, torch.rand(100), picture)


def test_a_workspace_sees_its_own_and_the_house_templates_and_changes_only_its_own(tmp_path):
    house = TemplateStore(tmp_path)
    _save(house, "Brand house")  # saved before workspaces existed: in <data>/templates, as before
    alice = TemplateStore(tmp_path / "workspaces" / "a", house=house)
    bob = TemplateStore(tmp_path / "workspaces" / "b", house=house)
    _save(alice, "Spring board")

    assert [(t.name, t.kind) for t in alice.all()[:2]] == [("Spring board", "custom"), ("Brand house", "house")]
    assert len(alice.all()) == 28 and "Spring board" not in bob.names() and "Brand house" in bob.names()
    for change in (lambda: bob.rename("Spring board", "Mine"), lambda: bob.delete("Spring board"),
                   lambda: bob.find("Spring board")):
        with pytest.raises(StyleLabError, match="no template called 'Spring board'"):
            change()
    with pytest.raises(StyleLabError, match="house template, shared with everyone"):
        alice.delete("Brand house")
    with pytest.raises(StyleLabError, match="house template, shared with everyone"):
        alice.rename("Brand house", "Mine now")
    with pytest.raises(StyleLabError, match="already exists"):
        _save(bob, "brand HOUSE")  # a house name cannot be shadowed by a private one
    _save(bob, "Spring board")  # the same name in another workspace is fine
    bob.delete("Spring board")
    assert alice.find("Spring board").folder.is_dir() and house.find("Brand house").kind == "house"
    assert not (tmp_path / "workspaces" / "c").exists()  # browsing makes no folder; the first save does


def test_workspace_names_keep_keys_off_disk_and_bad_keys_get_a_sentence(tmp_path):
    key = new_workspace_key()
    workspace = key_workspace(key)
    assert key not in workspace.id and key_workspace(key) == workspace != key_workspace(new_workspace_key())
    assert user_workspace("Alice") .id == user_workspace("alice").id != user_workspace("alice", "hf").id
    for bad in ("", "short", "../../etc/passwd" + "a" * 40, None):
        with pytest.raises(StyleLabError, match="workspace key is not valid"):
            key_workspace(bad)
    secret = browser_secret(tmp_path)
    assert len(secret) == 32 and browser_secret(tmp_path) == secret  # the same after a restart


def _template_saved_before_workspaces(data_dir) -> None:
    """A data folder from before this change: a template right in <data>/templates/."""
    old = data_dir / "templates" / "old-board-abc123"
    old.mkdir(parents=True)
    picture = sample_picture("brick", (32, 32))
    picture.save(old / "style.png")
    picture.save(old / "thumbnail.png")
    save_file({"embedding": torch.rand(100)}, str(old / "embedding.safetensors"))
    (old / "template.json").write_text(json.dumps({"name": "Old board", "created": 1.0}))


def test_studio_keeps_restyles_ratings_and_templates_per_workspace(tmp_path, engine):
    _template_saved_before_workspaces(tmp_path)
    settings = AppSettings(data_dir=tmp_path, device="cpu", max_side=800, max_files=5, preview_side=64,
                           concurrency=1, queue_size=4, max_upload_mb=10, admin_password=None)
    studio = Studio(engine, settings, sample_photo=Image.fromarray(skimage.data.coffee()))
    alice, bob = user_workspace("alice"), key_workspace(new_workspace_key())
    studio.save_template("Mood", sample_picture("rocket", (48, 32)), alice)
    studio.save_template("House mood", sample_picture("grass", (48, 32)))  # no workspace: the admin's house
    photo = Photo("mug", sample_picture("coffee", (48, 32)))

    (mine,) = studio.restyle([photo], StyleChoice(template="Mood", workspace=alice), RestyleSettings())
    with pytest.raises(StyleLabError, match="no template called 'Mood'"):
        studio.restyle([photo], StyleChoice(template="Mood", workspace=bob), RestyleSettings())
    with pytest.raises(StyleLabError, match="no template called 'Mood'"):
        studio.compare(photo, ["Mood"], RestyleSettings(), workspace=bob)
    (house_a,) = studio.restyle([photo], StyleChoice(template="House mood", workspace=alice), RestyleSettings())
    (house_b,) = studio.restyle([photo], StyleChoice(template="House mood", workspace=bob), RestyleSettings())
    studio.rate(mine, "up", alice)
    studio.rate(house_a, "up", alice)
    studio.rate(house_b, "down", bob)

    ratings = [e for e in studio.usage.events() if e["kind"] == "rating"]
    assert [e["by"] for e in ratings] == ["alice", "alice", bob.owner]
    rows = {row[0]: row for row in studio.usage.summary()}
    assert rows["House mood"][2:3] + rows["House mood"][5:] == [2, 1, 1, 2]  # uses, up, down, people
    assert rows["Mood (alice)"][5:] == [1, 0, 1]
    assert [t.name for t in studio.templates(bob)][:2] == ["Old board", "House mood"]

    # templates saved before workspaces existed are house templates: everyone uses them, nobody deletes them
    assert studio.templates_of(bob).find("Old board").kind == "house"
    with pytest.raises(StyleLabError, match="house template"):
        studio.delete_template("Old board", bob)
    assert (tmp_path / "templates" / "old-board-abc123" / "template.json").is_file()
