"""The records every token source returns: what a source holds, and where a token was found."""

from __future__ import annotations

from typing import NamedTuple

from wizard.core.codes import Source
from wizard.core.errors import StoreError
from wizard.core.stores.env_expand import Expansion
from wizard.core.token import SecretToken


class FoundToken(NamedTuple):
    """A token and where it came from; the value is kept as stored, even when malformed."""

    source: Source
    """stdin, environment, dotenv or keyring."""
    location: str
    """The variable name, the .env path, or the keyring service/account."""
    token: SecretToken
    expansion: Expansion | None = None
    """A `.env` value such as `${META_TOKEN}` that python-dotenv expands (see env_expand)."""

    @property
    def masked(self) -> str:
        """The token's mask."""
        return self.token.masked


class SourceReading(NamedTuple):
    """What one stored source holds: a token, nothing, or why it could not be read."""

    source: Source
    location: str
    token: SecretToken | None = None
    error: StoreError | None = None
    unavailable: StoreError | None = None
    """Why the source could not be looked at although that is not an error (no keyring here)."""
    expansion: Expansion | None = None
    """A `.env` value that python-dotenv expands (see env_expand)."""

    @property
    def found(self) -> FoundToken | None:
        """The token with where it came from, when this source holds one."""
        if self.token is None:
            return None
        return FoundToken(self.source, self.location, self.token, self.expansion)
