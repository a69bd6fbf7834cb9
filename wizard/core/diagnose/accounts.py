"""The problems of the token's WhatsApp accounts and phone numbers."""

from __future__ import annotations

from wizard.core.codes import ProblemCode
from wizard.core.diagnose.findings import Finding, GraphFindings, LocalFacts
from wizard.core.diagnose.meta_texts import (
    API_SETUP_URL,
    PHONE_NUMBERS_URL,
    SAVE_AND_RESTART,
    STEP_ASSIGN,
    STEP_GENERATE,
    WHATSAPP_ACCOUNTS_URL,
)
from wizard.core.diagnose.problems import _graph_detail, _no_account, problem_for_error
from wizard.core.diagnose.wording import graph_text
from wizard.core.errors import GraphApiError
from wizard.core.exits import GRAPH_SIDE
from wizard.core.graph import (
    BusinessAccount,
    PhoneNumber,
)


def _account_problems(graph: GraphFindings, local: LocalFacts) -> list[Finding]:
    errors = [problem_for_error(err, local) for _, err in graph.account_errors]
    graph_side = [f for f in errors if f.code in GRAPH_SIDE]
    if graph_side and not graph.accounts:
        return graph_side[:1]
    expected = local.expected_account_id
    reached = {a.id for a in graph.accounts}
    denied = _read_denied(graph, expected if expected not in reached else None)
    if denied is not None and (not graph.accounts or (expected and expected not in reached)):
        return [denied]
    if not graph.accounts and not expected and graph.listing_refused is not None:
        return [_accounts_not_listable(graph, local)]
    if expected and expected not in reached:
        return [
            _no_account(
                f"The token does not reach {local.profile.var('WHATSAPP_BUSINESS_ACCOUNT_ID')}="
                f"{expected}.",
                _first_detail(graph, expected),
            )
        ]
    if not graph.accounts:
        return [
            _no_account(
                "The token is valid but reaches no WhatsApp Business Account.",
                _first_detail(graph, None),
            )
        ]
    return _phone_problems(graph.accounts, local)


def _read_denied(graph: GraphFindings, account_id: str | None) -> Finding | None:
    """Code 10 or 200–299 on reading an account: a permission problem, not "no account"."""
    for found_id, err in graph.account_errors:
        if account_id not in (None, found_id) or not isinstance(err, GraphApiError):
            continue
        if err.code == 10 or 200 <= err.code < 300:
            return Finding(
                ProblemCode.MISSING_PERMISSION,
                f"Graph refused to read WhatsApp Business Account {found_id}: the token may not "
                "manage it.",
                "The system user needs that account assigned with Full control, and the token "
                "needs whatsapp_business_management for it: "
                f"{STEP_ASSIGN}; then {STEP_GENERATE}. A token never gains access later: "
                f"generate a new one, {SAVE_AND_RESTART}.",
                _graph_detail(err),
            )
    return None


def _accounts_not_listable(graph: GraphFindings, local: LocalFacts) -> Finding:
    info = graph.token_info
    has_business = info is not None and "business_management" in info.scopes
    err = graph.listing_refused
    detail = _graph_detail(err) if isinstance(err, GraphApiError) else None
    waba_var = local.profile.var("WHATSAPP_BUSINESS_ACCOUNT_ID")
    why = (
        "the token's WhatsApp permissions name no account (no target_ids), and Graph "
        "refused to list the business's accounts"
    )
    missing = "" if has_business else ", because the token lacks business_management"
    return Finding(
        ProblemCode.ACCOUNTS_NOT_LISTABLE,
        f"wa-token cannot find your WhatsApp Business Account: {why}{missing}.",
        f"Either set {waba_var} to your account's id (WhatsApp Manager → Account tools, or "
        f"Business Settings → Accounts → WhatsApp accounts; {WHATSAPP_ACCOUNTS_URL}) in the "
        "environment or .env: wa-token then reads that account directly; or generate a new "
        "token with business_management ticked as well (Business Settings → System Users → "
        "Generate New Token), so the business's accounts can be listed.",
        detail,
    )


