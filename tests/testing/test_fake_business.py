"""The fake business enforces what Meta enforces: admins only, the app secret proof, assets first."""

from __future__ import annotations

import hashlib
import hmac

import httpx
import pytest

from wizard.testing import fake_business
from wizard.testing.fake_admins import ADMIN_TOKENS
from wizard.testing.fake_business import BusinessState
from wizard.testing.fake_graph import (
    APP_ID,
    APP_SECRET,
    BUSINESS_ID,
    TOKENS,
    WABA_A,
    FakeGraphServer,
)

ADMIN = ADMIN_TOKENS["admin"]


@pytest.fixture
def business(fake_graph: FakeGraphServer) -> BusinessState:
    return fake_business.reset(fake_graph)


@pytest.fixture
def graph(fake_graph: FakeGraphServer):  # type: ignore[no-untyped-def]
    with httpx.Client(base_url=f"{fake_graph.url}/v26.0/") as client:
        yield client


def call(graph: httpx.Client, method: str, path: str, token: str, **form: str) -> httpx.Response:
    return graph.request(
        method, path, headers={"Authorization": f"Bearer {token}"}, data=form or None
    )


def proof(token: str) -> str:
    return hmac.new(APP_SECRET.encode(), token.encode(), hashlib.sha256).hexdigest()


def new_user(graph: httpx.Client, token: str = ADMIN) -> str:
    answer = call(graph, "POST", f"{BUSINESS_ID}/system_users", token, name="bot", role="EMPLOYEE")
    assert answer.status_code == 200, answer.text
    return str(answer.json()["id"])


def generate(graph: httpx.Client, user: str, **extra: str) -> httpx.Response:
    form = {
        "business_app": APP_ID,
        "appsecret_proof": proof(ADMIN),
        "scope": "whatsapp_business_management,whatsapp_business_messaging",
        **extra,
    }
    return call(graph, "POST", f"{user}/access_tokens", ADMIN, **form)


def targets(graph: httpx.Client, token: str) -> list[list[str]]:
    data = graph.get(
        "debug_token", params={"input_token": token}, headers={"Authorization": f"Bearer {token}"}
    ).json()["data"]
    return [g.get("target_ids") for g in data["granular_scopes"]]


def test_an_employee_cannot_create_a_system_user(
    graph: httpx.Client, business: BusinessState
) -> None:
    answer = call(
        graph,
        "POST",
        f"{BUSINESS_ID}/system_users",
        ADMIN_TOKENS["employee"],
        name="bot",
        role="EMPLOYEE",
    )
    assert answer.status_code == 403 and answer.json()["error"]["code"] == 200
    assert business.writes == []


def test_a_whatsapp_token_cannot_manage_the_business(
    graph: httpx.Client, business: BusinessState
) -> None:
    answer = call(graph, "GET", f"{BUSINESS_ID}/system_users", TOKENS["valid"])
    assert answer.json()["error"]["code"] == 200


def test_two_factor_answers_metas_415(graph: httpx.Client, business: BusinessState) -> None:
    error = call(
        graph,
        "POST",
        f"{BUSINESS_ID}/system_users",
        ADMIN_TOKENS["two_factor"],
        name="bot",
        role="EMPLOYEE",
    ).json()["error"]
    assert (error["code"], error["error_subcode"]) == (415, 2859009)


@pytest.mark.parametrize("bad_proof", ["", "0" * 64, "proof-of-another-token"])
def test_generate_checks_the_app_secret_proof(
    graph: httpx.Client, business: BusinessState, bad_proof: str
) -> None:
    user = new_user(graph)
    call(graph, "POST", f"{user}/applications", ADMIN, business_app=APP_ID)
    answer = generate(graph, user, appsecret_proof=bad_proof)
    assert answer.json()["error"]["code"] == 100
    assert "appsecret_proof" in answer.json()["error"]["message"]
    assert business.minted == []


def test_generate_needs_the_app_installed(graph: httpx.Client, business: BusinessState) -> None:
    answer = generate(graph, new_user(graph))
    assert answer.json()["error"]["code"] == 100
    assert business.minted == []


def test_a_token_generated_before_the_assignment_lacks_the_account(
    graph: httpx.Client, business: BusinessState
) -> None:
    user = new_user(graph)
    call(graph, "POST", f"{user}/applications", ADMIN, business_app=APP_ID)
    early = generate(graph, user).json()["access_token"]
    assigned = call(graph, "POST", f"{WABA_A}/assigned_users", ADMIN, user=user, tasks="['MANAGE']")
    assert assigned.json() == {"success": True}
    late = generate(graph, user).json()["access_token"]
    assert targets(graph, early) == [[], []]
    assert targets(graph, late) == [[WABA_A], [WABA_A]]
    reads = graph.get(f"{WABA_A}/phone_numbers", headers={"Authorization": f"Bearer {early}"})
    assert reads.status_code == 403  # the early token cannot read the account
    assert (
        graph.get(
            f"{WABA_A}/phone_numbers", headers={"Authorization": f"Bearer {late}"}
        ).status_code
        == 200
    )


def test_writes_are_counted(graph: httpx.Client, business: BusinessState) -> None:
    user = new_user(graph)
    call(graph, "POST", f"{user}/applications", ADMIN, business_app=APP_ID)
    assert business.writes == [f"POST /{BUSINESS_ID}/system_users", f"POST /{user}/applications"]


def test_assigned_users_needs_the_business_parameter(
    graph: httpx.Client, business: BusinessState
) -> None:
    answer = call(graph, "GET", f"{WABA_A}/assigned_users", ADMIN)
    assert answer.json()["error"]["code"] == 100
