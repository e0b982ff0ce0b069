"""Access: the admin credential (with rate-limited wrong passwords and no secret in logs or messages),
safetensors-only weights, and user text escaped wherever it is shown."""
from __future__ import annotations

import logging
import os
import pickle
from pathlib import Path

import pytest
import skimage.data
import torch
from PIL import Image

from stylelab.web.actions import WebActions
from stylelab.web.auth import AdminAuth, current_client
from stylelab.web.admin_actions import AdminActions
from stylelab.engine import RestyleSettings
from stylelab.errors import StyleLabError, UserFacingError
from stylelab.settings import AppSettings
from stylelab.studio import Photo, StyleChoice, Studio
from stylelab.text import literal, no_tags
from stylelab.weights.store import load_network
from tests.conftest import sample_picture

SECRET = "tr0ub4dor&3-horse"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# -- the admin credential ---------------------------------------------------------------------

def test_wrong_passwords_are_rate_limited_per_client_with_a_sliding_window():
    clock = FakeClock()
    auth = AdminAuth(SECRET, max_failures=5, window=60, clock=clock)
    for attempt in range(5):
        clock.now += 1
        with pytest.raises(StyleLabError, match="password is missing or wrong"):
            auth.check(f"guess-{attempt}", client="203.0.113.7")
    with pytest.raises(StyleLabError, match=r"^Too many wrong passwords; try again in 56 s\.$"):
        auth.check(SECRET, client="203.0.113.7")  # even the right password waits
    auth.check(SECRET, client="198.51.100.2")  # another client is not locked out
    clock.now += 56  # the first wrong guess ages out of the window: one more try is allowed
    auth.check(SECRET, client="203.0.113.7")
    for _ in range(20):
        with pytest.raises(StyleLabError, match="missing or wrong"):
            auth.check("", client="198.51.100.2")  # an empty field is no guess and never locks anyone out


def test_admin_actions_count_wrong_passwords_per_client_of_the_request(tmp_path, engine):
    settings = AppSettings(data_dir=tmp_path / "data", device="cpu", max_side=400, max_files=5, preview_side=64,
                           concurrency=1, queue_size=8, max_upload_mb=10, admin_password=SECRET)
    admin = AdminActions(Studio(engine, settings, Image.fromarray(skimage.data.coffee())), AdminAuth(SECRET))
    token = current_client.set("192.0.2.10")
    try:
        for _ in range(5):
            with pytest.raises(UserFacingError, match="Admin sign-in required"):
                admin.dashboard("wrong")
        with pytest.raises(UserFacingError, match="Too many wrong passwords; try again in"):
            admin.dashboard(SECRET)
    finally:
        current_client.reset(token)
    assert admin.dashboard(SECRET) == [], "a different client still gets in"


def test_secrets_never_appear_in_messages_or_logs(tmp_path, engine, caplog):
    settings = AppSettings(data_dir=tmp_path / "data", device="cpu", max_side=400, max_files=5, preview_side=64,
                           concurrency=1, queue_size=8, max_upload_mb=10, admin_password=SECRET)
    admin = AdminActions(Studio(engine, settings, Image.fromarray(skimage.data.coffee())), AdminAuth(SECRET))
    caplog.set_level(logging.DEBUG)
    messages = []
    for credential in ("not-the-secret", SECRET[:-1], SECRET + " "):
        with pytest.raises(UserFacingError) as raised:
            admin.publish(credential, 1)
        messages.append(str(raised.value))
    with pytest.raises(UserFacingError) as raised:
        admin.publish(SECRET, 99)  # signed in, but a bad request: the error must not echo the credential
    messages.append(str(raised.value))
    assert messages[-1] == "There is no job 99."
    everything = " ".join(messages) + caplog.text
    for secret in ("not-the-secret", SECRET[:-1], SECRET):
        assert secret not in everything


# -- safetensors only ------------------------------------------------------------------------

