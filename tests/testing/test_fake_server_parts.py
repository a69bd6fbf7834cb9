"""The fake Graph server is given its business (issue 25): no import circle, and a token one
server's business minted is known to that server only (they leaked across servers)."""

from __future__ import annotations

import ast
import hashlib
import hmac
from pathlib import Path

import httpx

from wizard.testing import fake_business
from wizard.testing.fake_admins import ADMIN_TOKENS
from wizard.testing.fake_graph import APP_ID, APP_SECRET, BUSINESS_ID, WABA_A, FakeGraphServer

ADMIN = ADMIN_TOKENS["admin"]
FAKE_GRAPH = Path(fake_business.__file__).parent / "fake_graph"


def post(graph: httpx.Client, path: str, **form: str) -> httpx.Response:
    return graph.post(path, headers={"Authorization": f"Bearer {ADMIN}"}, data=form)


def mint(url: str) -> str:
    """A System User token generated through the server's business, reaching WABA A."""
    with httpx.Client(base_url=f"{url}/v26.0/") as graph:
        user = post(graph, f"{BUSINESS_ID}/system_users", name="bot", role="EMPLOYEE").json()["id"]
        post(graph, f"{user}/applications", business_app=APP_ID)
        post(graph, f"{WABA_A}/assigned_users", user=user, tasks="['MANAGE']")
        proof = hmac.new(APP_SECRET.encode(), ADMIN.encode(), hashlib.sha256).hexdigest()
        scope = "whatsapp_business_management,whatsapp_business_messaging"
        made = post(
            graph, f"{user}/access_tokens", business_app=APP_ID, appsecret_proof=proof, scope=scope
        )
        return str(made.json()["access_token"])


def debug(url: str, token: str) -> httpx.Response:
    return httpx.get(
        f"{url}/v26.0/debug_token",
        params={"input_token": token},
        headers={"Authorization": f"Bearer {token}"},
    )


def test_a_minted_token_is_known_only_to_the_server_that_minted_it(
    fake_graph: FakeGraphServer,
) -> None:
    fake_business.reset(fake_graph)
    token = mint(fake_graph.url)
    assert debug(fake_graph.url, token).json()["data"]["is_valid"] is True
    with FakeGraphServer(business=fake_business.answer) as other:
        answer = debug(other.url, token)
    assert answer.status_code != 200 and answer.json()["error"]["code"] == 190


def test_a_server_answers_business_calls_only_with_the_business_it_is_given() -> None:
    with FakeGraphServer() as bare, FakeGraphServer(business=fake_business.answer) as full:
        for server, allowed in ((bare, False), (full, True)):
            with httpx.Client(base_url=f"{server.url}/v26.0/") as graph:
                made = post(graph, f"{BUSINESS_ID}/system_users", name="bot", role="EMPLOYEE")
            assert (made.status_code == 200) is allowed, made.text


def test_the_fake_graph_package_never_imports_the_business() -> None:
    """fake_business imports fake_graph; the other way round would be a circle."""
    imported = {
        (node.module or "", alias.name)
        for path in FAKE_GRAPH.glob("*.py")
        if path.name != "cli.py"  # the demo's entry point puts the two together
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert [i for i in imported if "fake_business" in i[0] or i[1] == "fake_business"] == []
