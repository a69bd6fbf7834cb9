"""Table tests for what real Graph answers add: message patterns, phone numbers, versions."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from tests.support.diagnosis import BOTH, INFO, LOCAL, NOW
from wizard.core.codes import ProblemCode as P
from wizard.core.codes import WarningCode as W
from wizard.core.diagnose import (
    ERROR_MESSAGE_PATTERNS,
    GraphFindings,
    LocalFacts,
    can_send,
    diagnose,
    graph_error_code,
)
from wizard.core.errors import GraphApiError
from wizard.core.graph import BusinessAccount, GranularScope, PhoneNumber
from wizard.core.versions import GRAPH_VERSIONS, version_end

LOCAL = replace(LOCAL, source="keyring", location="")
GOOD_NUMBER = PhoneNumber("11", "+1 555 0001", status="CONNECTED", platform_type="CLOUD_API")


@pytest.mark.parametrize(
    ("code", "subcode", "message", "expected"),
    [
        (
            190,
            None,
            "Error validating access token: Session has expired on Thursday",
            P.TOKEN_EXPIRED,
        ),
        (
            190,
            None,
            "The session has been invalidated because the user changed their password",
            P.TOKEN_REVOKED,
        ),
        (
            190,
            None,
            "Error validating access token: The user has not authorized application 1.",
            P.TOKEN_REVOKED,
        ),
        (190, None, "Error validating access token: the user is logged out.", P.TOKEN_REVOKED),
        (190, None, "Invalid OAuth access token - Cannot parse access token", P.TOKEN_INVALID),
        (190, 463, "The session has been invalidated", P.TOKEN_EXPIRED),  # a known subcode wins
        (190, 467, "Session has expired", P.TOKEN_INVALID),
        (190, 999, "Session has expired", P.TOKEN_EXPIRED),  # unknown subcode: the message tells
        (
            100,
            None,
            "(#100) The App_id in the input_token did not match the Viewing App",
            P.WRONG_APP,
        ),
        (
            100,
            None,
            (
                "(#100) You must provide an app access token, or a user access token that is "
                "an owner or developer of the app"
            ),
            P.APP_TOKEN_REQUIRED,
        ),
        (100, None, "(#100) Tried accessing nonexisting field", P.GRAPH_ERROR),
        (4, None, "Session has expired", P.RATE_LIMITED),  # patterns are per code
    ],
)
def test_message_patterns(code: int, subcode: int | None, message: str, expected: str) -> None:
    assert graph_error_code(code, subcode, 400, message) == expected


def test_patterns_live_in_one_table() -> None:
    assert {p.code for p in ERROR_MESSAGE_PATTERNS} == {100, 190}
    assert all(p.reason for p in ERROR_MESSAGE_PATTERNS)


@pytest.mark.parametrize(
    ("number", "sends"),
    [
        (GOOD_NUMBER, True),
        (PhoneNumber("1"), True),  # Graph left the fields out: nothing says it cannot
        (replace(GOOD_NUMBER, status="DISCONNECTED"), False),
        (replace(GOOD_NUMBER, status="pending"), False),
        (replace(GOOD_NUMBER, status="FLAGGED"), True),
        (replace(GOOD_NUMBER, platform_type="ON_PREMISE"), False),
        (replace(GOOD_NUMBER, code_verification_status="EXPIRED"), True),
        (replace(GOOD_NUMBER, name_status="PENDING_REVIEW"), True),
    ],
)
def test_can_send(number: PhoneNumber, sends: bool) -> None:
    assert can_send(number) is sends


def findings(numbers: tuple[PhoneNumber, ...], local: LocalFacts = LOCAL) -> tuple[list, list]:
    graph = GraphFindings(token_info=INFO, accounts=(BusinessAccount("9", phone_numbers=numbers),))
    found = diagnose(graph, local)
    return [p.code for p in found.problems], [w.code for w in found.warnings]


def test_no_number_can_send_is_a_problem() -> None:
    down = replace(GOOD_NUMBER, status="DISCONNECTED")
    assert findings((down, replace(down, id="12"))) == (
        [P.NO_SENDING_NUMBER],
        [W.NUMBER_NOT_CONNECTED, W.NUMBER_NOT_CONNECTED],
    )
    assert findings((down, GOOD_NUMBER)) == ([], [W.NUMBER_NOT_CONNECTED])
    chosen = replace(LOCAL, expected_phone_number_id="12")
    assert findings((replace(down, id="12"), GOOD_NUMBER), chosen)[0] == [P.NO_SENDING_NUMBER]
    assert findings((down, replace(GOOD_NUMBER, id="12")), chosen)[0] == []


@pytest.mark.parametrize(
    ("version", "now", "warned", "past"),
    [
        ("v27.0", NOW, False, False),
        ("v21.0", NOW, True, False),  # ends 2027-01-21, within 90 days
        ("v21.0", datetime(2026, 10, 1, tzinfo=UTC), False, False),
        ("v20.0", NOW, True, True),
        ("v3.0", NOW, True, True),  # older than the table: long gone
        ("v99.0", NOW, False, False),  # newer than the table: nothing known against it
    ],
)
def test_version_end(version: str, now: datetime, warned: bool, past: bool) -> None:
    end = version_end(version, now)
    assert (end is not None) is warned
    if end is not None:
        assert end.past is past and end.newest == GRAPH_VERSIONS[0].name


def test_version_warning_in_the_diagnosis() -> None:
    graph = GraphFindings(
        token_info=INFO, accounts=(BusinessAccount("9", phone_numbers=(GOOD_NUMBER,)),)
    )
    found = diagnose(graph, replace(LOCAL, graph_version="v20.0"))
    assert [w.code for w in found.warnings] == [W.GRAPH_VERSION_ENDING]
    assert "v27.0" in found.warnings[0].fix and "2026-09-24" in found.warnings[0].title


def test_read_denied_is_a_permission_problem_not_no_account() -> None:
    err = GraphApiError(
        "(#10) Application does not have permission for this action", code=10, status=403
    )
    graph = GraphFindings(token_info=INFO, account_errors=(("9", err),))
    [problem] = diagnose(graph, LOCAL).problems
    assert problem.code == P.MISSING_PERMISSION and "(#10)" in (problem.detail or "")


def test_listing_refused_names_both_ways_out() -> None:
    info = replace(INFO, granular_scopes=tuple(GranularScope(s, None) for s in BOTH))
    err = GraphApiError("(#100) Missing permissions", code=100, status=400)
    [problem] = diagnose(GraphFindings(token_info=info, listing_refused=err), LOCAL).problems
    assert problem.code == P.ACCOUNTS_NOT_LISTABLE
    assert "WHATSAPP_BUSINESS_ACCOUNT_ID" in problem.fix and "business_management" in problem.fix
