"""The one ordered list of token stores: precedence, and which store is which."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from wizard.core.codes import Source, StoreTarget
from wizard.core.profiles import ProfileListing, list_profiles
from wizard.core.stores.env_file import ENV_FILE
from wizard.core.stores.environment import ENVIRONMENT
from wizard.core.stores.keyring_token import KEYRING

if TYPE_CHECKING:
    from wizard.core.stores.base import SourceReading
    from wizard.core.stores.protocol import TokenSource, TokenStore

STORES: tuple[TokenStore, ...] = (ENV_FILE, KEYRING)
"""The stores a token can be saved in, highest precedence first: the one place precedence is
written. Only the environment, which wa-token cannot write, comes before them."""


def sources() -> tuple[TokenSource, ...]:
    """Every stored source, highest precedence first: the environment, then the stores."""
    return (ENVIRONMENT, *STORES)


def stored_order() -> tuple[Source, ...]:
    """The stored sources' names, highest precedence first."""
    return tuple(source.source for source in sources())


def source_named(source: Source | str) -> TokenSource:
    """The source whose readings carry `source` (KeyError for stdin or a pasted token)."""
    for candidate in sources():
        if candidate.source == source:
            return candidate
    raise KeyError(source)


def store_for(target: StoreTarget | str) -> TokenStore:
    """The store a `--to`/`--from` value names."""
    for store in STORES:
        if store.target == target:
            return store
    raise KeyError(target)


def store_holding(source: Source | str | None) -> TokenStore | None:
    """The store a token found in `source` can be written back to (None: the environment)."""
    for store in STORES:
        if store.source == source:
            return store
    return None


def profiles_found(
    environ: Mapping[str, str], env_file: Path, readings: Sequence[SourceReading] = ()
) -> tuple[ProfileListing, ...]:
    """Every profile any source holds a token for, with the sources holding it."""
    return list_profiles(
        (source.source, source.profile_names(environ, env_file, readings)) for source in sources()
    )


def places_looked() -> str:
    """Where a token is looked for, in words and in order: "environment, .env, keyring"."""
    return ", ".join(source.short_name for source in sources())
