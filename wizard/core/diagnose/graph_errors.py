"""Graph error codes and messages → problem codes: the one table wa-token reads them through."""

from __future__ import annotations

import re
from typing import NamedTuple

from wizard.core.codes import ProblemCode

RATE_LIMIT_CODES = frozenset({4, 17, 32, 613, 80007, 80008, 130429, 131056})
SERVER_TROUBLE_CODES = frozenset({1, 2, 131000})

GRAPH_ERROR_PROBLEMS: dict[tuple[int, int | None], ProblemCode] = {
    (190, None): ProblemCode.TOKEN_INVALID,
    (190, 463): ProblemCode.TOKEN_EXPIRED,
    (190, 467): ProblemCode.TOKEN_INVALID,
    (190, 458): ProblemCode.TOKEN_REVOKED,
    (190, 459): ProblemCode.TOKEN_REVOKED,
    (190, 460): ProblemCode.TOKEN_REVOKED,
    (190, 464): ProblemCode.TOKEN_REVOKED,
    (190, 466): ProblemCode.TOKEN_REVOKED,
    (190, 492): ProblemCode.TOKEN_REVOKED,
    (102, None): ProblemCode.TOKEN_INVALID,
    (10, None): ProblemCode.MISSING_PERMISSION,
    (131005, None): ProblemCode.MISSING_PERMISSION,
    (200, None): ProblemCode.NO_WHATSAPP_ACCOUNT,
    (100, 33): ProblemCode.NO_WHATSAPP_ACCOUNT,
    (100, None): ProblemCode.GRAPH_ERROR,
    (368, None): ProblemCode.GRAPH_ERROR,
    (131031, None): ProblemCode.GRAPH_ERROR,
    **{(code, None): ProblemCode.RATE_LIMITED for code in RATE_LIMIT_CODES},
    **{(code, None): ProblemCode.GRAPH_ERROR for code in SERVER_TROUBLE_CODES},
}
"""Graph (code, subcode) → problem code; (code, None) covers every other subcode of that code.
A subcode in this table wins; else ERROR_MESSAGE_PATTERNS is tried before the (code, None) row."""


class MessagePattern(NamedTuple):
    """A Graph error that only its message tells apart (real Graph often sends no subcode)."""

    code: int
    pattern: re.Pattern[str]
    problem: ProblemCode
    reason: str
    """Why, in words, for the finding's title."""


def _pattern(code: int, regex: str, problem: ProblemCode, reason: str) -> MessagePattern:
    return MessagePattern(code, re.compile(regex, re.IGNORECASE), problem, reason)


ERROR_MESSAGE_PATTERNS: tuple[MessagePattern, ...] = (
    _pattern(190, r"session has expired", ProblemCode.TOKEN_EXPIRED, "its session expired"),
    _pattern(
        190,
        r"changed (?:their|the|his|her) password",
        ProblemCode.TOKEN_REVOKED,
        "the session was invalidated: the password was changed, or Meta reset the session",
    ),
    _pattern(
        190,
        r"session (?:has been|was) invalidated",
        ProblemCode.TOKEN_REVOKED,
        "the session was invalidated (a logout, a password change, or an explicit revoke)",
    ),
    _pattern(
        190,
        r"logged out|has not authorized application",
        ProblemCode.TOKEN_REVOKED,
        "the person who made it logged out or removed the app",
    ),
    _pattern(
        100,
        r"did not match the viewing app",
        ProblemCode.WRONG_APP,
        "the token belongs to another app than the app credentials used to inspect it",
    ),
    _pattern(
        100,
        r"must provide an app access token",
        ProblemCode.APP_TOKEN_REQUIRED,
        "Graph inspects this token only with its app's credentials",
    ),
)
"""Every Graph message wa-token reads, in one place (graph-payloads.json has the real texts)."""


def message_pattern(code: int, message: str) -> MessagePattern | None:
    """The first pattern of ERROR_MESSAGE_PATTERNS for this code that the message matches."""
    return next(
        (p for p in ERROR_MESSAGE_PATTERNS if p.code == code and p.pattern.search(message)), None
    )


REVOKED_REASONS = {
    458: "the app was removed from the Facebook account that made it",
    459: "the Facebook account that made it is checkpointed (log in at facebook.com to clear it)",
    460: "the session was invalidated: the password was changed, or Meta reset the session",
    464: "the Facebook account that made it is unconfirmed",
    466: "the session was invalidated explicitly (an API call revoked it)",
    492: "the person's role on the business or asset changed",
}


def graph_error_code(
    code: int, subcode: int | None, status: int = 400, message: str = ""
) -> ProblemCode:
    """Map a Graph error to a problem code: GRAPH_ERROR_PROBLEMS, then ERROR_MESSAGE_PATTERNS."""
    exact = GRAPH_ERROR_PROBLEMS.get((code, subcode)) if subcode is not None else None
    if exact:
        return exact
    pattern = message_pattern(code, message)
    if pattern is not None:
        return pattern.problem
    found = GRAPH_ERROR_PROBLEMS.get((code, None))
    if found:
        return found
    if 200 <= code < 300:
        return ProblemCode.MISSING_PERMISSION
    return ProblemCode.GRAPH_ERROR
