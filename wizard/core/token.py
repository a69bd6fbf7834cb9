"""The access token as a secret value, and the rules that turn pasted text into one."""

from __future__ import annotations

import hmac
import re
from typing import NamedTuple

from wizard.core.errors import TokenFormatError
from wizard.core.variables import TOKEN_KEY

MAX_TOKEN_LENGTH = 4096
"""Far above any real token; a longer paste is a whole file or a log, not a token.

Meta documents access tokens as opaque strings of no fixed length, prefix or alphabet: between
MIN_TOKEN_LENGTH and this size, text that is one unbroken run of printable ASCII without quote
characters is judged by Graph, not by its shape.
"""

MIN_TOKEN_LENGTH = 20
"""The contract's "far too short": no token Meta issues comes near it (user and System User
tokens are about 150 to 250 characters, app tokens about 50); a shorter text is a cut copy."""

_KEY_PREFIX = re.compile(r"^(?:export\s+)?(?P<key>" + TOKEN_KEY + r"(?:_[A-Z0-9_]{1,32})?)\s*=\s*")
"""`WHATSAPP_CLOUD_API_TOKEN=`, or a profile's `WHATSAPP_CLOUD_API_TOKEN_ACME=`, maybe exported."""
_BEARER_PREFIX = re.compile(r"^bearer\s+", re.IGNORECASE)
_QUOTES = ('"', "'", "`", "\u201c\u201d", "\u2018\u2019")


class SecretToken:
    """An access token that shows only its mask; `reveal()` is the one way to the raw text."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The raw token, for the single place that sends or stores it."""
        return self._value

    @property
    def masked(self) -> str:
        """The first and last four characters, like `EAAG…x9Qz`; short text shows no characters."""
        return mask(self._value)

    def __str__(self) -> str:
        return self.masked

    def __repr__(self) -> str:
        return f"SecretToken({self.masked!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SecretToken):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash(("SecretToken", self._value))

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("a SecretToken cannot be pickled")


def mask(value: str) -> str:
    """Mask any secret text: `EAAG…x9Qz`, or `••••` when it is too short to show any of it."""
    if len(value) < 16:
        return "••••"
    return f"{value[:4]}…{value[-4:]}"


class CleanedPaste(NamedTuple):
    """A token taken from pasted text, and what had to be removed around it."""

    token: SecretToken
    """The token itself."""
    removed: tuple[str, ...]
    """Plain descriptions of what was stripped, e.g. "a `Bearer ` prefix"."""


def clean_pasted(text: str) -> CleanedPaste:
    """Take a token out of pasted text, forgiving the usual copy-paste wrapping.

    Strips surrounding whitespace, a `WHATSAPP_CLOUD_API_TOKEN=` prefix (or a profile's
    `WHATSAPP_CLOUD_API_TOKEN_NAME=`, with or without `export `), one pair of quotes and a
    `Bearer ` prefix, then validates what is left. Raises TokenFormatError with a reason that
    never echoes the text.
    """
    removed: list[str] = []
    value = text.strip()
    if value != text and text.strip():
        removed.append("surrounding spaces or line breaks")
    value, key = _strip_key_prefix(value)
    if key:
        removed.append(f"a `{key}=` prefix")
    value, found = _strip_quotes(value)
    if found:
        removed.append("a pair of quotes")
    stripped = _BEARER_PREFIX.sub("", value, count=1)
    if stripped != value:
        removed.append("a `Bearer` prefix")
        value = stripped.strip()
    return CleanedPaste(validate(value), tuple(removed))


def validate(value: str) -> SecretToken:
    """Accept the text as it is (a stored token), or raise TokenFormatError saying what is wrong."""
    reason = format_problem(value)
    if reason:
        raise TokenFormatError(reason, fix=_FORMAT_FIX)
    return SecretToken(value)


_FORMAT_FIX = (
    "Copy the whole token again, in one piece: in Business Settings → Users → System Users, "
    "generate a new token and copy it with the Copy button."
)


def format_problem(value: str) -> str | None:
    """Why the text can never be a token, in words that never quote it; None when it can be.

    Only what no access token can hold is refused (the contract's list: whitespace, quotes, a
    prefix, non-ASCII, far too short): Meta's tokens are opaque (no fixed length, prefix or
    alphabet), so anything else is sent to Graph and judged by its answer.
    """
    checks = (
        (not value, "it is empty"),
        (
            len(value) > MAX_TOKEN_LENGTH,
            (
                f"it is {len(value)} characters long, far longer than any "
                "access token (a whole file or log was pasted?)"
            ),
        ),
        (
            bool(_BEARER_PREFIX.match(value)),
            (
                "it starts with `Bearer` (store the token alone; the "
                "`Bearer` prefix belongs in the HTTP header, not in the value)"
            ),
        ),
        (bool(_KEY_PREFIX.match(value)), f"it starts with `{TOKEN_KEY}=` (store the value alone)"),
        (_has_outer_space(value), "it starts or ends with spaces or a line break"),
        (
            _has_inner_space(value),
            (
                "it has spaces or line breaks inside it (a token is one unbroken "
                "word; the copy may have wrapped onto two lines)"
            ),
        ),
        (
            _has_control(value),
            (
                "it contains control characters (an escape sequence or terminal "
                "code was pasted with it)"
            ),
        ),
        (
            not value.isascii(),
            (
                "it contains non-ASCII characters (often a smart quote or an "
                "invisible character copied from a web page or chat)"
            ),
        ),
        (_is_quoted(value), "it is wrapped in quote characters"),
        (
            _has_quote(value),
            "it contains a quote character (a token never does: part of the quoting was copied)",
        ),
        (
            len(value) < MIN_TOKEN_LENGTH,
            (
                f"it is only {len(value)} characters long, far too short for an access "
                "token (the copy looks cut short)"
            ),
        ),
    )
    return next((reason for failed, reason in checks if failed), None)


def _strip_key_prefix(value: str) -> tuple[str, str]:
    """The value without a `KEY=` prefix, and that key ("" when there was none)."""
    match = _KEY_PREFIX.match(value)
    if match is None:
        return value, ""
    return value[match.end() :].strip(), match["key"]


def _strip_quotes(value: str) -> tuple[str, bool]:
    for pair in _QUOTES:
        opening, closing = (pair, pair) if len(pair) == 1 else (pair[0], pair[1])
        if len(value) >= 2 and value.startswith(opening) and value.endswith(closing):
            return value[1:-1].strip(), True
    return value, False


def _has_outer_space(value: str) -> bool:
    return value != value.strip()


def _has_inner_space(value: str) -> bool:
    return any(ch.isspace() for ch in value.strip())


def _has_control(value: str) -> bool:
    return any(ord(ch) < 32 and not ch.isspace() or ord(ch) == 127 for ch in value)


def _has_quote(value: str) -> bool:
    """A quote character anywhere: never in a token (RFC 6750's bearer token syntax has none)."""
    return any(ch in "\"'`" for ch in value)


def _is_quoted(value: str) -> bool:
    """Still inside a pair of quotes (a value quoted twice): wrapping, never part of a token."""
    return _strip_quotes(value)[1]


__all__ = [
    "MAX_TOKEN_LENGTH",
    "MIN_TOKEN_LENGTH",
    "TOKEN_KEY",
    "CleanedPaste",
    "SecretToken",
    "clean_pasted",
    "format_problem",
    "mask",
    "validate",
]
