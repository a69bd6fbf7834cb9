"""The fake Graph server answers each scenario with Meta's shapes, over real loopback HTTP."""

from __future__ import annotations

import http.client
import importlib
import json
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from wizard.testing.fake_graph import (
    APP_ID,
    APP_SECRET,
    APP_TOKEN,
    TOKENS,
    FakeGraphServer,
)
from wizard.testing.fake_graph import server as fake_server

ROOT = Path(__file__).resolve().parents[2]
WABA_A, WABA_B = "102290129340398", "102290129340399"
PHONE_A1, PHONE_A2, PHONE_B1 = "106540352242922", "113402916702233", "106540352242923"
BUSINESS = "506914307656634"
DAY, HOUR = 86400, 3600
WHATSAPP = ["whatsapp_business_management", "whatsapp_business_messaging"]
HELLO = {
    "messaging_product": "whatsapp",
    "to": "15551234567",
    "type": "template",
    "template": {"name": "hello_world", "language": {"code": "en_US"}},
}


@pytest.fixture(scope="module")
def server() -> Iterator[FakeGraphServer]:
    with FakeGraphServer(slow_delay=0.3) as fake:
        yield fake


@pytest.fixture(scope="module")
def client(server: FakeGraphServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{server.url}/v26.0/", timeout=5) as http:
        yield http


@pytest.fixture
def fresh(server: FakeGraphServer) -> FakeGraphServer:
    server.reset()
    return server


def bearer(scenario_or_token: str) -> dict[str, str]:
    token = TOKENS.get(scenario_or_token, scenario_or_token)
    return {"Authorization": f"Bearer {token}"}


def get(client: httpx.Client, path: str, scenario: str, **params: str) -> httpx.Response:
    return client.get(path, headers=bearer(scenario), params=params)


def inspect(client: httpx.Client, scenario: str, caller: str | None = None) -> httpx.Response:
    """debug_token of a scenario's token, as itself or as `caller`."""
    return get(client, "debug_token", caller or scenario, input_token=TOKENS[scenario])


def error_of(response: httpx.Response) -> dict[str, Any]:
    error = response.json()["error"]
    assert re.fullmatch(r"A[\w-]{22}", error["fbtrace_id"])
    return error


def wait_until(condition: Callable[[], bool], timeout: float = 2.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition never became true"
        time.sleep(0.01)


# -- tokens -------------------------------------------------------------------------------------


def test_demo_tokens_follow_the_naming_rules() -> None:
    assert set(LIVE) | {"expired", "revoked", "malformed", "many", "hang"} <= set(TOKENS)
    for token in TOKENS.values():
        assert token.startswith("EAAFake") and 48 <= len(token) <= 72
        assert re.fullmatch(r"[A-Za-z0-9]+", token)
        assert not re.search(r"[A-Za-z1-9]{41}", token), "needs a 0 at least every 40 chars"
    assert len({token[-4:] for token in TOKENS.values()}) == len(TOKENS)
    assert APP_TOKEN == f"{APP_ID}|{APP_SECRET}" and len(APP_SECRET) >= 32


# -- debug_token --------------------------------------------------------------------------------

LIVE = {  # scenario: (type, expires in, issued ago, extra scopes, target_ids)
    "valid": ("SYSTEM_USER", 0, 10 * DAY, [], [WABA_A, WABA_B]),
    "admin": ("SYSTEM_USER", 0, 10 * DAY, [], None),
    "expiring": ("SYSTEM_USER", 60 * DAY, 10 * DAY, [], [WABA_A, WABA_B]),
    "expiring_soon": ("SYSTEM_USER", 5 * DAY, 10 * DAY, [], [WABA_A, WABA_B]),
    "temporary": ("USER", 23 * HOUR, HOUR, ["public_profile"], [WABA_A]),
    "exchanged": ("USER", 60 * DAY, 0, ["public_profile"], [WABA_A]),
    "no_account": ("SYSTEM_USER", 0, 10 * DAY, [], []),
    "no_phone": ("SYSTEM_USER", 0, 10 * DAY, [], [WABA_A]),
    "extra_permissions": (
        "SYSTEM_USER",
        0,
        10 * DAY,
        ["business_management", "ads_management"],
        [WABA_A, WABA_B],
    ),
    "old": ("SYSTEM_USER", 0, 200 * DAY, [], [WABA_A, WABA_B]),
    "rate_limited_waba": ("SYSTEM_USER", 0, 10 * DAY, [], [WABA_A]),
    "paging": ("SYSTEM_USER", 0, 10 * DAY, [], [WABA_A]),
    "paging_loop": ("SYSTEM_USER", 0, 10 * DAY, [], [WABA_A]),
}


@pytest.mark.parametrize("scenario", sorted(LIVE))
def test_self_inspection_of_live_tokens(client: httpx.Client, scenario: str) -> None:
    token_type, expires_in, issued_ago, extra_scopes, targets = LIVE[scenario]
    response = inspect(client, scenario)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    data, now = response.json()["data"], time.time()
    assert data["is_valid"] is True and data["app_id"] == APP_ID and data["type"] == token_type
    assert data["scopes"] == WHATSAPP + extra_scopes
    expected_expiry = now + expires_in if expires_in else 0
    assert abs(data["expires_at"] - expected_expiry) < 5
    assert abs(data["issued_at"] - (now - issued_ago)) < 5
    assert [g["scope"] for g in data["granular_scopes"]] == WHATSAPP
    for grant in data["granular_scopes"]:
        assert grant.get("target_ids", "absent") == ("absent" if targets is None else targets)
    if token_type == "SYSTEM_USER" and not expires_in:
        assert data["data_access_expires_at"] == 0 and data["user_id"] == "61570785020842"


def test_missing_messaging_and_many_grants(client: httpx.Client) -> None:
    data = inspect(client, "missing_messaging").json()["data"]
    assert data["scopes"] == ["whatsapp_business_management"]
    assert data["granular_scopes"] == [
        {"scope": "whatsapp_business_management", "target_ids": [WABA_A]}
    ]
    many = inspect(client, "many").json()["data"]["granular_scopes"][0]["target_ids"]
    assert len(many) == 20 and many[0] == "2000000000000000"


@pytest.mark.parametrize(
    ("scenario", "subcode", "words"),
    [
        ("expired", 463, "Session has expired on"),
        (
            "revoked",
            460,
            "The session has been invalidated because the user changed their password",
        ),
    ],
)
def test_dead_tokens(client: httpx.Client, scenario: str, subcode: int, words: str) -> None:
    own = inspect(client, scenario)
    assert own.status_code == 400
    error = error_of(own)
    assert (error["code"], error["error_subcode"]) == (190, subcode)
    assert error["type"] == "OAuthException"
    assert words in error["message"]
    assert get(client, "me", scenario).status_code == 400
    send = client.post(f"{PHONE_A1}/messages", headers=bearer(scenario), json=HELLO)
    assert send.status_code == 401 and error_of(send)["error_subcode"] == subcode
    by_app = inspect(client, scenario, caller=APP_TOKEN)
    assert by_app.status_code == 200
    data = by_app.json()["data"]
    assert data["is_valid"] is False and data["error"]["code"] == 190
    assert data["error"]["subcode"] == subcode and words in data["error"]["message"]
    assert data["scopes"] == [] and data["type"] == "USER"


@pytest.mark.parametrize("token", [TOKENS["malformed"], "EAAGnotarealtoken", "Bearer x"])
def test_malformed_and_unknown_tokens(client: httpx.Client, token: str) -> None:
    response = client.get("me", params={"access_token": token})
    error = error_of(response)
    assert response.status_code == 400 and error["code"] == 190 and "error_subcode" not in error
    assert error["message"] == "Invalid OAuth access token - Cannot parse access token"
    by_app = client.get("debug_token", headers=bearer(APP_TOKEN), params={"input_token": token})
    assert by_app.status_code == 200
    assert by_app.json() == {
        "data": {
            "error": {
                "code": 190,
                "message": "Invalid OAuth access token - Cannot parse access token",
            },
            "is_valid": False,
            "scopes": [],
        }
    }


def test_debug_token_without_input_token_is_code_100(client: httpx.Client) -> None:
    response = get(client, "debug_token", "valid")
    assert response.status_code == 400 and error_of(response)["code"] == 100


# -- auth, paths, logging -----------------------------------------------------------------------


def test_query_token_wins_over_header(client: httpx.Client) -> None:
    query_valid = client.get(
        "me", headers=bearer("malformed"), params={"access_token": TOKENS["valid"]}
    )
    assert query_valid.status_code == 200
    query_bad = client.get("me", headers=bearer("valid"), params={"access_token": "nonsense"})
    assert query_bad.status_code == 400 and error_of(query_bad)["code"] == 190


@pytest.mark.parametrize("prefix", ["/v26.0", "/v19.0", "/v27.0", ""])
def test_any_version_prefix_or_none(server: FakeGraphServer, prefix: str) -> None:
    response = httpx.get(f"{server.url}{prefix}/me", headers=bearer("valid"))
    assert response.status_code == 200
    assert response.json() == {"id": "61570785020842", "name": "wa-token system user"}
    assert response.headers["x-fb-trace-id"]


@pytest.mark.parametrize(("path", "shown"), [("foo", "/foo"), (f"{WABA_A}/foo", "/foo")])
def test_unknown_path(client: httpx.Client, path: str, shown: str) -> None:
    response = get(client, path, "valid")
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == 2500 and error["message"] == f"Unknown path components: {shown}"


def test_every_error_has_a_fresh_trace_id(client: httpx.Client) -> None:
    traces = {error_of(get(client, "foo", "valid"))["fbtrace_id"] for _ in range(3)}
    assert len(traces) == 3


def test_requests_are_recorded(client: httpx.Client, fresh: FakeGraphServer) -> None:
    get(client, "me", "valid", fields="id,name")
    client.post(f"{PHONE_A1}/messages", headers=bearer("valid"), json=HELLO)
    first, second = fresh.requests
    assert (first.method, first.path, first.query) == ("GET", "/v26.0/me", {"fields": ["id,name"]})
    assert first.headers["authorization"] == f"Bearer {TOKENS['valid']}"
    assert (second.method, second.path) == ("POST", f"/v26.0/{PHONE_A1}/messages")
    assert json.loads(second.body) == HELLO
    fresh.reset()
    assert fresh.requests == []


def test_keep_alive_reuses_the_connection(server: FakeGraphServer) -> None:
    connection = http.client.HTTPConnection(urlsplit(server.url).netloc, timeout=5)
    try:
        statuses = []
        for path in ("/v26.0/me", "/v26.0/foo", "/v26.0/me"):
            connection.request("GET", path, headers=bearer("valid"))
            response = connection.getresponse()
            response.read()
            statuses.append(response.status)
            socket_in_use = connection.sock
            assert socket_in_use is not None and not response.will_close
        assert statuses == [200, 400, 200]
    finally:
        connection.close()


# -- accounts, numbers, messages ------------------------------------------------------------------


def test_valid_token_reads_accounts_and_numbers(client: httpx.Client) -> None:
    fields = "id,name,currency,timezone_id,message_template_namespace,account_review_status"
    account = get(client, WABA_A, "valid", fields=fields)
    assert account.status_code == 200
    assert account.json()["name"] == "Acme Support" and account.json()["timezone_id"] == "1"
    usage = json.loads(account.headers["x-business-use-case-usage"])
    assert usage[WABA_A][0]["estimated_time_to_regain_access"] == 0
    numbers = get(client, f"{WABA_A}/phone_numbers", "valid").json()["data"]
    assert [n["id"] for n in numbers] == [PHONE_A1, PHONE_A2]
    assert numbers[0]["quality_rating"] == "GREEN" and "last_onboarded_time" not in numbers[1]
    assert numbers[1]["display_phone_number"] == "15550783881"
    only = get(client, f"{WABA_B}/phone_numbers", "valid", fields="id,quality_rating").json()
    assert only["data"] == [{"id": PHONE_B1, "quality_rating": "YELLOW"}]
    phone = get(client, PHONE_A1, "valid").json()
    assert phone["display_phone_number"] == "+1 555-010-4477" and "data" not in phone


def test_fields_and_unknown_ids(client: httpx.Client) -> None:
    picked = get(client, WABA_A, "valid", fields="name").json()
    assert picked == {"id": WABA_A, "name": "Acme Support"}
    bad_field = get(client, WABA_A, "valid", fields="id,foo")
    assert bad_field.status_code == 400 and error_of(bad_field)["message"] == (
        "(#100) Tried accessing nonexisting field (foo) on node type (WhatsAppBusinessAccount)"
    )
    unknown = get(client, "999999999999", "valid")
    error = error_of(unknown)
    assert unknown.status_code == 400 and (error["code"], error["error_subcode"]) == (100, 33)


def test_admin_finds_accounts_through_the_business(client: httpx.Client) -> None:
    businesses = get(client, "me/businesses", "admin", fields="id,name").json()
    assert businesses["data"] == [{"id": BUSINESS, "name": "Acme Inc"}]
    owned = get(client, f"{BUSINESS}/owned_whatsapp_business_accounts", "admin", fields="id,name")
    assert [a["id"] for a in owned.json()["data"]] == [WABA_A, WABA_B]
    client_side = get(client, f"{BUSINESS}/client_whatsapp_business_accounts", "admin")
    assert client_side.json() == {"data": []}
    assert get(client, f"{WABA_B}/phone_numbers", "admin").status_code == 200


def test_no_account(client: httpx.Client) -> None:
    account = get(client, WABA_A, "no_account")
    error = error_of(account)
    assert account.status_code == 400 and error["type"] == "GraphMethodException"
    assert (error["code"], error["error_subcode"]) == (100, 33)
    assert f"Object with ID '{WABA_A}' does not exist" in error["message"]
    numbers = get(client, f"{WABA_A}/phone_numbers", "no_account")
    assert numbers.status_code == 403 and error_of(numbers)["code"] == 200
    businesses = get(client, "me/businesses", "no_account")
    assert businesses.status_code == 403 and error_of(businesses)["code"] == 200


def test_no_phone_and_permissions(client: httpx.Client) -> None:
    assert get(client, f"{WABA_A}/phone_numbers", "no_phone").json() == {"data": []}
    assert get(client, WABA_B, "no_phone").status_code == 400
    permissions = get(client, "me/permissions", "temporary").json()["data"]
    assert {"permission": "public_profile", "status": "granted"} in permissions


def test_messages(client: httpx.Client) -> None:
    sent = client.post(f"{PHONE_A1}/messages", headers=bearer("valid"), json=HELLO)
    assert sent.status_code == 200
    body = sent.json()
    assert body["contacts"] == [{"input": "15551234567", "wa_id": "15551234567"}]
    assert body["messages"][0]["id"].startswith("wamid.")
    blocked = client.post(
        f"{PHONE_A1}/messages", headers=bearer("valid"), json={**HELLO, "to": "15550000000"}
    )
    assert blocked.status_code == 400 and error_of(blocked)["code"] == 131030
    assert error_of(blocked)["error_data"]["messaging_product"] == "whatsapp"
    template = {**HELLO, "template": {"name": "nope", "language": {"code": "en_US"}}}
    missing = client.post(f"{PHONE_A1}/messages", headers=bearer("valid"), json=template)
    assert missing.status_code == 404 and error_of(missing)["code"] == 132001
    denied = client.post(f"{PHONE_A1}/messages", headers=bearer("missing_messaging"), json=HELLO)
    assert denied.status_code == 403 and error_of(denied)["code"] == 200
    assert get(client, WABA_A, "missing_messaging").status_code == 200


# -- token exchange -------------------------------------------------------------------------------


def exchange(client: httpx.Client, method: str, **overrides: str) -> httpx.Response:
    params = {
        "grant_type": "fb_exchange_token",
        "client_id": APP_ID,
        "client_secret": APP_SECRET,
        "fb_exchange_token": TOKENS["temporary"],
        **overrides,
    }
    if method == "GET":
        return client.get("oauth/access_token", params=params)
    return client.post("oauth/access_token", data=params)


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_token_exchange(client: httpx.Client, method: str) -> None:
    response = exchange(client, method)
    assert response.status_code == 200
    assert response.json() == {
        "access_token": TOKENS["exchanged"],
        "token_type": "bearer",
        "expires_in": 5183944,
    }
    wrong_secret = error_of(exchange(client, method, client_secret="x" * 32))
    assert (wrong_secret["code"], wrong_secret["message"]) == (1, "Error validating client secret.")
    assert error_of(exchange(client, method, client_id="123"))["code"] == 101
    expired = error_of(exchange(client, method, fb_exchange_token=TOKENS["expired"]))
    assert (expired["code"], expired["error_subcode"]) == (190, 463)


# -- paging ---------------------------------------------------------------------------------------


def test_paging_follows_three_pages(client: httpx.Client, server: FakeGraphServer) -> None:
    fields = "id,display_phone_number"
    page = get(client, f"{WABA_A}/phone_numbers", "paging", fields=fields).json()
    sizes, ids = [], []
    for _ in range(5):
        sizes.append(len(page["data"]))
        ids += [row["id"] for row in page["data"]]
        next_url = page["paging"].get("next")
        if next_url is None:
            break
        assert next_url.startswith(f"{server.url}/v26.0/{WABA_A}/phone_numbers?")
        query = parse_qs(urlsplit(next_url).query)
        assert query["fields"] == [fields] and query["after"] and "access_token" not in query
        page = client.get(next_url, headers=bearer("paging")).json()
    assert sizes == [2, 2, 1] and len(set(ids)) == 5


def test_paging_loop_points_back_to_the_same_page(client: httpx.Client) -> None:
    first = get(client, f"{WABA_A}/phone_numbers", "paging_loop").json()
    second = client.get(first["paging"]["next"], headers=bearer("paging_loop")).json()
    assert second["data"] == first["data"]
    assert second["paging"]["next"] == first["paging"]["next"]


# -- failure modes --------------------------------------------------------------------------------


def test_flaky_fails_once_per_path(client: httpx.Client, fresh: FakeGraphServer) -> None:
    first = get(client, "me", "flaky")
    error = error_of(first)
    assert first.status_code == 503 and error["code"] == 2 and error["is_transient"] is True
    assert get(client, "me", "flaky").status_code == 200
    assert get(client, WABA_A, "flaky").status_code == 503
    assert get(client, WABA_A, "flaky").status_code == 200
    fresh.reset()
    assert get(client, "me", "flaky").status_code == 503


def test_rate_limits(client: httpx.Client) -> None:
    limited = get(client, "me", "rate_limited")
    error = error_of(limited)
    assert limited.status_code == 400 and (error["code"], error["is_transient"]) == (4, True)
    assert json.loads(limited.headers["x-app-usage"])["call_count"] == 100
    assert inspect(client, "rate_limited_waba").status_code == 200
    for path in (WABA_A, f"{WABA_A}/phone_numbers"):
        waba = get(client, path, "rate_limited_waba")
        assert waba.status_code == 400 and error_of(waba)["code"] == 80007
        usage = json.loads(waba.headers["x-business-use-case-usage"])
        assert usage[WABA_A][0]["estimated_time_to_regain_access"] == 15


def test_server_errors(client: httpx.Client) -> None:
    broken = get(client, "me", "server_error")
    assert broken.status_code == 500 and error_of(broken)["code"] == 1
    gateway = inspect(client, "bad_gateway")
    assert gateway.status_code == 502 and gateway.headers["content-type"].startswith("text/html")
    assert gateway.text == "<html><body>Bad Gateway</body></html>"
    truncated = get(client, "me", "truncated_json")
    assert truncated.status_code == 200 and "json" in truncated.headers["content-type"]
    with pytest.raises(json.JSONDecodeError):
        truncated.json()


def test_failure_modes_apply_when_the_app_token_inspects(client: httpx.Client) -> None:
    assert inspect(client, "server_error", caller=APP_TOKEN).status_code == 500


def test_drop_closes_after_the_headers(client: httpx.Client, server: FakeGraphServer) -> None:
    with pytest.raises(httpx.RemoteProtocolError):
        get(client, "me", "drop")
    assert get(client, "me", "valid").status_code == 200
    host, port = urlsplit(server.url).netloc.split(":")
    with socket.create_connection((host, int(port)), timeout=5) as raw:
        raw.sendall(
            f"GET /me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKENS['drop']}"
            "\r\n\r\n".encode()
        )
        received = b""
        while chunk := raw.recv(4096):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200") and b"Content-Length: " in head and body == b""


def test_slow_answers_like_valid_after_the_delay(client: httpx.Client) -> None:
    started = time.monotonic()
    response = inspect(client, "slow")
    assert time.monotonic() - started >= 0.3
    assert response.status_code == 200 and response.json()["data"]["type"] == "SYSTEM_USER"


def test_hang_never_answers_and_stop_is_prompt() -> None:
    threads_before = threading.active_count()
    fake = FakeGraphServer().start()
    outcome: list[object] = []

    def call() -> None:
        with httpx.Client(timeout=10) as http:
            try:
                outcome.append(http.get(f"{fake.url}/v26.0/me", headers=bearer("hang")))
            except httpx.HTTPError as exc:
                outcome.append(exc)

    caller = threading.Thread(target=call)
    caller.start()
    wait_until(lambda: len(fake.requests) == 1)
    later = httpx.get(f"{fake.url}/v26.0/me", headers=bearer("valid"), timeout=10)
    assert later.status_code == 200  # a call made after the hanging one is answered; it is not
    assert outcome == [] and fake.requests[0].path == "/v26.0/me"
    started = time.monotonic()
    fake.stop()
    assert time.monotonic() - started < 2
    caller.join(timeout=2)
    assert not caller.is_alive() and isinstance(outcome[0], httpx.HTTPError)
    wait_until(lambda: threading.active_count() <= threads_before)  # the handler woke up too


def test_latency_delays_every_answer() -> None:
    with FakeGraphServer(latency=0.2) as fake:
        started = time.monotonic()
        response = httpx.get(f"{fake.url}/me", headers=bearer("valid"))
        assert time.monotonic() - started >= 0.2 and response.status_code == 200


def test_latency_includes_the_fakes_own_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """An answer takes `latency` from the moment the request came in, as Graph's would: the
    fake's work on it (milliseconds for a 50-id lookup) is part of that time, not added."""
    fake = FakeGraphServer(latency=0.2)
    moments = iter([100.0, 100.15])  # the request comes in; the reply is ready 150 ms later
    monkeypatch.setattr(fake_server, "time", SimpleNamespace(monotonic=lambda: next(moments)))
    waits: list[float] = []
    monkeypatch.setattr(fake, "_wait", waits.append)
    reply = fake.answer(
        "GET", "/v26.0/me", {"authorization": bearer("valid")["Authorization"]}, b""
    )
    assert reply is not None and reply.status == 200
    assert waits == [pytest.approx(0.05)]  # the rest of the 200 ms, once


def test_accounts_sets_how_many_wabas_valid_reaches() -> None:
    with FakeGraphServer(accounts=5) as fake, httpx.Client(base_url=fake.url) as http:
        targets = inspect(http, "valid").json()["data"]["granular_scopes"][0]["target_ids"]
        assert len(targets) == 5
        assert inspect(http, "many").json()["data"]["granular_scopes"][0]["target_ids"] == targets
        for waba in targets:
            assert get(http, waba, "valid").status_code == 200
            assert len(get(http, f"{waba}/phone_numbers", "valid").json()["data"]) == 3


# -- command line ---------------------------------------------------------------------------------


def test_command_line_prints_the_url_and_tokens() -> None:
    command = [sys.executable, "-m", "wizard.testing.fake_graph", "--port", "0"]
    with subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True) as process:
        watchdog = threading.Timer(10, process.kill)
        watchdog.start()
        try:
            assert process.stdout is not None
            first, output = process.stdout.readline(), ""
            while "Ctrl-C" not in output and (line := process.stdout.readline()):
                output += line
            url = re.search(r"http://127\.0\.0\.1:\d+", first)
            assert url, first
            assert httpx.get(f"{url.group()}/v26.0/me", headers=bearer("valid")).status_code == 200
        finally:
            watchdog.cancel()
            process.terminate()
    for name, token in TOKENS.items():
        assert re.search(rf"^\s*{name}\s+{token}$", output, re.MULTILINE)
    assert f"export WHATSAPP_GRAPH_URL={url.group()}" in output


def test_command_line_lists_the_admin_tokens_too() -> None:
    """Failed before: the banner had the 46 check tokens and none of the admin ones."""
    from wizard.testing.fake_admins import ADMIN_TOKENS

    command = [sys.executable, "-m", "wizard.testing.fake_graph", "--port", "0"]
    with subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True) as process:
        watchdog = threading.Timer(10, process.kill)
        watchdog.start()
        try:
            assert process.stdout is not None
            output = ""
            while "Ctrl-C" not in output and (line := process.stdout.readline()):
                output += line
        finally:
            watchdog.cancel()
            process.terminate()
    for name, token in ADMIN_TOKENS.items():
        assert re.search(rf"^\s*{name}\s+{token}$", output, re.MULTILINE), name
    assert f"export WHATSAPP_APP_ID={APP_ID} WHATSAPP_APP_SECRET={APP_SECRET}" in output
    assert f"printf '%s' {ADMIN_TOKENS['admin']} | wa-token provision --plan" in output


