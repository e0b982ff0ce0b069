"""Accounts: salted scrypt hashes in the users file, and wrong passwords slowed down per name."""
from __future__ import annotations

import asyncio
import concurrent.futures
import inspect
import json
import stat

import pytest

from stylelab.cli import main
from stylelab.errors import StyleLabError
from stylelab.store.accounts import UsersFile
from stylelab.web.auth import AccountAuth, GuessThrottle


def test_users_file_keeps_salted_hashes_never_passwords(tmp_path, monkeypatch, capsys):
    path = tmp_path / "users.json"
    monkeypatch.setenv("STYLELAB_USERS_FILE", str(path))
    for name, password in (("alice", "correct horse"), ("bob", "correct horse")):
        monkeypatch.setattr("sys.stdin", __import__("io").StringIO(password + "\n"))
        assert main(["users", "add", name, "--password-stdin"]) == 0
    assert "Added bob" in capsys.readouterr().out
    text = path.read_text()
    users = json.loads(text)["users"]
    assert "correct horse" not in text and users["alice"]["salt"] != users["bob"]["salt"]
    assert users["alice"]["hash"] != users["bob"]["hash"]  # the same password, different hashes
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    accounts = UsersFile(path)
    assert accounts.verify("ALICE", "correct horse") == "alice" and accounts.verify("alice", "wrong") is None
    assert accounts.verify("carol", "correct horse") is None
    with pytest.raises(StyleLabError, match="at least 8"):
        accounts.add("carol", "short")
    with pytest.raises(StyleLabError, match="user name"):
        accounts.add("../carol", "long enough")
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("x\n"))
    assert main(["users", "add", "carol", "--password-stdin"]) == 2
    assert "at least 8 characters" in capsys.readouterr().err


def test_sign_in_slows_wrong_guesses_per_name_and_never_refuses_the_right_password(tmp_path, monkeypatch):
    accounts = UsersFile(tmp_path / "users.json")
    accounts.add("alice", "correct horse")
    now = [0.0]
    waits: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    monkeypatch.setattr(asyncio, "sleep", fake_sleep)
    auth = AccountAuth(accounts, GuessThrottle(free=3, first_delay=1, max_delay=30, clock=lambda: now[0]))
    assert inspect.iscoroutinefunction(auth.sign_in), "Gradio awaits only coroutine functions"

    def sign_in(name: str, password: str) -> bool:
        # a thread of its own: a browser test earlier in the session may leave an event loop running here
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, auth.sign_in(name, password)).result()

    assert sign_in("alice", "correct horse")
    assert not any(sign_in("alice", f"guess {n}") for n in range(5))
    assert waits == [1, 2], "three free guesses, then growing waits"
    assert sign_in("Alice", "correct horse") and waits[-1] == 4, "the right password waits, then gets in"
    assert sign_in("bob-is-not-here", "x") is False and len(waits) == 3  # another name is not held up
