"""`wa-token register`: the PIN from stdin only, sent once, Meta's refusals turned into fixes."""

from __future__ import annotations

import json

import pytest

from tests.conftest import Cli, Run
from tests.support.sends import PHONE
from wizard.testing.fake_graph import TOKENS, FakeGraphServer
from wizard.testing.fake_register import (
    MAX_ATTEMPTS,
    NEEDS_VERIFICATION_PIN,
    REGISTER_PIN,
    TOO_MANY_GUESSES_PIN,
)

VALID = TOKENS["valid"]
WRONG_PIN = "730519"
"""A PIN that appears nowhere else in the fake's data."""


def register(cli: Cli, pin: str | None, *args: str, token: str = VALID) -> Run:
    return cli(
        "register",
        "--phone-number-id",
        PHONE,
        *args,
        stdin=pin,
        env={"WHATSAPP_CLOUD_API_TOKEN": token},
    )


def register_requests(fake: FakeGraphServer) -> list:
    return [r for r in fake.requests if r.path.endswith("/register")]


def test_the_right_pin_registers_the_number_once(cli: Cli, fake_graph: FakeGraphServer) -> None:
    run = register(cli, REGISTER_PIN + "\n")
    assert run.code == 0, run.err
    assert f"{PHONE} is registered" in run.err
    [sent] = register_requests(fake_graph)
    assert sent.method == "POST" and sent.path.endswith(f"/{PHONE}/register")
    assert json.loads(sent.body) == {"messaging_product": "whatsapp", "pin": REGISTER_PIN}
    assert REGISTER_PIN not in sent.path and not sent.query
    assert REGISTER_PIN not in run.text


def test_it_says_how_many_attempts_meta_allows_before_it_sends(cli: Cli) -> None:
    run = register(cli, WRONG_PIN)
    note = run.flat_err.index("Meta allows 10 registration attempts per number in 72 hours")
    assert note < run.flat_err.index("Registering phone number id")
    assert "never retries" in run.flat_err


def test_a_wrong_pin_is_pin_mismatch_with_how_to_reset_it_and_is_not_retried(
    cli: Cli, fake_graph: FakeGraphServer
) -> None:
    run = register(cli, WRONG_PIN)
    assert run.code == 1
    assert "[pin_mismatch]" in run.err and "Change PIN" in run.flat_err
    assert "133005" in run.err
    assert len(register_requests(fake_graph)) == 1
    assert WRONG_PIN not in run.text


def test_the_eleventh_attempt_is_metas_registration_limit(
    cli: Cli, fake_graph: FakeGraphServer
) -> None:
    for _ in range(MAX_ATTEMPTS):
        assert register(cli, WRONG_PIN).code == 1
    run = register(cli, REGISTER_PIN)
    assert run.code == 1
    assert "[registration_limit]" in run.err and "72 hours" in run.flat_err
    assert len(register_requests(fake_graph)) == MAX_ATTEMPTS + 1


@pytest.mark.parametrize(
    ("pin", "code"),
    [
        (NEEDS_VERIFICATION_PIN, "number_needs_verification"),
        (TOO_MANY_GUESSES_PIN, "too_many_pin_guesses"),
    ],
)
def test_metas_other_refusals_become_their_fix(cli: Cli, pin: str, code: str) -> None:
    run = register(cli, pin)
    assert run.code == 1 and f"[{code}]" in run.err
    assert pin not in run.text


def test_a_number_the_token_does_not_reach_is_number_not_owned(cli: Cli) -> None:
    run = cli(
        "register",
        "--phone-number-id",
        "999000111",
        stdin=REGISTER_PIN,
        env={"WHATSAPP_CLOUD_API_TOKEN": VALID},
    )
    assert run.code == 1 and "[number_not_owned]" in run.err
    assert "wa-token check" in run.flat_err


@pytest.mark.parametrize(
    "pin", ["", "\n", "12345", "1234567", "12a456", "١٢٣٤٥٦", "123 456", "x" * 5000]
)
def test_a_pin_of_the_wrong_shape_is_refused_before_anything_is_sent(
    cli: Cli, fake_graph: FakeGraphServer, pin: str
) -> None:
    run = register(cli, pin)
    assert run.code == 2
    assert "must be 6 digits" in run.flat_err and "Nothing was sent" in run.flat_err
    assert register_requests(fake_graph) == []
    if pin.strip():
        assert pin.strip() not in run.text