def test_the_readme_names_the_module_that_holds_the_admin_tokens() -> None:
    """Failed before: README said `wizard.testing.fake_business.ADMIN_TOKENS`."""
    readme = (ROOT / "README.md").read_text()
    named = re.findall(r"`(wizard\.testing\.[\w.]+)\.ADMIN_TOKENS`", readme)
    assert named
    for module in named:
        assert importlib.import_module(module).ADMIN_TOKENS


def _number_read(server: FakeGraphServer, token: str, phone_id: str) -> dict[str, Any]:
    fields = "platform_type,status,code_verification_status,health_status"
    url = f"{server.url}/v27.0/{phone_id}?fields={fields}"
    reply = httpx.get(url, headers={"Authorization": f"Bearer {token}"})
    assert reply.status_code == 200, reply.text
    return dict(reply.json())


def test_a_number_registered_with_the_right_pin_then_reads_as_registered() -> None:
    from wizard.testing.fake_register import REGISTER_PIN

    token, phone_id = TOKENS["number_unregistered"], "106540352242922"
    with FakeGraphServer() as server:
        before = _number_read(server, token, phone_id)
        assert before["platform_type"] == "NOT_APPLICABLE" and before["status"] == "PENDING"
        wrong = httpx.post(
            f"{server.url}/v27.0/{phone_id}/register",
            json={"messaging_product": "whatsapp", "pin": "135791"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert wrong.status_code == 400
        assert _number_read(server, token, phone_id)["platform_type"] == "NOT_APPLICABLE"
        good = httpx.post(
            f"{server.url}/v27.0/{phone_id}/register",
            json={"messaging_product": "whatsapp", "pin": REGISTER_PIN},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert good.json() == {"success": True}
        after = _number_read(server, token, phone_id)
        assert after["platform_type"] == "CLOUD_API" and after["status"] == "CONNECTED"
        assert after["code_verification_status"] == "VERIFIED"
        assert after["health_status"]["can_send_message"] == "AVAILABLE"
        server.reset()
        assert _number_read(server, token, phone_id)["platform_type"] == "NOT_APPLICABLE"
