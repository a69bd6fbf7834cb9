"""Pytest fixtures: a real Secret Service (gnome-keyring on a private D-Bus session) for tests."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

READY_TIMEOUT = 10.0
"""Seconds to wait for the Secret Service to answer before the session fails."""
KEYRING_PASSWORD = b"pw"
"""The test login keyring's password (the keyring lives in a temp dir and dies with the session)."""
SERVICE_ENV_VAR = "WA_TOKEN_KEYRING_SERVICE"
_ALIAS_DEFAULT = "/org/freedesktop/secrets/aliases/default"
_GNOME_INTERNAL = "org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface"

# A session bus with no service directories: nothing is auto-activated, only our daemon answers.
_BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
  <!-- A desktop session bus's limits (Debian's session.conf), not dbus-daemon's built-in ones
       (256 connections per user, 64 half-open): a worker's tests and their CLI children all
       run as one user on this bus, and a leaked connection is only closed when collected. -->
  <limit name="auth_timeout">240000</limit>
  <limit name="max_completed_connections">100000</limit>
  <limit name="max_incomplete_connections">10000</limit>
  <limit name="max_connections_per_user">100000</limit>
</busconfig>
"""


@dataclass(frozen=True)
class SecretServiceSession:
    """A running private Secret Service: its bus address and the environment to reach it."""

    address: str
    """The D-Bus session bus address (also set in os.environ while the session runs)."""
    env: dict[str, str]
    """Variables a subprocess needs to use this keyring: run it with {**os.environ, **env}."""
    root: Path
    """The temp dir holding the bus socket, HOME and the keyring files."""

    def lock(self) -> None:
        """Lock the default collection, as a screen lock would."""
        import secretstorage

        with closing(secretstorage.dbus_init()) as connection:
            secretstorage.Collection(connection).lock()

    def unlock(self) -> None:
        """Unlock the default collection with the password, without a prompt."""
        import secretstorage
        from secretstorage.defines import SS_PATH
        from secretstorage.util import DBusAddressWrapper, format_secret, open_session

        with closing(secretstorage.dbus_init()) as connection:
            session = open_session(connection)
            internal = DBusAddressWrapper(SS_PATH, _GNOME_INTERNAL, connection)
            secret = format_secret(session, KEYRING_PASSWORD, "text/plain")
            internal.call("UnlockWithMasterPassword", "o(oayays)", _ALIAS_DEFAULT, secret)


@dataclass(frozen=True)
class SecretServiceInstance:
    """A private Secret Service and its two daemons, for tests that stop or kill them."""

    session: SecretServiceSession
    """Its bus address, environment and temp dir."""
    bus: subprocess.Popen[bytes]
    """The private dbus-daemon."""
    daemon: subprocess.Popen[bytes]
    """The gnome-keyring-daemon serving org.freedesktop.secrets on that bus."""


@contextmanager
def running_secret_service() -> Iterator[SecretServiceInstance]:
    """Start a private dbus-daemon + gnome-keyring-daemon; stop both and delete the dir after.

    os.environ is left as it was: point DBUS_SESSION_BUS_ADDRESS at `session.address` (or run a
    subprocess with `session.env`) to use it. A test may SIGSTOP or kill the daemons of its own
    instance; teardown resumes a stopped daemon before terminating it.
    """
    _require_tools("dbus-daemon", "gnome-keyring-daemon")
    root = Path(tempfile.mkdtemp(prefix="wa-keyring-"))  # short: unix socket paths max ~107
    try:
        env = _private_env(root)
        address = env["DBUS_SESSION_BUS_ADDRESS"]
        with _process(_bus_command(root), root / "dbus.log", env) as bus:
            _wait_for((root / "bus").exists, "the D-Bus socket", root)
            keyring_log = root / "keyring.log"
            with _process(_keyring_command(), keyring_log, env, KEYRING_PASSWORD) as daemon:
                with _environ(DBUS_SESSION_BUS_ADDRESS=address):
                    _wait_for(_secret_service_ready, "the Secret Service", root)
                yield SecretServiceInstance(SecretServiceSession(address, env, root), bus, daemon)
    finally:
        shutil.rmtree(root, ignore_errors=True)


_shared: list[SecretServiceInstance] = []
"""The session-wide instance while it runs (so each test can check its daemons are alive)."""


@pytest.fixture(scope="session")
def shared_secret_service() -> Iterator[SecretServiceInstance]:
    """The session-wide private dbus-daemon + gnome-keyring-daemon, torn down after."""
    with (
        running_secret_service() as instance,
        _environ(DBUS_SESSION_BUS_ADDRESS=instance.session.address),
    ):
        _shared.append(instance)
        try:
            yield instance
        finally:
            _shared.remove(instance)


@pytest.fixture
def secret_service(shared_secret_service: SecretServiceInstance) -> SecretServiceSession:
    """The session-wide Secret Service, checked alive and answering before each test.

    Shared by many tests: never stop or kill its daemons (use `running_secret_service()`).
    A daemon that died, or a service that stops answering, fails the test with both daemons'
    logs instead of as a mysterious "no keyring backend was found" later on.
    """
    assert_alive(shared_secret_service)
    _wait_for(
        _secret_service_ready, "the shared Secret Service", shared_secret_service.session.root
    )
    return shared_secret_service.session


def assert_alive(instance: SecretServiceInstance) -> None:
    """Fail, with the daemons' logs, when the bus or the keyring daemon has exited."""
    dead = [
        f"{name} exited with {process.returncode}"
        for name, process in (
            ("dbus-daemon", instance.bus),
            ("gnome-keyring-daemon", instance.daemon),
        )
        if process.poll() is not None
    ]
    if dead:
        pytest.fail(
            f"the shared Secret Service is down: {', '.join(dead)}\n{_logs(instance.session.root)}"
        )


