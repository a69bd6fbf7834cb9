"""Every real Graph body in tests/data/graph-payloads.json, through the client and the diagnosis.

A new real payload is one line in REPLAYS: its id, where Graph sent it, and what wa-token must say.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from wizard.core.check import inspect_token
from wizard.core.codes import ProblemCode as P
from wizard.core.codes import WarningCode as W
from wizard.core.diagnose import LocalFacts, diagnose
from wizard.core.graph import GraphClient
from wizard.core.token import SecretToken

PAYLOADS_FILE = Path(__file__).parent.parent / "data" / "graph-payloads.json"
PAYLOADS = {p["id"]: p for p in json.loads(PAYLOADS_FILE.read_text("utf-8"))["payloads"]}
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
TOKEN = SecretToken("EAAReplay0RealGraph0Payloads0" + "x" * 40)
APP_TOKEN = SecretToken("257422819769992|0123456789abcdef0123456789abcdef")
WABA = "102290129340398"

DEBUG_DATA = "debug_token data"
"""The payload is debug_token's answer (inspected with the app token); /me fails if invalid."""
DEBUG_ERROR = "debug_token error"
"""debug_token answers the envelope; every other call works."""
EVERYWHERE = "every call"
"""Every call made with the token answers the envelope (a dead token)."""
ACCOUNT_READ = "account read"
"""A valid System User token; reading its WhatsApp Business Account answers the envelope."""
PHONE = "phone number"
"""A valid System User token whose account lists this one phone number."""


@dataclass(frozen=True)
class Replay:
    """One real payload, where Graph sent it, and what the check must report."""

    payload: str
    where: str
    problems: tuple[str, ...]
    warnings: tuple[str, ...] = ()
    at: datetime = NOW
    """The moment of the check (a payload's own expiry dates are real dates)."""


REPLAYS = (
    Replay("bk_dt_could_not_decrypt", DEBUG_DATA, (P.TOKEN_INVALID,)),
    Replay("bk_dt_cannot_get_app_info", DEBUG_DATA, (P.TOKEN_INVALID,)),
    Replay("bk_dt_cannot_parse", DEBUG_DATA, (P.TOKEN_INVALID,)),
    Replay("bk_dt_example_1_466", DEBUG_DATA, (P.TOKEN_REVOKED,)),
    Replay(
        "bk_dt_example_2_user_never",
        DEBUG_DATA,
        (P.MISSING_PERMISSION,),
        (W.TEMPORARY_TOKEN, "rotation_due", "extra_permissions"),
    ),
    Replay("bk_dt_invalid_signature", DEBUG_DATA, (P.TOKEN_INVALID,)),
    Replay("bk_dt_400_debug_only", EVERYWHERE, (P.TOKEN_INVALID,)),
    Replay("bk_dt_400_must_provide_app_token", DEBUG_ERROR, (P.APP_TOKEN_REQUIRED,)),
    Replay("bk_dt_app", DEBUG_DATA, (P.WRONG_TOKEN_TYPE,)),
    Replay("bk_dt_page", DEBUG_DATA, (P.WRONG_TOKEN_TYPE,), at=datetime(2022, 11, 1, tzinfo=UTC)),
    Replay("bk_dt_page", DEBUG_DATA, (P.TOKEN_EXPIRED,)),
    Replay("bk_dt_user_1_metadata", DEBUG_DATA, (P.TOKEN_EXPIRED,)),
    Replay(
        "bk_dt_user_1_metadata",
        DEBUG_DATA,
        (P.MISSING_PERMISSION,),
        (W.TEMPORARY_TOKEN,),
        at=datetime(2022, 11, 1, tzinfo=UTC),
    ),
    Replay("bk_dt_user_3_expired_463", DEBUG_DATA, (P.TOKEN_EXPIRED,)),
    Replay("bk_dt_user_4_invalidated_460", DEBUG_DATA, (P.TOKEN_REVOKED,)),
    Replay("bk_err_session_invalidated_nosub", EVERYWHERE, (P.TOKEN_REVOKED,)),
    Replay("bk_err_session_expired_nosub", EVERYWHERE, (P.TOKEN_EXPIRED,)),
    Replay("bk_err_session_key_malformed", EVERYWHERE, (P.TOKEN_INVALID,)),
    Replay("bk_err_session_key_x_malformed", EVERYWHERE, (P.TOKEN_INVALID,)),
    Replay("bk_err_could_not_decrypt", EVERYWHERE, (P.TOKEN_INVALID,)),
    Replay("pywa_expired_463", EVERYWHERE, (P.TOKEN_EXPIRED,)),
    Replay("chrisb_10_message", ACCOUNT_READ, (P.MISSING_PERMISSION,)),
    Replay("chrisb_10_message", EVERYWHERE, (P.MISSING_PERMISSION,)),
    Replay("zoppy_phone", PHONE, ()),
    Replay("apimatic_phone", PHONE, ()),
)


