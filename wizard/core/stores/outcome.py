"""What a store's write did, and whether a store can take a token: loaded only to write or ask."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from wizard.core.codes import StoreTarget


@dataclass(frozen=True)
class SaveOutcome:
    """What saving did, in words the user can act on."""

    target: StoreTarget
    """env or keyring."""
    where: str
    """Where it went, e.g. `.env as WHATSAPP_CLOUD_API_TOKEN`."""
    created: bool = False
    """A new .env file was created (mode 0600)."""
    replaced: bool = False
    """A different token was there before and is gone now."""
    unchanged: bool = False
    """That exact token was already stored."""
    place: str = ""
    """Where it is, as extend and refresh say it: `.env (WHATSAPP_CLOUD_API_TOKEN)`."""

    @property
    def summary(self) -> str:
        """One line, e.g. "Saved to .env as WHATSAPP_CLOUD_API_TOKEN (replaced the previous token)"."""
        action = (
            "created the file"
            if self.created
            else "replaced the previous token"
            if self.replaced
            else "it was already there"
            if self.unchanged
            else "added"
        )
        return f"Saved to {self.where} ({action})"


class Reach(NamedTuple):
    """Whether a store can take a token here, in words: "A keyring works here (Secret Service)"."""

    usable: bool
    said: str = ""
    """What the wizard says: "A keyring works here", "No usable OS keyring"."""
    detail: str = ""
    """Through what when usable (the keyring backend), else why not."""