class Payload:
    """Unpickling this runs code: it creates the marker file."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def write_pickle(path: Path, marker: Path, torch_format: bool) -> Path:
    state = {"weight": torch.zeros(3), "trap": Payload(marker)}
    if torch_format:
        torch.save(state, path)
    else:
        path.write_bytes(pickle.dumps(state))
    return path


@pytest.mark.parametrize("torch_format", [True, False], ids=["torch.save file", "plain pickle"])
def test_a_pickle_in_the_weights_folder_is_refused_and_never_unpickled(tmp_path, torch_format):
    weights = tmp_path / "weights"
    weights.mkdir()
    marker = tmp_path / "code-ran"
    write_pickle(weights / "multistyle26.safetensors", marker, torch_format)  # renamed to look right
    with pytest.raises(StyleLabError, match="'multistyle26.safetensors' is not a safetensors file, so it was not "
                                            "loaded: StyleLab only loads safetensors weights"):
        load_network("multistyle26", weights)
    os.remove(weights / "multistyle26.safetensors")
    write_pickle(weights / "multistyle26.pt", marker, torch_format)  # or left with its own suffix
    with pytest.raises(StyleLabError, match="'multistyle26.pt' is not a safetensors file"):
        load_network("multistyle26", weights)
    assert not marker.exists(), "no code from the pickle ran"


def test_a_pickle_in_a_template_version_is_refused_with_a_sentence(tmp_path, engine):
    settings = AppSettings(data_dir=tmp_path / "data", device="cpu", max_side=400, max_files=5, preview_side=64,
                           concurrency=1, queue_size=8, max_upload_mb=10, admin_password=None)
    studio = Studio(engine, settings, Image.fromarray(skimage.data.coffee()))
    studio.save_template("Rocket", sample_picture("rocket", (160, 120)))
    state = {k: v.clone() for k, v in engine.float_transformer().state_dict().items()}
    version = studio.store.publish_version("Rocket", torch.zeros(100), state, {"note": "tuned"})
    folder = studio.store.find("Rocket").folder / "versions" / version
    marker = tmp_path / "code-ran"
    photo = tmp_path / "mug.png"
    sample_picture("coffee", (96, 64)).save(photo)
    actions = WebActions(studio)

    write_pickle(folder / "transformer.safetensors", marker, torch_format=True)
    with pytest.raises(UserFacingError, match="fine-tuned transformer file 'transformer.safetensors' is not a "
                                              "safetensors file"):
        actions.restyle([str(photo)], "Rocket", None, 1.0, 1.0, False, "(none)", 0.0, "PNG", 92)
    write_pickle(folder / "embedding.safetensors", marker, torch_format=False)
    with pytest.raises(UserFacingError, match="'Rocket' style embedding file 'embedding.safetensors' is not a "
                                              "safetensors file"):
        actions.restyle([str(photo)], "Rocket", None, 1.0, 1.0, False, "(none)", 0.0, "PNG", 92)
    assert not marker.exists(), "no code from the pickle ran"
    studio.store.activate("Rocket", "v0")  # rolling back to the original version works again
    assert studio.restyle([Photo("mug", sample_picture("coffee", (96, 64)))], StyleChoice(template="Rocket"),
                          RestyleSettings())[0].result.size == (96, 64)


# -- user text is escaped where it is shown ---------------------------------------------------------

def test_user_text_shows_as_typed_and_never_becomes_markup():
    attack = "<img src=x onerror=alert(1)>"
    assert "<" not in no_tags(attack) and "&lt;img src=x onerror=alert(1)&gt;" == no_tags(attack)
    assert literal("**bold** [link](javascript:alert(1)) <b>") == \
        r"\*\*bold\*\* \[link\]\(javascript:alert\(1\)\) &lt;b&gt;"


def test_file_names_in_the_restyle_status_are_escaped(tmp_path, engine):
    settings = AppSettings(data_dir=tmp_path / "data", device="cpu", max_side=400, max_files=5, preview_side=64,
                           concurrency=1, queue_size=8, max_upload_mb=10, admin_password=None)
    actions = WebActions(Studio(engine, settings, Image.fromarray(skimage.data.coffee())))
    good = tmp_path / "good.png"
    sample_picture("coffee", (96, 64)).save(good)
    bad = tmp_path / "<img src=x onerror=alert(1)>.png"
    bad.write_text("not a picture")
    output = actions.restyle([str(good), str(bad)], "Ink wash", None, 0.5, 1.0, False, "(none)", 0.0, "PNG", 92)
    assert "Skipped:" in output.status and "&lt;img src=x onerror=alert\\(1\\)&gt;.png" in output.status
    assert "<img" not in output.status
