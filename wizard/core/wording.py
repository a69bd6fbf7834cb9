"""Words both doors show: the kinds of token (by `debug_token` type), what a store holds."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wizard.core.stores.sources import SourceReading

TYPE_NAMES = {
    "SYSTEM_USER": "System User token",
    "USER": "user token (the temporary kind from API Setup)",
    "PAGE": "Page token",
    "APP": "app token",
}


def token_type_name(kind: str | None, unknown: str) -> str:
    """The kind of token in words; Graph's own word (or `unknown`) for a type not listed."""
    return TYPE_NAMES.get(kind or "", kind or unknown)


def stored_state(
    reading: SourceReading,
    *,
    unreadable: str,
    unavailable: str | None,
    none: str,
    shown: Callable[[str], str] = str,
) -> str:
    """What one store holds: the masked token, why it cannot be read (or asked), or `none`.

    Each door brings its words: `unreadable` and `unavailable` go before the reason, which
    `shown` makes safe to display; a door that passes `unavailable=None` shows `none` there.
    """
    if reading.token is not None:
        return reading.token.masked
    if reading.error is not None:
        return f"{unreadable} {shown(reading.error.message)}"
    if reading.unavailable is not None and unavailable is not None:
        return f"{unavailable} {shown(reading.unavailable.message)}"
    return none
