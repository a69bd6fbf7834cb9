"""The wizard's quit summary and exit code, one test a branch, without Textual."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from wizard.core.check import CheckReport, check_found_token
from wizard.core.codes import ExitCode, Source, StoreTarget
from wizard.core.errors import EnvFileError, KeyringDisabled, KeyringUnavailable
from wizard.core.outcome import (
    Outcome,
    WhatHappened,
    crashed_lines,
    outcome_of,
    quitting_loses_a_checked_token,
)
from wizard.core.settings import Settings
from wizard.core.stores.save import SaveOutcome
from wizard.core.stores.sources import SourceReading, from_stdin
from wizard.core.token import SecretToken
from wizard.testing.fake_graph import TOKENS, FakeGraphServer

ROOT = Path(__file__).resolve().parents[2]
PASTED = SecretToken(TOKENS["valid"])
SAVED = SaveOutcome(StoreTarget.ENV, ".env as WHATSAPP_CLOUD_API_TOKEN", replaced=True)
CHANGE = "Fixed: .env is now readable by you only (0600)."
NOTHING_READ = (
    SourceReading(Source.ENVIRONMENT, "WHATSAPP_CLOUD_API_TOKEN"),
    SourceReading(Source.DOTENV, ".env"),
    SourceReading(Source.KEYRING, "wa-token", unavailable=KeyringDisabled("off on purpose")),
)


def stored_check(graph_url: str, scenario: str) -> CheckReport:
    """The check of a stored token (from stdin: the summary only needs it found and masked)."""
    return check_found_token(from_stdin(TOKENS[scenario]), Settings(graph_url=graph_url), {})


def closed_port() -> int:
    """A loopback port nobody listens on: Graph cannot be reached there."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_saved_token_says_where_masked_what_else_changed_and_restart() -> None:
    outcome = outcome_of(WhatHappened(saved=SAVED, token=PASTED, changes=(CHANGE,), looked=True))
    assert outcome == Outcome(
        (
            f"{SAVED.summary}: {PASTED.masked}.",
            CHANGE,
            "Restart your backend server so it reads the new token.",
        ),
        ExitCode.OK,
    )
    assert TOKENS["valid"] not in " ".join(outcome.lines)


def test_an_extended_token_says_renew_it_from_cron() -> None:
    outcome = outcome_of(WhatHappened(extended=True, looked=True, quit_early=True))
    assert outcome == Outcome(
        (
            "Restart your backend server so it reads the new token.",
            "Renew it from cron before day 60: wa-token schedule --print",
        ),
        ExitCode.OK,
    )


def test_quit_early_with_nothing_changed_and_nothing_stored_exits_3() -> None:
    outcome = outcome_of(WhatHappened(looked=True, readings=NOTHING_READ, quit_early=True))
    assert outcome == Outcome(
        (
            "Nothing was changed: no token was saved.",
            "No token is stored yet: run `wa-token` again when you have one.",
        ),
        ExitCode.NO_TOKEN,
    )


def test_quit_early_after_changes_lists_them_first() -> None:
    happened = WhatHappened(changes=(CHANGE,), looked=True, readings=NOTHING_READ, quit_early=True)
    assert outcome_of(happened).lines[:2] == (CHANGE, "No token was saved.")


def test_quit_before_the_look_ended_says_status_tells_and_exits_0() -> None:
    outcome = outcome_of(WhatHappened(looked=False, quit_early=True))
    assert outcome == Outcome(
        (
            "Nothing was changed: no token was saved.",
            "You quit before the stored token was checked: `wa-token status` shows it.",
        ),
        ExitCode.OK,
    )


def test_a_finished_route_without_saving_and_nothing_stored_exits_3() -> None:
    outcome = outcome_of(WhatHappened(looked=True, readings=NOTHING_READ))
    assert outcome.exit_code is ExitCode.NO_TOKEN and len(outcome.lines) == 1


def test_an_unreadable_env_file_exits_5_with_its_message_and_fix() -> None:
    failed = EnvFileError(".env could not be read: permission denied.", fix="chmod 600 .env")
    readings = (*NOTHING_READ[:1], SourceReading(Source.DOTENV, ".env", error=failed))
    outcome = outcome_of(WhatHappened(looked=True, readings=readings, quit_early=True))
    assert outcome.exit_code is ExitCode.STORE
    assert outcome.lines[-1] == f"{failed.message} {failed.fix}"


