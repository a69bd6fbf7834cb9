"""The fake Graph's scenarios: one demo token per kind of token and failure wa-token must handle."""

from __future__ import annotations

from dataclasses import dataclass, replace

from wizard.testing.fake_graph.data import (
    APP_ID,
    DAY,
    DEFAULT_MANY_ACCOUNTS,
    DEVELOPER_USER_ID,
    HOUR,
    MANAGEMENT,
    SYSTEM_USER_ID,
    WABA_A,
    WABA_B,
    WHATSAPP_SCOPES,
    benchmark_waba_ids,
)


@dataclass(frozen=True)
class Scenario:
    """What debug_token says about one demo token, and how the fake misbehaves for it."""

    token_type: str = "SYSTEM_USER"
    expires_in: int = 0  # seconds from now until it expires (negative: already); 0 = never
    data_access_in: int = 0  # seconds from now until data access expires; 0 = never
    issued_ago: int = 10 * DAY
    scopes: tuple[str, ...] = WHATSAPP_SCOPES
    target_ids: tuple[str, ...] | None = (WABA_A, WABA_B)  # None: grant not limited to assets
    user_id: str = SYSTEM_USER_ID
    dead: str = ""  # "expired", "revoked" or "malformed": the token no longer works at all
    failure: str = ""  # how every call with this token misbehaves (see _misbehave)
    pages: str = ""  # "empty", "paged" or "loop": how WABA A lists its phone numbers
    follows_accounts: bool = False  # reaches the benchmark WABAs when the server has `accounts`
    exchange_refused: bool = False  # oauth/access_token refuses to exchange this live token
    quirks: frozenset[str] = frozenset()  # real-Graph shapes the tidy default leaves out (QUIRKS)
    phone_state: str = ""  # how WABA A's first number (or every number) is broken (PHONE_STATES)
    readiness: str = (
        ""  # limited, blocked, unregistered, unsubscribed, override, account_… (readiness.py)
    )


QUIRKS = {
    "no_subcode": "190 errors carry only the message, no error_subcode (nor data.error.subcode)",
    "dead_keeps_scopes": "debug_token data with is_valid false keeps scopes and granular_scopes",
    "sparse_debug": "debug_token data without granular_scopes, issued_at, user_id, "
    "data_access_expires_at",
    "bare_errors": "error envelopes without type or fbtrace_id",
    "token_in_next": "paging.next is an absolute URL that carries access_token",
    "foreign_next": "paging.next points at another host",
    "viewing_app_mismatch": "debug_token with the app token: (#100) the App_id did not match",
    "app_token_required": "debug_token without the app token: (#100) you must provide an app "
    "access token",
    "business_refused": "/me/businesses: (#100) Missing permissions",
    "account_read_10": "reading a WABA or its numbers: (#10) Application does not have permission",
    "account_read_200": "reading a WABA or its numbers: (#200) Permissions error",
    "all_granular": "granular_scopes list every scope, business_management with the business id",
}
"""What each Scenario.quirks entry changes, each seen in a real Graph answer
(shared/data/graph-payloads.json, graph-api.md)."""

PHONE_STATES = {
    "disconnected": {"status": "DISCONNECTED"},
    "verification_expired": {"code_verification_status": "EXPIRED"},
    "name_pending": {"name_status": "PENDING_REVIEW"},
    "on_premise": {"platform_type": "ON_PREMISE"},
}
"""Scenario.phone_state → the fields that change on WABA A's first number; `none_can_send`
disconnects every number of WABA A."""


_TEMPORARY = Scenario(
    token_type="USER",
    user_id=DEVELOPER_USER_ID,
    expires_in=23 * HOUR,
    issued_ago=HOUR,
    data_access_in=90 * DAY,
    scopes=(*WHATSAPP_SCOPES, "public_profile"),
    target_ids=(WABA_A,),
)
_EXPIRED = replace(_TEMPORARY, expires_in=-HOUR, issued_ago=25 * HOUR, dead="expired")
_REVOKED = replace(_TEMPORARY, expires_in=50 * DAY, issued_ago=10 * DAY, dead="revoked")
_ONLY_A = Scenario(target_ids=(WABA_A,))

