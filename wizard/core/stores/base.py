"""What every token store can do (the `TokenStore` protocol) and the records stores return."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, Protocol

from wizard.core.codes import Source, StoreTarget
from wizard.core.errors import StoreError
from wizard.core.stores.env_expand import Expansion
from wizard.core.token import SecretToken

if TYPE_CHECKING:
    from wizard.core.profiles import Profile


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


class TokenSource(Protocol):
    """A place a token is read from (the environment, a store), in the contract's order."""

    @property
    def source(self) -> Source:
        """The `source` value of its readings."""
        ...

    @property
    def short_name(self) -> str:
        """A word or two for lists of places: "environment", ".env", "keyring"."""
        ...

    def read(self, environ: Mapping[str, str], env_file: Path, key: str) -> SourceReading:
        """What it holds under `key`; a failure is in the reading, never raised."""
        ...

    def describe(self, location: str) -> str:
        """A reading's location in words: "the OS keyring (wa-token/...)"."""
        ...


class TokenStore(TokenSource, Protocol):
    """A source wa-token can also write: save, refresh, extend, fix, forget and push use it.

    `env_file` is the `.env` file of the command (a store that is no file ignores it).
    """

    @property
    def target(self) -> StoreTarget:
        """The `--to`/`--from` value."""
        ...

    @property
    def label(self) -> str:
        """Its name in a choice: ".env file", "OS keyring"."""
        ...

    @property
    def letter(self) -> str:
        """The key that chooses it in the wizard."""
        ...

    @property
    def footer(self) -> str:
        """Its name in the wizard's footer."""
        ...

    @property
    def in_chosen_file(self) -> bool:
        """The token goes to the `.env` file the user names (the wizard shows the path field)."""
        ...

    @property
    def probing(self) -> str:
        """What the wizard says while it asks `reach` (empty: the answer is immediate)."""
        ...

    @property
    def cron_reaches(self) -> bool:
        """A cron job (no desktop session) can read the token from it."""
        ...

    def named(self, env_file: Path) -> str:
        """The store in a sentence: ".env", "the OS keyring"."""
        ...

    def location(self, env_file: Path, key: str) -> str:
        """The `location` of its readings: the file, or `service/account`."""
        ...

    def stored(self, env_file: Path, key: str) -> SecretToken | None:
        """The token it holds under `key` (raises StoreError when it cannot be read)."""
        ...

    def write(self, token: SecretToken, env_file: Path, profile: Profile) -> SaveOutcome:
        """Store the profile's token, atomically (raises StoreError; no token in the message)."""
        ...

    def remove(self, env_file: Path, profile: Profile) -> bool:
        """Remove the profile's token; True when there was one (raises StoreError)."""
        ...

    def reach(self, env_file: Path) -> Reach:
        """Whether it can take a token here (bounded; never raises)."""
        ...

    def help(self, profile: Profile) -> str:
        """What saving there does, and how a server reads the token back."""
        ...

    def server_reads(self, env_file: Path, key: str) -> str:
        """How the user's server reads it (`code` marks what to type or look for)."""
        ...

    def export_line(self, key: str) -> str:
        """The shell line that starts a server with the token ("" when none is needed)."""
        ...

    def keep_it_safe(self, env_file: Path) -> str:
        """The one rule that keeps the token safe there."""
        ...