@pytest.fixture
def isolated_keyring_service(monkeypatch: pytest.MonkeyPatch) -> str:
    """A keyring service name of this test's own, in WA_TOKEN_KEYRING_SERVICE."""
    name = f"wa-token-test-{uuid.uuid4().hex[:12]}"
    monkeypatch.setenv(SERVICE_ENV_VAR, name)
    return name


@pytest.fixture
def restore_keyring_backend() -> Iterator[None]:
    """Put keyring's global backend back after a test that sets or re-detects it."""
    import keyring.core

    saved = keyring.core._keyring_backend  # the one global that set_keyring changes
    try:
        yield
    finally:
        keyring.core._keyring_backend = saved


def detect_keyring_backend() -> None:
    """Pick the backend as a fresh process would now (this bus, these variables).

    keyring itself remembers once per process which backends were viable (a Secret Service
    only is when its bus answers at that moment), so `init_backend()` can go on missing the
    private service. This looks again without touching that memory, and only among keyring's
    own backends: a test's backend class (a chainer of fakes, say) stays a KeyringBackend
    subclass after its test, and must not win.
    """
    import keyring.backend
    import keyring.core
    from keyring.backends.chainer import ChainerBackend

    configured = keyring.core.load_env() or keyring.core.load_config()
    if configured is not None:
        keyring.core.set_keyring(configured)
        return
    keyring.backend.get_all_keyring()  # imports the backend modules (keyring's plugins) once
    viable = [
        kind()
        for kind in keyring.backend.KeyringBackend.get_viable_backends()
        if kind.__module__.startswith("keyring.backends.") and not issubclass(kind, ChainerBackend)
    ]
    keyring.core.set_keyring(max(viable, key=lambda backend: backend.priority))


@pytest.fixture
def real_keyring(
    secret_service: SecretServiceSession,
    isolated_keyring_service: str,
    restore_keyring_backend: None,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> SecretServiceSession:
    """keyring detecting its backend afresh, with no user config, against the private service."""
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))  # no keyringrc.cfg
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    _wait_for(
        _detects_the_secret_service, "keyring's choice of the Secret Service", secret_service.root
    )
    return secret_service


def _detects_the_secret_service() -> bool:
    """Detect afresh; True when keyring picked the Secret Service (it answered at that moment)."""
    import keyring

    detect_keyring_backend()
    return type(keyring.get_keyring()).__module__ == "keyring.backends.SecretService"


# --- helpers --------------------------------------------------------------------------------


def _require_tools(*names: str) -> None:
    """Skip locally when a daemon is missing; fail on CI, which must run these tests."""
    missing = [name for name in names if shutil.which(name) is None]
    if not missing:
        return
    why = f"needs {', '.join(missing)} (apt-get install dbus gnome-keyring)"
    if os.environ.get("CI"):
        pytest.fail(f"CI is set but the real-keyring tests cannot run: {why}")
    pytest.skip(why)


def _private_env(root: Path) -> dict[str, str]:
    """HOME, XDG dirs and the bus address inside `root`, so no real keyring is ever touched."""
    env = {"DBUS_SESSION_BUS_ADDRESS": f"unix:path={root / 'bus'}"}
    for name in ("HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR"):
        folder = root / name.lower()
        folder.mkdir(mode=0o700)
        env[name] = str(folder)
    return env


def _bus_command(root: Path) -> list[str]:
    config = root / "bus.conf"
    config.write_text(_BUS_CONFIG.format(socket=root / "bus"), encoding="utf-8")
    return ["dbus-daemon", f"--config-file={config}", "--nofork"]


def _keyring_command() -> list[str]:
    return ["gnome-keyring-daemon", "--unlock", "--components=secrets", "--foreground"]


@contextmanager
def _process(
    command: list[str], log: Path, env: dict[str, str], stdin: bytes | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """Run a daemon for the duration of the block, then terminate and reap it."""
    full_env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    full_env.update(env)  # no display: an unlock prompt is dismissed at once instead of shown
    with open(log, "wb") as log_file:
        process = subprocess.Popen(
            command,
            env=full_env,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=log_file,
        )
    try:
        assert process.stdin is not None
        with process.stdin:
            process.stdin.write(stdin or b"")
        yield process
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(process.pid, signal.SIGCONT)  # a stopped daemon cannot act on SIGTERM
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def _environ(**values: str) -> Iterator[None]:
    """Set variables in os.environ for the block, restoring the old values after."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, old in saved.items():
            if old is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = old


def _wait_for(ready: Callable[[], bool], what: str, root: Path) -> None:
    """Poll `ready()` until it is true, or fail with the daemons' logs after READY_TIMEOUT."""
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(0.05)
    pytest.fail(f"{what} did not answer within {READY_TIMEOUT:g} s\n{_logs(root)}")


def _logs(root: Path) -> str:
    """Both daemons' logs (stderr), for a failure message."""
    return "\n".join(f"{log.name}: {log.read_text(errors='replace')}" for log in root.glob("*.log"))


def _secret_service_ready() -> bool:
    """The default collection exists and is unlocked (gnome-keyring created `login`)."""
    import secretstorage
    from jeepney.wrappers import DBusErrorResponse

    try:
        with closing(secretstorage.dbus_init()) as connection:
            return not secretstorage.Collection(connection).is_locked()
    except (secretstorage.exceptions.SecretStorageException, DBusErrorResponse, OSError):
        return False