SCENARIOS: dict[str, Scenario] = {
    "valid": Scenario(follows_accounts=True),
    "admin": Scenario(target_ids=None),
    "expiring": Scenario(expires_in=60 * DAY, data_access_in=90 * DAY),
    "expiring_soon": Scenario(expires_in=5 * DAY, data_access_in=90 * DAY),
    "temporary": _TEMPORARY,
    "exchanged": replace(_TEMPORARY, expires_in=60 * DAY, issued_ago=0),
    "expired": _EXPIRED,
    "revoked": _REVOKED,
    "malformed": Scenario(dead="malformed"),
    "missing_messaging": replace(_ONLY_A, scopes=(MANAGEMENT,)),
    "no_account": Scenario(target_ids=()),
    "no_phone": replace(_ONLY_A, pages="empty"),
    "extra_permissions": Scenario(
        scopes=(*WHATSAPP_SCOPES, "business_management", "ads_management")
    ),
    "old": Scenario(issued_ago=200 * DAY),
    "rate_limited": Scenario(failure="rate_limited"),
    "rate_limited_waba": replace(_ONLY_A, failure="rate_limited_waba"),
    "flaky": Scenario(failure="flaky", follows_accounts=True),
    "server_error": Scenario(failure="server_error"),
    "bad_gateway": Scenario(failure="bad_gateway"),
    "truncated_json": Scenario(failure="truncated_json"),
    "slow": Scenario(failure="slow", follows_accounts=True),
    "hang": Scenario(failure="hang"),
    "drop": Scenario(failure="drop"),
    "paging": replace(_ONLY_A, pages="paged"),
    "paging_loop": replace(_ONLY_A, pages="loop"),
    "many": Scenario(target_ids=benchmark_waba_ids(DEFAULT_MANY_ACCOUNTS), follows_accounts=True),
    "exchange_refused": replace(_TEMPORARY, exchange_refused=True),
    # Real Graph's shapes (graph-payloads.json); added last so earlier demo tokens keep their names.
    "expired_nosub": replace(_EXPIRED, quirks=frozenset({"no_subcode"})),
    "revoked_nosub": replace(_REVOKED, quirks=frozenset({"no_subcode"})),
    "expired_keeps_scopes": replace(_EXPIRED, quirks=frozenset({"dead_keeps_scopes"})),
    "sparse_system_user": Scenario(target_ids=None, quirks=frozenset({"sparse_debug"})),
    "bare_errors": replace(_EXPIRED, quirks=frozenset({"bare_errors", "no_subcode"})),
    "paging_token_in_next": replace(_ONLY_A, pages="paged", quirks=frozenset({"token_in_next"})),
    "paging_foreign_next": replace(_ONLY_A, pages="paged", quirks=frozenset({"foreign_next"})),
    "viewing_app_mismatch": replace(_ONLY_A, quirks=frozenset({"viewing_app_mismatch"})),
    "app_token_required": replace(_ONLY_A, quirks=frozenset({"app_token_required"})),
    "no_business_management": Scenario(target_ids=None, quirks=frozenset({"business_refused"})),
    "account_read_10": replace(_ONLY_A, quirks=frozenset({"account_read_10"})),
    "account_read_200": replace(_ONLY_A, quirks=frozenset({"account_read_200"})),
    "embedded_signup": replace(
        _ONLY_A,
        quirks=frozenset({"all_granular"}),
        scopes=("business_management", *WHATSAPP_SCOPES, "whatsapp_business_manage_events"),
    ),
    "phone_disconnected": replace(_ONLY_A, phone_state="disconnected"),
    "phone_verification_expired": replace(_ONLY_A, phone_state="verification_expired"),
    "phone_name_pending": replace(_ONLY_A, phone_state="name_pending"),
    "phone_on_premise": replace(_ONLY_A, phone_state="on_premise"),
    "phone_none_can_send": replace(_ONLY_A, phone_state="none_can_send"),
    "system_user_expiring_soon": Scenario(
        expires_in=5 * DAY, data_access_in=90 * DAY, target_ids=(WABA_A,)
    ),
    # Ready to send and receive (issue 19): Meta's health verdicts, webhooks, registration.
    "health_limited": replace(_ONLY_A, readiness="limited"),
    "health_blocked": replace(_ONLY_A, readiness="blocked"),
    "number_unregistered": replace(_ONLY_A, readiness="unregistered"),
    "webhooks_unsubscribed": Scenario(readiness="unsubscribed"),
    "webhook_override": replace(_ONLY_A, readiness="override"),
    # Tables that cannot drift (issue 25): a scenario for each code a check can report.
    "account_limited": replace(_ONLY_A, readiness="account_limited"),
    "account_blocked": replace(_ONLY_A, readiness="account_blocked"),
    "page": replace(_ONLY_A, token_type="PAGE", expires_in=50 * DAY),
    # The account's override without the numbers' webhook_configuration (as real Graph may).
    "webhook_override_unlisted": replace(_ONLY_A, readiness="override_unlisted"),
}
APP_SCENARIO = Scenario(token_type="APP", scopes=(), target_ids=(), user_id=APP_ID)


def _demo_token(name: str, index: int) -> str:
    """`EAAFake0<Scenario>0WaTokenDemo000…<2 letters><index>`: 60 chars, last 4 unique."""
    camel = "".join(part.capitalize() for part in name.split("_"))
    return f"EAAFake0{camel}0WaTokenDemo".ljust(56, "0") + f"{camel[:2]}{index:02d}"


TOKENS: dict[str, str] = {name: _demo_token(name, i) for i, name in enumerate(SCENARIOS, 1)}
_SCENARIO_BY_TOKEN = {token: SCENARIOS[name] for name, token in TOKENS.items()}


def scenario_for(token: str) -> Scenario:
    """The scenario of a demo token; anything unknown is a malformed token."""
    return _SCENARIO_BY_TOKEN.get(token, SCENARIOS["malformed"])
