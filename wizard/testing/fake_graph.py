"""A loopback fake of Meta's Graph API that answers every wa-token scenario the way Meta does."""

from __future__ import annotations

import argparse
import json
import re
import secrets
import socket
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlencode, urlsplit

APP_ID = "634974688087057"
APP_SECRET = "fake0app0secret0for0wa0token0demos"
APP_TOKEN = f"{APP_ID}|{APP_SECRET}"
APP_NAME = "Acme WhatsApp"

WABA_A = "102290129340398"
WABA_B = "102290129340399"
BUSINESS_ID = "506914307656634"
BUSINESS_NAME = "Acme Inc"
SYSTEM_USER_ID = "61570785020842"
DEVELOPER_USER_ID = "10215241773831025"
USER_NAMES = {"SYSTEM_USER": "wa-token system user", "USER": "Demo Developer", "APP": APP_NAME}
BENCHMARK_WABA_BASE = 2_000_000_000_000_000
BENCHMARK_PHONE_BASE = 3_000_000_000_000_000
DEFAULT_MANY_ACCOUNTS = 20
NOT_ALLOWED_RECIPIENT = "15550000000"
TEMPLATE_MISSING_RECIPIENT = "15550001320"
NOT_REGISTERED_RECIPIENT = "15550001330"
LOCKED_RECIPIENT = "15550001310"
"""Recipients that make `POST /{phone}/messages` fail the way graph-api.md §5 / §11 #10 says."""
EXCHANGED_EXPIRES_IN = 5183944

HOUR = 3600
DAY = 24 * HOUR
MANAGEMENT = "whatsapp_business_management"
MESSAGING = "whatsapp_business_messaging"
WHATSAPP_SCOPES = (MANAGEMENT, MESSAGING)
JSON_TYPE = "application/json; charset=UTF-8"
VERSION_SEGMENT = re.compile(r"v\d+\.\d+")

MALFORMED_MESSAGE = "Invalid OAuth access token - Cannot parse access token"
REVOKED_MESSAGE = (
    "Error validating access token: The session has been invalidated because the user changed "
    "their password or Facebook has changed the session for security reasons."
)
# Field names `fields=` may ask for; the ones the fake has no value for are simply left out.
WABA_FIELDS = frozenset(
    [
        "id",
        "name",
        "currency",
        "timezone_id",
        "message_template_namespace",
        "account_review_status",
        "business_verification_status",
        "country",
        "ownership_type",
        "status",
    ]
)
PHONE_FIELDS = frozenset(
    [
        "id",
        "display_phone_number",
        "verified_name",
        "quality_rating",
        "code_verification_status",
        "platform_type",
        "throughput",
        "name_status",
        "status",
        "last_onboarded_time",
        "messaging_limit_tier",
        "account_mode",
        "is_official_business_account",
    ]
)
NODE_FIELDS = {"WhatsAppBusinessAccount": WABA_FIELDS, "WhatsAppBusinessPhoneNumber": PHONE_FIELDS}
EDGES = {("WhatsAppBusinessAccount", "phone_numbers"): "WhatsAppBusinessPhoneNumber"}
"""Edges field expansion may nest (`phone_numbers.limit(5){id,status}`), and their node type."""
MAX_IDS = 50
"""Ids one multiple-id lookup (`GET /?ids=A,B`) may ask for."""
DEFAULT_PAGE_SIZE = 25


# -- scenarios and demo tokens --------------------------------------------------------------------


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


@lru_cache(maxsize=8)
def benchmark_waba_ids(count: int) -> tuple[str, ...]:
    """The ids of the first `count` benchmark WABAs."""
    return tuple(str(BENCHMARK_WABA_BASE + index) for index in range(count))


_TEMPORARY = Scenario(
    token_type="USER",
    user_id=DEVELOPER_USER_ID,
    expires_in=23 * HOUR,
    issued_ago=HOUR,
    data_access_in=90 * DAY,
    scopes=(*WHATSAPP_SCOPES, "public_profile"),
    target_ids=(WABA_A,),
)
_ONLY_A = Scenario(target_ids=(WABA_A,))