CANNOT_SEND_STATUSES = frozenset({"DISCONNECTED", "PENDING", "BANNED", "DELETED", "UNVERIFIED"})
"""Phone number `status` values with which the number sends nothing [Unverified enum]."""


def can_send(number: PhoneNumber) -> bool:
    """Whether Graph's description of the number leaves it able to send on the Cloud API."""
    on_cloud = number.platform_type in (None, "CLOUD_API")
    blocked = number.health is not None and number.health.blocked
    return (
        on_cloud
        and not blocked
        and (number.status or "CONNECTED").upper() not in CANNOT_SEND_STATUSES
    )


def _phone_problems(accounts: tuple[BusinessAccount, ...], local: LocalFacts) -> list[Finding]:
    numbers = {n.id for a in accounts for n in a.phone_numbers}
    if not numbers:
        return [
            Finding(
                ProblemCode.NO_PHONE_NUMBER,
                "The WhatsApp Business Account has no phone number."
                if len(accounts) == 1
                else "None of the WhatsApp Business Accounts has a phone number.",
                f"Add a phone number in WhatsApp Manager ({PHONE_NUMBERS_URL}), or use the test "
                f"number from App Dashboard → WhatsApp → API Setup ({API_SETUP_URL}).",
            )
        ]
    expected = local.expected_phone_number_id
    if expected and expected not in numbers:
        return [
            Finding(
                ProblemCode.NO_PHONE_NUMBER,
                f"{local.profile.var('WHATSAPP_PHONE_NUMBER_ID')}={expected} is not a number of the "
                "accounts this token reaches.",
                "Use one of the phone number ids listed by `wa-token check`, or assign the account "
                f"that owns it to the system user (Step 2 of Meta's guide: {STEP_ASSIGN}) and generate "
                "a new token.",
            )
        ]
    return _sending_problems(accounts, local)


def _sending_problems(accounts: tuple[BusinessAccount, ...], local: LocalFacts) -> list[Finding]:
    """Exit 1 when nothing can send: a check that passes must mean messages can go out."""
    numbers = [n for a in accounts for n in a.phone_numbers]
    expected = local.expected_phone_number_id
    if expected:
        chosen = [n for n in numbers if n.id == expected]
        if chosen and not can_send(chosen[0]):
            return [
                Finding(
                    ProblemCode.NO_SENDING_NUMBER,
                    f"{local.profile.var('WHATSAPP_PHONE_NUMBER_ID')}={expected} "
                    f"({_number_label(chosen[0])}) cannot send: {_why_not_sending(chosen[0])}.",
                    "Fix that number (the warnings below say how), or point "
                    f"{local.profile.var('WHATSAPP_PHONE_NUMBER_ID')} at a number that is CONNECTED "
                    "on the Cloud API; then run `wa-token check` again.",
                )
            ]
        return []
    if any(can_send(n) for n in numbers):
        return []
    return [
        Finding(
            ProblemCode.NO_SENDING_NUMBER,
            "Nothing can be sent: no phone number this token reaches can send ("
            + "; ".join(f"{_number_label(n)}: {_why_not_sending(n)}" for n in numbers[:5])
            + ").",
            "Fix one of the numbers (the warnings below say how: "
            + (
                "do what Meta's health verdict asks"
                if any(n.health is not None and n.health.blocked for n in numbers)
                else "usually register it with POST /{phone-number-id}/register"
            )
            + "), then run `wa-token check` again.",
        )
    ]


def _why_not_sending(number: PhoneNumber) -> str:
    if number.platform_type not in (None, "CLOUD_API"):
        return f"it is on {graph_text(number.platform_type)}, not the Cloud API"
    if (number.status or "CONNECTED").upper() in CANNOT_SEND_STATUSES:
        return f"its status is {graph_text(number.status or '')}"
    return "Meta's health verdict is BLOCKED"


def _number_label(number: PhoneNumber) -> str:
    shown = graph_text(number.display_phone_number or "") or "phone number"
    return f"{shown} (id {graph_text(number.id)})"


def _first_detail(graph: GraphFindings, account_id: str | None) -> str | None:
    for found_id, err in graph.account_errors:
        if account_id in (None, found_id) and isinstance(err, GraphApiError):
            return _graph_detail(err)
    return None
