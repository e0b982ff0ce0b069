"""Accounts: a users file of names and salted scrypt password hashes (never the passwords).

Written by ``python -m stylelab users add NAME``; the app reads it from STYLELAB_USERS_FILE and
then asks every visitor to sign in. The file is JSON, replaced atomically, readable only by its owner.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
from pathlib import Path

from stylelab.errors import StyleLabError
from stylelab.store.files import atomic_write_text, saving

NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@-]{0,39}")
MIN_PASSWORD_LENGTH = 8
# scrypt cost: about 50 ms and 16 MiB per check, which makes guessing a stolen file slow
SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def hash_password(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=64 * 1024 * 1024, dklen=32)


def clean_user_name(name: object) -> str:
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name.strip()):
        raise StyleLabError("A user name is 1 to 40 letters, digits, or . _ @ - (starting with a letter or digit).")
    return name.strip()


class UsersFile:
    def __init__(self, path: Path):
        self.path = Path(path)

    def _read(self) -> dict[str, dict]:
        if not self.path.is_file():
            return {}
        try:
            users = json.loads(self.path.read_text()).get("users", {})
        except (ValueError, AttributeError, OSError):
            raise StyleLabError(f"The users file '{self.path}' cannot be read; restore it or add the users "
                                "again with `python -m stylelab users add NAME`.") from None
        return users if isinstance(users, dict) else {}

    def names(self) -> list[str]:
        return sorted(self._read())

    def add(self, name: str, password: str) -> bool:
        """Add a user or set a new password; True when the user is new."""
        name = clean_user_name(name)
        if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
            raise StyleLabError(f"Choose a password of at least {MIN_PASSWORD_LENGTH} characters.")
        users = self._read()
        salt = secrets.token_bytes(16)
        record = {"scheme": "scrypt", **SCRYPT, "salt": salt.hex(), "hash": hash_password(password, salt, **SCRYPT).hex()}
        existing = next((known for known in users if known.lower() == name.lower()), None)
        users.pop(existing, None)
        users[name] = record
        self._write(users)
        return existing is None

    def remove(self, name: str) -> None:
        users = self._read()
        existing = next((known for known in users if known.lower() == str(name).strip().lower()), None)
        if existing is None:
            raise StyleLabError(f"There is no user called '{name}'.")
        del users[existing]
        self._write(users)

    def verify(self, name: str, password: str) -> str | None:
        """The user's name as it was added when the password is right, else None."""
        users = self._read()
        existing = next((known for known in users if known.lower() == str(name).strip().lower()), None)
        record = users.get(existing) if existing else None
        if record is None or not isinstance(password, str):
            hash_password("", b"0" * 16, **SCRYPT)  # the same time for an unknown name as for a wrong password
            return None
        try:
            expected = bytes.fromhex(record["hash"])
            given = hash_password(password, bytes.fromhex(record["salt"]), record["n"], record["r"], record["p"])
        except (KeyError, ValueError, TypeError):
            return None
        return existing if hmac.compare_digest(given, expected) else None

    def _write(self, users: dict[str, dict]) -> None:
        with saving(f"the users file '{self.path}'"):
            atomic_write_text(self.path, json.dumps({"users": users}, indent=2))
            os.chmod(self.path, 0o600)
