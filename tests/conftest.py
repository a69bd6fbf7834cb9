"""Shared fixtures: isolation from the developer's machine, the fake Graph server, a CLI runner."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from wizard.testing import fake_business
from wizard.testing.fake_graph import FakeGraphServer

if TYPE_CHECKING:
    from tests.keyring_session import SecretServiceSession

pytest_plugins = ["tests.keyring_session"]

if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    # Started in the background of a shell without job control (`pytest &`), the suite inherits
    # an ignored SIGINT, and so would every `wa-token` it starts: its Ctrl-C tests would hang.
    signal.signal(signal.SIGINT, signal.default_int_handler)

WA_TOKEN = Path(sys.executable).with_name("wa-token")
NO_KEYRING = "keyring.backends.fail.Keyring"


@pytest.fixture(autouse=True)
def isolated(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Path:
    """No test sees the developer's HOME, cwd, WHATSAPP_* variables, or keyring service."""
    if "secret_service" not in request.fixturenames:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent")
    home = tmp_path / "home"
    home.mkdir()
    for name in list(os.environ):
        if name.startswith("WHATSAPP_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(home))
    for xdg in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(xdg, str(home / xdg.lower()))
    monkeypatch.setenv("WA_TOKEN_KEYRING_SERVICE", f"wa-token-test-{uuid.uuid4().hex[:8]}")
    work = tmp_path / "project"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


@pytest.fixture
def no_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This process sees no keyring at all (for in-process runs of the CLI or the wizard)."""
    import keyring
    from keyring.backends import fail

    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", NO_KEYRING)
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


@pytest.fixture(scope="session")
def fake_graph_server() -> Iterator[FakeGraphServer]:
    with FakeGraphServer(slow_delay=1.0, business=fake_business.answer) as server:
        yield server


@pytest.fixture
def fake_graph(fake_graph_server: FakeGraphServer) -> FakeGraphServer:
    """The session's fake Graph server, with its request log and counters cleared."""
    fake_graph_server.reset()
    return fake_graph_server


@dataclass(frozen=True)
class Run:
    """A finished `wa-token` process."""

    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err

    @property
    def flat_err(self) -> str:
        """stderr with line wrapping undone (long tmp paths wrap phrases across lines)."""
        return " ".join(self.err.split())


class Cli:
    """Runs the real `wa-token` entry point as a subprocess, in the test's project folder."""

    def __init__(self, cwd: Path, graph_url: str) -> None:
        self.cwd = cwd
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("WHATSAPP_")}
        self.env.update(
            {
                "WHATSAPP_GRAPH_URL": graph_url,
                "PYTHON_KEYRING_BACKEND": NO_KEYRING,
                "COLUMNS": "100",
                "PYTHONIOENCODING": "utf-8",
            }
        )
        self.env.pop("DBUS_SESSION_BUS_ADDRESS", None)

    def __call__(
        self,
        *args: str,
        stdin: str | bytes | None = None,
        env: dict[str, str] | None = None,
        timeout: float = 30,
    ) -> Run:
        data = stdin.encode() if isinstance(stdin, str) else stdin
        proc = subprocess.run(
            [str(WA_TOKEN), *args],
            input=data,
            capture_output=True,
            cwd=self.cwd,
            env={**self.env, **(env or {})},
            timeout=timeout,
            check=False,
            stdin=None if data is not None else subprocess.DEVNULL,
        )
        return Run(proc.returncode, proc.stdout.decode(), proc.stderr.decode())


@pytest.fixture
def cli(isolated: Path, fake_graph: FakeGraphServer) -> Cli:
    assert WA_TOKEN.exists(), "install the package first: pip install -e '.[test]'"
    return Cli(isolated, fake_graph.url)


@pytest.fixture
def keyring_cli(cli: Cli, secret_service: SecretServiceSession) -> Iterator[Cli]:
    """The CLI with the real keyring reachable (and a service name unique to this test)."""
    cli.env.update(secret_service.env)
    cli.env.pop("PYTHON_KEYRING_BACKEND", None)
    yield cli
    secret_service.unlock()
