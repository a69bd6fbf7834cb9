"""The stores behind one protocol: the keyring keeps its own profile index, writes roll back."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.core.memory_keyring import MemoryKeyring
from wizard.core.codes import StoreTarget
from wizard.core.errors import KeyringError
from wizard.core.profiles import DEFAULT, Profile
from wizard.core.stores import registry
from wizard.core.stores.keyring_token import KEYRING, read_profile_index
from wizard.core.stores.save import store_token
from wizard.core.token import SecretToken

ROOT = Path(__file__).resolve().parents[2]
OLD = SecretToken("EAAFake0Old0Token0For0Registry0Tests000000000000Old1")
NEW = SecretToken("EAAFake0New0Token0For0Registry0Tests000000000000New2")
INDEX = "wa-token-profiles"

KEYRING_WRITES = re.compile(r"\b(write_keyring_token|remove_keyring_token)\(")
INDEX_NAMES = re.compile(r"\b(record_in_index|INDEX_ACCOUNT)\b")


def modules_matching(pattern: re.Pattern[str]) -> set[str]:
    """The wizard's modules whose text matches `pattern`, relative to the repository."""
    return {
        str(path.relative_to(ROOT))
        for path in (ROOT / "wizard").rglob("*.py")
        if pattern.search(path.read_text(encoding="utf-8"))
    }


def test_only_the_keyring_store_writes_the_keyring() -> None:
    """A caller that wrote a keyring entry itself would leave the profile index behind: every
    write and removal goes through the keyring store, which keeps the index."""
    assert modules_matching(KEYRING_WRITES) == {
        "wizard/core/stores/keyring_store.py",
        "wizard/core/stores/keyring_token.py",
    }
    assert modules_matching(INDEX_NAMES) == {"wizard/core/stores/keyring_token.py"}


def test_every_keyring_write_and_removal_keeps_the_index(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    memory = MemoryKeyring(monkeypatch)
    env_file = tmp_path / ".env"
    KEYRING.write(NEW, env_file, Profile("acme"))
    KEYRING.write(OLD, env_file, DEFAULT)
    assert memory.values[INDEX] == "acme,default"
    assert read_profile_index() == ("acme", "default")
    assert KEYRING.remove(env_file, Profile("acme"))
    assert memory.values[INDEX] == "default"
    assert KEYRING.remove(env_file, DEFAULT)
    assert memory.values == {}


def test_a_failed_keyring_save_puts_the_previous_token_back(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Failed before: `save --to keyring` left what a half-done write left (refresh did not)."""
    memory = MemoryKeyring(monkeypatch)
    memory.values[DEFAULT.token_key] = OLD.reveal()
    memory.corrupt_once = True
    with pytest.raises(KeyringError) as caught:
        store_token(StoreTarget.KEYRING, NEW, tmp_path / ".env")
    assert memory.values == {DEFAULT.token_key: OLD.reveal()}
    assert NEW.reveal() not in str(caught.value) and OLD.reveal() not in str(caught.value)


def test_the_registry_names_each_store_by_its_codes() -> None:
    assert [store.target for store in registry.STORES] == list(StoreTarget)
    for store in registry.STORES:
        assert registry.store_for(store.target) is store
        assert registry.store_holding(store.source) is store
        assert registry.source_named(store.source) is store


def test_the_env_file_is_reachable_where_its_folder_can_be_written(tmp_path: Path) -> None:
    from wizard.core.stores.env_file import ENV_FILE

    assert ENV_FILE.reach(tmp_path / ".env").usable
    missing = ENV_FILE.reach(tmp_path / "gone" / ".env")
    assert not missing.usable and "gone" in missing.detail
    link = tmp_path / "link.env"
    link.symlink_to(tmp_path / "gone" / "target.env")  # the write goes to the link's target
    assert not ENV_FILE.reach(link).usable


def test_a_keyring_turned_off_is_not_reachable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    reach = KEYRING.reach(Path(".env"))
    assert reach == (False, "No usable OS keyring", reach.detail) and reach.detail
