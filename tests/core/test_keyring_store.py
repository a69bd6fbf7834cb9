"""Tests for wizard.core.stores.keyring_store: a real Secret Service, plus fake backends for failures."""

from __future__ import annotations

import gc
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import keyring
import keyring.core
import keyring.errors
import pytest
import secretstorage
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null
from keyring.compat import properties

from tests.support.processes import run_python
from wizard.core.errors import KeyringError, KeyringLocked, KeyringTimeout, KeyringUnavailable
from wizard.core.stores import keyring_store
from wizard.core.stores.keyring_store import (
    ACCOUNT,
    KeyringStatus,
    keyring_service,
    keyring_status,
    read_keyring_token,
    remove_keyring_token,
    write_keyring_token,
)

if TYPE_CHECKING:
    from tests.keyring_session import SecretServiceSession

B = TypeVar("B", bound=KeyringBackend)
SENTINEL = "EAAFakeSENTINEL0000000000000000000000000000000000"
SECRET_SERVICE = "keyring.backends.SecretService.Keyring"


# --- fake backends: never auto-detected (their priority raises), only installed by set_keyring


class _TestBackend(KeyringBackend):
    """An in-memory backend that keyring's detection can never pick."""

    @properties.classproperty
    def priority(cls) -> float:
        raise RuntimeError("test backend: install it with keyring.set_keyring")

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.store.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("No such password!")


class MemoryKeyring(_TestBackend):
    """Stands in for a real keyring."""


class PlaintextKeyring(_TestBackend):
    """Looks like keyrings.alt's plain-file backend."""


PlaintextKeyring.__module__ = "keyrings.alt.file"


