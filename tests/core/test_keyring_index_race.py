"""The keyring's profile index is one entry that every save reads, changes and writes back: two
wa-token processes saving different profiles at the same moment must both end up in it (a real
Secret Service, real processes)."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.core.memory_keyring import MemoryKeyring
from wizard.core.errors import KeyringError, KeyringLocked
from wizard.core.profiles import Profile
from wizard.core.stores import keyring_store
from wizard.core.stores.keyring_token import INDEX_ACCOUNT, KEYRING
from wizard.core.token import SecretToken

TOKEN = SecretToken("EAAFake0Index0Lock0" + "0" * 40 + "Lock")
SAVES = 12
"""Profiles each process saves, one after the other (each save updates the index once)."""
SAVER = """
import sys
from pathlib import Path
from wizard.core.errors import KeyringError, KeyringLocked
from wizard.core.profiles import Profile
from wizard.core.stores.keyring_token import KEYRING, read_profile_index
from wizard.core.token import SecretToken

prefix, saves = sys.argv[1], int(sys.argv[2])
if prefix == "read":
    print(",".join(read_profile_index()))
    raise SystemExit
token = SecretToken("EAAFake0Index0Race0" + "0" * 40 + prefix.upper())
print("ready", flush=True)
sys.stdin.readline()  # both processes start saving at the same moment
for i in range(saves):
    KEYRING.write(token, Path(".env"), Profile(f"{prefix}{i}"))
"""


def saver(prefix: str, env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", SAVER, prefix, str(SAVES)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
        cwd=cwd,
        text=True,
    )


def save_at_once(env: dict[str, str], cwd: Path) -> set[str]:
    """Two processes save SAVES profiles each, started together; the index's names after."""
    savers = [saver(prefix, env, cwd) for prefix in ("a", "b")]
    try:
        for process in savers:
            assert process.stdout is not None and process.stdout.readline() == "ready\n"
        for process in savers:
            assert process.stdin is not None
            process.stdin.write("go\n")
            process.stdin.flush()
        for process in savers:
            assert process.wait(timeout=120) == 0
    finally:
        for process in savers:
            if process.poll() is None:
                process.kill()
                process.wait()
            for pipe in (process.stdin, process.stdout):
                if pipe is not None:
                    pipe.close()
    read = subprocess.run(
        [sys.executable, "-c", SAVER, "read", "0"],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return set(read.stdout.strip().split(","))


@pytest.fixture
def runtime_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "runtime"
    folder.mkdir(mode=0o700)
    return folder


def test_two_processes_saving_different_profiles_keep_every_name_in_the_index(
    keyring_cli: Cli, runtime_dir: Path
) -> None:
    """Failed before: names were lost (read-modify-write of one entry, without a lock)."""
    env = {**keyring_cli.env, "XDG_RUNTIME_DIR": str(runtime_dir)}
    names = save_at_once(env, keyring_cli.cwd)
    wanted = {f"{prefix}{i}" for prefix in "ab" for i in range(SAVES)}
    assert names == wanted, f"lost: {sorted(wanted - names)}"
    assert stat.S_IMODE(os.stat(runtime_dir / "wa-token").st_mode) == 0o700
    assert not [p for p in keyring_cli.cwd.iterdir() if "lock" in p.name], "not in the project"


def lock_seen_by_index_reads(
    monkeypatch: pytest.MonkeyPatch, folder: Path
) -> tuple[MemoryKeyring, list[int | None]]:
    """A keyring in memory that notes, at each read of the index, the lock file's mode (None:
    no lock held)."""
    memory = MemoryKeyring(monkeypatch)
    seen: list[int | None] = []
    lock = folder / "wa-token" / "keyring-index.tmp-lock"

    def read(account: str = "", **_: object) -> str | None:
        if account == INDEX_ACCOUNT:
            seen.append(stat.S_IMODE(lock.stat().st_mode) if lock.exists() else None)
        return memory.values.get(account)

    monkeypatch.setattr(keyring_store, "read_keyring_token", read)
    return memory, seen


def test_the_index_is_read_under_a_0600_lock_in_the_runtime_folder(
    monkeypatch: pytest.MonkeyPatch, runtime_dir: Path, isolated: Path
) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime_dir))
    memory, seen = lock_seen_by_index_reads(monkeypatch, runtime_dir)
    KEYRING.write(TOKEN, isolated / ".env", Profile("acme"))
    assert seen == [0o600] and memory.values[INDEX_ACCOUNT] == "acme"
    assert not (runtime_dir / "wa-token" / "keyring-index.tmp-lock").exists(), "released"
    assert [p.name for p in isolated.iterdir()] == [], "nothing in the project folder"


