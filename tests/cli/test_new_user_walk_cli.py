"""Issue 24 and issue 23 item 3 through the real `wa-token` entry point: opaque tokens, one
cleaning for both doors, the keyring under cron, send-test's country code, a mistyped command."""

from __future__ import annotations

import json

import pytest

from tests.conftest import Cli
from tests.support.processes import running
from wizard.testing.fake_graph import TOKENS, FakeGraphServer

VALID = TOKENS["valid"]
OPAQUE = [
    "x0opaque0but0not0cut",  # far shorter than today's tokens (20), not "far too short"
    "IGQVJWa1RvaGVuT3BhcXVlVG9rZW5TaGFwZQ",  # another prefix
    "EAA!Fake#Token%With&Punctuation*And(Parens)<Angles>",  # any printable ASCII
]


@pytest.mark.parametrize("token", OPAQUE)
def test_an_opaque_token_is_judged_by_graph_not_by_its_shape(
    cli: Cli, fake_graph: FakeGraphServer, token: str
) -> None:
    """Failed before: refused as token_malformed locally, without asking Graph."""
    run = cli("check", "--json", stdin=token)
    body = json.loads(run.out)
    assert run.code == 1 and [p["code"] for p in body["problems"]] == ["token_invalid"]
    debug = [r for r in fake_graph.requests if r.path.endswith("debug_token")]
    assert debug and debug[0].query.get("input_token") in (token, [token])
    assert all(r.headers.get("authorization") == f"Bearer {token}" for r in fake_graph.requests)
    assert token not in run.out + run.err


def test_a_token_wrapped_onto_two_lines_is_refused_with_that_reason(
    cli: Cli, fake_graph: FakeGraphServer
) -> None:
    run = cli("check", stdin="EAAFake0Valid0SystemUser0Wa\nTokenDemo0000000000000abcd\n")
    assert run.code == 1 and "wrapped onto two lines" in run.err
    assert fake_graph.requests == []


# -- issue 24, item 5: the keyring under cron ----------------------------------------------------

CRON_LIKE = {"DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent/bus", "XDG_RUNTIME_DIR": ""}


def _cron(cli: Cli) -> Cli:
    """No keyring configured and no D-Bus session: how cron runs wa-token on a desktop."""
    cli.env.pop("PYTHON_KEYRING_BACKEND", None)
    cli.env.update(CRON_LIKE)
    return cli


@pytest.mark.parametrize("command", [("check",), ("check", "--json"), ("status",), ("token",)])
def test_without_a_session_bus_the_keyring_could_not_be_asked_exit_5(
    cli: Cli, command: tuple[str, ...]
) -> None:
    """Failed before: exit 3, "no token" (it may be in the keyring nobody could ask)."""
    run = _cron(cli)(*command)
    said = " ".join(run.err.split())
    assert run.code == 5, run.err
    assert "could not be asked" in said and "wa-token save --to env" in said
    assert "systemd user timer" in said and "Traceback" not in said


def test_a_keyring_turned_off_on_purpose_holds_nothing_exit_3(cli: Cli) -> None:
    for backend in ("keyring.backends.fail.Keyring", "keyring.backends.null.Keyring"):
        env = {**CRON_LIKE, "PYTHON_KEYRING_BACKEND": backend}
        assert cli("token", env=env).code == 3
        assert cli("check", env=env).code == 3


def test_a_token_in_dotenv_is_fine_under_cron(cli: Cli) -> None:
    (cli.cwd / ".env").write_text(f"WHATSAPP_CLOUD_API_TOKEN={VALID}\n")
    assert _cron(cli)("check").code == 0
    assert cli("token").code == 0


def test_a_token_saved_in_the_real_keyring_then_cron_exits_5(keyring_cli: Cli) -> None:
    """The walk of the issue: save to the keyring, then the daily job without D-Bus."""
    assert keyring_cli("save", "--to", "keyring", stdin=VALID).code == 0
    assert keyring_cli("check").code == 0
    run = keyring_cli("check", env=CRON_LIKE)
    assert run.code == 5 and "could not be asked" in " ".join(run.err.split())
    assert VALID not in run.out + run.err


# -- issue 24, item 7: a mistyped command, a number without its country code ---------------------


@pytest.mark.parametrize(
    ("argv", "meant"),
    [
        (("chekc",), "'check'"),
        (("sttaus", "--json"), "'status'"),
        (("check", "--jsn"), "'--json'"),
        (("fix", "gitignroe"), "'gitignore'"),
    ],
)
def test_a_mistyped_command_gets_did_you_mean_not_the_token_lecture(
    cli: Cli, argv: tuple[str, ...], meant: str
) -> None:
    """Failed before: "A token is never taken as an argument…" for a typo."""
    run = cli(*argv)
    assert run.code == 2 and f"Did you mean {meant}?" in run.err
    assert "never taken as an argument" not in run.err


def test_a_token_on_argv_still_gets_the_lecture_and_no_suggestion(cli: Cli) -> None:
    run = cli("chekc", "--jsn", VALID)
    assert run.code == 2 and "never taken as an argument" in run.err
    assert VALID not in run.err and "Did you mean" not in run.err


def test_send_test_refuses_a_number_without_its_country_code(
    cli: Cli, fake_graph: FakeGraphServer
) -> None:
    """Failed before: --to 5551234567 was sent to +55 (Brazil)."""
    (cli.cwd / ".env").write_text(f"WHATSAPP_CLOUD_API_TOKEN={VALID}\n")
    run = cli("send-test", "--to", "5551234567", "--yes")
    assert run.code == 2 and "country code" in run.err and "+15551234567" in run.err
    assert not [r for r in fake_graph.requests if r.path.endswith("/messages")]


def test_one_second_is_singular(cli: Cli) -> None:
    """Failed before: "nothing for 1 seconds", "within 1 seconds"."""
    with running(cli, "check", "--timeout", "1") as proc:
        proc.wait(timeout=25)
        idle = " ".join((proc.stderr.read().decode() if proc.stderr else "").split())
    assert "sent nothing for 1 second," in idle and "1 seconds" not in idle
    hung = cli("check", "--timeout", "1", stdin=TOKENS["hang"])
    said = " ".join(hung.err.split()) + " ".join(hung.out.split())
    assert hung.code == 4 and "within 1 second." in said and "1 seconds" not in said


def test_an_option_of_another_command_is_not_suggested_as_itself(cli: Cli) -> None:
    """Failed before: `fix keyring --yes` said "Did you mean '--yes'?" (`fix webhooks` has it)."""
    run = cli("fix", "keyring", "--yes")
    assert run.code == 2 and "unrecognized arguments: --yes" in run.err
    assert "Did you mean '--yes'" not in run.err
