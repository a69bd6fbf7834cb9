"""Choosing the keyring backend without keyring's full scan, and without keyring when none exists."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.keyring_session import SecretServiceSession
from tests.support.processes import REPO, run_python
from wizard.core.stores import keyring_backend
from wizard.testing.fake_graph import TOKENS, FakeGraphServer

SECRET_SERVICE = "keyring.backends.SecretService.Keyring"
FAIL = "keyring.backends.fail.Keyring"

PROBE = """if True:
    import json, sys
    from wizard.core.errors import KeyringUnavailable
    from wizard.core.stores.keyring_store import keyring_status, read_keyring_token
    status = keyring_status()
    try:
        read_keyring_token()
        read = "read"
    except KeyringUnavailable:
        read = "unavailable"
    print(json.dumps({"available": status.available, "backend": status.backend,
                      "reason": status.reason, "read": read,
                      "modules": sorted(m for m in sys.modules if m.startswith("keyring"))}))
"""


def _clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """No keyring configuration, no D-Bus session bus: a server, a container, cron."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHON_KEYRING_BACKEND", "DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR")
        and not k.startswith("WHATSAPP_")
    }
    env.update(
        {
            "XDG_CONFIG_HOME": str(tmp_path / "config"),
            "HOME": str(tmp_path),
            "PYTHONPATH": str(REPO),
            "WA_TOKEN_KEYRING_SERVICE": "wa-token-test-selection",
        }
    )
    env.update(extra)
    return env


def _probe(env: dict[str, str], cwd: Path) -> dict[str, object]:
    done = run_python("-c", PROBE, env=env, cwd=cwd, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize(
    "extra",
    [
        pytest.param({}, id="no bus at all"),
        pytest.param(
            {"DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent/bus"}, id="bus path gone"
        ),
        pytest.param({"PYTHON_KEYRING_BACKEND": FAIL}, id="fail backend configured"),
    ],
)
def test_no_keyring_is_known_without_importing_keyring(
    tmp_path: Path, extra: dict[str, str]
) -> None:
    result = _probe(_clean_env(tmp_path, **extra), tmp_path)
    assert result == {
        "available": False,
        "backend": FAIL,
        "reason": "no keyring backend was found",
        "read": "unavailable",
        "modules": [],
    }


def test_null_backend_in_keyringrc_is_still_respected(tmp_path: Path) -> None:
    config = tmp_path / "config" / "python_keyring"
    config.mkdir(parents=True)
    (config / "keyringrc.cfg").write_text(
        "[backend]\ndefault-keyring=keyring.backends.null.Keyring\n"
    )
    result = _probe(_clean_env(tmp_path), tmp_path)
    assert result["available"] is False and result["read"] == "unavailable"
    assert result["backend"] == "keyring.backends.null.Keyring"
    assert "disabled" in str(result["reason"])


def test_secret_service_is_chosen_without_scanning_every_backend(
    secret_service: SecretServiceSession, tmp_path: Path
) -> None:
    result = _probe(_clean_env(tmp_path, **secret_service.env), tmp_path)
    assert (result["available"], result["backend"], result["read"]) == (
        True,
        SECRET_SERVICE,
        "read",
    )
    # keyring's scan imports the macOS backend, whose import runs ldconfig, gcc and ld on Linux
    assert "keyring.backends.macOS" not in result["modules"]
    assert "keyring.backends.kwallet" not in result["modules"]


def test_check_of_a_dotenv_token_does_not_import_keyring_where_there_is_none(
    tmp_path: Path,
) -> None:
    (tmp_path / ".env").write_text(f"WHATSAPP_CLOUD_API_TOKEN={TOKENS['valid']}\n")
    (tmp_path / ".env").chmod(0o600)
    code = (
        "import sys; from wizard.cli.main import main; code = main(['check', '--json']); "
        "print([m for m in sys.modules if m.startswith('keyring')], file=sys.stderr); "
        "sys.exit(code)"
    )
    with FakeGraphServer() as server:
        done = subprocess.run(
            [sys.executable, "-c", code],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            stdin=subprocess.DEVNULL,
            env=_clean_env(tmp_path, WHATSAPP_GRAPH_URL=server.url),
        )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["ok"] is True
    assert done.stderr.strip().splitlines()[-1] == "[]"


@pytest.mark.parametrize(
    ("address", "exists", "reachable"),
    [
        ("unix:path={bus}", True, True),
        ("unix:path={bus}", False, False),
        ("unix:path=/nonexistent;unix:path={bus}", True, True),
        ("unix:abstract=/tmp/dbus-XYZ,guid=0123", False, True),
        ("tcp:host=127.0.0.1,port=5555", False, True),
        (None, True, True),
        (None, False, False),
    ],
)
def test_session_bus_reachable(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    address: str | None,
    exists: bool,
    reachable: bool,
) -> None:
    bus = tmp_path / "bus"
    if exists:
        bus.touch()
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    if address is None:
        monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    else:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address.format(bus=bus))
    assert keyring_backend._session_bus_reachable() is reachable


def test_a_keyring_plugin_makes_keyring_look(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    plugin = tmp_path / "keyrings.example-1.0.dist-info"
    plugin.mkdir()
    monkeypatch.syspath_prepend(str(tmp_path))
    assert not keyring_backend._backend_plugins_installed()
    (plugin / "entry_points.txt").write_text("[keyring.backends]\nexample = keyrings.example\n")
    assert keyring_backend._backend_plugins_installed()
