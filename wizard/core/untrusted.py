"""Rules for text and ids that came from the network or a file: validate, clean, redact, mask."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from wizard.core.errors import GraphBadResponse, SettingsError
from wizard.core.token import SecretToken, mask

GRAPH_ID = re.compile(r"[0-9]{1,32}")
"""A Graph object id: digits only (1 to 32 of them). Anything else never reaches a URL."""

_BREAKS = re.compile(r"[\t\n\r\x0b\x0c\x85\u2028\u2029]+")
"""Line breaks and tabs: each run becomes one space (a name on one line stays one line)."""
_CONTROLS = re.compile(
    "[\x00-\x1f\x7f-\x9f"  # C0 (ESC included), DEL, C1 (CSI, OSC, ST…)
    "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"  # bidi marks, embeddings, overrides, isolates
)
_TERMINAL_CONTROLS = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]"
)
"""What `terminal_safe` drops: every control character except a tab and a newline."""
_PRINTABLE_ASCII = bytes(range(0x20, 0x7F))
"""Space to `~`: the bytes of a JSON text whose strings need no cleaning."""
_TERMINAL_ASCII = b"\t\n" + _PRINTABLE_ASCII
"""The ASCII characters `terminal_safe` keeps: printable ones, tabs and newlines."""
RECEIVED_SECRET = "access_token"
"""The one field that is a secret Graph gives us (a new token): kept as it is, never shown."""
_MIN_SECRET = 8
"""Shorter "secrets" are not redacted (replacing every `1` in a text would hide everything)."""


def clean_text(text: str) -> str:
    """One line of untrusted text that a terminal shows as it is: no escape sequences, no
    control characters, no bidi overrides; line breaks and tabs become spaces."""
    if text.isprintable():  # every character the two patterns match is non-printable
        return text
    return _CONTROLS.sub("", _BREAKS.sub(" ", text))


def terminal_safe(text: str) -> str:
    """Text of ours about to be written to a terminal: keeps newlines and tabs, drops every
    other control character (a last line of defence for anything that slipped in)."""
    if text.isascii():  # our JSON and most of our text: a byte table, at C speed
        if not text.encode("ascii").translate(None, _TERMINAL_ASCII):
            return text
    elif text.replace("\n", "").replace("\t", "").isprintable():  # every character the
        return text  # pattern matches is non-printable, and newlines and tabs are kept
    return _TERMINAL_CONTROLS.sub("", text)


def secret_forms(secrets: Iterable[SecretToken | None]) -> tuple[tuple[str, str], ...]:
    """(text to find, its mask) for each secret, its URL-encoded form, and each half of an
    `APP_ID|APP_SECRET` app token (the secret half may be echoed alone)."""
    forms: dict[str, str] = {}
    for secret in secrets:
        if secret is None:
            continue
        value = secret.reveal()
        for part in (value, *value.split("|")):
            for form in (part, quote(part, safe="")):
                if len(form) >= _MIN_SECRET and not GRAPH_ID.fullmatch(form):
                    forms.setdefault(form, mask(part))
    return tuple(sorted(forms.items(), key=lambda item: -len(item[0])))  # longest first


def redact(text: str, secrets: Iterable[SecretToken | None]) -> str:
    """`text` with every secret (raw, URL-encoded, or an app token's secret half) masked; the
    control characters go first, so that none can hide a secret that removing it would join."""
    return _masked(terminal_safe(text), secret_forms(secrets))


def _masked(text: str, forms: tuple[tuple[str, str], ...]) -> str:
    """`text` with each form of a secret replaced by its mask (forms longest first)."""
    for form, masked in forms:
        text = text.replace(form, masked)
    return text


def is_clean_json(raw: bytes, secrets: tuple[tuple[str, str], ...]) -> bool:
    """Whether every string the JSON text `raw` decodes to is already clean: printable ASCII
    that holds none of `secrets`. Only claimed when `raw` is printable ASCII with no escape
    but `\\/` (Graph writes `/` as `\\/`): each string is then a piece of `raw` with `\\/` read
    as `/`, so what `raw` does not hold, no string holds. Any other text is cleaned string by
    string (clean_body), as is an answer that echoes a secret."""
    text = raw.replace(b"\\/", b"/")  # a backslash left over starts another escape
    return (
        b"\\" not in text
        and not text.translate(None, _PRINTABLE_ASCII)
        and not any(form.encode(errors="surrogatepass") in text for form, _ in secrets)
    )


def clean_body(value: Any, secrets: tuple[tuple[str, str], ...]) -> Any:
    """A decoded JSON body with every string value cleaned and redacted (keys are kept)."""
    return _clean(value, secrets, min((len(form) for form, _ in secrets), default=0))


def _clean(value: Any, secrets: tuple[tuple[str, str], ...], shortest: int) -> Any:
    if isinstance(value, str):
        value = clean_text(value)  # first: a control character inside a secret must not hide it
        if secrets and len(value) >= shortest:  # a shorter string cannot hold any of them
            value = _masked(value, secrets)
        return value
    if isinstance(value, dict):  # a token Graph hands out (exchange) is data, not display
        return {
            key: item if key == RECEIVED_SECRET else _clean(item, secrets, shortest)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_clean(item, secrets, shortest) for item in value]
    return value


def is_graph_id(value: object) -> bool:
    """True for a Graph object id (digits only)."""
    return isinstance(value, str) and GRAPH_ID.fullmatch(value) is not None


def require_graph_id(value: str, name: str) -> str:
    """A Graph id about to enter a request path (`name` is the Graph field, e.g. "target_ids"),
    or GraphBadResponse: a value that should be an id and holds a URL or a path is refused.
    Ids the user gives are checked earlier, by `require_setting_id`, with the setting's name."""
    if is_graph_id(value):
        return value
    raise GraphBadResponse(
        f"A {name} that is not a Graph id (ids are digits only) was refused: wa-token puts "
        "nothing else in a request.",
        status=200,
        fix="Graph sent it: check that --graph-url / WHATSAPP_GRAPH_URL is "
        "https://graph.facebook.com (or your own fake server), then try again.",
    )


def require_setting_id(value: str | None, variable: str) -> str | None:
    """A setting that holds a Graph id (such as WHATSAPP_BUSINESS_ACCOUNT_ID), or SettingsError."""
    if value is None or is_graph_id(value):
        return value
    raise SettingsError(
        f"{variable} must be digits (a Graph id such as 102290129340398).",
        fix=f"Correct {variable} in your environment or .env file (WhatsApp Manager and the App "
        "Dashboard's API Setup show the ids), or remove it.",
    )


def url_credentials(url: str) -> bool:
    """True when the URL carries a user name or password (`http://user:pw@host`)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return "@" in url
    return "@" in parts.netloc


def mask_url_credentials(url: str) -> str:
    """The URL with any `user:password@` replaced by `***@`, safe to print."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return re.sub(r"//[^/@]*@", "//***@", url)
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit((parts.scheme, f"***@{host}", parts.path, parts.query, parts.fragment))


LOOPBACK_NAMES = frozenset({"localhost"})
"""Host names that are this machine; any other name is resolved elsewhere, so not trusted."""
_AUTHORITY_HOST = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://(?:[^/?#]*@)?(\[[^/?#]*\]|[^:@/?#]*)")
"""The host as httpx reads it (its AUTHORITY_REGEX up to the port)."""


def require_secure_url(url: str, what: str) -> str:
    """`url` when a secret may travel to it: https://, or http:// to loopback only; else a
    SettingsError (exit 2) naming `what` (such as "--graph-url or WHATSAPP_GRAPH_URL") that
    says to use https://. Called before anything is sent; the URL itself is never printed."""
    text = url.strip()
    scheme = text.split(":", 1)[0].lower() if ":" in text else ""
    if scheme == "https" or (scheme == "http" and _is_loopback_url(text)):
        return url
    raise SettingsError(
        f"{what} must use https://: over http:// the token or secret would cross the network "
        "unencrypted, readable on the way and by any HTTP_PROXY. http:// is accepted only for "
        "this machine (localhost, 127.0.0.1, ::1).",
        fix="Use its https:// address; only a server on this machine (such as the fake Graph "
        "server) may use http://.",
    )


def _is_loopback_url(url: str) -> bool:
    """Whether both readings of the URL's host (urllib's and httpx's) name this machine."""
    try:
        split_host = urlsplit(url).hostname or ""
    except ValueError:
        return False
    found = _AUTHORITY_HOST.match(url)
    httpx_host = found.group(1).lower() if found else ""
    return _is_loopback_host(split_host) and _is_loopback_host(httpx_host.strip("[]"))


def is_loopback_host(host: str) -> bool:
    """Whether `host` (a name or an IP literal, without brackets) is this machine."""
    return _is_loopback_host(host.lower())


def _is_loopback_host(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return bool(address.is_loopback or (mapped is not None and mapped.is_loopback))