SCENARIOS: dict[str, Scenario] = {
    "valid": Scenario(follows_accounts=True),
    "admin": Scenario(target_ids=None),
    "expiring": Scenario(expires_in=60 * DAY, data_access_in=90 * DAY),
    "expiring_soon": Scenario(expires_in=5 * DAY, data_access_in=90 * DAY),
    "temporary": _TEMPORARY,
    "exchanged": replace(_TEMPORARY, expires_in=60 * DAY, issued_ago=0),
    "expired": replace(_TEMPORARY, expires_in=-HOUR, issued_ago=25 * HOUR, dead="expired"),
    "revoked": replace(_TEMPORARY, expires_in=50 * DAY, issued_ago=10 * DAY, dead="revoked"),
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
    "expired_nosub": replace(
        _TEMPORARY,
        expires_in=-HOUR,
        issued_ago=25 * HOUR,
        dead="expired",
        quirks=frozenset({"no_subcode"}),
    ),
    "revoked_nosub": replace(
        _TEMPORARY,
        expires_in=50 * DAY,
        issued_ago=10 * DAY,
        dead="revoked",
        quirks=frozenset({"no_subcode"}),
    ),
    "expired_keeps_scopes": replace(
        _TEMPORARY,
        expires_in=-HOUR,
        issued_ago=25 * HOUR,
        dead="expired",
        quirks=frozenset({"dead_keeps_scopes"}),
    ),
    "sparse_system_user": Scenario(target_ids=None, quirks=frozenset({"sparse_debug"})),
    "bare_errors": replace(
        _TEMPORARY,
        expires_in=-HOUR,
        issued_ago=25 * HOUR,
        dead="expired",
        quirks=frozenset({"bare_errors", "no_subcode"}),
    ),
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


# -- the fake business: WABAs and phone numbers ---------------------------------------------------


def _account(waba_id: str, name: str, currency: str, namespace: str) -> dict[str, Any]:
    return {
        "id": waba_id,
        "name": name,
        "currency": currency,
        "timezone_id": "1",
        "message_template_namespace": namespace,
        "account_review_status": "APPROVED",
    }


def _number(
    phone_id: str, display: str, verified_name: str, quality: str, *, verified: bool = True
) -> dict[str, Any]:
    """A phone number as Graph lists it; fields that do not apply are left out."""
    number = {
        "id": phone_id,
        "display_phone_number": display,
        "verified_name": verified_name,
        "quality_rating": quality,
        "code_verification_status": "VERIFIED" if verified else "NOT_VERIFIED",
        "platform_type": "CLOUD_API",
        "throughput": {"level": "STANDARD"},
        "name_status": "APPROVED" if verified else "AVAILABLE_WITHOUT_REVIEW",
        "status": "CONNECTED",
    }
    if verified:
        number["last_onboarded_time"] = "2026-03-02T10:15:42+0000"
    return number


ACCOUNTS = {
    WABA_A: _account(WABA_A, "Acme Support", "USD", "c8ae5f90_307a_ca4c_b8f6_d1e2a2573574"),
    WABA_B: _account(WABA_B, "Acme Sales", "USD", "5d1f0e3a_4b2c_4e8d_9a7f_0c6b2e1d3f48"),
}
NUMBERS: dict[str, tuple[dict[str, Any], ...]] = {
    WABA_A: (
        _number("106540352242922", "+1 555-010-4477", "Acme Support", "GREEN"),
        _number("113402916702233", "15550783881", "Test Number", "UNKNOWN", verified=False),
    ),
    WABA_B: (_number("106540352242923", "+1 555-010-9921", "Acme Sales", "YELLOW"),),
}
EXTRA_PAGED_NUMBERS = tuple(
    _number(f"10654035224292{i}", f"+1 555-010-44{70 + i}", f"Acme Line {i}", "GREEN")
    for i in (4, 5, 6)
)


@lru_cache(maxsize=4096)
def _benchmark_account(index: int) -> dict[str, Any]:
    waba_id = str(BENCHMARK_WABA_BASE + index)
    return _account(waba_id, f"Benchmark Account {index}", "USD", f"bench_{index:06d}")


@lru_cache(maxsize=4096)
def _benchmark_numbers(index: int) -> tuple[dict[str, Any], ...]:
    return tuple(
        _number(
            str(BENCHMARK_PHONE_BASE + 10 * index + line),
            f"+1 555-{index % 1000:03d}-{line:04d}",
            f"Benchmark {index}",
            "GREEN",
        )
        for line in range(3)
    )


# -- replies and Meta's error envelope ------------------------------------------------------------


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the fake received it (header names lower-cased)."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Reply:
    """What to send back; `drop_body` sends the headers, then closes without the body."""

    status: int
    body: bytes
    content_type: str = JSON_TYPE
    headers: dict[str, str] = field(default_factory=dict)
    drop_body: bool = False


class GraphFailure(Exception):
    """Raised by a route to answer with a Graph error envelope."""

    def __init__(self, reply: Reply) -> None:
        super().__init__(reply.status)
        self.reply = reply


class _HangUp(Exception):
    """Close the connection without answering (the server is stopping)."""


_per_request = threading.local()
"""The answering server's clock and trace id, set for the thread handling each request."""


def _now() -> int:
    """The current unix time, by the answering server's clock (fixed in snapshot tests)."""
    clock = getattr(_per_request, "clock", None) or time.time
    return int(clock())


def new_trace_id() -> str:
    fixed = getattr(_per_request, "trace_id", None)
    return fixed or "A" + secrets.token_urlsafe(16)[:22]


def json_reply(
    payload: Any,
    status: int = 200,
    headers: dict[str, str] | None = None,
    trace_id: str | None = None,
) -> Reply:
    trace = {"x-fb-trace-id": trace_id or new_trace_id()}
    return Reply(status, json.dumps(payload).encode(), JSON_TYPE, {**trace, **(headers or {})})


def error_reply(
    status: int,
    code: int,
    message: str,
    *,
    kind: str = "OAuthException",
    subcode: int | None = None,
    transient: bool = False,
    error_data: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> Reply:
    """Meta's `{"error": {...}}` envelope with a fresh fbtrace_id."""
    trace = new_trace_id()
    error = {
        "message": message,
        "type": kind,
        "code": code,
        "error_subcode": subcode,
        "is_transient": transient or None,
        "error_data": error_data,
        "fbtrace_id": trace,
    }
    return json_reply(
        {"error": {k: v for k, v in error.items() if v is not None}}, status, headers, trace
    )


def fail(status: int, code: int, message: str, **details: Any) -> GraphFailure:
    return GraphFailure(error_reply(status, code, message, **details))


def bad_parameter(message: str) -> GraphFailure:
    return fail(400, 100, f"(#100) {message}")


def permissions_error() -> GraphFailure:
    return fail(403, 200, "(#200) Permissions error")


def no_such_object(method: str, object_id: str) -> GraphFailure:
    return fail(
        400,
        100,
        f"Unsupported {method.lower()} request. Object with ID '{object_id}' does not exist, "
        "cannot be loaded due to missing permissions, or does not support this operation. "
        "Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api",
        kind="GraphMethodException",
        subcode=33,
    )


def business_usage(waba_id: str, call_count: int, regain_minutes: int) -> str:
    """An `X-Business-Use-Case-Usage` header value for one WABA."""
    usage = {
        "type": MANAGEMENT,
        "call_count": call_count,
        "total_cputime": 3,
        "total_time": 4,
        "estimated_time_to_regain_access": regain_minutes,
    }
    return json.dumps({waba_id: [usage]}, separators=(",", ":"))


def _pacific(timestamp: int) -> str:
    return time.strftime("%A, %d-%b-%y %H:%M:%S PST", time.gmtime(timestamp - 8 * HOUR))


def dead_token_error(scenario: Scenario, now: int) -> tuple[int | None, str]:
    """The 190 error_subcode and message of a token that no longer works."""
    if scenario.dead == "expired":
        return 463, (
            f"Error validating access token: Session has expired on "
            f"{_pacific(now + scenario.expires_in)}. The current time is {_pacific(now)}."
        )
    if scenario.dead == "revoked":
        return 460, REVOKED_MESSAGE
    return None, MALFORMED_MESSAGE


def dead_token_failure(scenario: Scenario, status: int) -> GraphFailure:
    subcode, message = dead_token_error(scenario, _now())
    challenge = f'OAuth "Facebook Platform" "invalid_token" "{message}"'
    return fail(status, 190, message, subcode=subcode, headers={"WWW-Authenticate": challenge})


# -- request parsing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    """One parsed request: the path without its version, the parameters and the caller's token."""

    method: str
    segments: tuple[str, ...]
    version: str  # "v26.0", or "" when the path had no version prefix
    params: dict[str, str]
    token: str | None
    body: bytes


def parse_call(method: str, raw_path: str, headers: dict[str, str], body: bytes) -> Call:
    parts = urlsplit(raw_path)
    segments = tuple(s for s in parts.path.split("/") if s)
    version = ""
    if segments and VERSION_SEGMENT.fullmatch(segments[0]):
        version, segments = segments[0], segments[1:]
    params = _first_values(parts.query)
    if headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        params = {**_first_values(body.decode("utf-8", "replace")), **params}
    token = params.get("access_token") or _bearer(headers.get("authorization", ""))
    return Call(method, segments, version, params, token, body)


def _first_values(query: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}


def _bearer(authorization: str) -> str | None:
    match = re.fullmatch(r"\s*(?:Bearer|OAuth)\s+(\S+)\s*", authorization, re.IGNORECASE)
    return match.group(1) if match else None


def requested_fields(call: Call, node: str, known: frozenset[str]) -> list[str] | None:
    """The names in `fields=` (nesting and modifiers dropped); unknown names are a 100 error."""
    fields = requested_field_tree(call, node, known)
    return None if fields is None else [f.name for f in fields]


@dataclass(frozen=True)
class FieldRequest:
    """One entry of `fields=`: a name, its `.limit(n)` and its nested `{…}` fields."""

    name: str
    limit: int | None = None
    nested: tuple[FieldRequest, ...] | None = None
    nested_text: str = ""  # the text between the braces, for the edge's paging.next


_NAME = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)")
_MODIFIER = re.compile(r"\.([a-z_]+)\(([^()]*)\)")


def parse_fields(raw: str) -> tuple[FieldRequest, ...]:
    """`fields=` as Graph reads it: `a,b.limit(3){c,d}`; bad syntax is Graph's error 2500."""
    fields, end = _parse_field_list(raw, 0)
    if end != len(raw):
        raise _syntax_error(raw, end)
    return fields


def _parse_field_list(raw: str, pos: int) -> tuple[tuple[FieldRequest, ...], int]:
    fields: list[FieldRequest] = []
    while True:
        match = _NAME.match(raw, pos)
        if match is None:
            raise _syntax_error(raw, pos)
        name, pos, limit = match.group(1), match.end(), None
        while (modifier := _MODIFIER.match(raw, pos)) is not None:
            if modifier.group(1) != "limit" or not modifier.group(2).strip().isdigit():
                raise _syntax_error(raw, pos)  # only .limit(n) is played here
            limit, pos = int(modifier.group(2)), modifier.end()
        nested, text = None, ""
        if raw.startswith("{", pos):
            nested, close = _parse_field_list(raw, pos + 1)
            if not raw.startswith("}", close):
                raise _syntax_error(raw, close)
            text, pos = raw[pos + 1 : close], close + 1
        fields.append(FieldRequest(name, limit, nested, text))
        while raw.startswith(" ", pos):
            pos += 1
        if not raw.startswith(",", pos):
            return tuple(fields), pos
        pos += 1


def _syntax_error(raw: str, pos: int) -> GraphFailure:
    # [Unverified] wording; Graph answers malformed `fields=` with code 2500 "Syntax error".
    return fail(400, 2500, f'Syntax error "Unexpected character" at character {pos}: {raw}')


def check_fields(fields: tuple[FieldRequest, ...], node: str) -> None:
    """Every name must be a field or an edge of the node type, recursively: Graph's (#100)."""
    for item in fields:
        edge_node = EDGES.get((node, item.name))
        if item.name not in NODE_FIELDS.get(node, frozenset()) and edge_node is None:
            raise bad_parameter(
                f"Tried accessing nonexisting field ({item.name}) on node type ({node})"
            )
        if item.nested is not None:
            if edge_node is None:  # [Unverified] wording: subfields of a plain field
                raise bad_parameter(
                    f"Tried accessing nonexisting field ({item.name}) with "
                    f"subfields on node type ({node})"
                )
            check_fields(item.nested, edge_node)


def requested_field_tree(
    call: Call, node: str, known: frozenset[str] | None = None
) -> tuple[FieldRequest, ...] | None:
    """The parsed, checked `fields=` of a call (None when it has none)."""
    raw = call.params.get("fields")
    if not raw:
        return None
    fields = parse_fields(raw)
    if known is not None and known is not NODE_FIELDS.get(node):
        for item in fields:
            if item.name not in known:
                raise bad_parameter(
                    f"Tried accessing nonexisting field ({item.name}) on node type ({node})"
                )
        return fields
    check_fields(fields, node)
    return fields


def pick(record: dict[str, Any], names: list[str] | None) -> dict[str, Any]:
    """The requested fields that apply (always with `id`), or the whole record."""
    if names is None:
        return dict(record)
    return {name: record[name] for name in ["id", *names] if name in record}


def _encode_cursor(offset: int) -> str:
    return f"QVFIU{offset:06d}"  # opaque-looking like Meta's base64 cursors


def _decode_cursor(cursor: str | None) -> int:
    digits = (cursor or "QVFIU0").removeprefix("QVFIU")
    if not digits.isdigit():
        raise bad_parameter("Invalid cursor")
    return int(digits)


# -- the server -----------------------------------------------------------------------------------


class FakeGraphServer:
    """A real HTTP server on loopback that plays Graph for the demo tokens in TOKENS."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        latency: float = 0.0,
        slow_delay: float = 12.0,
        accounts: int | None = None,
        clock: Callable[[], float] | None = None,
        trace_id: str | None = None,
    ) -> None:
        self.host, self.port = host, port
        self.clock = clock
        """Where "now" comes from (default: the real time); snapshot tests fix it."""
        self.trace_id = trace_id
        """A fixed fbtrace_id for every answer (default: a fresh random one each time)."""
        self.latency = latency
        self.slow_delay = slow_delay
        self.accounts = accounts
        self.requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._visited: set[tuple[str, str]] = set()
        self._stopping = threading.Event()
        self._httpd: _GraphHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._url = ""

    @property
    def url(self) -> str:
        """`http://127.0.0.1:PORT`, without a trailing slash or a version."""
        if not self._url:
            raise RuntimeError("FakeGraphServer.start() has not been called")
        return self._url

    def start(self) -> Self:
        self._stopping.clear()
        self._httpd = _GraphHTTPServer((self.host, self.port), self)
        host, port = self._httpd.server_address[:2]
        self._url = f"http://{host!s}:{port}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, args=(0.05,), name=f"fake-graph:{port}", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop promptly: wake hanging or slow answers, then close every connection."""
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        self._stopping.set()
        httpd.shutdown()
        httpd.server_close()
        httpd.close_connections(wait=1.0)
        if self._thread is not None:
            self._thread.join(timeout=1.0)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def reset(self) -> None:
        """Forget recorded requests and which paths `flaky` has already failed."""
        with self._lock:
            self.requests.clear()
            self._visited.clear()

    # -- one request ------------------------------------------------------------------------------

    def answer(
        self, method: str, raw_path: str, headers: dict[str, str], body: bytes
    ) -> Reply | None:
        """Record the request, then the reply to send (None: close without answering)."""
        query = parse_qs(urlsplit(raw_path).query, keep_blank_values=True)
        with self._lock:
            self.requests.append(
                RecordedRequest(method, urlsplit(raw_path).path, query, headers, body)
            )
        call = parse_call(method, raw_path, headers, body)
        _per_request.clock, _per_request.trace_id = self.clock, self.trace_id
        try:
            self._wait(self.latency)
            from wizard.testing import fake_business  # its own module: System Users, admin tokens

            if (business_reply := fake_business.answer(self, call)) is not None:
                return business_reply
            token = self._subject_token(call)
            failure = scenario_for(token).failure if token and token != APP_TOKEN else ""
            return self._misbehave(failure, token or "", call) or self._route(call)
        except GraphFailure as failure_reply:
            token = self._subject_token(call)
            quirks = scenario_for(token).quirks if token and token != APP_TOKEN else frozenset()
            return _reshape_error(failure_reply.reply, quirks)
        except _HangUp:
            return None

    def _wait(self, seconds: float) -> None:
        if seconds > 0 and self._stopping.wait(seconds):
            raise _HangUp

    def _subject_token(self, call: Call) -> str | None:
        """The token whose scenario shapes this call (the inspected one for an app caller)."""
        if call.segments == ("oauth", "access_token"):
            return call.params.get("fb_exchange_token")
        if call.segments == ("debug_token",) and call.token == APP_TOKEN:
            return call.params.get("input_token")
        return call.token

    def _misbehave(self, failure: str, token: str, call: Call) -> Reply | None:
        """The transport-level failure of a scenario, or None to answer normally."""
        match failure:
            case "hang":
                self._stopping.wait()
                raise _HangUp
            case "slow":
                self._wait(self.slow_delay)
            case "drop":
                return replace(json_reply({"data": []}), drop_body=True)
            case "bad_gateway":
                return Reply(502, b"<html><body>Bad Gateway</body></html>", "text/html")
            case "truncated_json":
                return Reply(
                    200, b'{"data": {"app_id": "6349', JSON_TYPE, {"x-fb-trace-id": new_trace_id()}
                )
            case "server_error":
                return error_reply(500, 1, "An unknown error has occurred.", transient=True)
            case "rate_limited":
                usage = '{"call_count":100,"total_time":12,"total_cputime":9}'
                return error_reply(
                    400,
                    4,
                    "(#4) Application request limit reached",
                    transient=True,
                    headers={"X-App-Usage": usage},
                )
            case "flaky" if self._first_visit(token, call):
                return error_reply(503, 2, "(#2) Service temporarily unavailable", transient=True)
        return None

    def _first_visit(self, token: str, call: Call) -> bool:
        key = (token, "/".join(call.segments))
        with self._lock:
            first = key not in self._visited
            self._visited.add(key)
        return first

    def _route(self, call: Call) -> Reply:
        match call.method, call.segments:
            case "GET", ("debug_token",):
                return self._debug_token(call)
            case "GET" | "POST", ("oauth", "access_token"):
                return self._exchange_token(call)
            case "GET", ("me",):
                scenario = self._caller(call)
                return json_reply({"id": scenario.user_id, "name": USER_NAMES[scenario.token_type]})
            case "GET", ("me", "permissions"):
                rows = [{"permission": p, "status": "granted"} for p in self._caller(call).scopes]
                return json_reply({"data": rows})
            case "GET", ("me", "businesses"):
                return self._businesses(call)
            case "GET", (business, "owned_whatsapp_business_accounts"):
                return self._business_accounts(call, business, owned=True)
            case "GET", (business, "client_whatsapp_business_accounts"):
                return self._business_accounts(call, business, owned=False)
            case "GET", (waba_id, "phone_numbers"):
                return self._phone_numbers(call, waba_id)
            case "POST", (phone_id, "messages"):
                return self._send_message(call, phone_id)
            case "GET", (node_id,) if node_id.isdigit():
                return self._node(call, node_id)
            case "GET", () if "ids" in call.params:
                return self._ids(call)
        raise self._unknown_path(call)

    @staticmethod
    def _unknown_path(call: Call) -> GraphFailure:
        """`/foo` and `/{id}/foo` are unknown paths; `POST /{id}` is an unsupported request."""
        segments = call.segments
        if len(segments) == 1 and segments[0].isdigit():
            return no_such_object(call.method, segments[0])
        known_head = len(segments) > 1 and (segments[0].isdigit() or segments[0] == "me")
        rest = segments[1:] if known_head else segments
        return fail(400, 2500, f"Unknown path components: /{'/'.join(rest)}")

    # -- who is calling ---------------------------------------------------------------------------

    def _caller(self, call: Call, status: int = 400) -> Scenario:
        """The caller's scenario; a missing or dead token is a 104/190 error."""
        if not call.token:
            raise fail(status, 104, "An access token is required to request this resource.")
        if call.token == APP_TOKEN:
            return APP_SCENARIO
        scenario = scenario_for(call.token)
        if scenario.dead:
            raise dead_token_failure(scenario, status)
        return scenario

    def _reachable(self, scenario: Scenario) -> tuple[str, ...]:
        """The WABAs a token may read."""
        if scenario.follows_accounts and self.accounts is not None:
            return benchmark_waba_ids(self.accounts)
        return (WABA_A, WABA_B) if scenario.target_ids is None else scenario.target_ids

    def _account(self, waba_id: str) -> dict[str, Any] | None:
        if waba_id in ACCOUNTS:
            return ACCOUNTS[waba_id]
        index = int(waba_id) - BENCHMARK_WABA_BASE if waba_id.isdigit() else -1
        exists = 0 <= index < max(self.accounts or 0, DEFAULT_MANY_ACCOUNTS)
        return _benchmark_account(index) if exists else None

    def _numbers(self, scenario: Scenario, waba_id: str) -> tuple[dict[str, Any], ...]:
        if waba_id == WABA_A and scenario.phone_state:
            return _broken_numbers(NUMBERS[WABA_A], scenario.phone_state)
        if waba_id == WABA_A and scenario.pages == "empty":
            return ()
        if waba_id == WABA_A and scenario.pages in ("paged", "loop"):
            return NUMBERS[WABA_A] + EXTRA_PAGED_NUMBERS
        if waba_id in NUMBERS:
            return NUMBERS[waba_id]
        return _benchmark_numbers(int(waba_id) - BENCHMARK_WABA_BASE)

    def _phone(self, scenario: Scenario, phone_id: str) -> dict[str, Any] | None:
        for waba_id in self._reachable(scenario):
            for number in self._numbers(scenario, waba_id):
                if number["id"] == phone_id:
                    return number
        return None

    @staticmethod
    def _sees_business(scenario: Scenario) -> bool:
        return scenario.target_ids is None or "business_management" in scenario.scopes

    # -- endpoints --------------------------------------------------------------------------------

    def _debug_token(self, call: Call) -> Reply:
        self._caller(call)
        input_token = call.params.get("input_token")
        if not input_token:
            raise bad_parameter("The parameter input_token is required")
        if input_token == APP_TOKEN:
            return json_reply(
                {
                    "data": {
                        "app_id": APP_ID,
                        "type": "APP",
                        "application": APP_NAME,
                        "is_valid": True,
                        "scopes": [],
                    }
                }
            )
        scenario = scenario_for(input_token)
        if "viewing_app_mismatch" in scenario.quirks and call.token == APP_TOKEN:
            raise bad_parameter("The App_id in the input_token did not match the Viewing App")
        if "app_token_required" in scenario.quirks and call.token != APP_TOKEN:
            raise bad_parameter(
                "You must provide an app access token, or a user access token "
                "that is an owner or developer of the app"
            )
        return json_reply({"data": self._token_data(scenario)})

    def _token_data(self, scenario: Scenario) -> dict[str, Any]:
        """The `data` object debug_token returns for a scenario."""
        now = _now()
        if scenario.dead == "malformed":
            error = {"code": 190, "message": MALFORMED_MESSAGE}
            return {"error": error, "is_valid": False, "scopes": []}

        def from_now(seconds: int) -> int:
            return now + seconds if seconds else 0  # 0 means "never"

        data: dict[str, Any] = {
            "app_id": APP_ID,
            "type": scenario.token_type,
            "application": APP_NAME,
            "data_access_expires_at": from_now(scenario.data_access_in),
            "expires_at": from_now(scenario.expires_in),
            "is_valid": not scenario.dead,
            "issued_at": now - scenario.issued_ago,
            "scopes": list(scenario.scopes),
            "user_id": scenario.user_id,
        }
        if scenario.dead:
            subcode, message = dead_token_error(scenario, now)
            data["error"] = {"code": 190, "message": message, "subcode": subcode}
            if "no_subcode" in scenario.quirks:
                del data["error"]["subcode"]
            data["scopes"] = []
            if "dead_keeps_scopes" in scenario.quirks:
                data["scopes"] = list(scenario.scopes)
                data["granular_scopes"] = self._granular_scopes(scenario)
        else:
            data["granular_scopes"] = self._granular_scopes(scenario)
        if "sparse_debug" in scenario.quirks:
            for name in ("granular_scopes", "issued_at", "user_id", "data_access_expires_at"):
                data.pop(name, None)
        return data

    def _granular_scopes(self, scenario: Scenario) -> list[dict[str, Any]]:
        targets = None if scenario.target_ids is None else list(self._reachable(scenario))
        grants = [{"scope": scope} for scope in scenario.scopes if scope in WHATSAPP_SCOPES]
        granted = [
            grant if targets is None else {**grant, "target_ids": targets} for grant in grants
        ]
        if "all_granular" in scenario.quirks:  # as embedded signup grants them
            others = {"business_management": [BUSINESS_ID]}
            granted += [
                {"scope": s, "target_ids": others.get(s, targets or [])}
                for s in scenario.scopes
                if s not in WHATSAPP_SCOPES
            ]
        return granted

    def _exchange_token(self, call: Call) -> Reply:
        params = call.params
        if params.get("client_id") != APP_ID:
            raise fail(400, 101, "Invalid Client ID")
        if params.get("client_secret") != APP_SECRET:
            raise fail(400, 1, "Error validating client secret.")
        if params.get("grant_type") != "fb_exchange_token":
            raise bad_parameter("Invalid grant_type")
        old_token = scenario_for(params.get("fb_exchange_token", ""))
        if old_token.dead:
            raise dead_token_failure(old_token, 400)
        if old_token.exchange_refused:  # [Unverified] wording: a test hook for a refusal
            raise bad_parameter("fb_exchange_token is not a short-lived user access token")
        if old_token.token_type == "SYSTEM_USER":
            # Meta's system-user refresh: the same call with set_token_expires_in_60_days=true.
            if params.get("set_token_expires_in_60_days") != "true":  # [Unverified] wording
                raise bad_parameter(
                    "set_token_expires_in_60_days is required to refresh a system user access token"
                )
            if not old_token.expires_in:  # [Unverified]: a never-expiring one has nothing to do
                raise bad_parameter("This system user access token does not expire")
            return json_reply(
                {"access_token": TOKENS["expiring"], "token_type": "bearer", "expires_in": 60 * DAY}
            )
        return json_reply(
            {
                "access_token": TOKENS["exchanged"],
                "token_type": "bearer",
                "expires_in": EXCHANGED_EXPIRES_IN,
            }
        )

    def _businesses(self, call: Call) -> Reply:
        scenario = self._caller(call)
        if "business_refused" in scenario.quirks:
            raise bad_parameter("Missing permissions")
        if not self._sees_business(scenario):
            raise permissions_error()
        return json_reply(self._page([{"id": BUSINESS_ID, "name": BUSINESS_NAME}], call))

    def _business_accounts(self, call: Call, business_id: str, *, owned: bool) -> Reply:
        scenario = self._caller(call)
        if business_id != BUSINESS_ID:
            raise no_such_object("GET", business_id)
        if not self._sees_business(scenario):
            raise permissions_error()
        names = requested_fields(call, "WhatsAppBusinessAccount", WABA_FIELDS)
        rows = [pick(ACCOUNTS[waba_id], names) for waba_id in ACCOUNTS] if owned else []
        return json_reply(self._page(rows, call))

    def _node(self, call: Call, node_id: str) -> Reply:
        """`GET /{id}` for a WABA or a phone number the token can see."""
        scenario = self._caller(call)
        account = self._account(node_id)
        if account is not None and node_id in self._reachable(scenario):
            fields = requested_field_tree(call, "WhatsAppBusinessAccount")
            self._check_waba_rate_limit(scenario, node_id)
            _check_account_read(scenario)
            usage = {"X-Business-Use-Case-Usage": business_usage(node_id, 3, 0)}
            return json_reply(self._account_view(call, scenario, node_id, fields), headers=usage)
        number = self._phone(scenario, node_id)
        if number is None:
            raise no_such_object("GET", node_id)
        names = requested_fields(call, "WhatsAppBusinessPhoneNumber", PHONE_FIELDS)
        return json_reply(pick(number, names))

    def _ids(self, call: Call) -> Reply:
        """`GET /?ids=A,B&fields=…`: `{id: object}` for up to 50 WABAs, each as `GET /{id}`
        answers it. One id the token cannot read fails the whole request, as Graph does."""
        scenario = self._caller(call)
        ids = list(dict.fromkeys(i.strip() for i in call.params["ids"].split(",")))
        if not all(ids):  # [Unverified] wording
            raise bad_parameter("ids must be a comma-separated list of ids")
        if len(ids) > MAX_IDS:  # [Unverified] wording
            raise bad_parameter(f"Too many IDs. Maximum: {MAX_IDS}. Provided: {len(ids)}.")
        missing = [i for i in ids if self._account(i) is None]
        if missing:  # [Unverified]: Graph's answer for ids it cannot resolve
            raise fail(
                404,
                803,
                "(#803) Some of the aliases you requested do not exist: " + ",".join(missing),
            )
        hidden = [i for i in ids if i not in self._reachable(scenario)]
        if hidden:
            raise no_such_object("GET", hidden[0])
        fields = requested_field_tree(call, "WhatsAppBusinessAccount")
        for waba_id in ids:
            self._check_waba_rate_limit(scenario, waba_id)
        _check_account_read(scenario)
        usage = {waba_id: json.loads(business_usage(waba_id, 3, 0))[waba_id] for waba_id in ids}
        return json_reply(
            {waba_id: self._account_view(call, scenario, waba_id, fields) for waba_id in ids},
            headers={"X-Business-Use-Case-Usage": json.dumps(usage)},
        )

    def _account_view(
        self, call: Call, scenario: Scenario, waba_id: str, fields: tuple[FieldRequest, ...] | None
    ) -> dict[str, Any]:
        """A WABA with the requested fields; a phone_numbers edge comes as its first page
        (`.limit(n)`, paging.next to the edge), and is left out when it has no numbers."""
        account = self._account(waba_id)
        assert account is not None
        if fields is None:
            return dict(account)
        view = pick(account, [f.name for f in fields if f.name in WABA_FIELDS])
        for edge in (f for f in fields if f.name == "phone_numbers"):
            names = None if edge.nested is None else [f.name for f in edge.nested]
            rows = [pick(number, names) for number in self._numbers(scenario, waba_id)]
            paged = waba_id == WABA_A and scenario.pages in ("paged", "loop")
            size = 2 if paged else edge.limit or DEFAULT_PAGE_SIZE
            params = {"limit": str(size)} | ({"fields": edge.nested_text} if edge.nested else {})
            page = _edge_page(
                rows,
                0,
                size,
                paged and scenario.pages == "loop",
                self._edge_linker(call, waba_id, params),
            )
            if page["data"]:
                view["phone_numbers"] = page
        return view

    def _edge_linker(
        self, call: Call, waba_id: str, params: dict[str, str]
    ) -> Callable[[int], str]:
        """The link to the phone_numbers page that starts at an offset."""

        def link(at: int) -> str:
            return self._link(
                call, (waba_id, "phone_numbers"), {**params, "after": _encode_cursor(at)}
            )

        return link

    def _phone_numbers(self, call: Call, waba_id: str) -> Reply:
        scenario = self._caller(call)
        if waba_id not in self._reachable(scenario):
            exists = self._account(waba_id) is not None
            raise permissions_error() if exists else no_such_object("GET", waba_id)
        self._check_waba_rate_limit(scenario, waba_id)
        _check_account_read(scenario)
        names = requested_fields(call, "WhatsAppBusinessPhoneNumber", PHONE_FIELDS)
        rows = [pick(number, names) for number in self._numbers(scenario, waba_id)]
        paged = waba_id == WABA_A and scenario.pages in ("paged", "loop")
        return json_reply(
            self._page(
                rows, call, page_size=2 if paged else None, loop=paged and scenario.pages == "loop"
            )
        )

    @staticmethod
    def _check_waba_rate_limit(scenario: Scenario, waba_id: str) -> None:
        if scenario.failure == "rate_limited_waba":
            usage = {"X-Business-Use-Case-Usage": business_usage(waba_id, 100, 15)}
            raise fail(400, 80007, "(#80007) Rate limit hit", transient=True, headers=usage)

    def _send_message(self, call: Call, phone_id: str) -> Reply:
        scenario = self._caller(call, status=401)
        if self._phone(scenario, phone_id) is None:
            raise no_such_object("POST", phone_id)
        if MESSAGING not in scenario.scopes:
            raise permissions_error()
        message = _json_object(call.body)
        if message.get("messaging_product") != "whatsapp":
            raise bad_parameter("The parameter messaging_product is required.")
        recipient = str(message.get("to") or "")
        if not recipient:
            raise bad_parameter("The parameter to is required.")
        _check_recipient_and_template(recipient, message)
        wa_id = recipient.lstrip("+")
        fixed = getattr(_per_request, "trace_id", None)  # snapshot runs want the same id
        message_id = "wamid.HBgL" + (fixed.upper() if fixed else secrets.token_hex(24).upper())
        return json_reply(
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": recipient, "wa_id": wa_id}],
                "messages": [{"id": message_id, "message_status": "accepted"}],
            }
        )

    def _page(
        self,
        rows: Sequence[dict[str, Any]],
        call: Call,
        *,
        page_size: int | None = None,
        loop: bool = False,
    ) -> dict[str, Any]:
        """One page of a list edge; `paging.next` is an absolute URL while more rows remain."""
        limit = call.params.get("limit", "")
        size = page_size or (int(limit) if limit.isdigit() and int(limit) > 0 else 25)
        offset = _decode_cursor(call.params.get("after"))
        return _edge_page(rows, offset, size, loop, lambda at: self._next_url(call, at, size))

    def _next_url(self, call: Call, offset: int, size: int) -> str:
        params = {k: v for k, v in call.params.items() if k not in ("access_token", "after")}
        params |= {"limit": str(size), "after": _encode_cursor(offset)}
        return self._link(call, call.segments, params)

    def _link(self, call: Call, segments: tuple[str, ...], params: dict[str, str]) -> str:
        """An absolute paging link, as Graph writes them (with the scenario's quirks)."""
        quirks = scenario_for(call.token).quirks if call.token else frozenset()
        if "token_in_next" in quirks and call.token:  # as real Graph does
            params = {**params, "access_token": call.token}
        path = "/".join((call.version, *segments) if call.version else segments)
        host = FOREIGN_HOST if "foreign_next" in quirks else self.url
        return f"{host}/{path}?{urlencode(params)}"


