"""Accounts and their numbers in ceil(K/50) requests: `?ids=` with field expansion, the per-id
fallback, nested paging, ids validated before they reach a URL, and the counts through the CLI."""

from __future__ import annotations

import io
import json
import math
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from wizard.cli import run as cli
from wizard.core.errors import GraphApiError, GraphBadResponse
from wizard.core.graph import GRAPH_VERSION, BusinessAccount, GraphClient
from wizard.core.graph.constants import account_with_numbers_fields
from wizard.core.token import SecretToken
from wizard.testing.fake_graph import TOKENS, WABA_A, WABA_B, FakeGraphServer
from wizard.testing.traffic import CountingFakeGraphServer

GRAPH = "https://graph.test"
TOKEN = SecretToken("EAAFake0Batches0MockTransport0Token00000000000000wxyz")
MISSING = "102290129340300"
"""A WABA id no one has (the fake answers 803 in a lookup, 100/33 alone)."""


def _accounts(url: str, token: str, ids: list[str]) -> list[Any]:
    with GraphClient(url, retry_backoff=0.0) as client:
        return client.accounts_with_numbers(SecretToken(token), ids)


# -- through the CLI: requests and connections per K ----------------------------------------------


@pytest.mark.parametrize("accounts", [1, 5, 20, 50, 200])
def test_check_reads_k_accounts_in_ceil_k_over_50_requests_over_few_connections(
    accounts: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    with CountingFakeGraphServer(accounts=accounts) as server:
        out, err = io.StringIO(), io.StringIO()
        code = cli.main(
            ["check", "--json", "-"],
            environ={"WHATSAPP_GRAPH_URL": server.url},
            stdin=io.StringIO(TOKENS["many"]),
            stdout=out,
            stderr=err,
        )
        traffic = server.traffic
    body = json.loads(out.getvalue())
    assert code == 0, err.getvalue()
    listed = body["whatsapp_business_accounts"]
    assert len(listed) == accounts and all(len(a["phone_numbers"]) == 3 for a in listed)
    lookups = math.ceil(accounts / 50)
    assert traffic.requests == 2 + lookups  # debug_token and /me, then the lookups
    # debug_token and /me open two connections; the lookups reuse them (one each beyond two)
    assert traffic.connections <= max(2, lookups)


# -- the per-id fallback --------------------------------------------------------------------------


def test_one_unreadable_id_makes_each_id_be_read_alone() -> None:
    with FakeGraphServer() as server:
        results = _accounts(server.url, TOKENS["admin"], [WABA_A, MISSING, WABA_B])
        paths = [r.path for r in server.requests]
        lookups = [r for r in server.requests if "ids" in r.query]
    assert isinstance(results[0], BusinessAccount) and results[0].id == WABA_A
    assert isinstance(results[2], BusinessAccount) and len(results[2].phone_numbers) == 1
    assert isinstance(results[1], GraphApiError) and results[1].code == 100  # its own error
    assert len(lookups) == 1 and sorted(paths[1:]) == sorted(
        f"/v27.0/{i}" for i in (WABA_A, MISSING, WABA_B)
    )


def test_an_error_every_id_shares_is_not_asked_again_id_by_id() -> None:
    with FakeGraphServer() as server:
        results = _accounts(server.url, TOKENS["rate_limited"], [WABA_A, WABA_B])
        requests = len(server.requests)
    assert all(isinstance(r, GraphApiError) and r.code == 4 for r in results)
    assert requests == 2  # the lookup and its one retry, no per-id reads


def test_a_wrong_configured_account_is_read_alone_and_the_rest_in_one_lookup(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    with CountingFakeGraphServer(accounts=20) as server:
        out = io.StringIO()
        code = cli.main(
            ["check", "--json", "-"],
            stdin=io.StringIO(TOKENS["many"]),
            stdout=out,
            stderr=io.StringIO(),
            environ={"WHATSAPP_GRAPH_URL": server.url, "WHATSAPP_BUSINESS_ACCOUNT_ID": MISSING},
        )
        traffic = server.traffic
    body = json.loads(out.getvalue())
    assert code == 1 and [p["code"] for p in body["problems"]] == ["no_whatsapp_account"]
    assert len(body["whatsapp_business_accounts"]) == 20
    assert traffic.requests == 2 + 1 + 1  # debug_token, /me, the lookup, the configured id


# -- nested paging --------------------------------------------------------------------------------


def test_the_nested_phone_numbers_edge_is_followed_past_its_first_page() -> None:
    with FakeGraphServer() as server:
        [account] = _accounts(server.url, TOKENS["paging"], [WABA_A])
        followed = [r for r in server.requests if r.path.endswith("/phone_numbers")]
    assert isinstance(account, BusinessAccount) and len(account.phone_numbers) == 5
    assert len(followed) == 2  # pages of 2: the nested one, then two more


def _lookup_graph(
    bodies: dict[str, Any], seen: list[httpx.Request]
) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if "ids" in request.url.params:
            ids = request.url.params["ids"].split(",")
            return httpx.Response(200, json={i: bodies[i] for i in ids if i in bodies})
        after = request.url.params.get("after", "")
        return httpx.Response(200, json=bodies.get(f"page{after}", {"data": []}))

    return handler


def _lookup(bodies: dict[str, Any], ids: list[str]) -> tuple[list[Any], list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def go() -> list[Any]:
        transport = httpx.MockTransport(_lookup_graph(bodies, seen))
        with GraphClient(GRAPH, transport=transport) as client:
            return client.accounts_with_numbers(TOKEN, ids)

    return go(), seen


def test_nested_paging_in_a_lookup_stays_on_the_graph_host_without_the_token_in_the_url() -> None:
    first = {
        "data": [{"id": "1"}],
        "paging": {"next": f"{GRAPH}/v27.0/11/phone_numbers?access_token={TOKEN.reveal()}&after=2"},
    }
    bodies = {
        "11": {"id": "11", "name": "A", "phone_numbers": first},
        "22": {
            "id": "22",
            "phone_numbers": {
                "data": [{"id": "3"}],
                "paging": {"next": "https://evil.test/v27.0/22/phone_numbers?after=9"},
            },
        },
        "page2": {"data": [{"id": "2"}]},
    }
    results, seen = _lookup(bodies, ["11", "22"])
    assert [n.id for n in results[0].phone_numbers] == ["1", "2"]
    assert [n.id for n in results[1].phone_numbers] == ["3"]
    assert {r.url.host for r in seen} == {"graph.test"}
    assert all("access_token" not in str(r.url) for r in seen)
    assert seen[0].url.params["fields"] == account_with_numbers_fields(GRAPH_VERSION)


def test_ids_are_checked_before_the_lookup_and_a_missing_answer_fails_only_its_id() -> None:
    hostile = ["../me", "1,2", "https://evil.test/", "12 34"]
    bodies = {"11": {"id": "11"}}
    results, seen = _lookup(bodies, ["11", *hostile, "22"])
    assert [r.url.params["ids"] for r in seen] == ["11,22"]
    assert isinstance(results[0], BusinessAccount) and results[0].phone_numbers == ()
    assert all(isinstance(r, GraphBadResponse) for r in results[1:])


def test_an_edge_without_its_data_list_is_not_graphs_answer() -> None:
    results, _ = _lookup(
        {"11": {"id": "11", "phone_numbers": {"data": "x"}}, "22": {"id": "22"}}, ["11", "22"]
    )
    assert isinstance(results[0], GraphBadResponse) and isinstance(results[1], BusinessAccount)


# -- the fake speaks `?ids=` and field expansion as Graph does -------------------------------------


def _get(server: FakeGraphServer, path: str, token: str = "valid", **params: str) -> httpx.Response:
    return httpx.get(
        f"{server.url}/v27.0/{path}",
        params=params,
        headers={"Authorization": f"Bearer {TOKENS[token]}"},
    )


@pytest.mark.parametrize(
    ("fields", "node", "name"),
    [
        ("id,nickname", "WhatsAppBusinessAccount", "nickname"),
        ("id,phone_numbers{id,colour}", "WhatsAppBusinessPhoneNumber", "colour"),
    ],
)
def test_the_fake_rejects_unknown_fields_with_graphs_error(
    fields: str, node: str, name: str
) -> None:
    with FakeGraphServer() as server:
        for answer in (
            _get(server, WABA_A, fields=fields),
            _get(server, "", ids=f"{WABA_A},{WABA_B}", fields=fields),
        ):
            error = answer.json()["error"]
            assert answer.status_code == 400 and error["code"] == 100
            assert error["message"] == (
                f"(#100) Tried accessing nonexisting field ({name}) on node type ({node})"
            )


def test_the_fake_answers_ids_as_an_object_keyed_by_id_and_limits_them_to_50() -> None:
    with FakeGraphServer(accounts=60) as server:
        ids = [str(2_000_000_000_000_000 + i) for i in range(51)]
        body = _get(server, "", "many", ids=",".join(ids[:50]), fields="id,name").json()
        assert sorted(body) == sorted(ids[:50]) and body[ids[0]]["id"] == ids[0]
        too_many = _get(server, "", "many", ids=",".join(ids), fields="id")
        missing = _get(server, "", "admin", ids=f"{WABA_A},{MISSING}", fields="id")
        syntax = _get(server, WABA_A, "admin", fields="id,phone_numbers{id")
    assert too_many.status_code == 400 and too_many.json()["error"]["code"] == 100
    assert "Maximum: 50" in too_many.json()["error"]["message"]
    assert missing.json()["error"]["code"] == 803 and MISSING in missing.json()["error"]["message"]
    assert syntax.json()["error"]["code"] == 2500


def test_the_fake_honours_limit_with_paging_of_the_nested_edge() -> None:
    with FakeGraphServer() as server:
        body = _get(server, WABA_A, fields="name,phone_numbers.limit(1){id,status}").json()
        edge = body["phone_numbers"]
        assert [sorted(n) for n in edge["data"]] == [["id", "status"]]
        rest = httpx.get(
            edge["paging"]["next"], headers={"Authorization": f"Bearer {TOKENS['valid']}"}
        ).json()
        empty = _get(server, WABA_A, "no_phone", fields="name,phone_numbers{id}").json()
    assert len(rest["data"]) == 1 and sorted(rest["data"][0]) == ["id", "status"]
    assert "next" not in rest.get("paging", {})
    assert "phone_numbers" not in empty  # Graph leaves an empty edge out
