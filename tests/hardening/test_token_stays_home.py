"""The token goes to the configured Graph host and nowhere else, whatever an id or a link holds.

Every way an id enters a URL is attacked through the real `wa-token` against a scriptable Graph
on loopback, with a second loopback server standing for the attacker's host ("evil"): it must
never see a request, so never an Authorization header.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.hardening.hostile_graph import DEBUG_DATA, NUMBER, HostileGraph, serve
from tests.support.sends import send_test

TOKEN = "EAAGuard0Token0" + "a" * 100 + "wxyz"


@pytest.fixture
def evil() -> Iterator[HostileGraph]:
    yield from serve(HostileGraph())


def assert_nothing_reached(evil: HostileGraph) -> None:
    assert evil.requests == [], [r.path for r in evil.requests]


# -- settings: environment and a hostile .env ----------------------------------------------------

SETTINGS = ("WHATSAPP_BUSINESS_ACCOUNT_ID", "WHATSAPP_PHONE_NUMBER_ID", "WHATSAPP_APP_ID")


@pytest.mark.parametrize("variable", SETTINGS)
@pytest.mark.parametrize("where", ["environment", "dotenv"])
@pytest.mark.parametrize("shape", ["{evil}/x", "//{host}/x?../../me"])
def test_a_setting_that_is_not_digits_is_refused_by_name(
    hostile_cli: Cli,
    graph: HostileGraph,
    evil: HostileGraph,
    isolated: Path,
    variable: str,
    where: str,
    shape: str,
) -> None:
    value = shape.format(evil=evil.url, host=evil.url.removeprefix("http://"))
    if where == "dotenv":  # a cloned project's .env: the token and the trap side by side
        (isolated / ".env").write_text(f"WHATSAPP_CLOUD_API_TOKEN={TOKEN}\n{variable}={value}\n")
        run = hostile_cli("check")
    else:
        run = hostile_cli("check", stdin=TOKEN, env={variable: value})
    assert run.code == 2, run.text
    assert f"{variable} must be digits" in run.flat_err
    assert "unexpected error" not in run.err
    assert_nothing_reached(evil)
    assert graph.requests == []  # refused before any request
    assert TOKEN not in run.text


def test_send_test_with_a_phone_number_id_that_is_not_digits_exits_2(
    hostile_cli: Cli, graph: HostileGraph
) -> None:
    run = send_test(hostile_cli, TOKEN, "abc")
    assert run.code == 2, run.text
    assert "WHATSAPP_PHONE_NUMBER_ID must be digits" in run.flat_err
    assert "unexpected error" not in run.err
    assert not any(r.path.endswith("/messages") for r in graph.requests)


def test_a_profile_setting_is_named_with_its_profile(hostile_cli: Cli, evil: HostileGraph) -> None:
    run = hostile_cli(
        "check",
        "--profile",
        "acme",
        stdin=TOKEN,
        env={"WHATSAPP_BUSINESS_ACCOUNT_ID_ACME": evil.url},
    )
    assert run.code == 2 and "WHATSAPP_BUSINESS_ACCOUNT_ID_ACME must be digits" in run.flat_err
    assert_nothing_reached(evil)


# -- Graph fields used as ids ------------------------------------------------------------------


def _unlimited_grants() -> dict:
    data = copy.deepcopy(DEBUG_DATA)
    for grant in data["granular_scopes"]:
        del grant["target_ids"]
    return data


def _graph_field_cases(evil: str) -> dict[str, dict]:
    """field -> the answers that put an attacker's URL where Graph puts an id."""
    host = evil.removeprefix("http://")
    targeted = copy.deepcopy(DEBUG_DATA)
    targeted["granular_scopes"][1]["target_ids"] = [f"{evil}/x"]
    relative = copy.deepcopy(DEBUG_DATA)
    relative["granular_scopes"][0]["target_ids"] = [f"//{host}/x"]
    return {
        "target_ids": {"debug_token": {"data": targeted}},
        "target_ids_scheme_relative": {"debug_token": {"data": relative}},
        "business_id": {
            "debug_token": {"data": _unlimited_grants()},
            "businesses": {"data": [{"id": f"{evil}/x", "name": "Acme"}]},
        },
        "owned_waba_id": {
            "debug_token": {"data": _unlimited_grants()},
            "owned": {"data": [{"id": f"{evil}/x"}]},
        },
        "client_waba_id": {
            "debug_token": {"data": _unlimited_grants()},
            "owned": {"data": []},
            "client": {"data": [{"id": f"http://{host}/x"}]},
        },
    }


