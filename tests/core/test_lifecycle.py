"""extend/refresh decisions, exchange error mapping, renewal and the all-or-nothing store."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from tests.core.memory_keyring import MemoryKeyring
from wizard.core import lifecycle
from wizard.core.diagnose import LocalFacts, exchange_problem
from wizard.core.errors import (
    GraphApiError,
    GraphBadResponse,
    GraphUnreachable,
    KeyringError,
    KeyringLocked,
    StoreError,
)
from wizard.core.graph import DebugError, TokenInfo
from wizard.core.profiles import DEFAULT, Profile
from wizard.core.settings import Settings
from wizard.core.stores import env_store
from wizard.core.stores.sources import FoundToken
from wizard.core.token import SecretToken

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
LOCAL = LocalFacts(now=NOW, source="dotenv", location=".env")
OLD = SecretToken("EAAFake0Old0Token0For0Lifecycle0Tests00000000000Old1")
NEW = SecretToken("EAAFake0New0Token0For0Lifecycle0Tests00000000000New2")
SECRET = SecretToken("app0secret0for0lifecycle0tests000")
APP_ID = "634974688087057"
WABA = "102290129340398"
USER = TokenInfo(
    is_valid=True,
    type="USER",
    app_id=APP_ID,
    application="Acme",
    user_id="1",
    expires_at=NOW + 23 * timedelta(hours=1),
    issued_at=NOW - DAY,
    data_access_expires_at=None,
    scopes=(),
    granular_scopes=(),
)
SYSTEM_USER = replace(USER, type="SYSTEM_USER", expires_at=None)


def plan_codes(plan: lifecycle.Plan) -> tuple[str, str | None, int]:
    return plan.action, plan.problem.code if plan.problem else None, plan.exit_code


@pytest.mark.parametrize(
    ("info", "expected"),
    [
        (SYSTEM_USER, ("nothing", None, 0)),
        (replace(USER, expires_at=NOW + 5 * DAY), ("exchange", None, 0)),
        (replace(USER, expires_at=NOW + 10 * DAY), ("exchange", None, 0)),
        (replace(USER, expires_at=NOW + 20 * DAY), ("nothing", None, 0)),
        (replace(SYSTEM_USER, expires_at=NOW + 5 * DAY), ("exchange", None, 0)),
        (replace(SYSTEM_USER, expires_at=NOW + 50 * DAY), ("nothing", None, 0)),
        (replace(USER, expires_at=NOW - DAY), ("refuse", "token_expired", 1)),
        (
            replace(USER, is_valid=False, error=DebugError(190, 460, "changed password")),
            ("refuse", "token_revoked", 1),
        ),
        (replace(USER, type="PAGE", expires_at=NOW + DAY), ("refuse", "cannot_exchange", 1)),
    ],
)
def test_plan_refresh(info: TokenInfo, expected: tuple[str, str | None, int]) -> None:
    plan = lifecycle.plan_refresh(info, NOW, 10 * DAY, LOCAL)
    assert plan_codes(plan) == expected
    assert plan.summary and "\n" not in plan.summary


@pytest.mark.parametrize(
    ("info", "expected"),
    [
        (USER, ("exchange", None, 0)),
        (replace(USER, expires_at=NOW + 60 * DAY), ("exchange", None, 0)),
        (SYSTEM_USER, ("nothing", None, 0)),
        (replace(SYSTEM_USER, expires_at=NOW + 60 * DAY), ("exchange", None, 0)),
        (replace(USER, expires_at=NOW - DAY), ("refuse", "token_expired", 1)),
        (replace(USER, type="APP", expires_at=None), ("refuse", "cannot_exchange", 1)),
    ],
)
def test_plan_extend(info: TokenInfo, expected: tuple[str, str | None, int]) -> None:
    assert plan_codes(lifecycle.plan_extend(info, NOW, LOCAL)) == expected


def test_expiring_system_user_token_is_renewed_not_exchanged() -> None:
    plan = lifecycle.plan_refresh(replace(SYSTEM_USER, expires_at=NOW + DAY), NOW, 10 * DAY, LOCAL)
    assert plan.system_user and plan.problem is None
    user_plan = lifecycle.plan_refresh(replace(USER, expires_at=NOW + DAY), NOW, 10 * DAY, LOCAL)
    assert not user_plan.system_user


def test_only_dotenv_and_keyring_tokens_can_be_replaced() -> None:
    for source in ("dotenv", "keyring"):
        lifecycle.ensure_replaceable(FoundToken(source, ".env", OLD), DEFAULT)
    for source, key in (
        ("environment", "WHATSAPP_CLOUD_API_TOKEN"),
        ("stdin", "WHATSAPP_CLOUD_API_TOKEN"),
    ):
        with pytest.raises(StoreError) as caught:
            lifecycle.ensure_replaceable(FoundToken(source, key, OLD), DEFAULT)
        assert f"unset {key}" in caught.value.fix
    with pytest.raises(StoreError) as caught:
        lifecycle.ensure_replaceable(FoundToken("environment", "X", OLD), Profile("acme"))
    assert (
        "WHATSAPP_CLOUD_API_TOKEN_ACME" in caught.value.fix and "--profile acme" in caught.value.fix
    )


def test_app_mismatch() -> None:
    assert lifecycle.app_mismatch(APP_ID, APP_ID, LOCAL) is None
    assert lifecycle.app_mismatch(None, "1", LOCAL) is None
    finding = lifecycle.app_mismatch(APP_ID, "1", LOCAL)
    assert finding is not None and finding.code == "wrong_app" and APP_ID in finding.fix


def api_error(
    code: int, subcode: int | None = None, *, status: int = 400, transient: bool = False
) -> GraphApiError:
    return GraphApiError(
        f"(#{code}) test",
        code=code,
        subcode=subcode,
        status=status,
        is_transient=transient,
        fbtrace_id="Atrace",
    )


@pytest.mark.parametrize(
    ("error", "code", "exit_code"),
    [
        (api_error(1), "wrong_app_secret", 1),
        (api_error(1, status=500, transient=True), "graph_error", 4),
        (api_error(101), "wrong_app", 1),
        (api_error(190, 463), "token_expired", 1),
        (api_error(190, 460), "token_revoked", 1),
        (api_error(190), "token_invalid", 1),
        (api_error(100), "exchange_refused", 1),
        (api_error(4, transient=True), "rate_limited", 4),
        (GraphUnreachable("down"), "graph_unreachable", 4),
        (GraphBadResponse("html", status=502), "graph_error", 4),
    ],
)
def test_exchange_errors_map_to_problems(error: Exception, code: str, exit_code: int) -> None:
    finding = exchange_problem(error, LOCAL)  # type: ignore[arg-type]
    assert finding.code == code and finding.fix
    assert lifecycle.Plan("refuse", "", finding).exit_code == exit_code


def test_wrong_secret_fix_names_the_profile_variables() -> None:
    finding = exchange_problem(api_error(1), replace(LOCAL, profile=Profile("acme")))
    assert "WHATSAPP_APP_SECRET_ACME" in finding.fix and "WHATSAPP_APP_ID_ACME" in finding.fix


# -- renew: exchange, check, store ---------------------------------------------------------------


def graph_handler(exchange: httpx.Response, seen: list[httpx.Request]):
    new_info = {
        "data": {
            "app_id": APP_ID,
            "type": "USER",
            "is_valid": True,
            "expires_at": int((NOW + 60 * DAY).timestamp()),
            "issued_at": 1,
            "scopes": ["whatsapp_business_management", "whatsapp_business_messaging"],
            "granular_scopes": [{"scope": "whatsapp_business_messaging", "target_ids": [WABA]}],
        }
    }

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        path = request.url.path
        if path.endswith("oauth/access_token"):
            return exchange
        if path.endswith("debug_token"):
            return httpx.Response(200, json=new_info)
        if path.endswith("/me"):
            return httpx.Response(200, json={"id": "1", "name": "Dev"})
        if path.endswith("phone_numbers"):
            return httpx.Response(200, json={"data": [{"id": "106540352242922"}]})
        numbers = {"data": [{"id": "106540352242922"}]}  # expanded into the account read
        return httpx.Response(200, json={"id": WABA, "name": "Acme", "phone_numbers": numbers})

    return handler


def settings_for(tmp_path: Path) -> Settings:
    return Settings(graph_url="https://graph.test", env_file=tmp_path / ".env")


def renew(
    tmp_path: Path, exchange: httpx.Response, found: FoundToken, seen: list[httpx.Request]
) -> lifecycle.Renewal:
    return lifecycle.renew(
        settings_for(tmp_path),
        found,
        app_id=APP_ID,
        app_secret=SECRET,
        now=NOW,
        transport=httpx.MockTransport(graph_handler(exchange, seen)),
    )


def test_renew_exchanges_checks_and_stores(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(f"A=1\nWHATSAPP_CLOUD_API_TOKEN={OLD.reveal()}\n")
    seen: list[httpx.Request] = []
    exchange = httpx.Response(
        200, json={"access_token": NEW.reveal(), "token_type": "bearer", "expires_in": 5183944}
    )
    result = renew(tmp_path, exchange, FoundToken("dotenv", str(env_file), OLD), seen)
    assert result.problem is None and result.exit_code == 0 and result.new_token == NEW
    assert result.expires_at == NOW + 60 * DAY
    assert env_file.read_text() == f"A=1\nWHATSAPP_CLOUD_API_TOKEN={NEW.reveal()}\n"
    [request] = [r for r in seen if r.url.path.endswith("oauth/access_token")]
    assert request.method == "POST" and not request.url.query
    assert "authorization" not in request.headers
    form = dict(item.split("=", 1) for item in request.content.decode().split("&"))
    assert form["grant_type"] == "fb_exchange_token" and form["client_id"] == APP_ID


@pytest.mark.parametrize(
    "exchange",
    [
        httpx.Response(
            400,
            json={
                "error": {
                    "message": "Error validating client secret.",
                    "type": "OAuthException",
                    "code": 1,
                }
            },
        ),
        httpx.Response(200, json={"access_token": "not a token"}),  # spaces: never one
        httpx.Response(200, json={"token_type": "bearer"}),
    ],
)
def test_renew_failures_write_nothing(tmp_path: Path, exchange: httpx.Response) -> None:
    folder = tmp_path / "app"
    folder.mkdir()
    env_file = folder / ".env"
    env_file.write_text(f"WHATSAPP_CLOUD_API_TOKEN={OLD.reveal()}\n")
    before = env_file.read_bytes()
    seen: list[httpx.Request] = []
    result = renew(folder, exchange, FoundToken("dotenv", str(env_file), OLD), seen)
    assert result.problem is not None and result.exit_code in (1, 4)
    assert env_file.read_bytes() == before and os.listdir(folder) == [".env"]
    assert len([r for r in seen if r.url.path.endswith("oauth/access_token")]) == 1


def test_renew_with_an_app_secret_in_graphs_message_scrubs_it(tmp_path: Path) -> None:
    message = f"Bad secret {SECRET.reveal()} for token {OLD.reveal()}"
    exchange = httpx.Response(400, json={"error": {"message": message, "code": 100}})
    seen: list[httpx.Request] = []
    result = renew(tmp_path, exchange, FoundToken("dotenv", str(tmp_path / ".env"), OLD), seen)
    assert result.problem is not None and result.problem.detail
    assert (
        SECRET.reveal() not in result.problem.detail and OLD.reveal() not in result.problem.detail
    )


# -- the all-or-nothing store --------------------------------------------------------------------


def test_keyring_replacement_and_index(monkeypatch: pytest.MonkeyPatch) -> None:
    memory = MemoryKeyring(monkeypatch)
    memory.values["WHATSAPP_CLOUD_API_TOKEN_ACME"] = OLD.reveal()
    found = FoundToken("keyring", "x", OLD)
    where = lifecycle.replace_stored_token(found, NEW, Profile("acme"))
    assert "OS keyring" in where
    assert memory.values == {
        "WHATSAPP_CLOUD_API_TOKEN_ACME": NEW.reveal(),
        "wa-token-profiles": "acme",
    }


def test_a_failed_keyring_write_keeps_the_old_token(monkeypatch: pytest.MonkeyPatch) -> None:
    memory = MemoryKeyring(monkeypatch)
    memory.values["WHATSAPP_CLOUD_API_TOKEN"] = OLD.reveal()
    memory.error = KeyringLocked("locked")
    with pytest.raises(KeyringLocked):
        lifecycle.replace_stored_token(FoundToken("keyring", "x", OLD), NEW, DEFAULT)
    assert memory.values == {"WHATSAPP_CLOUD_API_TOKEN": OLD.reveal()}
    memory.error, memory.corrupt_once = None, True  # half-written, then works again
    with pytest.raises(KeyringError):
        lifecycle.replace_stored_token(FoundToken("keyring", "x", OLD), NEW, DEFAULT)
    assert memory.values == {"WHATSAPP_CLOUD_API_TOKEN": OLD.reveal()}


def test_a_failed_dotenv_write_keeps_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "app"
    folder.mkdir()
    env_file = folder / ".env"
    env_file.write_text(f"A=1\nWHATSAPP_CLOUD_API_TOKEN={OLD.reveal()}\n")
    before = env_file.read_bytes()

    def disk_full(*_: object) -> None:
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(env_store.os, "replace", disk_full)
        with pytest.raises(StoreError):
            lifecycle.replace_stored_token(FoundToken("dotenv", str(env_file), OLD), NEW, DEFAULT)
    assert env_file.read_bytes() == before
    assert os.listdir(folder) == [".env"]


def test_not_permanent_is_said_plainly() -> None:
    assert "still not permanent" in lifecycle.NOT_PERMANENT
    assert json.dumps(lifecycle.NOT_PERMANENT)  # one plain sentence set, no secret inside
