"""Accounts: salted scrypt hashes in the users file, and wrong passwords rate-limited per name."""
from __future__ import annotations

import json
import stat

import pytest
from fastapi import HTTPException

from stylelab.cli import main
from stylelab.errors import StyleLabError
from stylelab.store.accounts import UsersFile
from stylelab.web.auth import AccountAuth, FailureLimiter


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


def test_sign_in_refuses_after_five_wrong_passwords_for_a_name_until_the_window_passes(tmp_path):
    accounts = UsersFile(tmp_path / "users.json")
    accounts.add("alice", "correct horse")
    now = [0.0]
    sign_in = AccountAuth(accounts, FailureLimiter(max_failures=5, window=60, clock=lambda: now[0]))
    assert sign_in("alice", "correct horse")
    assert not any(sign_in("alice", f"guess {n}") for n in range(5))
    with pytest.raises(HTTPException) as refused:
        sign_in("Alice", "correct horse")  # even the right password waits
    assert refused.value.status_code == 400 and "try again in 60 s" in refused.value.detail
    assert sign_in("bob-is-not-here", "x") is False  # another name is not held up
    now[0] = 61
    assert sign_in("alice", "correct horse")

