"""The CLI against a real Secret Service (gnome-keyring on a private D-Bus session)."""

from __future__ import annotations

import json

from tests.conftest import Cli
from tests.keyring_session import SecretServiceSession
from wizard.testing.fake_graph import TOKENS

VALID = TOKENS["valid"]


def test_save_to_keyring_then_token_check_status_forget(keyring_cli: Cli) -> None:
    cli = keyring_cli
    run = cli("save", "--to", "keyring", stdin=VALID)
    assert run.code == 0, run.err
    assert "OS keyring" in run.err and VALID not in run.text
    assert not (cli.cwd / ".env").exists()
    assert cli("token").out == VALID + "\n"
    body = json.loads(cli("check", "--json").out)
    assert body["ok"] and body["token"]["source"] == "keyring"
    assert body["warnings"] == []
    status = json.loads(cli("status", "--json").out)
    assert [s["active"] for s in status["sources"]] == [False, False, True]
    run = cli("forget", "--from", "keyring")
    assert run.code == 0 and "Removed the token from the OS keyring" in run.err
    assert cli("token").code == 3


def test_plaintext_storage_warning_when_a_keyring_works(keyring_cli: Cli) -> None:
    env_file = keyring_cli.cwd / ".env"
    env_file.write_text(f"WHATSAPP_CLOUD_API_TOKEN={VALID}\n")
    env_file.chmod(0o600)
    body = json.loads(keyring_cli("check", "--json").out)
    assert [w["code"] for w in body["warnings"]] == ["plaintext_storage"]


def test_dotenv_shadows_a_different_keyring_token(keyring_cli: Cli) -> None:
    assert keyring_cli("save", "--to", "keyring", stdin=TOKENS["old"]).code == 0
    (keyring_cli.cwd / ".env").write_text(f"WHATSAPP_CLOUD_API_TOKEN={VALID}\n")
    (keyring_cli.cwd / ".env").chmod(0o600)
    body = json.loads(keyring_cli("status", "--json").out)
    assert body["active"]["token"]["source"] == "dotenv"
    assert [w["code"] for w in body["active"]["warnings"]] == ["shadowed", "plaintext_storage"]
    assert "OS keyring" in body["active"]["warnings"][0]["title"]


def test_check_of_a_dotenv_token_still_says_the_keyring_holds_another(keyring_cli: Cli) -> None:
    assert keyring_cli("save", "--to", "keyring", stdin=TOKENS["old"]).code == 0
    (keyring_cli.cwd / ".env").write_text(f"WHATSAPP_CLOUD_API_TOKEN={VALID}\n")
    (keyring_cli.cwd / ".env").chmod(0o600)
    body = json.loads(keyring_cli("check", "--json").out)
    assert body["token"]["source"] == "dotenv"
    assert [w["code"] for w in body["warnings"]] == ["shadowed", "plaintext_storage"]


def test_save_to_keyring_warns_when_dotenv_still_wins(keyring_cli: Cli) -> None:
    (keyring_cli.cwd / ".env").write_text(f"WHATSAPP_CLOUD_API_TOKEN={TOKENS['old']}\n")
    run = keyring_cli("save", "--to", "keyring", stdin=VALID)
    assert run.code == 0 and "takes precedence" in run.err


def test_locked_keyring_exits_5_with_the_reason(
    keyring_cli: Cli, secret_service: SecretServiceSession
) -> None:
    assert keyring_cli("save", "--to", "keyring", stdin=VALID).code == 0
    secret_service.lock()
    run = keyring_cli("token")
    assert run.code == 5 and "locked" in run.err.lower() and "Traceback" not in run.err
    run = keyring_cli("save", "--to", "keyring", stdin=VALID)
    assert run.code == 5 and "locked" in run.err.lower()
    assert not (keyring_cli.cwd / ".env").exists(), "never a silent fallback to .env"
