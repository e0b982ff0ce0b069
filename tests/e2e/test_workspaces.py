"""Workspaces against the real app: two API clients and two browsers never see or change each other's
templates; accounts sign in, are rate-limited, and keep their templates across a restart; the
admin's house templates reach everyone, read-only."""
from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from gradio_client import Client, handle_file

from stylelab.store.accounts import UsersFile
from tests.conftest import sample_picture
from tests.e2e.conftest import AppServer, screenshot

ADMIN = "house-admin-pw"
PASSWORDS = {"alice": "alice-secret-1", "bob": "bob-secret-22"}


def _style(tmp_path: Path, name: str, sample: str) -> Path:
    path = tmp_path / f"{name}.png"
    sample_picture(sample, (48, 32)).save(path)
    return path


def _names(client: Client) -> dict[str, str]:
    return {t["name"]: t["kind"] for t in client.predict(api_name="/list_templates")}


def _save(client: Client, name: str, style: Path) -> str:
    message, key, *_ = client.predict(name=name, style_image=handle_file(str(style)), api_name="/save_template")
    assert f"Saved template **{name}**" in message
    return key


def _status_of(url: str) -> int:
    try:
        return urllib.request.urlopen(url, timeout=10).status
    except urllib.error.HTTPError as error:
        return error.code


def _sign_in(url: str, name: str, password: str) -> tuple[int, str]:
    data = urllib.parse.urlencode({"username": name, "password": password}).encode()
    try:
        response = urllib.request.urlopen(urllib.request.Request(url + "login", data=data), timeout=30)
        return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())["detail"]


def _save_in_browser(page, style: Path, name: str) -> None:
    page.locator("#own-style").click()
    page.locator("#style-image input[type=file]").set_input_files(str(style))
    page.locator("#template-name textarea, #template-name input").first.fill(name)
    page.locator("#save-template").click()
    page.locator("#save-status", has_text="Saved template").wait_for()


def _my_templates(page) -> str:
    page.get_by_role("tab", name="My templates").click()
    page.locator("#workspace-note", has_text="your templates").wait_for()
    return page.locator("#custom-gallery").inner_text()


def test_two_visitors_keep_their_templates_apart_and_share_the_house_ones(data_dir, browser, tmp_path):
    server = AppServer(data_dir, extra_env={"STYLELAB_ADMIN_PASSWORD": ADMIN}).start()
    try:
        a, b = Client(server.url, verbose=False), Client(server.url, verbose=False)
        key = _save(a, "Mood A", _style(tmp_path, "mood", "rocket"))
        assert _names(a)["Mood A"] == "custom" and "Mood A" not in _names(b)
        for api_name, arguments in (("/rename_template", {"name": "Mood A", "new_name": "Taken"}),
                                    ("/delete_template", {"name": "Mood A"})):
            with pytest.raises(Exception, match="no template called 'Mood A'"):
                b.predict(api_name=api_name, **arguments)
        with pytest.raises(Exception, match="no template called 'Mood A'"):
            b.predict(photo=handle_file(str(_style(tmp_path, "hero", "coffee"))), templates=["Mood A"], strength=1.0,
                      stroke_scale=1.0, keep_colours=False, api_name="/compare")
        # A's files are not served by their path in the data folder, to B or anyone
        saved = sorted(data_dir.glob("workspaces/*/templates/*/*.png"))
        assert {p.name for p in saved} == {"style.png", "thumbnail.png"} and key not in str(saved[0])
        assert {_status_of(f"{server.url}gradio_api/file={p}") for p in saved} == {403}

        # the key keeps the workspace for another client; a made-up key gets a sentence
        c = Client(server.url, verbose=False, headers={"X-StyleLab-Workspace": key})
        c.predict(name="Mood A", new_name="Mood A2", api_name="/rename_template")
        assert "Mood A2" in _names(a) and "Mood A2" not in _names(b)
        stranger = Client(server.url, verbose=False, headers={"X-StyleLab-Workspace": "guess"})
        with pytest.raises(Exception, match="workspace key is not valid"):
            stranger.predict(api_name="/list_templates")

        # the admin publishes a house template: everyone sees it, nobody else changes it
        a.predict(credential=ADMIN, name="House look", style_image=handle_file(str(_style(tmp_path, "house", "grass"))),
                  api_name="/publish_house_template")
        assert _names(a)["House look"] == _names(b)["House look"] == "house"
        with pytest.raises(Exception, match="house template, shared with everyone"):
            b.predict(name="House look", api_name="/delete_template")

        # two browsers: A saves, B does not see it; A reloads and still has it
        context_a, context_b = browser.new_context(), browser.new_context()
        page_a, page_b = context_a.new_page(), context_b.new_page()
        for page in (page_a, page_b):
            page.set_default_timeout(120_000)
        page_a.goto(server.url)
        _save_in_browser(page_a, _style(tmp_path, "board", "astronaut"), "Browser board")
        page_a.locator("#template-gallery").get_by_text("Browser board", exact=True).wait_for()
        page_b.goto(server.url)
        page_b.locator("#template-gallery").get_by_text("House look", exact=True).wait_for()
        assert page_b.locator("#template-gallery").get_by_text("Browser board", exact=True).count() == 0
        assert "Browser board" not in _my_templates(page_b)
        page_a.reload()
        page_a.locator("#template-gallery").get_by_text("Browser board", exact=True).wait_for()
        assert "Browser board" in _my_templates(page_a) and "Mood A2" not in _my_templates(page_a)
        screenshot(page_a, "workspace-my-templates")
        context_a.close()
        context_b.close()
    finally:
        server.stop()


