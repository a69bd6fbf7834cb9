"""`refresh`, one core use case (issue 25): plan, ask the secret only when due, renew, store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from wizard.core import lifecycle
from wizard.core.errors import StoreError
from wizard.core.refresh import Refreshment, refresh
from wizard.core.settings import Settings
from wizard.core.stores import env_store
from wizard.core.stores.sources import FoundToken
from wizard.core.token import SecretToken

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
OLD = SecretToken("EAAFake0Old0Token0For0Refresh0Tests0000000000000Old1")
NEW = SecretToken("EAAFake0New0Token0For0Refresh0Tests0000000000000New2")
SECRET = SecretToken("app0secret0for0refresh0tests00000")
APP_ID = "634974688087057"
WABA = "102290129340398"
SCOPES = ["whatsapp_business_management", "whatsapp_business_messaging"]


def debug(token_type: str, expires_at: datetime) -> dict[str, object]:
    return {
        "data": {
            "app_id": APP_ID,
            "type": token_type,
            "is_valid": True,
            "expires_at": int(expires_at.timestamp()),
            "issued_at": 1,
            "scopes": SCOPES,
            "granular_scopes": [{"scope": "whatsapp_business_messaging", "target_ids": [WABA]}],
        }
    }


def graph(old_expires_in: timedelta, seen: list[httpx.Request]) -> httpx.MockTransport:
    """debug_token says the old token expires in `old_expires_in`; the exchange gives NEW."""

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        path = request.url.path
        if path.endswith("oauth/access_token"):
            answer = {"access_token": NEW.reveal(), "token_type": "bearer", "expires_in": 5183944}
            return httpx.Response(200, json=answer)
        if path.endswith("debug_token"):
            if request.url.params.get("input_token") == OLD.reveal():
                return httpx.Response(200, json=debug("USER", NOW + old_expires_in))
            return httpx.Response(200, json=debug("USER", NOW + 60 * DAY))
        if path.endswith("/me"):
            return httpx.Response(200, json={"id": "1", "name": "Dev"})
        numbers = {"data": [{"id": "106540352242922"}]}
        return httpx.Response(200, json={"id": WABA, "name": "Acme", "phone_numbers": numbers})

    return httpx.MockTransport(handler)


def run(
    tmp_path: Path, found: FoundToken, old_expires_in: timedelta, seen: list[httpx.Request]
) -> tuple[Refreshment, list[str]]:
    asked: list[str] = []

    def app_secret() -> SecretToken:
        asked.append("secret")
        return SECRET

    done = refresh(
        Settings(graph_url="https://graph.test", env_file=tmp_path / ".env"),
        found,
        NOW,
        10 * DAY,
        app_id=None,
        app_secret=app_secret,
        transport=graph(old_expires_in, seen),
    )
    return done, asked


def dotenv(tmp_path: Path) -> FoundToken:
    env_file = tmp_path / ".env"
    env_file.write_text(f"A=1\nWHATSAPP_CLOUD_API_TOKEN={OLD.reveal()}\n")
    return FoundToken("dotenv", str(env_file), OLD)


def test_a_token_with_time_left_is_left_alone_and_no_secret_is_asked(tmp_path: Path) -> None:
    seen: list[httpx.Request] = []
    done, asked = run(tmp_path, dotenv(tmp_path), 50 * DAY, seen)
    assert done.plan.action == lifecycle.NOTHING and done.renewal is None
    assert asked == [] and not [r for r in seen if r.url.path.endswith("access_token")]


def test_a_token_expiring_within_the_window_is_renewed_checked_and_stored(
    tmp_path: Path,
) -> None:
    seen: list[httpx.Request] = []
    found = dotenv(tmp_path)
    done, asked = run(tmp_path, found, 5 * DAY, seen)
    assert asked == ["secret"]
    assert done.renewal is not None and done.renewal.new_token == NEW
    assert done.problem is None and done.store_error is None
    assert Path(found.location).read_text() == f"A=1\nWHATSAPP_CLOUD_API_TOKEN={NEW.reveal()}\n"


def test_a_new_token_that_cannot_be_stored_is_an_outcome_and_the_old_one_stays(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    found = dotenv(tmp_path)
    before = Path(found.location).read_bytes()

    def disk_full(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(env_store.os, "replace", disk_full)
    done, _ = run(tmp_path, found, 5 * DAY, [])
    assert isinstance(done.store_error, StoreError) and done.renewal is None
    assert done.plan.action == lifecycle.EXCHANGE
    assert Path(found.location).read_bytes() == before


def test_a_due_token_from_the_environment_is_refused_before_the_secret_is_asked(
    tmp_path: Path,
) -> None:
    seen: list[httpx.Request] = []
    with pytest.raises(StoreError):
        run(tmp_path, FoundToken("environment", "WHATSAPP_CLOUD_API_TOKEN", OLD), 5 * DAY, seen)
    assert not [r for r in seen if r.url.path.endswith("access_token")]
