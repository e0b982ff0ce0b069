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
from stylelab.web.auth import AdminAuth, GuessThrottle, current_client
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

class FakeSleep:
    """Sleeping moves the fake clock on; every wait is recorded."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock, self.waits = clock, []

    def __call__(self, seconds: float) -> None:
        self.waits.append(round(seconds, 3))
        self.clock.now += seconds


def test_wrong_passwords_slow_their_source_down_but_never_refuse_the_right_one():
    """Issue #34, point 5: during a lockout the right password was refused too, so anyone behind the
    admin's address could lock the admin out."""
    clock = FakeClock()
    sleep = FakeSleep(clock)
    auth = AdminAuth(SECRET, GuessThrottle(free=3, first_delay=1, max_delay=30, clock=clock), sleep=sleep)
    for attempt in range(9):
        with pytest.raises(StyleLabError, match="password is missing or wrong"):
            auth.check(f"guess-{attempt}", client="203.0.113.7")
    assert sleep.waits == [1, 2, 4, 8, 16, 30], "free guesses, then waits that double, up to 30 s"
    auth.check(SECRET, client="203.0.113.7")  # the right password, from the same address: waits, then gets in
    assert sleep.waits[-1] == 30
    auth.check(SECRET, client="203.0.113.7")  # ... and the right password adds no wait of its own
    assert len(sleep.waits) == 7
    auth.check(SECRET, client="198.51.100.2")  # another address never waits for this one's guesses
    assert len(sleep.waits) == 7
    for _ in range(20):
        with pytest.raises(StyleLabError, match="missing or wrong"):
            auth.check("", client="198.51.100.2")  # an empty field is no guess: it neither waits nor counts
    assert len(sleep.waits) == 7


def test_guesses_from_one_source_take_turns_and_are_forgotten_after_a_while():
    clock = FakeClock()
    throttle = GuessThrottle(free=1, first_delay=5, max_delay=30, forget_after=600, clock=clock)
    assert throttle.check("x", lambda: False, FakeSleep(clock)) is False
    # three checks arrive at the same moment: each gets its own turn, 5 s apart
    turns = [throttle._reserve("x")[1] for _ in range(3)]
    assert turns == [5, 10, 15]
    clock.now += 601 + 30
    assert throttle._reserve("x")[1] == 0, "forgotten after ten quiet minutes"


def test_admin_actions_throttle_wrong_passwords_per_client_of_the_request(tmp_path, engine):
    settings = AppSettings(data_dir=tmp_path / "data", device="cpu", max_side=400, max_files=5, preview_side=64,
                           concurrency=1, queue_size=8, max_upload_mb=10, admin_password=SECRET)
    clock = FakeClock()
    sleep = FakeSleep(clock)
    admin = AdminActions(Studio(engine, settings, Image.fromarray(skimage.data.coffee())),
                         AdminAuth(SECRET, GuessThrottle(clock=clock), sleep=sleep))
    token = current_client.set("192.0.2.10")
    try:
        for _ in range(5):
            with pytest.raises(UserFacingError, match="Admin sign-in required"):
                admin.dashboard("wrong")
        assert admin.dashboard(SECRET) == [] and sleep.waits, "the right password waited, and got in"
    finally:
        current_client.reset(token)
    waited = len(sleep.waits)
    assert admin.dashboard(SECRET) == [] and len(sleep.waits) == waited, "a different client does not wait"


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


# -- who the client is: X-Forwarded-For only from trusted proxies -------------------------------

def test_forwarded_for_is_believed_only_from_the_proxies_named_in_the_setting(monkeypatch):
    """Issue #34, point 5: uvicorn believed X-Forwarded-For from loopback, so each guess could name a
    new address. The app now tells uvicorn to believe it from STYLELAB_TRUSTED_PROXIES only."""
    import app as web_app
    from uvicorn.middleware.proxy_headers import _TrustedHosts

    monkeypatch.delenv("STYLELAB_TRUSTED_PROXIES", raising=False)
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "127.0.0.1")  # uvicorn's own default; restored after the test
    web_app.trust_forwarded_for(AppSettings.from_environment())
    nobody = _TrustedHosts(os.environ["FORWARDED_ALLOW_IPS"])
    assert "127.0.0.1" not in nobody and "10.16.3.80" not in nobody
    monkeypatch.setenv("STYLELAB_TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1")
    web_app.trust_forwarded_for(AppSettings.from_environment())
    space = _TrustedHosts(os.environ["FORWARDED_ALLOW_IPS"])
    assert "10.16.3.80" in space and "203.0.113.7" not in space
    # the right-most address a trusted proxy did not add is the client's, whatever the client made up
    assert space.get_trusted_client_address("6.6.6.6, 203.0.113.7, 10.1.2.3")[0] == "203.0.113.7"
    for bad, sentence in (("*", "anyone could pick their own address"), ("10.0.0.0/33", "not an IP address"),
                          ("proxy.local", "not an IP address")):
        monkeypatch.setenv("STYLELAB_TRUSTED_PROXIES", bad)
        with pytest.raises(SystemExit, match=sentence):
            AppSettings.from_environment()
