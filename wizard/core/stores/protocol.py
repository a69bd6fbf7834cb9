"""What every token store can do: the `TokenSource` and `TokenStore` protocols."""

# Imported for type checking only (`if TYPE_CHECKING:`), so that `check` and `status` never
# build these classes at start-up; the stores fit them by shape (mypy checks registry.STORES).

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from wizard.core.codes import Source, StoreTarget

if TYPE_CHECKING:
    from wizard.core.profiles import Profile
    from wizard.core.stores.base import SourceReading
    from wizard.core.stores.outcome import Reach, SaveOutcome
    from wizard.core.token import SecretToken


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

    def profile_names(
        self, environ: Mapping[str, str], env_file: Path, readings: Sequence[SourceReading]
    ) -> tuple[str, ...]:
        """The profiles it holds a token for ("" errors: none); `readings` of the same run."""
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
