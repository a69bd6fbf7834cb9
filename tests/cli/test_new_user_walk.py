"""Issue 24 and issue 23 item 3 through the real `wa-token` entry point: opaque tokens, one
cleaning for both doors, the keyring under cron, send-test's country code, a mistyped command."""

from __future__ import annotations

import json

import pytest

from tests.conftest import Cli
from wizard.testing.fake_graph import FakeGraphServer

OPAQUE = [
    "x0",  # far shorter than today's tokens
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