def test_without_a_runtime_folder_the_lock_is_in_the_config_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, isolated: Path
) -> None:
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    config = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    _, seen = lock_seen_by_index_reads(monkeypatch, config)
    KEYRING.write(TOKEN, isolated / ".env", Profile("acme"))
    assert seen == [0o600]


def test_a_killed_holder_does_not_block_the_next_save(
    monkeypatch: pytest.MonkeyPatch, runtime_dir: Path, isolated: Path
) -> None:
    """A wa-token killed while it held the lock (flock dies with it): the next save records."""
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime_dir))
    lock = runtime_dir / "wa-token" / "keyring-index.tmp-lock"
    lock.parent.mkdir(mode=0o700)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(lock)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
        for pipe in (holder.stdin, holder.stdout):
            if pipe is not None:
                pipe.close()
    memory, seen = lock_seen_by_index_reads(monkeypatch, runtime_dir)
    KEYRING.write(TOKEN, isolated / ".env", Profile("acme"))
    assert memory.values[INDEX_ACCOUNT] == "acme" and seen == [0o600]


HOLDER = """
import fcntl, os, sys
descriptor = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
fcntl.flock(descriptor, fcntl.LOCK_EX)
print("held", flush=True)
sys.stdin.read()  # until killed
"""


def failing_index_writes(
    monkeypatch: pytest.MonkeyPatch, error: Exception, times: int
) -> tuple[MemoryKeyring, list[str]]:
    """The first `times` writes of the index fail with `error`; the writes tried, in order."""
    memory = MemoryKeyring(monkeypatch)
    tried: list[str] = []
    write = memory.write

    def flaky(value: str, account: str = "", **_: object) -> None:
        if account == INDEX_ACCOUNT:
            tried.append(value)
            if len(tried) <= times:
                raise error
        write(value, account)

    monkeypatch.setattr(keyring_store, "write_keyring_token", flaky)
    return memory, tried


def test_a_keyring_failing_once_on_the_index_is_asked_again(
    monkeypatch: pytest.MonkeyPatch, isolated: Path
) -> None:
    """Failed before: one ItemNotFoundException from a busy Secret Service lost the name."""
    busy = KeyringError("The OS keyring failed with ItemNotFoundException.")
    memory, tried = failing_index_writes(monkeypatch, busy, times=1)
    KEYRING.write(TOKEN, isolated / ".env", Profile("acme"))
    assert tried == ["acme", "acme"] and memory.values[INDEX_ACCOUNT] == "acme"


def test_a_locked_keyring_is_not_asked_again_for_the_index(
    monkeypatch: pytest.MonkeyPatch, isolated: Path
) -> None:
    memory, tried = failing_index_writes(monkeypatch, KeyringLocked("locked"), times=5)
    KEYRING.write(TOKEN, isolated / ".env", Profile("acme"))
    assert tried == ["acme"] and INDEX_ACCOUNT not in memory.values


def test_a_lock_folder_others_can_write_is_not_used(
    monkeypatch: pytest.MonkeyPatch, runtime_dir: Path, isolated: Path
) -> None:
    """XDG_RUNTIME_DIR pointing at a shared folder: another user could hold the lock forever
    (every save would wait for it), so the index is updated without it."""
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime_dir))
    (runtime_dir / "wa-token").mkdir(mode=0o777)
    os.chmod(runtime_dir / "wa-token", 0o777)
    memory, seen = lock_seen_by_index_reads(monkeypatch, runtime_dir)
    KEYRING.write(TOKEN, isolated / ".env", Profile("acme"))
    assert memory.values[INDEX_ACCOUNT] == "acme" and seen == [None]