def _edge_page(
    rows: Sequence[dict[str, Any]],
    offset: int,
    size: int,
    loop: bool,
    next_url: Callable[[int], str],
) -> dict[str, Any]:
    """Rows `offset` to `offset + size` as an edge page; paging.next while more remain."""
    if not rows:
        return {"data": []}
    chunk = list(rows[offset : offset + size])
    cursors = {"before": _encode_cursor(offset), "after": _encode_cursor(offset + size)}
    body: dict[str, Any] = {"data": chunk, "paging": {"cursors": cursors}}
    if loop or offset + size < len(rows):
        body["paging"]["next"] = next_url(offset if loop else offset + size)
    return body


FOREIGN_HOST = "http://graph.attacker.invalid"
"""Where `foreign_next` points paging.next: a client must never follow it with the token."""


def _reshape_error(reply: Reply, quirks: frozenset[str]) -> Reply:
    """Drop what real Graph often leaves out of an error envelope (no_subcode, bare_errors)."""
    drop = ({"error_subcode"} if "no_subcode" in quirks else set()) | (
        {"type", "fbtrace_id"} if "bare_errors" in quirks else set()
    )
    if not drop:
        return reply
    body = json.loads(reply.body)
    body["error"] = {k: v for k, v in body["error"].items() if k not in drop}
    return replace(reply, body=json.dumps(body).encode())


