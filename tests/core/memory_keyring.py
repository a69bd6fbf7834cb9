"""A test double for keyring_store over a dict, whose writes can fail in the ways keyrings do."""

from __future__ import annotations

import pytest

from wizard.core.errors import KeyringError
from wizard.core.stores import keyring_store


class MemoryKeyring:
    """keyring_store's read/write/remove over a dict; writes can fail, vanish or half-happen."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.values: dict[str, str] = {}
        self.error: Exception | None = None
        """Raised by every write while set."""
        self.lose_writes = False
        """Writes "succeed" but store nothing (a read-back then differs)."""
        self.corrupt_once = False
        """The next write leaves garbage and fails; later writes work again."""
        monkeypatch.setattr(keyring_store, "read_keyring_token", self.read)
        monkeypatch.setattr(keyring_store, "write_keyring_token", self.write)
        monkeypatch.setattr(keyring_store, "remove_keyring_token", self.remove)

    def read(self, account: str = keyring_store.ACCOUNT, **_: object) -> str | None:
        return self.values.get(account)

    def write(self, value: str, account: str = keyring_store.ACCOUNT, **_: object) -> None:
        if self.corrupt_once:
            self.values[account], self.corrupt_once = "garbage", False
            raise KeyringError("read back differs")
        if self.error is not None:
            raise self.error
        if not self.lose_writes:
            self.values[account] = value

    def remove(self, account: str = keyring_store.ACCOUNT, **_: object) -> bool:
        return self.values.pop(account, None) is not None
