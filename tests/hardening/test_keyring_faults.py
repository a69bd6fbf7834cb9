"""Keyring faults against a real Secret Service of the test's own: locked, gone, hung, absent.

Each test that stops or kills a daemon starts a private gnome-keyring + dbus-daemon of its own
(`running_secret_service`), never the session-wide one other tests share. Whatever fails, the
command ends with a clear error (exit 5) within the 3 s bound, and nothing is written anywhere
else as a silent fallback: no `.env`, no file under HOME or the XDG folders.
"""

from __future__ import annotations

import gc
import os
import signal
import subprocess
import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import WA_TOKEN, Cli, Run
from tests.keyring_session import (
    SecretServiceInstance,
    detect_keyring_backend,
    running_secret_service,
)
from wizard.core.errors import KeyringError, KeyringLocked, KeyringTimeout, KeyringUnavailable
from wizard.core.stores import keyring_store, sources
from wizard.testing.fake_graph import TOKENS

VALID = TOKENS["valid"]
SECRET_SERVICE = "keyring.backends.SecretService.Keyring"
BOUND = keyring_store.CALL_TIMEOUT

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")  # keyring leaks a bus on errors

NO_HANG = 15
"""Seconds: the 3 s keyring bound, waited at most twice, plus a loaded machine's start-up; a
hung D-Bus call without the bound waits 25 s (D-Bus's default), so this still catches a hang."""


@pytest.fixture
def own_service(
    monkeypatch: pytest.MonkeyPatch,
    isolated_keyring_service: str,
    restore_keyring_backend: None,
    tmp_path: Path,
) -> Iterator[SecretServiceInstance]:
    """A Secret Service for this test alone, that keyring (in this process) detects and uses."""
    with running_secret_service() as instance:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", instance.session.address)
        monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
        monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))  # no keyringrc.cfg
        detect_keyring_backend()
        try:
            yield instance
        finally:
            _resume(instance.daemon)
    _drain_keyring_threads()


