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


UNREADABLE = "unreadable:"
"""Before why a store could not be read (an unreadable .env): both doors say it."""
UNAVAILABLE = "unavailable:"
"""Before why a store could not be asked at all (a keyring without D-Bus, locked, timed out)."""
NOTHING_STORED = "(none)"
"""A store that was asked and holds no token."""


def stored_state(
    reading: SourceReading,
    *,
    unreadable: str = UNREADABLE,
    unavailable: str = UNAVAILABLE,
    none: str = NOTHING_STORED,
    shown: Callable[[str], str] = str,
) -> str:
    """What one store holds: the masked token, why it cannot be read (or asked), or `none`.

    The words are these constants; a door may dress them (the wizard's colours) and brings
    `shown`, which makes the reason safe to display there.
    """
    if reading.token is not None:
        return reading.token.masked
    if reading.error is not None:
        return f"{unreadable} {shown(reading.error.message)}"
    if reading.unavailable is not None:
        return f"{unavailable} {shown(reading.unavailable.message)}"
    return none
