"""One way to ask y/N (or require --yes without a terminal) for every command that changes
something: send-test, fix webhooks, provision, forget (console.ask_yes / can_ask)."""

from __future__ import annotations

import io

import pytest

from tests.conftest import Cli
from wizard.cli.console import Console, ask_yes, can_ask
from wizard.testing.fake_admins import ADMIN_TOKENS
from wizard.testing.fake_graph import APP_ID, APP_SECRET, TOKENS

NO_TERMINAL = "There is no terminal to ask on, so add --yes."


class Terminal(io.StringIO):
    """Typed answers on what looks like a terminal."""

    def isatty(self) -> bool:
        return True


def console() -> tuple[Console, io.StringIO]:
    err = io.StringIO()
    return Console(io.StringIO(), err), err


WORDS = {"not_done": "Not sent", "why": "it sends a message"}


@pytest.mark.parametrize(
    ("yes", "stdin", "agreed", "said"),
    [
        (True, io.StringIO(""), True, ""),
        (
            False,
            io.StringIO("y\n"),
            False,
            f"Not sent: it sends a message and needs an explicit yes. {NO_TERMINAL}",
        ),
        (False, Terminal("y\n"), True, "Go? [y/N] "),
        (False, Terminal("YES\n"), True, "Go? [y/N] "),
        (False, Terminal("\n"), False, "Go? [y/N] Not sent: you did not answer yes.\n"),
        (False, Terminal("yep\n"), False, "Go? [y/N] Not sent: you did not answer yes.\n"),
        (False, Terminal(""), False, "Go? [y/N] \nNot sent: you did not answer yes.\n"),
        (True, Terminal("n\n"), True, ""),
    ],
)
def test_ask_yes(yes: bool, stdin: io.StringIO, agreed: bool, said: str) -> None:
    out, err = console()
    assert ask_yes("Go?", yes, stdin, out, **WORDS) is agreed
    assert err.getvalue().rstrip("\n") == said.rstrip("\n")


def test_can_ask_reads_nothing() -> None:
    out, err = console()
    stdin = Terminal("y\n")
    assert can_ask(False, stdin, out, **WORDS) and stdin.tell() == 0 and err.getvalue() == ""


@pytest.mark.parametrize(
    ("args", "stdin", "env"),
    [
        (
            ("send-test", "--to", "+15551234567"),
            None,
            {"WHATSAPP_CLOUD_API_TOKEN": TOKENS["valid"]},
        ),
        (("fix", "webhooks"), None, {"WHATSAPP_CLOUD_API_TOKEN": TOKENS["webhooks_unsubscribed"]}),
        (
            ("provision",),
            ADMIN_TOKENS["admin"],
            {"WHATSAPP_APP_ID": APP_ID, "WHATSAPP_APP_SECRET": APP_SECRET},
        ),
    ],
    ids=["send-test", "fix-webhooks", "provision"],
)
def test_every_command_that_changes_something_says_the_same_without_a_terminal(
    cli: Cli, fake_graph: object, args: tuple[str, ...], stdin: str | None, env: dict[str, str]
) -> None:
    """Failed before for provision: "Add --yes to carry this out without a terminal"."""
    from wizard.testing import fake_business

    business = fake_business.reset(fake_graph)  # type: ignore[arg-type]
    run = cli(*args, stdin=stdin, env=env)
    assert run.code == 2, run.err
    assert "needs an explicit yes. " + NO_TERMINAL in run.flat_err
    assert business.writes == []
    assert not [r for r in fake_graph.requests if r.method == "POST"]  # type: ignore[attr-defined]
