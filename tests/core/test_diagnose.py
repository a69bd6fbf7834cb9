"""Table tests for the diagnosis: Graph codes, token facts and local facts to findings."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from tests.support.diagnosis import BOTH, GOOD, INFO, LOCAL, NOW
from tests.support.findings import codes
from wizard.core.diagnose import (
    GRAPH_ERROR_PROBLEMS,
    GraphFindings,
    LocalFacts,
    diagnose,
    graph_error_code,
)
from wizard.core.errors import GraphApiError, GraphBadResponse, GraphUnreachable
from wizard.core.graph import BusinessAccount, DebugError, TokenInfo


def api_error(code: int, subcode: int | None = None, **kw: object) -> GraphApiError:
    return GraphApiError("msg", code=code, subcode=subcode, fbtrace_id="Atrace", **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("code", "subcode", "expected"),
    [
        (190, None, "token_invalid"),
        (190, 463, "token_expired"),
        (190, 460, "token_revoked"),
        (190, 458, "token_revoked"),
        (190, 459, "token_revoked"),
        (190, 464, "token_revoked"),
        (190, 492, "token_revoked"),
        (190, 467, "token_invalid"),
        (190, 999, "token_invalid"),
        (102, None, "token_invalid"),
        (10, None, "missing_permission"),
        (200, None, "no_whatsapp_account"),
        (250, None, "missing_permission"),
        (100, 33, "no_whatsapp_account"),
        (100, None, "graph_error"),
        (4, None, "rate_limited"),
        (17, None, "rate_limited"),
        (32, None, "rate_limited"),
        (613, None, "rate_limited"),
        (80007, None, "rate_limited"),
        (80008, None, "rate_limited"),
        (1, None, "graph_error"),
        (2, None, "graph_error"),
        (131000, None, "graph_error"),
        (368, None, "graph_error"),
        (131005, None, "missing_permission"),
        (99999, None, "graph_error"),
    ],
)
def test_graph_error_table(code: int, subcode: int | None, expected: str) -> None:
    assert graph_error_code(code, subcode) == expected


def test_every_table_entry_is_a_contract_problem_code() -> None:
    contract = {
        "token_invalid",
        "token_expired",
        "token_revoked",
        "missing_permission",
        "no_whatsapp_account",
        "graph_error",
        "rate_limited",
    }
    assert set(GRAPH_ERROR_PROBLEMS.values()) <= contract


@pytest.mark.parametrize(
    ("graph", "local", "problems", "exit_code"),
    [
        (GOOD, LOCAL, [], 0),
        (GraphFindings(), replace(LOCAL, token_found=False, source=None), ["token_missing"], 3),
        (GraphFindings(), replace(LOCAL, format_problem="it has spaces"), ["token_malformed"], 1),
        (GraphFindings(error=api_error(190, 463)), LOCAL, ["token_expired"], 1),
        (GraphFindings(error=api_error(190, 460)), LOCAL, ["token_revoked"], 1),
        (GraphFindings(error=api_error(190)), LOCAL, ["token_invalid"], 1),
        (GraphFindings(error=api_error(4, is_transient=True)), LOCAL, ["rate_limited"], 4),
        (GraphFindings(error=GraphUnreachable("down")), LOCAL, ["graph_unreachable"], 4),
        (GraphFindings(error=GraphBadResponse("html", status=502)), LOCAL, ["graph_error"], 4),
        (
            GraphFindings(
                token_info=replace(INFO, is_valid=False, error=DebugError(190, 463, "expired"))
            ),
            LOCAL,
            ["token_expired"],
            1,
        ),
        (
            GraphFindings(token_info=replace(INFO, expires_at=NOW - timedelta(hours=1))),
            LOCAL,
            ["token_expired"],
            1,
        ),
        (
            replace(GOOD, token_info=replace(INFO, scopes=BOTH[:1])),
            LOCAL,
            ["missing_permission"],
            1,
        ),
        (GraphFindings(token_info=INFO), LOCAL, ["no_whatsapp_account"], 1),
        (
            GraphFindings(token_info=INFO, account_errors=(("1", api_error(100, 33)),)),
            LOCAL,
            ["no_whatsapp_account"],
            1,
        ),
        (
            GraphFindings(token_info=INFO, account_errors=(("1", api_error(80007)),)),
            LOCAL,
            ["rate_limited"],
            4,
        ),
        (replace(GOOD, accounts=(BusinessAccount("1", "Acme"),)), LOCAL, ["no_phone_number"], 1),
        (GOOD, replace(LOCAL, expected_app_id="999"), ["wrong_app"], 1),
        (GOOD, replace(LOCAL, expected_account_id="2"), ["no_whatsapp_account"], 1),
        (GOOD, replace(LOCAL, expected_phone_number_id="99"), ["no_phone_number"], 1),
        (
            GOOD,
            replace(
                LOCAL,
                expected_app_id="634974688087057",
                expected_account_id="1",
                expected_phone_number_id="11",
            ),
            [],
            0,
        ),
    ],
)
def test_problems_and_exit_codes(
    graph: GraphFindings, local: LocalFacts, problems: list[str], exit_code: int
) -> None:
    found = diagnose(graph, local)
    assert codes(found.problems) == problems
    assert found.exit_code == exit_code
    assert found.ok is (not problems)
    for finding in found.problems:
        assert finding.title and finding.fix


def test_missing_permission_names_the_scope_and_the_step() -> None:
    graph = replace(GOOD, token_info=replace(INFO, scopes=("whatsapp_business_management",)))
    [finding] = diagnose(graph, LOCAL).problems
    assert "whatsapp_business_messaging" in finding.title
    assert "Generate New Token" in finding.fix and "tick whatsapp_business_messaging" in finding.fix
    assert "whatsapp_business_management" not in finding.title


def test_no_account_fix_names_assign_assets() -> None:
    [finding] = diagnose(GraphFindings(token_info=INFO), LOCAL).problems
    assert "Assign Assets" in finding.fix


def test_graph_detail_carries_the_support_id() -> None:
    [finding] = diagnose(GraphFindings(error=api_error(190, 463)), LOCAL).problems
    assert finding.detail and "Atrace" in finding.detail


@pytest.mark.parametrize(
    ("info", "local", "warnings"),
    [
        (INFO, replace(LOCAL, source="keyring"), []),
        (
            replace(INFO, type="USER", expires_at=NOW + timedelta(hours=23)),
            LOCAL,
            ["temporary_token"],
        ),
        (
            replace(INFO, type="USER", expires_at=NOW + timedelta(days=60)),
            LOCAL,
            ["temporary_token"],
        ),
        (
            replace(INFO, expires_at=NOW + timedelta(hours=30)),
            LOCAL,
            ["expires_soon"],
        ),  # 60-day SU: healthy
        (replace(INFO, expires_at=NOW + timedelta(days=5)), LOCAL, ["expires_soon"]),
        (replace(INFO, expires_at=NOW + timedelta(days=5)), replace(LOCAL, warn_days=3), []),
        (replace(INFO, expires_at=NOW + timedelta(days=60)), LOCAL, []),
        (replace(INFO, issued_at=NOW - timedelta(days=181)), LOCAL, ["rotation_due"]),
        (
            replace(INFO, scopes=(*BOTH, "business_management", "public_profile")),
            LOCAL,
            ["extra_permissions"],
        ),
        (INFO, replace(LOCAL, shadowed=("the OS keyring (wa-token/X)",)), ["shadowed"]),
        (INFO, replace(LOCAL, env_in_git_work_tree=True), ["env_not_gitignored"]),
        (INFO, replace(LOCAL, env_in_git_work_tree=True, env_git_ignored=True), []),
        (
            INFO,
            replace(LOCAL, env_in_git_work_tree=True, env_tracked_by_git=True),
            ["env_tracked_by_git"],
        ),
        (INFO, replace(LOCAL, env_world_readable=True), ["env_world_readable"]),
        (INFO, replace(LOCAL, keyring_available=True), ["plaintext_storage"]),
        (
            INFO,
            replace(LOCAL, source="keyring", keyring_available=True, env_world_readable=True),
            [],
        ),
    ],
)
def test_warnings(info: TokenInfo, local: LocalFacts, warnings: list[str]) -> None:
    found = diagnose(replace(GOOD, token_info=info), local)
    assert codes(found.warnings) == warnings
    assert found.problems == () and found.exit_code == 0


def test_expired_token_has_no_lifetime_warnings() -> None:
    info = replace(INFO, type="USER", expires_at=NOW - timedelta(hours=1))
    found = diagnose(GraphFindings(token_info=info), LOCAL)
    assert codes(found.problems) == ["token_expired"] and found.warnings == ()
