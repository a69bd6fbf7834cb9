"""The fake Graph's real-world scenarios (graph-payloads.json shapes), through the real `wa-token`."""

from __future__ import annotations

import json

import pytest

from tests.conftest import Cli, Run
from tests.support.findings import codes
from wizard.testing.fake_graph import (
    APP_ID,
    APP_SECRET,
    FOREIGN_HOST,
    TOKENS,
    WABA_A,
    FakeGraphServer,
)

APP_CREDENTIALS = {"WHATSAPP_APP_ID": APP_ID, "WHATSAPP_APP_SECRET": APP_SECRET}


def check(cli: Cli, scenario: str, env: dict[str, str] | None = None) -> tuple[Run, dict]:
    run = cli("check", "--json", stdin=TOKENS[scenario], env=env)
    assert run.out, run.err
    assert TOKENS[scenario] not in run.out + run.err
    assert APP_SECRET not in run.out + run.err
    return run, json.loads(run.out)


def text(finding: dict) -> str:
    return " ".join((finding["title"], finding["fix"], finding.get("detail", ""))).lower()


@pytest.mark.parametrize(
    ("scenario", "env", "problem", "words"),
    [
        ("expired_nosub", None, "token_expired", "expired"),
        ("revoked_nosub", None, "token_revoked", "password"),
        ("expired_keeps_scopes", APP_CREDENTIALS, "token_expired", "session has expired"),
        ("bare_errors", None, "token_expired", "session has expired"),
        ("viewing_app_mismatch", APP_CREDENTIALS, "wrong_app", "whatsapp_app_secret"),
        (
            "app_token_required",
            None,
            "app_token_required",
            "whatsapp_app_id and whatsapp_app_secret",
        ),
        ("no_business_management", None, "accounts_not_listable", "business_management"),
        (
            "account_read_10",
            None,
            "missing_permission",
            "(#10) application does not have permission",
        ),
        ("account_read_200", None, "missing_permission", "full control"),
        ("phone_none_can_send", None, "no_sending_number", "/register"),
    ],
)
def test_real_graph_problem(
    cli: Cli, scenario: str, env: dict[str, str] | None, problem: str, words: str
) -> None:
    run, body = check(cli, scenario, env)
    assert run.code == 1, run.err
    assert codes(body["problems"]) == [problem]
    assert words in text(body["problems"][0])


def test_190_without_subcode_is_not_called_invalid(cli: Cli) -> None:
    _, body = check(cli, "revoked_nosub")
    assert "copy" not in body["problems"][0]["title"].lower()
    assert "error_subcode" not in json.dumps(body)


def test_bare_error_envelope_has_no_trace_id_to_quote(cli: Cli) -> None:
    _, body = check(cli, "bare_errors")
    assert "fbtrace_id" not in body["problems"][0].get("detail", "")


def test_app_token_required_passes_with_the_app_credentials(cli: Cli) -> None:
    run, body = check(cli, "app_token_required", APP_CREDENTIALS)
    assert run.code == 0 and body["ok"] is True, body["problems"]


def test_no_business_management_passes_with_the_account_id(cli: Cli) -> None:
    run, body = check(cli, "no_business_management", {"WHATSAPP_BUSINESS_ACCOUNT_ID": WABA_A})
    assert run.code == 0, body["problems"]
    assert [a["id"] for a in body["whatsapp_business_accounts"]] == [WABA_A]


def test_no_business_management_fix_names_both_ways_out(cli: Cli) -> None:
    _, body = check(cli, "no_business_management")
    fix = body["problems"][0]["fix"]
    assert "WHATSAPP_BUSINESS_ACCOUNT_ID" in fix and "business_management" in fix
    assert "Assign Assets" not in fix  # the old advice looped: a new token has the same shape


def test_sparse_system_user_answer_still_works(cli: Cli) -> None:
    run, body = check(cli, "sparse_system_user")
    assert run.code == 0, body["problems"]
    assert body["token"]["type"] == "SYSTEM_USER" and body["token"]["issued_at"] is None
    assert len(body["whatsapp_business_accounts"]) == 2


def test_embedded_signup_token_is_a_working_token(cli: Cli) -> None:
    run, body = check(cli, "embedded_signup")
    assert run.code == 0, body["problems"]
    assert [a["id"] for a in body["whatsapp_business_accounts"]] == [WABA_A]
    assert "whatsapp_business_manage_events" in body["token"]["scopes"]


def test_paging_next_carrying_the_token_is_followed_and_never_shown(
    cli: Cli, fake_graph: FakeGraphServer
) -> None:
    run, body = check(cli, "paging_token_in_next")
    assert run.code == 0
    assert len(body["whatsapp_business_accounts"][0]["phone_numbers"]) == 5
    followed = [r for r in fake_graph.requests if "after" in r.query]
    assert followed and all(r.headers.get("authorization") for r in followed)


def test_paging_next_to_another_host_is_not_followed(cli: Cli, fake_graph: FakeGraphServer) -> None:
    run, body = check(cli, "paging_foreign_next")
    assert run.code == 0
    assert len(body["whatsapp_business_accounts"][0]["phone_numbers"]) == 2
    assert not [r for r in fake_graph.requests if "after" in r.query]
    assert FOREIGN_HOST not in run.out + run.err


@pytest.mark.parametrize(
    ("scenario", "warning", "words"),
    [
        ("phone_disconnected", "number_not_connected", "/register"),
        ("phone_verification_expired", "number_verification_expired", "verify"),
        ("phone_name_pending", "number_name_not_approved", "review"),
        ("phone_on_premise", "number_not_on_cloud_api", "/register"),
    ],
)
def test_phone_number_warnings(cli: Cli, scenario: str, warning: str, words: str) -> None:
    run, body = check(cli, scenario)
    assert run.code == 0, body["problems"]  # the test number of WABA A can still send
    found = [w for w in body["warnings"] if w["code"] == warning]
    assert len(found) == 1 and words in text(found[0])
    assert "106540352242922" in found[0]["title"]


def test_configured_number_that_cannot_send_is_a_problem(cli: Cli) -> None:
    env = {"WHATSAPP_PHONE_NUMBER_ID": "106540352242922"}
    run, body = check(cli, "phone_disconnected", env)
    assert run.code == 1 and codes(body["problems"]) == ["no_sending_number"]


def test_nothing_can_send_is_never_ok_in_text_either(cli: Cli) -> None:
    run = cli("check", stdin=TOKENS["phone_none_can_send"])
    assert run.code == 1
    assert "The token works" not in run.out


def test_sixty_day_system_user_token_is_healthy(cli: Cli) -> None:
    run, body = check(cli, "expiring")
    assert run.code == 0 and codes(body["warnings"]) == []
    run, body = check(cli, "system_user_expiring_soon")
    assert run.code == 0 and codes(body["warnings"]) == ["expires_soon"]
    assert "wa-token refresh" in body["warnings"][0]["fix"]


@pytest.mark.parametrize(
    ("version", "warned"),
    [
        ("v27.0", False),
        ("v25.0", False),
        ("v21.0", True),
        ("v20.0", True),
        ("v12.0", True),
    ],
)
def test_graph_version_ending_warning(cli: Cli, version: str, warned: bool) -> None:
    run, body = check(cli, "valid", {"WHATSAPP_GRAPH_API_VERSION": version})
    assert run.code == 0
    assert ("graph_version_ending" in codes(body["warnings"])) is warned
