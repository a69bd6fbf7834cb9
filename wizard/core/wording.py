"""Words both doors show for Graph's values: the kinds of token, by their `debug_token` type."""

from __future__ import annotations

TYPE_NAMES = {
    "SYSTEM_USER": "System User token",
    "USER": "user token (the temporary kind from API Setup)",
    "PAGE": "Page token",
    "APP": "app token",
}


def token_type_name(kind: str | None, unknown: str) -> str:
    """The kind of token in words; Graph's own word (or `unknown`) for a type not listed."""
    return TYPE_NAMES.get(kind or "", kind or unknown)
