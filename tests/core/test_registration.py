"""register's core: the PIN's shape, its mask, and Meta's refusals read without echoing it."""

from __future__ import annotations

import json

import httpx
import pytest

from wizard.core.codes import ProblemCode, Source
from wizard.core.errors import SettingsError
from wizard.core.registration import Pin, read_pin, register_number
from wizard.core.settings import Settings
from wizard.core.stores.sources import FoundToken
from wizard.core.token import SecretToken

TOKEN = SecretToken("EAAFake0RegistrationUnitTest0000000000000000000000000000Rg01")
FOUND = FoundToken(Source.ENVIRONMENT, "environment", TOKEN)


@pytest.mark.parametrize("text", ["123456", "123456\n", " 123456\r\n", "000000"])
def test_six_digits_with_a_line_break_are_a_pin(text: str) -> None:
    assert read_pin(text).reveal() == text.strip()


@pytest.mark.parametrize(
    "text", ["", "12345", "1234567", "12a456", "١٢٣٤٥٦", "12 3456", "123456\n7", "+12345"]
)
def test_anything_else_is_refused_without_repeating_it(text: str) -> None:
    with pytest.raises(SettingsError) as raised:
        read_pin(text)
    assert raised.value.exit_code == 2
    if text.strip():
        assert text.strip() not in raised.value.message + raised.value.fix


def test_a_pin_never_shows_its_digits() -> None:
    pin = Pin("730519")
    assert "730519" not in repr(pin) + str(pin) + f"{pin}"


def test_an_answer_that_echoes_the_pin_is_shown_without_it() -> None:
    def graph(request: httpx.Request) -> httpx.Response:
        pin = json.loads(request.content)["pin"]
        error = {"message": f"(#133005) PIN {pin} mismatch", "code": 133005, "type": "x"}
        return httpx.Response(400, json={"error": error})

    outcome = register_number(
        Settings(graph_url="https://graph.facebook.com"),
        FOUND,
        "106540352242922",
        Pin("730519"),
        transport=httpx.MockTransport(graph),
    )
    assert outcome.problem is not None and outcome.problem.code == ProblemCode.PIN_MISMATCH
    assert "730519" not in " ".join(
        (outcome.problem.title, outcome.problem.fix, outcome.problem.detail or "")
    )
    assert outcome.exit_code == 1


def test_an_answer_without_success_is_not_taken_as_registered() -> None:
    outcome = register_number(
        Settings(graph_url="https://graph.facebook.com"),
        FOUND,
        "106540352242922",
        Pin("246810"),
        transport=httpx.MockTransport(lambda request: httpx.Response(200, json={"ok": 1})),
    )
    assert outcome.problem is not None and outcome.exit_code == 4


def test_a_hostile_refusal_is_shown_cleaned_and_cut() -> None:
    message = "(#133005) \x1b]52;c;cGF5bG9hZA==\x07[bold red]x[/]\u202e " + "A" * 100_000
    error = {"message": message, "code": 133005, "type": "OAuthException"}
    outcome = register_number(
        Settings(graph_url="https://graph.facebook.com"),
        FOUND,
        "106540352242922",
        Pin("730519"),
        transport=httpx.MockTransport(lambda request: httpx.Response(400, json={"error": error})),
    )
    assert outcome.problem is not None and outcome.problem.detail is not None
    assert len(outcome.problem.detail) <= 600
    assert "\x1b" not in outcome.problem.detail and "\u202e" not in outcome.problem.detail
    assert outcome.problem.code == ProblemCode.PIN_MISMATCH
