"""The fake Graph server's send-test failures and exchange refusal (graph-api.md §5, §11)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.support.sends import FAILING_RECIPIENTS, PHONE, FailingRecipient
from wizard.testing.fake_graph import APP_ID, APP_SECRET, TOKENS, FakeGraphServer


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with FakeGraphServer() as fake, httpx.Client(base_url=f"{fake.url}/v26.0/") as http:
        yield http


def hello(to: str) -> dict:
    return {
        "messaging_product": "whatsapp",
        "to": to,
        "type": "template",
        "template": {"name": "hello_world", "language": {"code": "en_US"}},
    }


@pytest.mark.parametrize("recipient", FAILING_RECIPIENTS, ids=lambda r: r.problem)
def test_special_recipients_fail_like_meta(
    client: httpx.Client, recipient: FailingRecipient
) -> None:
    code = recipient.code
    response = client.post(
        f"{PHONE}/messages",
        json=hello(f"+{recipient.number}"),
        headers={"Authorization": f"Bearer {TOKENS['valid']}"},
    )
    assert response.status_code == recipient.status
    error = response.json()["error"]
    assert error["code"] == code and error["message"].startswith(f"(#{code})")
    assert error["error_data"]["messaging_product"] == "whatsapp"


def test_expired_token_on_messages_is_401(client: httpx.Client) -> None:
    response = client.post(
        f"{PHONE}/messages",
        json=hello("15551234567"),
        headers={"Authorization": f"Bearer {TOKENS['expired']}"},
    )
    assert response.status_code == 401 and response.json()["error"]["error_subcode"] == 463


def test_exchange_refused_is_live_but_not_exchangeable(client: httpx.Client) -> None:
    token = TOKENS["exchange_refused"]
    info = client.get(
        "debug_token", params={"input_token": token}, headers={"Authorization": f"Bearer {token}"}
    ).json()["data"]
    assert info["is_valid"] and info["type"] == "USER"
    response = client.post(
        "oauth/access_token",
        data={
            "grant_type": "fb_exchange_token",
            "client_id": APP_ID,
            "client_secret": APP_SECRET,
            "fb_exchange_token": token,
        },
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == 100