@pytest.mark.parametrize("field", list(_graph_field_cases("http://e")))
def test_a_graph_field_holding_a_url_never_sends_the_token_there(
    hostile_cli: Cli, graph: HostileGraph, evil: HostileGraph, field: str
) -> None:
    graph.answers.update(_graph_field_cases(evil.url)[field])
    run = hostile_cli("check", "--json", stdin=TOKEN)
    assert_nothing_reached(evil)
    assert run.code == 4, run.text
    body = json.loads(run.out)
    assert [p["code"] for p in body["problems"]] == ["graph_error"]
    assert "not a Graph id" in body["problems"][0]["title"] + json.dumps(body)
    assert "unexpected error" not in run.err


def test_a_phone_number_id_holding_a_url_is_never_sent_to(
    hostile_cli: Cli, graph: HostileGraph, evil: HostileGraph
) -> None:
    graph.answers["phone_numbers"] = {"data": [{**NUMBER, "id": f"{evil.url}/x"}]}
    run = send_test(hostile_cli, TOKEN)
    assert_nothing_reached(evil)
    assert run.code == 4, run.text
    assert "not a Graph id" in run.flat_err and "unexpected error" not in run.err


# -- paging ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "link",
    [
        "{evil}/v26.0/{waba}/phone_numbers?access_token={token}&after=x",  # another port
        "https://127.0.0.1:{port}/v26.0/{waba}/phone_numbers?after=x",  # another scheme
        "http://localhost:{port}/v26.0/{waba}/phone_numbers?after=x",  # another host name
        "http://evil@127.0.0.1:{port}/v26.0/{waba}/phone_numbers?after=x",  # user info
    ],
)
def test_paging_is_followed_only_on_the_graph_scheme_host_and_port(
    hostile_cli: Cli, graph: HostileGraph, evil: HostileGraph, link: str
) -> None:
    port = graph.url.rsplit(":", 1)[1]
    next_url = link.format(
        evil=evil.url,
        port=port,
        waba=DEBUG_DATA["granular_scopes"][0]["target_ids"][0],
        token=TOKEN,
    )
    graph.answers["phone_numbers"] = {"data": [NUMBER], "paging": {"next": next_url}}
    run = hostile_cli("check", "--json", stdin=TOKEN, env={"WA_TOKEN_DEBUG": "1"})
    assert run.code == 0, run.text
    assert_nothing_reached(evil)
    # The first page comes nested in the account read (field expansion); its next is not
    # followed, on this host or any other.
    assert sum(r.path.split("?")[0].endswith("/phone_numbers") for r in graph.requests) == 0
    assert any("phone_numbers" in r.path for r in graph.requests)
    assert TOKEN not in run.text


def test_paging_on_the_graph_host_is_followed_and_its_token_never_logged(
    hostile_cli: Cli, graph: HostileGraph, caplog: pytest.LogCaptureFixture
) -> None:
    """In-process, to read every log record while a same-host `next` carrying access_token is
    followed."""
    import logging

    from wizard.core.graph import GraphClient
    from wizard.core.token import SecretToken

    waba = DEBUG_DATA["granular_scopes"][0]["target_ids"][0]
    pages = iter(
        [
            {
                "data": [NUMBER],
                "paging": {
                    "next": f"{graph.url}/v26.0/{waba}/phone_numbers?access_token={TOKEN}&after=2"
                },
            },
            {"data": [{**NUMBER, "id": "106540352242923"}]},
        ]
    )
    graph.answers["phone_numbers"] = lambda handler: _reply(handler, next(pages))

    with caplog.at_level(logging.DEBUG), GraphClient(graph.url) as client:
        numbers = client.phone_numbers(SecretToken(TOKEN), waba)
    assert [n.id for n in numbers] == [NUMBER["id"], "106540352242923"]
    assert all(TOKEN not in r.getMessage() for r in caplog.records)
    # The link's access_token is dropped: the token goes in the Authorization header only.
    followed = [r for r in graph.requests if "after=2" in r.path]
    assert followed and all("access_token" not in r.path for r in followed)


def _reply(handler, body: dict) -> None:  # type: ignore[no-untyped-def]
    data = json.dumps(body).encode()
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)