def test_accounts_sign_in_rate_limit_and_keep_each_users_templates_across_a_restart(data_dir, browser, tmp_path):
    users = UsersFile(tmp_path / "users.json")
    for name, password in PASSWORDS.items():
        users.add(name, password)
    env = {"STYLELAB_USERS_FILE": str(users.path)}
    server = AppServer(data_dir, extra_env=env).start()
    try:
        with pytest.raises(Exception):
            Client(server.url, verbose=False).predict(api_name="/list_templates")  # no sign-in, no app
        alice = Client(server.url, verbose=False, auth=("alice", PASSWORDS["alice"]))
        bob = Client(server.url, verbose=False, auth=("bob", PASSWORDS["bob"]))
        assert _save(alice, "Alice board", _style(tmp_path, "alice", "rocket")) == ""  # an account needs no key
        _save(bob, "Bob board", _style(tmp_path, "bob", "grass"))
        assert "Alice board" in _names(alice) and "Alice board" not in _names(bob) and "Bob board" in _names(bob)

        # five wrong passwords for a name, then even the right one waits
        assert [_sign_in(server.url, "bob", f"guess-{n}")[0] for n in range(5)] == [400] * 5
        status, detail = _sign_in(server.url, "bob", PASSWORDS["bob"])
        assert status == 400 and "Too many wrong passwords; try again in" in detail
        assert _sign_in(server.url, "alice", PASSWORDS["alice"])[0] == 200  # other names are not held up

        context = browser.new_context()
        page = context.new_page()
        page.set_default_timeout(120_000)
        page.goto(server.url)
        page.get_by_role("button", name="Login").wait_for()
        screenshot(page, "accounts-sign-in")
        page.locator("input[type=text]").fill("alice")
        page.locator("input[type=password]").fill(PASSWORDS["alice"])
        page.get_by_role("button", name="Login").click()
        page.locator("#template-gallery").get_by_text("Alice board", exact=True).wait_for()
        assert "Alice board" in _my_templates(page) and "Bob board" not in _my_templates(page)
        assert "Signed in as alice" in page.locator("#workspace-note").inner_text()
        context.close()

        server.stop()
        server = AppServer(data_dir, extra_env=env).start()
        alice = Client(server.url, verbose=False, auth=("alice", PASSWORDS["alice"]))
        bob = Client(server.url, verbose=False, auth=("bob", PASSWORDS["bob"]))
        assert _names(alice)["Alice board"] == "custom" and "Bob board" not in _names(alice)
        assert _names(bob)["Bob board"] == "custom" and "Alice board" not in _names(bob)
    finally:
        server.stop()
