"""No text from Graph drives the terminal: escape sequences and control characters never get out.

Names and error texts carry what an attacker would use: a screen clear, a window title (OSC 0), a
hyperlink (OSC 8), a carriage return that draws a fake "✓ The token works" over the real line,
C1 controls and a right-to-left override. Every output of the real `wa-token`, text and --json,
must be free of them (JSON keeps the readable rest; json.dumps would escape them anyway).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Cli, Run
from tests.hardening.hostile_graph import NUMBER, HostileGraph, named, serve
from tests.support.sends import send_test

TOKEN = "EAAGuard0Escape0" + "d" * 100 + "wxyz"
CLEAR = "\x1b[2J\x1b[H"
TITLE = "\x1b]0;pwned\x07"
LINK = "\x1b]8;;https://evil.example/\x1b\\click me\x1b]8;;\x1b\\"
FAKE_OK = "\r\x1b[2K\u2713 The token works.\n"
C1 = "\x9b31m\x9d0;t\x9c"
BIDI = "\u202egnp.exe\u202c"
HOSTILE = f"Acme{CLEAR}{TITLE}{LINK}{FAKE_OK}{C1}{BIDI}\x7f\x00end"
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture
def graph() -> Iterator[HostileGraph]:
    number = {"verified_name": HOSTILE, "display_phone_number": HOSTILE}
    yield from serve(named(HOSTILE, HOSTILE, {"name": HOSTILE}, number))


@pytest.fixture
def hostile_cli(isolated: Path, graph: HostileGraph) -> Cli:
    return Cli(isolated, graph.url)


def assert_clean(run: Run) -> None:
    for stream in (run.out, run.err):
        found = CONTROLS.findall(stream)
        assert not found, (found, stream)


def test_check_text_shows_names_without_their_escape_sequences(hostile_cli: Cli) -> None:
    run = hostile_cli("check", stdin=TOKEN)
    assert run.code == 0, run.text
    assert_clean(run)
    assert "Acme[2J[H]0;pwned]8;;https://evil.example/\\click me]8;;" in run.out
    headlines = [line for line in run.out.splitlines() if line.startswith("✓ The token works")]
    assert len(headlines) == 1  # the fake one stays inside its name, on the name's line


def test_check_json_carries_the_names_without_control_characters(hostile_cli: Cli) -> None:
    run = hostile_cli("check", "--json", stdin=TOKEN)
    assert run.code == 0, run.text
    assert_clean(run)
    body = json.loads(run.out)
    names = [
        body["token"]["application"],
        body["token"]["user_name"],
        body["whatsapp_business_accounts"][0]["name"],
        body["whatsapp_business_accounts"][0]["phone_numbers"][0]["verified_name"],
    ]
    for name in names:
        assert name.startswith("Acme[2J[H]0;pwned") and name.endswith("gnp.exeend")
        assert not CONTROLS.search(name) and "\\u001b" not in run.out


def test_status_is_clean(hostile_cli: Cli) -> None:
    for flags in ((), ("--json",)):
        run = hostile_cli("status", *flags, env={"WHATSAPP_CLOUD_API_TOKEN": TOKEN})
        assert run.code == 0, run.text
        assert_clean(run)


@pytest.mark.parametrize("route", ["debug_token", "account"])
def test_graph_error_texts_are_clean(hostile_cli: Cli, graph: HostileGraph, route: str) -> None:
    graph.answers[route] = {
        "error": {
            "message": HOSTILE,
            "type": "OAuthException",
            "code": 100,
            "error_subcode": 33,
            "error_user_title": HOSTILE,
            "error_user_msg": HOSTILE,
            "error_data": {"details": HOSTILE},
            "fbtrace_id": HOSTILE,
        }
    }
    for flags in ((), ("--json",)):
        run = hostile_cli("check", *flags, stdin=TOKEN)
        assert run.code in (1, 4), run.text
        assert_clean(run)


def test_send_test_is_clean(hostile_cli: Cli, graph: HostileGraph) -> None:
    run = send_test(hostile_cli, TOKEN)
    assert run.code == 0, run.text
    assert_clean(run)
    graph.answers["messages"] = {
        "error": {
            "message": HOSTILE,
            "type": "OAuthException",
            "code": 131030,
            "error_data": {"details": HOSTILE},
        }
    }
    run = send_test(hostile_cli, TOKEN, NUMBER["id"])
    assert run.code == 1, run.text
    assert_clean(run)