def _resume(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.kill(process.pid, signal.SIGCONT)


def _drain_keyring_threads() -> None:
    """Let timed-out keyring calls finish (their daemon is gone now), then collect their sockets."""
    for thread in threading.enumerate():
        if thread.name == "wa-token-keyring":
            thread.join(5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


def _kill(process: subprocess.Popen[bytes]) -> None:
    process.kill()
    process.wait(5)


@pytest.fixture
def keyring_cli(cli: Cli, own_service: SecretServiceInstance) -> Cli:
    """The CLI reaching this test's Secret Service, with HOME and XDG dirs still the test's own."""
    cli.env["DBUS_SESSION_BUS_ADDRESS"] = own_service.session.address
    cli.env.pop("PYTHON_KEYRING_BACKEND", None)
    return cli


def _files(*folders: Path) -> dict[str, bytes]:
    """Every file under the folders (HOME holds the XDG dirs), with its contents."""
    return {
        str(p): p.read_bytes()
        for folder in folders
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _home(cli: Cli) -> Path:
    return Path(cli.env["HOME"])


def _run_all(cli: Cli, commands: list[tuple[list[str], str | None]]) -> list[tuple[Run, float]]:
    """Start every command at once (each may wait for the keyring), return each run and its time."""
    procs = []
    for argv, stdin in commands:
        started = time.monotonic()
        proc = subprocess.Popen(
            [str(WA_TOKEN), *argv],
            cwd=cli.cwd,
            env=cli.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
        )
        if stdin is not None:
            assert proc.stdin is not None
            proc.stdin.write(stdin.encode())
            proc.stdin.close()
        procs.append((proc, started))
    ended: dict[int, float] = {}
    deadline = time.monotonic() + 30
    while len(ended) < len(procs) and time.monotonic() < deadline:  # each one's own exit time
        for proc, _ in procs:
            if proc.pid not in ended and proc.poll() is not None:
                ended[proc.pid] = time.monotonic()
        time.sleep(0.01)
    results = []
    for proc, started in procs:
        proc.stdin = None  # written and closed above
        out, err = proc.communicate(timeout=5)
        results.append(
            (
                Run(proc.returncode, out.decode(), err.decode()),
                ended.get(proc.pid, deadline) - started,
            )
        )
    return results


# --- locked ---------------------------------------------------------------------------------


def test_locked_collection_every_command_exits_5_and_falls_back_nowhere(
    keyring_cli: Cli, own_service: SecretServiceInstance
) -> None:
    assert keyring_cli("save", "--to", "keyring", stdin=VALID).code == 0
    own_service.session.lock()
    before = _files(keyring_cli.cwd, _home(keyring_cli))
    commands: list[tuple[list[str], str | None]] = [
        (["save", "--to", "keyring"], VALID),
        (["save", "--to", "keyring", "--force"], VALID),
        (["token"], None),
        (["check"], None),
        (["status", "--json"], None),
        (["forget", "--from", "keyring"], None),
        (["forget"], None),
    ]
    for argv, stdin in commands:  # one at a time: concurrent unlock prompts queue up (timeout)
        run = keyring_cli(*argv, stdin=stdin)
        assert run.code == 5, (argv, run.err)
        assert "locked" in run.err.lower() and "unlock" in run.err.lower(), argv
        assert "Traceback" not in run.err and VALID not in run.out + run.err
    assert _files(keyring_cli.cwd, _home(keyring_cli)) == before  # no .env, nothing in HOME
    own_service.session.unlock()
    assert keyring_cli("token").out == VALID + "\n"  # the locked token was never touched


def test_locked_collection_in_process(own_service: SecretServiceInstance) -> None:
    keyring_store.write_keyring_token(VALID)
    own_service.session.lock()
    for call in (
        keyring_store.read_keyring_token,
        keyring_store.remove_keyring_token,
        lambda: keyring_store.write_keyring_token(TOKENS["old"]),
    ):
        with pytest.raises(KeyringLocked) as caught:
            call()
        assert VALID not in str(caught.value) + caught.value.fix
    reading = sources.read_keyring()
    assert isinstance(reading.error, KeyringLocked) and reading.token is None
    own_service.session.unlock()
    assert keyring_store.read_keyring_token() == VALID


# --- the daemon goes away between two calls -------------------------------------------------


@pytest.mark.parametrize("gone", ["keyring daemon", "d-bus"])
def test_daemon_gone_between_two_calls(own_service: SecretServiceInstance, gone: str) -> None:
    keyring_store.write_keyring_token(VALID)
    assert keyring_store.read_keyring_token() == VALID
    _kill(own_service.daemon if gone == "keyring daemon" else own_service.bus)

    for call in (
        keyring_store.read_keyring_token,
        keyring_store.remove_keyring_token,
        lambda: keyring_store.write_keyring_token(VALID),
    ):
        started = time.monotonic()
        with pytest.raises(KeyringError) as caught:
            call()
        assert time.monotonic() - started < BOUND + 1
        assert type(caught.value) in (KeyringUnavailable, KeyringError, KeyringTimeout)
        assert caught.value.fix and "--to env" in caught.value.fix
        assert VALID not in str(caught.value) + caught.value.fix


def test_daemon_gone_through_the_cli(keyring_cli: Cli, own_service: SecretServiceInstance) -> None:
    assert keyring_cli("save", "--to", "keyring", stdin=VALID).code == 0
    _kill(own_service.daemon)
    before = _files(keyring_cli.cwd, _home(keyring_cli))
    results = _run_all(
        keyring_cli,
        [
            (["save", "--to", "keyring"], VALID),
            (["forget", "--from", "keyring"], None),
            (["token"], None),
            (["status"], None),
        ],
    )
    (save, _), (forget, _), (token, _), (status, _) = results
    assert save.code == 5 and "keyring" in save.err.lower() and "--to env" in save.err
    assert forget.code == 5
    # The token may be in the keyring that went away: not "no token" (3) but "could not be
    # read" (5), with the way out (issue 24, item 5).
    assert token.code == 5 and status.code == 5
    assert "could not be asked" in " ".join(token.err.split()) and "--to env" in token.err
    for run, _ in results:
        assert "Traceback" not in run.err and VALID not in run.out + run.err
    assert _files(keyring_cli.cwd, _home(keyring_cli)) == before


# --- a daemon that never answers ------------------------------------------------------------


def test_hung_daemon_is_bounded_at_3_seconds_and_exits_5(
    keyring_cli: Cli, own_service: SecretServiceInstance
) -> None:
    assert keyring_cli("save", "--to", "keyring", stdin=VALID).code == 0
    stored = keyring_cli.cwd / "stored.env"  # for the commands whose token is in a .env file
    stored.write_text(f"WHATSAPP_CLOUD_API_TOKEN={VALID}\n", encoding="utf-8")
    stored.chmod(0o600)
    os.kill(own_service.daemon.pid, signal.SIGSTOP)
    before = _files(keyring_cli.cwd, _home(keyring_cli))
    commands: list[tuple[list[str], str | None]] = [
        (["save", "--to", "keyring"], VALID),
        (["token"], None),
        (["check"], None),
        (["status"], None),
        (["forget", "--from", "keyring"], None),
        (["forget"], None),
        # status reads every source, then checks the winner (which asks if a keyring works):
        # the keyring is waited for once, not once per question
        (["status", "--env-file", "stored.env"], None),
        (["check", "--env-file", "stored.env"], None),
    ]
    for (argv, _), (run, seconds) in zip(commands, _run_all(keyring_cli, commands)):
        assert run.code == (0 if "stored.env" in argv else 5), (argv, run.err)
        assert "Traceback" not in run.err and VALID not in run.out + run.err
        assert seconds < NO_HANG, (argv, seconds)
        if argv[:2] == ["status", "--env-file"]:
            assert "did not answer" in run.out + run.err  # the keyring row says why
        elif run.code == 5:
            assert "did not answer within 3 s" in run.err, argv
    assert _files(keyring_cli.cwd, _home(keyring_cli)) == before


def test_hung_daemon_in_process(own_service: SecretServiceInstance) -> None:
    keyring_store.write_keyring_token(VALID)
    os.kill(own_service.daemon.pid, signal.SIGSTOP)
    started = time.monotonic()
    with pytest.raises(KeyringTimeout):
        keyring_store.read_keyring_token(timeout=0.5)
    assert time.monotonic() - started < 1.5
    # The keyring is known to hang now: the next calls fail at once, not after 3 s more each.
    started = time.monotonic()
    reading = sources.read_keyring()
    assert isinstance(reading.error, KeyringTimeout) and reading.token is None
    with pytest.raises(KeyringTimeout, match="within 0.5 s"):
        keyring_store.write_keyring_token(VALID)
    assert not keyring_store.keyring_status().available
    assert time.monotonic() - started < 0.5
    os.kill(own_service.daemon.pid, signal.SIGCONT)  # it answers again: so does wa-token
    _drain_keyring_threads()
    assert keyring_store.read_keyring_token() == VALID


# --- no backend at all ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "setup", ["no d-bus", "bus without a secret service", "fail backend", "null backend"]
)
def test_no_backend_at_all(cli: Cli, setup: str, tmp_path: Path) -> None:
    cli.env.pop("PYTHON_KEYRING_BACKEND", None)
    if setup == "bus without a secret service":
        with running_secret_service() as instance:
            _kill(instance.daemon)
            cli.env["DBUS_SESSION_BUS_ADDRESS"] = instance.session.address
            _check_no_backend(cli, unasked=True)
        return
    if setup == "fail backend":
        cli.env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    if setup == "null backend":
        cli.env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    _check_no_backend(cli, unasked=setup == "no d-bus")


def _check_no_backend(cli: Cli, *, unasked: bool) -> None:
    """`unasked`: the keyring could not be asked (it may hold the token: 5); else it is turned
    off on purpose and holds nothing (3)."""
    before = _files(cli.cwd, _home(cli))
    results = _run_all(
        cli,
        [
            (["save", "--to", "keyring"], VALID),
            (["token"], None),
            (["forget", "--from", "keyring"], None),
            (["forget"], None),
            (["status", "--json"], None),
        ],
    )
    (save, _), (token, _), (forget_keyring, _), (forget, _), (status, _) = results
    assert save.code == 5 and "No usable OS keyring" in save.err and "--to env" in save.err
    empty = 5 if unasked else 3
    assert token.code == empty and forget_keyring.code == 5
    assert forget.code == 0 and "not available" in forget.err
    assert status.code == empty
    for run, seconds in results:
        assert "Traceback" not in run.err and VALID not in run.out + run.err
        assert seconds < NO_HANG
    assert _files(cli.cwd, _home(cli)) == before
