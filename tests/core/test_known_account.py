"""A configured WhatsApp Business Account is read beside debug_token and /me (one level, not
two); whether the token reaches it is decided from the answers exactly as before."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.support.graph_shapes import ACCOUNT, DEBUG_DATA, ME, NUMBER, WABA
from wizard.core.check import inspect_token
from wizard.core.diagnose import LocalFacts, diagnose
from wizard.core.graph import GraphClient
from wizard.core.token import SecretToken
from wizard.testing.fake_graph import TOKENS, WABA_A, WABA_B, FakeGraphServer

GRAPH = "https://graph.test"
TOKEN = SecretToken("EAAFake0KnownAccount0MockTransport0Token0000000000wxyz")
MISSING = "102290129340300"
"""A WABA id no one has."""
BOUND = 5.0
"""How long debug_token's answer waits for the account read to arrive (only when it never does)."""


def _graph(
    debug: dict[str, Any], seen: list[str], account_came: threading.Event
) -> Callable[[httpx.Request], httpx.Response]:
    """debug_token answers only once the account read has arrived (or after BOUND seconds)."""

    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/v27.0/")
        if path == "debug_token":
            seen.append("debug_token:" + ("with" if account_came.wait(BOUND) else "before"))
            return httpx.Response(200, json={"data": debug})
        if path == "me":
            return httpx.Response(200, json=ME)
        if path == WABA:
            account_came.set()
            seen.append("account")
            numbers = {"data": [NUMBER], "paging": {"cursors": {"before": "a", "after": "b"}}}
            return httpx.Response(200, json={**ACCOUNT, "phone_numbers": numbers})
        seen.append(f"other:{path}")
        return httpx.Response(400, json={"error": {"message": "unknown", "code": 2500}})

    return handler


def _inspect(debug: dict[str, Any], expected: str | None) -> tuple[Any, list[str]]:
    seen: list[str] = []
    transport = httpx.MockTransport(_graph(debug, seen, threading.Event()))
    with GraphClient(GRAPH, transport=transport, retry_backoff=0.0) as client:
        return inspect_token(client, TOKEN, expected_account_id=expected), seen


def test_the_configured_account_is_asked_for_beside_debug_token() -> None:
    graph, seen = _inspect(DEBUG_DATA, WABA)
    assert "debug_token:with" in seen, seen  # it had arrived before debug_token answered
    assert seen.count("account") == 1 and not [s for s in seen if s.startswith("other")]
    assert [a.id for a in graph.accounts] == [WABA] and graph.accounts[0].phone_numbers


def test_without_a_configured_account_the_accounts_wait_for_debug_token() -> None:
    seen: list[str] = []
    came = threading.Event()
    came.set()  # nothing to wait for: this run only looks at the order
    transport = httpx.MockTransport(_graph(DEBUG_DATA, seen, came))
    with GraphClient(GRAPH, transport=transport) as client:
        graph = inspect_token(client, TOKEN)
    assert seen == ["debug_token:with", "account"]  # discovered from granular_scopes
    assert [a.id for a in graph.accounts] == [WABA]


def test_a_dead_token_reports_no_account_although_the_read_went_out() -> None:
    graph, _ = _inspect({**DEBUG_DATA, "is_valid": False, "error": {"code": 190}}, WABA)
    assert graph.accounts == () and graph.account_errors == ()


# -- the verdict on the configured account, as before ------------------------------------------


@pytest.mark.parametrize(
    ("scenario", "configured", "problems", "listed"),
    [
        ("valid", WABA_A, [], [WABA_A, WABA_B]),  # granular_scopes list it, and one more
        ("valid", WABA_B, [], [WABA_A, WABA_B]),
        ("valid", MISSING, ["no_whatsapp_account"], [WABA_A, WABA_B]),  # not listed, unreadable
        ("no_account", WABA_A, ["no_whatsapp_account"], []),  # target_ids empty: refused
        ("account_read_200", WABA_A, ["missing_permission"], []),  # the read is refused
        ("account_read_10", WABA_A, ["missing_permission"], []),
        ("sparse_system_user", WABA_A, [], [WABA_A, WABA_B]),  # real shape: no granular_scopes
        ("no_business_management", WABA_A, [], [WABA_A]),  # the listing is refused: read directly
        ("no_business_management", MISSING, ["no_whatsapp_account"], []),
        ("expired", WABA_A, ["token_expired"], []),
        ("rate_limited_waba", WABA_A, ["rate_limited"], []),
    ],
)
def test_the_verdict_on_the_configured_account_is_decided_from_the_answers(
    scenario: str, configured: str, problems: list[str], listed: list[str]
) -> None:
    with FakeGraphServer() as server, GraphClient(server.url, retry_backoff=0.0) as client:
        graph = inspect_token(client, SecretToken(TOKENS[scenario]), expected_account_id=configured)
    local = LocalFacts(now=_now(), expected_account_id=configured)
    diagnosis = diagnose(graph, local)
    assert [p.code for p in diagnosis.problems] == problems
    assert sorted(a.id for a in graph.accounts) == listed


def test_the_configured_account_is_read_once_when_the_grants_list_it() -> None:
    with FakeGraphServer() as server, GraphClient(server.url) as client:
        inspect_token(client, SecretToken(TOKENS["valid"]), expected_account_id=WABA_A)
        reads = [r for r in server.requests if r.path.endswith(WABA_A) or WABA_A in str(r.query)]
    assert len(reads) == 1  # alone, at the first level; WABA_B alone after debug_token


def _now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)


def test_another_accounts_failure_does_not_turn_the_configured_accounts_verdict() -> None:
    other = "102290129340377"
    debug = {
        **DEBUG_DATA,
        "granular_scopes": [
            {"scope": s, "target_ids": [WABA, other]}
            for s in ("whatsapp_business_management", "whatsapp_business_messaging")
        ],
    }

    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/v27.0/")
        if path == "debug_token":
            return httpx.Response(200, json={"data": debug})
        if path == WABA:
            return httpx.Response(200, json={**ACCOUNT, "phone_numbers": {"data": [NUMBER]}})
        if path == other:
            return httpx.Response(500, json={"error": {"message": "x", "code": 1}})
        return httpx.Response(200, json=ME)

    transport = httpx.MockTransport(handler)
    with GraphClient(GRAPH, transport=transport, retry_backoff=0.0) as client:
        graph = inspect_token(client, TOKEN, expected_account_id=WABA)
    diagnosis = diagnose(graph, LocalFacts(now=_now(), expected_account_id=WABA))
    assert [a.id for a in graph.accounts] == [WABA] and graph.account_errors[0][0] == other
    assert diagnosis.ok and diagnosis.exit_code == 0
