"""Workspaces: each merchant's templates are theirs alone; house templates are everyone's, read-only;
old data folders keep their templates as house templates."""
from __future__ import annotations

import hashlib
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
from stylelab.store.workspaces import WorkspaceKeys, browser_storage_secret, user_workspace
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


def test_a_house_template_named_like_a_merchants_own_is_marked_as_the_house_one(tmp_path):
    """Issue #34, point 7: the admin published "Spring board" after a merchant saved one; the merchant
    saw it twice and could only ever reach their own."""
    house = TemplateStore(tmp_path)
    alice = TemplateStore(tmp_path / "workspaces" / "a", house=house)
    _save(alice, "Spring board")
    _save(house, "spring BOARD")  # the admin cannot see into workspaces, so cannot avoid it

    names = alice.names()
    assert len(names) == len({n.lower() for n in names}), "each name in the list means one template"
    assert [(t.name, t.kind) for t in alice.all()[:2]] == [("Spring board", "custom"),
                                                          ("spring BOARD (house)", "house")]
    assert alice.find("Spring board").kind == "custom"
    marked = alice.find("spring board (house)")
    assert marked.kind == "house" and marked.true_name == "spring BOARD" and marked.folder.parent == house.root
    assert "spring BOARD" in TemplateStore(tmp_path / "workspaces" / "b", house=house).names()  # unmarked elsewhere
    with pytest.raises(StyleLabError, match="house template, shared with everyone"):
        alice.delete("spring board (house)")
    for taken in ("Autumn (house)", "x (HOUSE)"):
        with pytest.raises(StyleLabError, match="mark the house templates"):
            _save(alice, taken)
    alice.delete("Spring board")
    assert alice.names()[0] == "spring BOARD", "without the clash the house template has its own name again"


def test_workspace_names_keep_keys_off_disk_and_bad_keys_get_a_sentence(tmp_path):
    keys = WorkspaceKeys(tmp_path)
    key = keys.issue()
    workspace, kept = keys.open(key)
    assert kept == key and key.split(".")[0] not in workspace.id and key not in workspace.id
    assert keys.open(key)[0] == workspace != keys.open(keys.issue())[0]
    assert WorkspaceKeys(tmp_path).open(key)[0] == workspace  # the same after a restart
    assert user_workspace("Alice") .id == user_workspace("alice").id != user_workspace("alice", "hf").id
    for bad in ("", "short", "../../etc/passwd" + "a" * 40, None):
        with pytest.raises(StyleLabError, match="workspace key is not valid"):
            keys.open(bad)


def test_made_up_keys_are_refused_and_only_the_server_can_make_one(tmp_path):
    """Issue #34, points 2 and 3: any 32-64 characters opened (or created) a workspace, and the value
    the page serves to every visitor was presented as what protects the browser's key."""
    keys = WorkspaceKeys(tmp_path)
    random_part, signature = keys.issue().split(".")
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    public = browser_storage_secret(tmp_path)  # served by /config to everyone
    for made_up in ("a" * 43, "A1b2-_" * 8, f"{random_part}.{flipped}", f"{'x' * 43}.{signature}",
                    f"{'b' * 43}.{public[:22]}"):
        with pytest.raises(StyleLabError, match="not valid: it was not issued by this StyleLab"):
            keys.open(made_up)
    assert not list((tmp_path / "workspaces").glob("key-*")), "a refused key makes no workspace"
    secret_file = tmp_path / "workspaces" / ".key-secret"
    assert secret_file.stat().st_mode & 0o077 == 0, "only the owner can read the signing secret"
    assert public not in secret_file.read_text()
    with pytest.raises(StyleLabError, match="not issued by this StyleLab"):
        WorkspaceKeys(tmp_path / "another-install").open(keys.issue())  # another server's secret: refused


def test_a_key_from_before_signing_keeps_its_workspace_and_is_swapped_for_a_signed_one(tmp_path):
    keys = WorkspaceKeys(tmp_path)
    old_key = "Q" * 43  # what the browser or API client kept (32 random bytes, URL-safe)
    with pytest.raises(StyleLabError, match="not valid"):
        keys.open(old_key)  # no workspace was ever saved under it: it creates none
    house = TemplateStore(tmp_path)
    workspace_id = "key-" + hashlib.sha256(old_key.encode()).hexdigest()[:24]  # the folder the old key named
    _save(TemplateStore(tmp_path / "workspaces" / workspace_id, house=house), "Old mood")
    workspace, signed = keys.open(old_key)
    assert workspace.id == workspace_id and signed.startswith(old_key + ".")
    assert keys.open(signed) == (workspace, signed), "the signed form opens the same templates"


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
    keys = WorkspaceKeys(tmp_path)
    alice, bob = user_workspace("alice"), keys.open(keys.issue())[0]
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