def test_a_keyring_that_could_not_be_asked_exits_5_and_says_why() -> None:
    missing = KeyringUnavailable("No D-Bus session.")
    readings = (*NOTHING_READ[:2], SourceReading(Source.KEYRING, "wa-token", unavailable=missing))
    outcome = outcome_of(WhatHappened(looked=True, readings=readings, quit_early=True))
    assert outcome.exit_code is ExitCode.STORE
    assert "the OS keyring could not be asked: No D-Bus session." in outcome.lines[-1]


def test_a_stored_token_that_works_exits_0(fake_graph: FakeGraphServer) -> None:
    initial = stored_check(fake_graph.url, "valid")
    outcome = outcome_of(WhatHappened(initial=initial, looked=True, quit_early=True))
    assert outcome == Outcome(
        (
            "Nothing was changed: no token was saved.",
            f"The stored token ({initial.found.masked if initial.found else ''}) works.",
        ),
        ExitCode.OK,
    )


@pytest.mark.parametrize("scenario", ["expired", "revoked", "missing_messaging"])
def test_a_stored_token_that_fails_exits_as_its_check(
    fake_graph: FakeGraphServer, scenario: str
) -> None:
    initial = stored_check(fake_graph.url, scenario)
    outcome = outcome_of(WhatHappened(initial=initial, looked=True, quit_early=True))
    assert initial.exit_code == ExitCode.PROBLEM
    assert outcome.exit_code == initial.exit_code
    problem = initial.diagnosis.problems[0].title
    masked = initial.found.masked if initial.found else ""
    assert outcome.lines[-1] == f"The stored token ({masked}) still does not work: {problem}"


@pytest.mark.parametrize("where", ["unreachable", "server_error"])
def test_graph_out_of_reach_says_could_not_be_checked_and_exits_4(
    fake_graph: FakeGraphServer, where: str
) -> None:
    if where == "unreachable":
        initial = stored_check(f"http://127.0.0.1:{closed_port()}", "valid")
    else:
        initial = stored_check(fake_graph.url, "server_error")
    outcome = outcome_of(WhatHappened(initial=initial, looked=True, quit_early=True))
    assert outcome.exit_code is ExitCode.GRAPH
    assert "could not be checked" in outcome.lines[-1]
    assert outcome.lines[-1].endswith("Try again: `wa-token check`.")


def test_a_hostile_saved_place_and_changes_come_through_as_given() -> None:
    """The summary adds nothing and drops nothing: the lines were made terminal-safe where
    they were recorded (a change at Meta, a fix); the token itself is only ever masked."""
    hostile = SaveOutcome(StoreTarget.ENV, "[b]x[/b]\x1b[2J.env")
    outcome = outcome_of(WhatHappened(saved=hostile, token=PASTED, looked=True))
    assert outcome.lines[0] == f"{hostile.summary}: {PASTED.masked}."
    assert PASTED.reveal() not in "".join(outcome.lines)


@pytest.mark.parametrize(
    ("saved", "extended", "scenario", "asks"),
    [
        (False, False, "valid", True),
        (True, False, "valid", False),
        (False, True, "valid", False),
        (False, False, "expired", False),
        (False, False, None, False),
    ],
)
def test_quitting_asks_only_when_a_checked_token_would_be_lost(
    fake_graph: FakeGraphServer, saved: bool, extended: bool, scenario: str | None, asks: bool
) -> None:
    pasted = stored_check(fake_graph.url, scenario) if scenario else None
    lost = quitting_loses_a_checked_token(saved=saved, extended=extended, pasted=pasted)
    assert lost is asks


def test_the_outcome_loads_neither_textual_nor_the_check() -> None:
    """The CLI knows what the wizard's outcome is without Textual; the wizard's first screen
    imports it without the check or the stores."""
    script = "import sys, json, wizard.core.outcome; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT
    )
    loaded = out.stdout
    assert '"wizard.core.outcome"' in loaded
    assert '"textual' not in loaded and '"wizard.core.check"' not in loaded
    assert '"wizard.core.stores.sources"' not in loaded


def test_a_crash_after_the_save_says_where_it_was_saved() -> None:
    lines = crashed_lines(WhatHappened(saved=SAVED, token=PASTED, changes=(CHANGE,)))
    assert lines[0] == f"{SAVED.summary}: {PASTED.masked}." and CHANGE in lines


def test_a_crash_before_any_save_lists_the_changes_and_never_claims_nothing_changed() -> None:
    lines = crashed_lines(WhatHappened(changes=(CHANGE,), quit_early=True))
    assert lines == (
        CHANGE,
        "No token was saved before the error: `wa-token status` shows what is stored.",
    )