@pytest.mark.parametrize(
    "argv",
    [
        [WRONG_PIN],
        ["--pin", WRONG_PIN],
        [f"--pin={WRONG_PIN}"],
        ["--pin"],
    ],
)
def test_a_pin_on_the_command_line_is_exit_2_never_echoed_nothing_sent(
    cli: Cli, fake_graph: FakeGraphServer, argv: list[str]
) -> None:
    run = register(cli, REGISTER_PIN, *argv)
    assert run.code == 2
    assert "never taken from the command line" in run.flat_err
    assert WRONG_PIN not in run.text
    assert fake_graph.requests == []


@pytest.mark.parametrize(
    "argv",
    [
        ["register", "--phone-number-id", PHONE, "--bogus", WRONG_PIN, "--nope"],
        ["register", "--phone-number-id", PHONE, f"--bogus={WRONG_PIN}"],
        ["regster", WRONG_PIN],
        ["check", "--bogus", WRONG_PIN],
        ["status", WRONG_PIN],
        ["send-test", "--to", "+15551234567", f"--pin={WRONG_PIN}"],
        ["register", "--timeout", WRONG_PIN, "--graph-version", WRONG_PIN],
    ],
)
def test_no_usage_error_echoes_a_pin(
    cli: Cli, fake_graph: FakeGraphServer, argv: list[str]
) -> None:
    run = cli(*argv, stdin=REGISTER_PIN)
    assert run.code == 2
    assert WRONG_PIN not in run.text
    assert fake_graph.requests == []


def test_graph_failing_is_exit_4_the_pin_is_not_retried_and_the_attempt_may_count(
    cli: Cli, fake_graph: FakeGraphServer
) -> None:
    run = register(cli, REGISTER_PIN, token=TOKENS["server_error"])
    assert run.code == 4
    assert len(register_requests(fake_graph)) == 1
    assert "this attempt may count" in run.flat_err


def test_without_a_terminal_or_a_pipe_there_is_no_pin(
    cli: Cli, fake_graph: FakeGraphServer
) -> None:
    run = register(cli, None)  # stdin is /dev/null
    assert run.code == 2 and "it is empty" in run.flat_err
    assert register_requests(fake_graph) == []


def test_no_token_is_exit_3_before_the_pin_is_read(cli: Cli, fake_graph: FakeGraphServer) -> None:
    run = cli("register", "--phone-number-id", PHONE, stdin=REGISTER_PIN)
    assert run.code == 3
    assert fake_graph.requests == []


def test_the_phone_number_id_comes_from_the_profiles_variable(
    cli: Cli, fake_graph: FakeGraphServer
) -> None:
    run = cli(
        "--profile",
        "acme",
        "register",
        stdin=REGISTER_PIN,
        env={"WHATSAPP_CLOUD_API_TOKEN_ACME": VALID, "WHATSAPP_PHONE_NUMBER_ID_ACME": PHONE},
    )
    assert run.code == 0, run.err
    assert register_requests(fake_graph)[0].path.endswith(f"/{PHONE}/register")


def test_without_an_id_it_names_the_option(cli: Cli, fake_graph: FakeGraphServer) -> None:
    run = cli("register", stdin=REGISTER_PIN, env={"WHATSAPP_CLOUD_API_TOKEN": VALID})
    assert run.code == 2 and "--phone-number-id" in run.err
    assert fake_graph.requests == []


def test_a_graph_that_hangs_is_exit_4_within_the_timeout_and_not_retried(
    cli: Cli, fake_graph: FakeGraphServer
) -> None:
    run = cli(
        "--timeout",
        "1",
        "register",
        "--phone-number-id",
        PHONE,
        stdin=REGISTER_PIN,
        env={"WHATSAPP_CLOUD_API_TOKEN": TOKENS["hang"]},
    )
    assert run.code == 4 and "this attempt may count" in run.flat_err
    assert len(register_requests(fake_graph)) == 1


def test_after_register_check_no_longer_warns_that_the_number_is_unregistered(
    cli: Cli, fake_graph: FakeGraphServer
) -> None:
    token = TOKENS["number_unregistered"]
    before = cli("check", "--json", env={"WHATSAPP_CLOUD_API_TOKEN": token})
    assert "number_unregistered" in [w["code"] for w in json.loads(before.out)["warnings"]]
    assert register(cli, REGISTER_PIN, token=token).code == 0
    after = cli("check", "--json", env={"WHATSAPP_CLOUD_API_TOKEN": token})
    body = json.loads(after.out)
    assert after.code == 0, after.err
    assert "number_unregistered" not in [w["code"] for w in body["warnings"]]
    number = body["whatsapp_business_accounts"][0]["phone_numbers"][0]
    assert number["id"] == PHONE and number["health"]["can_send_message"] == "AVAILABLE"
    assert "number_unregistered" not in cli("check", env={"WHATSAPP_CLOUD_API_TOKEN": token}).err