def _check_account_read(scenario: Scenario) -> None:
    """Code 10 or 200 on reading a WABA or its numbers, as real Graph answers."""
    if "account_read_10" in scenario.quirks:
        raise fail(403, 10, "(#10) Application does not have permission for this action")
    if "account_read_200" in scenario.quirks:
        raise permissions_error()


def _broken_numbers(numbers: tuple[dict[str, Any], ...], state: str) -> tuple[dict[str, Any], ...]:
    """WABA A's numbers with the first one broken as PHONE_STATES says (or all disconnected)."""
    if state == "none_can_send":
        return tuple({**n, "status": "DISCONNECTED"} for n in numbers)
    first, *rest = numbers
    return ({**first, **PHONE_STATES[state]}, *rest)


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        message = json.loads(body or b"null")
    except ValueError:
        message = None
    if not isinstance(message, dict):
        raise bad_parameter("Invalid parameter")
    return message


def _check_recipient_and_template(recipient: str, message: dict[str, Any]) -> None:
    """The send-test errors of §5, chosen by the recipient (or an unknown template name)."""
    number = recipient.lstrip("+")
    if number == NOT_ALLOWED_RECIPIENT:
        details = (
            "Recipient phone number not in allowed list: Add recipient phone number to "
            "recipient list and try again."
        )
        raise fail(
            400,
            131030,
            "(#131030) Recipient phone number not in allowed list",
            subcode=2655007,
            error_data=_whatsapp_details(details),
        )
    if number == NOT_REGISTERED_RECIPIENT:
        raise fail(
            400,
            133010,
            "(#133010) Account not registered",
            error_data=_whatsapp_details("Account not registered"),
        )
    if number == LOCKED_RECIPIENT:
        raise fail(
            403,
            131031,
            "(#131031) Business Account locked",
            error_data=_whatsapp_details("Business Account locked"),
        )
    template = message.get("template")
    if message.get("type") != "template" or not isinstance(template, dict):
        return
    language = template.get("language")
    code = language.get("code", "en_US") if isinstance(language, dict) else "en_US"
    if template.get("name") != "hello_world" or number == TEMPLATE_MISSING_RECIPIENT:
        details = f"template name ({template.get('name')}) does not exist in {code}"
        raise fail(
            404,
            132001,
            "(#132001) Template name does not exist in the translation",
            error_data=_whatsapp_details(details),
        )


