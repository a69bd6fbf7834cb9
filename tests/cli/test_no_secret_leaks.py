"""The raw token and app secret appear in no output, log record, exception or request URL."""

from __future__ import annotations

import io
import logging
import os
from pathlib import Path

import pytest

from wizard.cli.main import main
from wizard.testing.fake_graph import APP_ID, APP_SECRET, TOKENS, FakeGraphServer

SCENARIOS = [
    "valid",
    "temporary",
    "expired",
    "revoked",
    "malformed",
    "missing_messaging",
    "no_account",
    "rate_limited_waba",
    "server_error",
    "truncated_json",
    "paging",
    "admin",
]
COMMANDS = [
    ["check"],
    ["check", "--json"],
    ["save", "--force"],
    ["status", "--json"],
    ["status"],
    ["forget"],
]


class Captured:
    """One in-process run of the CLI."""

    def __init__(self, argv: list[str], environ: dict[str, str], stdin: str) -> None:
        self.out, self.err = io.StringIO(), io.StringIO()
        self.code = main(
            argv, environ=environ, stdin=io.StringIO(stdin), stdout=self.out, stderr=self.err
        )

    @property
    def text(self) -> str:
        return self.out.getvalue() + self.err.getvalue()


@pytest.fixture
def capture_every_logger(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "asyncio", "dotenv", "keyring", "wizard"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    return caplog


def secrets_absent(text: str, *secrets: str) -> bool:
    return all(secret not in text for secret in secrets)


@pytest.mark.usefixtures("no_keyring")
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_no_command_leaks_the_token(
    scenario: str,
    fake_graph: FakeGraphServer,
    capture_every_logger: pytest.LogCaptureFixture,
    isolated: Path,
) -> None:
    token = TOKENS[scenario]
    environ = {
        "WHATSAPP_GRAPH_URL": fake_graph.url,
        "WHATSAPP_APP_ID": APP_ID,
        "WHATSAPP_APP_SECRET": APP_SECRET,
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "PATH": os.environ["PATH"],
    }
    for argv in COMMANDS:
        run = Captured(argv, environ, token)
        assert run.code in (0, 1, 3, 4), (argv, run.err.getvalue())
        assert secrets_absent(run.text, token, APP_SECRET), argv
    assert token not in (isolated / ".env").read_text()  # save --force wrote it, forget removed it
    records = capture_every_logger.records
    assert records, "the loggers were not captured"
    for record in records:
        assert secrets_absent(record.getMessage(), token, APP_SECRET), record.name
    for request in fake_graph.requests:
        query = request.path + str(request.query)
        if request.path.endswith("debug_token"):
            query = query.replace(f"'input_token': ['{token}']", "")
        assert secrets_absent(query, token, APP_SECRET), request.path


def test_token_command_is_the_only_door(fake_graph: FakeGraphServer, isolated: Path) -> None:
    token = TOKENS["valid"]
    (isolated / ".env").write_text(f"WHATSAPP_CLOUD_API_TOKEN={token}\n")
    run = Captured(["token"], {"WHATSAPP_GRAPH_URL": fake_graph.url}, "")
    assert run.out.getvalue() == token + "\n" and token not in run.err.getvalue()


def test_hanging_graph_and_bad_input_do_not_leak(
    fake_graph: FakeGraphServer,
    capture_every_logger: pytest.LogCaptureFixture,
    no_keyring: None,
) -> None:
    environ = {"WHATSAPP_GRAPH_URL": fake_graph.url}
    for token, argv in (
        (TOKENS["hang"], ["check", "--timeout", "0.5"]),
        (TOKENS["valid"] + " \x1b[2J", ["check"]),
        ("Bearer " + TOKENS["valid"], ["save", "--to", "keyring"]),
    ):
        run = Captured(
            argv, {**environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}, token
        )
        assert run.code in (1, 4, 5)
        assert secrets_absent(run.text, token.split()[-1], TOKENS["valid"])
    assert secrets_absent(capture_every_logger.text, TOKENS["hang"], TOKENS["valid"])
