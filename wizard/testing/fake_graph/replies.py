"""The fake Graph's replies and Graph-shaped errors, and the record of each request."""

from __future__ import annotations

import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from wizard.testing.fake_graph.data import (
    HOUR,
    JSON_TYPE,
    MALFORMED_MESSAGE,
    MANAGEMENT,
    REVOKED_MESSAGE,
)
from wizard.testing.fake_graph.scenarios import Scenario


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