def _whatsapp_details(details: str) -> dict[str, str]:
    return {"messaging_product": "whatsapp", "details": details}


# -- HTTP plumbing --------------------------------------------------------------------------------


class _GraphHTTPServer(ThreadingHTTPServer):
    """Threaded server that remembers open connections so stop() can close them."""

    daemon_threads = True
    request_queue_size = 128  # benchmarks open many connections at once

    def __init__(self, address: tuple[str, int], fake: FakeGraphServer) -> None:
        self.fake = fake
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _GraphRequestHandler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self, wait: float) -> None:
        """Shut every open connection down, then wait for its handler thread to close it."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        deadline = time.monotonic() + wait
        while self._connections and time.monotonic() < deadline:
            time.sleep(0.01)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], OSError):  # a client hanging up is not an error
            super().handle_error(request, client_address)


class _GraphRequestHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 keep-alive handler; every reply carries a Content-Length."""

    protocol_version = "HTTP/1.1"
    wbufsize = -1  # headers and body leave in one write (no Nagle/delayed-ACK stall)
    disable_nagle_algorithm = True
    server: _GraphHTTPServer

    def do_GET(self) -> None:
        headers = {name.lower(): value for name, value in self.headers.items()}
        body = self.rfile.read(int(headers.get("content-length") or 0))
        reply = self.server.fake.answer(self.command, self.path, headers, body)
        if reply is None:
            self.close_connection = True
            return
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if reply.drop_body:
            self.close_connection = True
            return
        self.wfile.write(reply.body)

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: request lines carry tokens."""


# -- command line ---------------------------------------------------------------------------------


def usage_text(url: str) -> str:
    """What `python -m wizard.testing.fake_graph` prints: the URL, the tokens, how to use them."""
    width = max(map(len, TOKENS))
    rows = "\n".join(f"  {name:<{width}}  {token}" for name, token in TOKENS.items())
    return (
        f"Fake Graph API listening on {url}\n\n"
        f"  {'scenario':<{width}}  token\n{rows}\n\n"
        "Use it:\n"
        f"  export WHATSAPP_GRAPH_URL={url}\n"
        f"  printf '%s' {TOKENS['valid']} | wa-token check\n\n"
        "To explain dead tokens (expired, revoked, malformed), add the fake app credentials:\n"
        f"  export WHATSAPP_APP_ID={APP_ID} WHATSAPP_APP_SECRET={APP_SECRET}\n\n"
        "Press Ctrl-C to stop."
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m wizard.testing.fake_graph", description=__doc__
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port (default)")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds to delay every answer")
    parser.add_argument(
        "--slow-delay", type=float, default=12.0, help="seconds the 'slow' token waits"
    )
    parser.add_argument(
        "--accounts",
        type=int,
        default=None,
        help="WABAs (3 numbers each) the 'valid' token reaches",
    )
    args = parser.parse_args()
    server = FakeGraphServer(
        host=args.host,
        port=args.port,
        latency=args.latency,
        slow_delay=args.slow_delay,
        accounts=args.accounts,
    ).start()
    try:
        print(usage_text(server.url), flush=True)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
