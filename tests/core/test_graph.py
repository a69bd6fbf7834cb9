"""GraphClient against httpx.MockTransport: shapes, errors, retries, paging, secrets."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial

import httpx
import pytest

from tests.support.graph_shapes import DEBUG_DATA, WABA
from wizard.core.errors import GraphApiError, GraphBadResponse, GraphUnreachable
from wizard.core.graph import GraphClient, gather_all, redact_url
from wizard.core.token import SecretToken

TOKEN = SecretToken("EAAFake0Sentinel0MockTransport0Token00000000000wxyz")
SYSTEM_USER = {"data": DEBUG_DATA}


def error_body(code: int, subcode: int | None = None, transient: bool = False) -> dict:
    error = {
        "message": f"(#{code}) test",
        "type": "OAuthException",
        "code": code,
        "fbtrace_id": "Atrace",
    }
    if subcode:
        error["error_subcode"] = subcode
    if transient:
        error["is_transient"] = True
    return {"error": error}


def client_for(handler: Callable[[httpx.Request], httpx.Response], **kw: object) -> GraphClient:
    return GraphClient(
        "https://graph.test", "v26.0", transport=httpx.MockTransport(handler), retry_backoff=0, **kw
    )  # type: ignore[arg-type]


def test_debug_token_parses_a_system_user_token_and_sends_the_header() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=SYSTEM_USER)

    with client_for(handler) as client:
        info = client.debug_token(TOKEN)
    assert info.is_valid and info.type == "SYSTEM_USER" and info.expires_at is None
    assert info.issued_at == datetime.fromtimestamp(1780000000, UTC)
    assert info.granular_scopes[0].target_ids == (WABA,)
    assert seen[0].url.path == "/v26.0/debug_token"
    assert seen[0].headers["authorization"] == f"Bearer {TOKEN.reveal()}"
    assert "access_token" not in str(seen[0].url)


def test_debug_token_with_app_token_reads_data_error() -> None:
    body = {
        "data": {
            "is_valid": False,
            "scopes": [],
            "expires_at": 1780082800,
            "error": {"code": 190, "subcode": 463, "message": "Session has expired"},
        }
    }
    app = SecretToken("634974688087057|fake0app0secret0for0wa0token0demos")
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=body)

    with client_for(handler) as client:
        info = client.debug_token(TOKEN, app_token=app)
    assert not info.is_valid and info.error is not None
    assert (info.error.code, info.error.subcode) == (190, 463)
    assert seen[0].headers["authorization"] == f"Bearer {app.reveal()}"


@pytest.mark.parametrize(
    ("status", "body", "code", "subcode", "transient"),
    [
        (400, error_body(190, 463), 190, 463, False),
        (400, error_body(190), 190, None, False),
        (403, error_body(200), 200, None, False),
        (401, error_body(190, 460), 190, 460, False),
        (400, error_body(100, 33), 100, 33, False),
    ],
)
def test_error_envelope_becomes_a_typed_error(
    status: int, body: dict, code: int, subcode: int | None, transient: bool
) -> None:
    with (
        client_for(lambda r: httpx.Response(status, json=body)) as client,
        pytest.raises(GraphApiError) as caught,
    ):
        client.me(TOKEN)
    err = caught.value
    assert (err.code, err.subcode, err.is_transient, err.status) == (
        code,
        subcode,
        transient,
        status,
    )
    assert err.fbtrace_id == "Atrace"


@pytest.mark.parametrize(
    ("response", "status"),
    [
        (
            httpx.Response(
                502,
                text="<html><body>Bad Gateway</body></html>",
                headers={"content-type": "text/html"},
            ),
            502,
        ),
        (httpx.Response(200, text='{"data": {"app_id": "6349'), 200),
        (httpx.Response(200, json=["not", "an", "object"]), 200),
    ],
)
def test_unparseable_answers_are_bad_responses(response: httpx.Response, status: int) -> None:
    with (
        client_for(lambda r: response, retries=0) as client,
        pytest.raises(GraphBadResponse) as caught,
    ):
        client.me(TOKEN)
    assert caught.value.status == status
    assert "<html>" not in caught.value.message


def test_transient_errors_are_retried_once() -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) == 1:
            return httpx.Response(503, json=error_body(2, transient=True))
        return httpx.Response(200, json={"id": "1", "name": "x"})

    with client_for(handler) as client:
        me = client.me(TOKEN)
    assert me.id == "1" and len(calls) == 2


@pytest.mark.parametrize("body", [error_body(190, 463), error_body(200), error_body(100)])
def test_token_errors_are_never_retried(body: dict) -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(400, json=body)

    with client_for(handler) as client, pytest.raises(GraphApiError):
        client.me(TOKEN)
    assert len(calls) == 1


def test_rate_limit_with_regain_time_is_not_retried_and_says_when() -> None:
    calls: list[int] = []
    usage = {
        WABA: [
            {
                "type": "whatsapp_business_management",
                "call_count": 100,
                "estimated_time_to_regain_access": 15,
            }
        ]
    }

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(
            400,
            json=error_body(80007, transient=True),
            headers={"X-Business-Use-Case-Usage": json.dumps(usage)},
        )

    with client_for(handler) as client, pytest.raises(GraphApiError) as caught:
        client.business_account(TOKEN, WABA)
    assert caught.value.retry_after_minutes == 15 and len(calls) == 1


def test_malformed_usage_header_does_not_crash() -> None:
    response = httpx.Response(
        400, json=error_body(4, transient=True), headers={"X-Business-Use-Case-Usage": "{not json"}
    )
    with (
        client_for(lambda r: response, retries=0) as client,
        pytest.raises(GraphApiError) as caught,
    ):
        client.me(TOKEN)
    assert caught.value.retry_after_minutes is None


def test_timeouts_and_refused_connections_are_unreachable() -> None:
    def timeout(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    def refused(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] refused", request=request)

    with client_for(timeout) as client, pytest.raises(GraphUnreachable) as caught:
        client.me(TOKEN)
    assert caught.value.timed_out
    with client_for(refused) as client, pytest.raises(GraphUnreachable) as caught:
        client.me(TOKEN)
    assert not caught.value.timed_out
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_phone_numbers_follow_paging_and_stop_on_a_loop() -> None:
    def page(n: int, next_page: int | None) -> dict:
        body: dict = {"data": [{"id": f"10{n}", "display_phone_number": f"+1 555 {n}"}]}
        if next_page is not None:
            body["paging"] = {
                "next": f"https://graph.test/v26.0/{WABA}/phone_numbers?after={next_page}"
            }
        return body

    def handler(request: httpx.Request) -> httpx.Response:
        after = request.url.params.get("after")
        pages = {None: page(1, 2), "2": page(2, 3), "3": page(3, 3)}  # page 3 loops to itself
        return httpx.Response(200, json=pages[after])

    with client_for(handler) as client:
        numbers = client.phone_numbers(TOKEN, WABA)
    assert [n.id for n in numbers] == ["101", "102", "103"]


def test_paging_to_another_host_is_not_followed() -> None:
    hosts: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        hosts.append(request.url.host)
        return httpx.Response(
            200, json={"data": [{"id": "1"}], "paging": {"next": "https://evil.test/steal"}}
        )

    with client_for(handler) as client:
        client.phone_numbers(TOKEN, WABA)
    assert hosts == ["graph.test"]


def test_discovery_uses_target_ids_else_the_businesses() -> None:
    admin = json.loads(json.dumps(SYSTEM_USER))
    for grant in admin["data"]["granular_scopes"]:
        del grant["target_ids"]

    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith("debug_token"):
            return httpx.Response(200, json=admin)
        if path.endswith("me/businesses"):
            return httpx.Response(200, json={"data": [{"id": "506914307656634", "name": "Acme"}]})
        if path.endswith("owned_whatsapp_business_accounts"):
            return httpx.Response(200, json={"data": [{"id": WABA}, {"id": "2"}]})
        if path.endswith("client_whatsapp_business_accounts"):
            return httpx.Response(200, json={"data": [{"id": "2"}, {"id": "3"}]})
        return httpx.Response(400, json=error_body(2500))

    with client_for(handler) as client:
        info = client.debug_token(TOKEN)
        assert client.discover_account_ids(TOKEN, info) == (WABA, "2", "3")
    with client_for(lambda r: httpx.Response(200, json=SYSTEM_USER)) as client:
        info = client.debug_token(TOKEN)
        assert client.discover_account_ids(TOKEN, info) == (WABA,)


def test_discovery_without_business_management_finds_nothing() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(403, json=error_body(200))

    info_body = json.loads(json.dumps(SYSTEM_USER))
    info_body["data"]["granular_scopes"] = []
    with client_for(lambda r: httpx.Response(200, json=info_body)) as client:
        info = client.debug_token(TOKEN)
    with client_for(handler) as client:
        assert client.discover_account_ids(TOKEN, info) == ()


def test_account_details_and_numbers_are_fetched_concurrently() -> None:
    in_flight, peak = 0, 0
    lock = threading.Lock()

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        with lock:
            in_flight += 1
            peak = max(peak, in_flight)
        time.sleep(0.05)
        with lock:
            in_flight -= 1
        if request.url.path.endswith("phone_numbers"):
            return httpx.Response(
                200,
                json={
                    "data": [
                        {"id": "1", "quality_rating": "GREEN", "throughput": {"level": "STANDARD"}}
                    ]
                },
            )
        return httpx.Response(200, json={"id": WABA, "name": "Acme", "timezone_id": "1"})

    client = GraphClient("https://graph.test", transport=httpx.MockTransport(handler))
    with client:
        accounts = gather_all(partial(client.account_with_numbers, TOKEN, str(i)) for i in range(5))
    assert peak == 10
    assert accounts[0].phone_numbers[0].throughput_level == "STANDARD"


def test_token_never_reaches_logs_or_error_messages(caplog: pytest.LogCaptureFixture) -> None:
    raw = TOKEN.reveal()

    def handler(request: httpx.Request) -> httpx.Response:
        body = error_body(190)
        body["error"]["message"] = f"Invalid token {raw}"  # a Graph that echoes it back
        return httpx.Response(400, json=body)

    caplog.set_level(logging.DEBUG)
    with client_for(handler) as client, pytest.raises(GraphApiError) as caught:
        client.debug_token(TOKEN)
    assert raw not in str(caught.value) and TOKEN.masked in str(caught.value)
    assert raw not in caplog.text
    assert "input_token=REDACTED" in caplog.text


def test_redact_url() -> None:
    url = "https://g/v26.0/debug_token?input_token=EAAsecret&fields=a&access_token=x|y"
    assert redact_url(url) == (
        "https://g/v26.0/debug_token?input_token=REDACTED&fields=a&access_token=REDACTED"
    )