class HungKeyring(_TestBackend):
    """A Secret Service waiting forever on an unlock prompt (released at teardown)."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def get_password(self, service: str, username: str) -> str | None:
        self.release.wait(10)
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        self.release.wait(10)


class RaisingKeyring(_TestBackend):
    """Raises the given exception from every call."""

    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error

    def get_password(self, service: str, username: str) -> str | None:
        raise self.error

    def set_password(self, service: str, username: str, password: str) -> None:
        raise self.error

    def delete_password(self, service: str, username: str) -> None:
        raise self.error


class ForgetfulKeyring(_TestBackend):
    """Accepts a password and gives back something else."""

    def get_password(self, service: str, username: str) -> str | None:
        return "something-else"


def _install(backend: B) -> B:
    keyring.set_keyring(backend)
    return backend


@pytest.fixture
def fake_keyring(restore_keyring_backend: None, isolated_keyring_service: str) -> Iterator[None]:
    """Tests that install a fake backend; the real one comes back afterwards."""
    yield


@pytest.fixture
def hung(fake_keyring: None) -> Iterator[HungKeyring]:
    backend = HungKeyring()
    _install(backend)
    yield backend
    backend.release.set()


def _secret_service_items(service: str) -> list[str]:
    """Items in the real Secret Service for `service`, read without keyring."""
    connection = secretstorage.dbus_init()
    try:
        collection = secretstorage.Collection(connection)
        return [item.get_label() for item in collection.search_items({"service": service})]
    finally:
        connection.close()


def _assert_no_secret(error: BaseException) -> None:
    for text in (
        str(error),
        getattr(error, "message", ""),
        getattr(error, "fix", ""),
        getattr(error, "title", ""),
        repr(error),
    ):
        assert SENTINEL not in text


# --- the real Secret Service ----------------------------------------------------------------


def test_status_reports_the_secret_service(real_keyring: SecretServiceSession) -> None:
    assert keyring_status() == KeyringStatus(available=True, backend=SECRET_SERVICE, reason="")


def test_round_trip_against_the_real_secret_service(
    real_keyring: SecretServiceSession, isolated_keyring_service: str
) -> None:
    assert keyring_status().backend == SECRET_SERVICE  # never a silent pass on another backend
    assert read_keyring_token() is None

    write_keyring_token(SENTINEL)

    assert read_keyring_token() == SENTINEL
    assert len(_secret_service_items(isolated_keyring_service)) == 1  # seen without keyring too
    assert remove_keyring_token() is True
    assert read_keyring_token() is None
    assert _secret_service_items(isolated_keyring_service) == []


def test_overwrite_keeps_one_entry(
    real_keyring: SecretServiceSession, isolated_keyring_service: str
) -> None:
    write_keyring_token("first-token")
    write_keyring_token(SENTINEL)

    assert read_keyring_token() == SENTINEL
    assert len(_secret_service_items(isolated_keyring_service)) == 1


def test_remove_missing_returns_false(real_keyring: SecretServiceSession) -> None:
    assert remove_keyring_token() is False


def test_accounts_are_separate(real_keyring: SecretServiceSession) -> None:
    write_keyring_token(SENTINEL, "OTHER_ACCOUNT")

    assert read_keyring_token() is None
    assert read_keyring_token("OTHER_ACCOUNT") == SENTINEL


def test_service_name_is_read_at_call_time(
    real_keyring: SecretServiceSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_keyring_token(SENTINEL)
    monkeypatch.setenv("WA_TOKEN_KEYRING_SERVICE", "wa-token-test-another-service")

    assert keyring_service() == "wa-token-test-another-service"
    assert read_keyring_token() is None


def test_default_service_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WA_TOKEN_KEYRING_SERVICE", raising=False)
    assert keyring_service() == "wa-token"


@pytest.mark.filterwarnings("ignore::ResourceWarning")  # keyring leaks the bus when it raises
def test_locked_secret_service(real_keyring: SecretServiceSession) -> None:
    real_keyring.lock()
    try:
        with pytest.raises(KeyringLocked) as caught:
            write_keyring_token(SENTINEL)
    finally:
        real_keyring.unlock()
        gc.collect()  # collect the leaked connection while its warning is ignored
    _assert_no_secret(caught.value)
    assert read_keyring_token() is None


def test_subprocess_reaches_the_same_keyring(real_keyring: SecretServiceSession) -> None:
    write_keyring_token(SENTINEL)
    code = "from wizard.core.stores.keyring_store import read_keyring_token as r; print(r() == %r)"

    done = run_python("-c", code % SENTINEL, env={**os.environ, **real_keyring.env}, timeout=30)

    assert (done.returncode, done.stdout.strip()) == (0, "True"), done.stderr


# --- no backend, plain files and the null keyring are refused --------------------------------


@pytest.fixture
def empty_dirs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """XDG dirs that must stay empty: proof no file backend wrote anything."""
    root = tmp_path / "must-stay-empty"
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME"):
        (root / name).mkdir(parents=True)
        monkeypatch.setenv(name, str(root / name))
    return root


def test_no_backend_is_unavailable(
    secret_service: object,
    fake_keyring: None,
    empty_dirs: Path,
    monkeypatch: pytest.MonkeyPatch,
    isolated_keyring_service: str,
) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    keyring.core.init_backend()
    assert isinstance(keyring.get_keyring(), fail.Keyring)

    status = keyring_status()
    with pytest.raises(KeyringUnavailable) as on_write:
        write_keyring_token(SENTINEL)
    with pytest.raises(KeyringUnavailable):
        read_keyring_token()
    with pytest.raises(KeyringUnavailable):
        remove_keyring_token()

    assert status == KeyringStatus(False, "keyring.backends.fail.Keyring", status.reason)
    assert "no keyring backend" in status.reason
    assert on_write.value.fix
    _assert_no_secret(on_write.value)
    left = sorted(path.name for path in empty_dirs.rglob("*"))
    assert left == ["XDG_CONFIG_HOME", "XDG_DATA_HOME"]
    assert _secret_service_items(isolated_keyring_service) == []


def test_unknown_configured_backend_is_unavailable(
    fake_keyring: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "no_such_module.Keyring")
    keyring.core._keyring_backend = None  # make keyring detect its backend again

    with pytest.raises(KeyringUnavailable, match="could not be loaded"):
        read_keyring_token()
    assert keyring_status().available is False


@pytest.mark.parametrize(
    ("backend", "reason"),
    [
        pytest.param(PlaintextKeyring, "plain file", id="plaintext"),
        pytest.param(null.Keyring, "disabled", id="null"),
        pytest.param(fail.Keyring, "no keyring backend", id="fail"),
    ],
)
def test_refused_backends(fake_keyring: None, backend: type[KeyringBackend], reason: str) -> None:
    installed = _install(backend())

    with pytest.raises(KeyringUnavailable, match=reason) as caught:
        write_keyring_token(SENTINEL)
    status = keyring_status()

    assert not status.available and reason in status.reason
    assert getattr(installed, "store", {}) == {}  # nothing reached the plain file
    _assert_no_secret(caught.value)


@pytest.mark.parametrize(
    ("members", "expected"),
    [
        pytest.param([], "no keyring backend", id="empty"),
        pytest.param([PlaintextKeyring], "plain file", id="only-plaintext"),
        pytest.param([PlaintextKeyring, MemoryKeyring], "", id="plaintext-skipped"),
    ],
)
def test_chainer_is_cut_to_real_keyrings(
    fake_keyring: None,
    monkeypatch: pytest.MonkeyPatch,
    members: list[type[_TestBackend]],
    expected: str,
) -> None:
    backends = [kind() for kind in members]

    class Chain(chainer.ChainerBackend):
        """A chainer over exactly these members (keyring caches the real discovery)."""

    Chain.backends = backends  # type: ignore[misc,assignment]
    _install(Chain())

    if expected:
        with pytest.raises(KeyringUnavailable, match=expected):
            write_keyring_token(SENTINEL)
    else:
        write_keyring_token(SENTINEL)
        assert keyring_status().backend.endswith("MemoryKeyring")
    assert all(not b.store for b in backends if isinstance(b, PlaintextKeyring))


# --- hung, locked and failing backends ------------------------------------------------------


def test_hung_backend_times_out(hung: HungKeyring) -> None:
    started = time.monotonic()
    with pytest.raises(KeyringTimeout) as caught:
        read_keyring_token(timeout=0.5)
    elapsed = time.monotonic() - started

    assert 0.4 < elapsed < 3
    assert "0.5 s" in caught.value.message and "--to env" in caught.value.fix
    worker = next(t for t in threading.enumerate() if t.name == "wa-token-keyring")
    assert worker.daemon  # a hung keyring cannot keep the interpreter alive


@pytest.mark.parametrize("call", ["write", "remove"])
def test_hung_backend_times_out_on_every_call(hung: HungKeyring, call: str) -> None:
    with pytest.raises(KeyringTimeout) as caught:
        if call == "write":
            write_keyring_token(SENTINEL, timeout=0.3)
        else:
            remove_keyring_token(timeout=0.3)
    _assert_no_secret(caught.value)


def test_hung_backend_detection_makes_status_unavailable(
    fake_keyring: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    monkeypatch.setattr(keyring, "get_keyring", lambda: release.wait(10))
    monkeypatch.setattr(keyring_store, "_select_backends", lambda: release.wait(10))
    monkeypatch.setattr(keyring_store, "_no_keyring_here", lambda: "")
    try:
        status = keyring_status(timeout=0.3)
    finally:
        release.set()
    assert status == KeyringStatus(False, "", "The OS keyring did not answer within 0.3 s.")


def test_hung_keyring_does_not_block_interpreter_exit() -> None:
    code = """if True:
        import threading, keyring
        from keyring.backends.null import Keyring
        from wizard.core.errors import KeyringTimeout
        from wizard.core.stores.keyring_store import read_keyring_token
        class Hung(Keyring):
            def get_password(self, service, username):
                threading.Event().wait(60)
        keyring.set_keyring(Hung())
        try:
            read_keyring_token(timeout=0.2)
        except KeyringTimeout:
            print("timed out")
    """
    started = time.monotonic()
    done = run_python("-c", code, timeout=20)
    assert (done.returncode, done.stdout.strip()) == (0, "timed out"), done.stderr
    assert time.monotonic() - started < 10  # the thread still waits 60 s: exit did not join it


def _locked_errors() -> list[object]:
    from jeepney.wrappers import DBusErrorResponse

    class FakeDBusError(DBusErrorResponse):  # jeepney's error, without building a message
        def __init__(self, name: str) -> None:
            self.name, self.data = name, ()

        def __str__(self) -> str:
            return f"[{self.name}]"

    init_error = keyring.errors.InitError("Failed to create the collection")
    init_error.__cause__ = secretstorage.exceptions.LockedException("locked")
    return [
        pytest.param(keyring.errors.KeyringLocked("Failed to unlock"), id="keyring-locked"),
        pytest.param(secretstorage.exceptions.LockedException("x"), id="secretstorage-locked"),
        pytest.param(secretstorage.exceptions.PromptDismissedException("x"), id="dismissed"),
        pytest.param(init_error, id="cause-locked"),
        pytest.param(FakeDBusError("org.freedesktop.Secret.Error.IsLocked"), id="dbus-islocked"),
        pytest.param(RuntimeError("Object /org/x is locked"), id="says-locked"),
    ]


@pytest.mark.parametrize("error", _locked_errors())
@pytest.mark.parametrize("call", ["read", "write", "remove"])
def test_locked_backend(fake_keyring: None, error: Exception, call: str) -> None:
    _install(RaisingKeyring(error))

    with pytest.raises(KeyringLocked) as caught:
        _do(call)
    assert "unlock" in caught.value.fix.lower() and "--to env" in caught.value.fix


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        pytest.param(keyring.errors.NoKeyringError(SENTINEL), KeyringUnavailable, id="no-keyring"),
        pytest.param(keyring.errors.InitError(SENTINEL), KeyringUnavailable, id="init"),
        pytest.param(
            secretstorage.exceptions.SecretServiceNotAvailableException(SENTINEL),
            KeyringUnavailable,
            id="no-service",
        ),
        pytest.param(keyring.errors.PasswordSetError(SENTINEL), KeyringError, id="set-error"),
        pytest.param(RuntimeError(f"cannot store {SENTINEL}"), KeyringError, id="other"),
    ],
)
@pytest.mark.parametrize("call", ["read", "write", "remove"])
def test_backend_errors_never_echo_the_text(
    fake_keyring: None, error: Exception, expected: type[KeyringError], call: str
) -> None:
    _install(RaisingKeyring(error))

    with pytest.raises(KeyringError) as caught:
        _do(call)

    assert type(caught.value) is expected
    assert caught.value.fix
    _assert_no_secret(caught.value)
    assert caught.value.__cause__ is None and caught.value.__context__ is None


def test_read_back_mismatch_is_an_error(fake_keyring: None) -> None:
    _install(ForgetfulKeyring())

    with pytest.raises(KeyringError, match="did not give back") as caught:
        write_keyring_token(SENTINEL)
    _assert_no_secret(caught.value)


def test_memory_backend_round_trip(fake_keyring: None, isolated_keyring_service: str) -> None:
    backend = _install(MemoryKeyring())

    write_keyring_token(SENTINEL)

    assert backend.store == {(isolated_keyring_service, ACCOUNT): SENTINEL}
    assert read_keyring_token() == SENTINEL
    assert remove_keyring_token() is True
    assert remove_keyring_token() is False


def test_empty_token_is_refused(fake_keyring: None) -> None:
    backend = _install(MemoryKeyring())
    with pytest.raises(ValueError):
        write_keyring_token("")
    assert backend.store == {}


def test_module_imports_without_keyring() -> None:
    code = "import sys, wizard.core.stores.keyring_store; print('keyring' in sys.modules)"
    done = run_python("-c", code, timeout=30)
    assert (done.returncode, done.stdout.strip()) == (0, "False"), done.stderr


def _do(call: str) -> object:
    if call == "read":
        return read_keyring_token()
    if call == "write":
        write_keyring_token(SENTINEL)
        return None
    return remove_keyring_token()


def test_module_exports() -> None:
    assert keyring_store.SERVICE == "wa-token"
    assert keyring_store.ACCOUNT == "WHATSAPP_CLOUD_API_TOKEN"
    assert keyring_store.CALL_TIMEOUT == 3.0


@pytest.mark.parametrize(
    ("ci", "outcome"), [("", pytest.skip.Exception), ("true", pytest.fail.Exception)]
)
def test_missing_daemons_skip_locally_but_fail_on_ci(
    monkeypatch: pytest.MonkeyPatch, ci: str, outcome: type[BaseException]
) -> None:
    from tests import keyring_session

    monkeypatch.setattr(keyring_session.shutil, "which", lambda name: None)
    monkeypatch.setenv("CI", ci)
    with pytest.raises(outcome, match="gnome-keyring-daemon"):
        keyring_session._require_tools("dbus-daemon", "gnome-keyring-daemon")