def _system_user_data() -> dict[str, Any]:
    scopes = ["whatsapp_business_management", "whatsapp_business_messaging"]
    return {
        "app_id": "257422819769992",
        "type": "SYSTEM_USER",
        "application": "Replay",
        "expires_at": 0,
        "is_valid": True,
        "scopes": scopes,
        "user_id": "61570785020842",
        "granular_scopes": [{"scope": s, "target_ids": [WABA]} for s in scopes],
    }


def _handler(replay: Replay) -> httpx.MockTransport:
    entry = PAYLOADS[replay.payload]
    body, status = entry["payload"], entry["http_status"]

    def envelope() -> httpx.Response:
        return httpx.Response(status, json=body)

    def answer(request: httpx.Request) -> httpx.Response:
        path = request.url.path.split("/", 2)[-1]
        if replay.where == EVERYWHERE:
            return envelope()
        if path == "debug_token":
            if replay.where == DEBUG_DATA:
                return httpx.Response(status, json=body)
            if replay.where == DEBUG_ERROR:
                return envelope()
            return httpx.Response(200, json={"data": _system_user_data()})
        if path == "me":
            valid = replay.where != DEBUG_DATA or body["data"].get("is_valid") is True
            return (
                httpx.Response(200, json={"id": "61570785020842"})
                if valid
                else httpx.Response(
                    400, json={"error": {"message": "Error validating access token", "code": 190}}
                )
            )
        if path == "me/businesses":
            return httpx.Response(
                403, json={"error": {"message": "(#200) Permissions error", "code": 200}}
            )
        if path == WABA:  # details and numbers in one read (field expansion)
            if replay.where == ACCOUNT_READ:
                return envelope()
            numbers = {
                "data": [body]
                if replay.where == PHONE
                else [{"id": "106540352242922", "display_phone_number": "+1 555-010-4477"}]
            }
            apps = {
                "data": [{"whatsapp_business_api_data": {"id": "257422819769992", "name": "Acme"}}]
            }
            return httpx.Response(
                200,
                json={
                    "id": WABA,
                    "name": "Replay WABA",
                    "phone_numbers": numbers,
                    "subscribed_apps": apps,  # asked with the account (the app is subscribed)
                },
            )
        return httpx.Response(400, json={"error": {"message": "Unknown path", "code": 2500}})

    return httpx.MockTransport(answer)


def replay_check(replay: Replay) -> tuple[list[str], list[str], Any]:
    with GraphClient(
        "https://graph.test", "v27.0", transport=_handler(replay), retries=0
    ) as client:
        graph = inspect_token(client, TOKEN, app_token=APP_TOKEN, now=replay.at)
    found = diagnose(graph, LocalFacts(now=replay.at, source="keyring"))
    return [f.code for f in found.problems], [f.code for f in found.warnings], found


def test_every_payload_in_the_file_is_replayed() -> None:
    count = json.loads(PAYLOADS_FILE.read_text("utf-8"))["count"]
    assert len(PAYLOADS) == count
    assert set(PAYLOADS) == {r.payload for r in REPLAYS}
    assert all(p["source"].startswith("https://") for p in PAYLOADS.values())


@pytest.mark.parametrize("replay", REPLAYS, ids=lambda r: f"{r.payload}@{r.where}")
def test_real_payload(replay: Replay) -> None:
    problems, warnings, found = replay_check(replay)
    assert problems == list(replay.problems)
    assert warnings == list(replay.warnings)
    for finding in (*found.problems, *found.warnings):
        assert "a APP" not in finding.title and TOKEN.reveal() not in finding.title + finding.fix


@pytest.mark.parametrize(
    "replay", [r for r in REPLAYS if r.where in (EVERYWHERE, DEBUG_ERROR)], ids=lambda r: r.payload
)
def test_graph_trace_id_is_kept_for_support(replay: Replay) -> None:
    trace = PAYLOADS[replay.payload]["payload"]["error"].get("fbtrace_id")
    _, _, found = replay_check(replay)
    detail = found.problems[0].detail or ""
    assert (trace in detail) if trace else ("fbtrace_id" not in detail)


def test_hostile_phone_fields_reach_no_terminal_raw() -> None:
    from wizard.core.diagnose import number_warnings
    from wizard.core.graph import PhoneNumber

    hostile = PhoneNumber(
        "1\x1b[2J",
        display_phone_number="+1\x1b]8;;evil\x07 555" + "9" * 200,
        status="DISCONNECTED\x1b[31m",
        platform_type="ON_PREMISE\r\n",
        code_verification_status="EXPIRED",
        name_status="DECLINED",
    )
    found = number_warnings(hostile)
    assert [f.code for f in found] == [
        W.NUMBER_NOT_CONNECTED,
        W.NUMBER_NOT_ON_CLOUD_API,
        W.NUMBER_VERIFICATION_EXPIRED,
        W.NUMBER_NAME_NOT_APPROVED,
    ]
    for finding in found:
        assert not any(ord(c) < 32 or c == "\x7f" for c in finding.title + finding.fix)
        assert len(finding.title) < 300
