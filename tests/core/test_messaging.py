"""send-test's core: recipients, choosing the sender, the send client and the send error table."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
import pytest

from wizard.core.diagnose import SEND_ERROR_PROBLEMS, LocalFacts, send_problem
from wizard.core.errors import GraphApiError, GraphBadResponse, GraphUnreachable, SettingsError
from wizard.core.graph import BusinessAccount, GraphClient, PhoneNumber
from wizard.core.messaging import (
    SendOutcome,
    check_phone_number_id,
    choose_sender,
    describe_sender,
    recipient_digits,
)
from wizard.core.token import SecretToken

TOKEN = SecretToken("EAAFake0Sentinel0Messaging0Token0000000000000000msg1")
LOCAL = LocalFacts(now=datetime(2026, 11, 25, tzinfo=UTC), source="dotenv", location=".env")
PHONE = "106540352242922"


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        ("+15551234567", "15551234567"),
        ("+1 (555) 123-4567", "15551234567"),
        ("0049 151 1234 5678", "4915112345678"),
        (" +49 151 1234 5678 ", "4915112345678"),
        ("+44.20.7946.0958", "442079460958"),
    ],
)
def test_recipients_in_international_format(text: str, digits: str) -> None:
    assert recipient_digits(text) == digits


@pytest.mark.parametrize(
    "text",
    [
        "",
        "+",
        "12345",
        "+0049151123",
        "0151 1234567",
        "abc",
        "+1555123456789012",
        "+1 555 CALL NOW",
        "+1;rm -rf",
    ],
)
def test_bad_recipients_are_usage_errors(text: str) -> None:
    with pytest.raises(SettingsError):
        recipient_digits(text)


@pytest.mark.parametrize("text", ["5551234567", "15551234567", "555 123 4567", "(555) 123-4567"])
def test_a_number_without_its_country_code_is_refused(text: str) -> None:
    """Failed before: 5551234567 was sent to +55 5512 34567 (Brazil)."""
    with pytest.raises(SettingsError) as caught:
        recipient_digits(text)
    assert "country code" in caught.value.message and "+55" in caught.value.message
    assert "+1555" in caught.value.fix


def test_phone_number_ids_are_digits() -> None:
    assert check_phone_number_id(f" {PHONE} ") == PHONE
    for bad in ("", "+1555", "../me", "1 2"):
        with pytest.raises(SettingsError):
            check_phone_number_id(bad)


ONE = BusinessAccount("1", phone_numbers=(PhoneNumber(PHONE, "+1 555-010-4477", "Acme"),))
TWO = BusinessAccount("2", phone_numbers=(PhoneNumber("7"), PhoneNumber("8")))


def test_choose_sender() -> None:
    assert choose_sender((ONE,), None).phone == ONE.phone_numbers[0]
    assert choose_sender((ONE,), PHONE).phone == ONE.phone_numbers[0]
    assert choose_sender((ONE,), "99").phone == PhoneNumber("99")
    both = choose_sender((ONE, TWO), None)
    assert both.phone is None and [n.id for n in both.candidates] == [PHONE, "7", "8"]
    assert choose_sender((), None).candidates == ()


def test_describe_sender() -> None:
    assert describe_sender(ONE.phone_numbers[0]) == f"+1 555-010-4477 (Acme, id {PHONE})"
    assert describe_sender(PhoneNumber("7")) == "phone number id 7"


def api_error(code: int, subcode: int | None = None, *, status: int = 400) -> GraphApiError:
    return GraphApiError(
        f"(#{code}) test",
        code=code,
        subcode=subcode,
        status=status,
        fbtrace_id="Atrace",
        details="more words",
    )


@pytest.mark.parametrize(
    ("error", "code", "exit_code", "words"),
    [
        (api_error(131030), "recipient_not_allowed", 1, "+15551234567"),
        (api_error(132001, status=404), "template_missing", 1, "Message templates"),
        (api_error(133010), "number_not_registered", 1, f"/{PHONE}/register"),
        (api_error(131031, status=403), "account_locked", 1, "Business Support Home"),
        (api_error(131005, status=403), "missing_permission", 1, "whatsapp_business_messaging"),
        (api_error(200, status=403), "missing_permission", 1, "Assign Assets"),
        (api_error(10, status=403), "missing_permission", 1, "whatsapp_business_messaging"),
        (api_error(294, status=403), "missing_permission", 1, "whatsapp_business_messaging"),
        (api_error(100, 33), "no_phone_number", 1, "wa-token check"),
        (api_error(131047), "reengagement_required", 1, "template"),
        (api_error(131026), "message_undeliverable", 1, "WhatsApp"),
        (api_error(131056), "rate_limited", 4, "Try again"),
        (api_error(190, 463, status=401), "token_expired", 1, "permanent"),
        (api_error(131000, status=500), "graph_error", 4, "Try again"),
        (GraphUnreachable("down"), "graph_unreachable", 4, "connection"),
        (GraphBadResponse("html", status=502), "graph_error", 4, "try again"),
    ],
)
def test_send_errors_map_through_one_table(
    error: Exception, code: str, exit_code: int, words: str
) -> None:
    finding = send_problem(error, LOCAL, to="15551234567", phone=PHONE)  # type: ignore[arg-type]
    assert finding.code == code
    assert words.lower() in (finding.title + finding.fix).lower()
    assert SendOutcome(problem=finding).exit_code == exit_code
    if isinstance(error, GraphApiError):
        assert finding.detail and "Atrace" in finding.detail


def test_every_send_table_entry_has_a_concrete_fix() -> None:
    for entry in SEND_ERROR_PROBLEMS.values():
        filled = entry.fix.format(to="1", phone="2")
        assert len(filled) > 40 and "{" not in filled


def client_for(handler) -> GraphClient:
    return GraphClient(
        "https://graph.test", "v26.0", transport=httpx.MockTransport(handler), retry_backoff=0
    )


def test_send_template_posts_hello_world_once() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            200,
            json={
                "messaging_product": "whatsapp",
                "contacts": [{"input": "15551234567", "wa_id": "15551234567"}],
                "messages": [{"id": "wamid.ABC", "message_status": "accepted"}],
            },
        )

    with client_for(handler) as client:
        sent = client.send_template(TOKEN, PHONE, "15551234567")
    assert (sent.message_id, sent.wa_id, sent.message_status) == (
        "wamid.ABC",
        "15551234567",
        "accepted",
    )
    [request] = seen
    assert request.method == "POST" and request.url.path == f"/v26.0/{PHONE}/messages"
    assert request.headers["authorization"] == f"Bearer {TOKEN.reveal()}"
    assert json.loads(request.content)["template"] == {
        "name": "hello_world",
        "language": {"code": "en_US"},
    }


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(500, json={"error": {"message": "x", "code": 131000, "is_transient": True}}),
        httpx.Response(503, text="<html>"),
    ],
)
def test_a_send_is_never_retried(response: httpx.Response) -> None:
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return response

    with client_for(handler) as client, pytest.raises((GraphApiError, GraphBadResponse)):
        client.send_template(TOKEN, PHONE, "15551234567")
    assert len(calls) == 1


def test_send_answers_without_a_message_id_are_bad_responses() -> None:
    with (
        client_for(lambda request: httpx.Response(200, json={"messages": []})) as client,
        pytest.raises(GraphBadResponse),
    ):
        client.send_template(TOKEN, PHONE, "15551234567")
    with (
        client_for(lambda request: httpx.Response(200, json={})) as client,
        pytest.raises(GraphBadResponse),
    ):
        client.send_template(TOKEN, "../me", "15551234567")
