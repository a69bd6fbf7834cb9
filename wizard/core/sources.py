"""Where a token can be found, in the contract's order: stdin, environment, `.env`, keyring."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from wizard.core import env_store, keyring_store
from wizard.core.errors import KeyringUnavailable, StoreError
from wizard.core.token import TOKEN_KEY, SecretToken, clean_pasted

STDIN, ENVIRONMENT, DOTENV, KEYRING = "stdin", "environment", "dotenv", "keyring"
SOURCE_LABELS = {
    STDIN: "standard input",
    ENVIRONMENT: f"the {TOKEN_KEY} environment variable",
    DOTENV: ".env file",
    KEYRING: "OS keyring",
}


@dataclass(frozen=True)
class FoundToken:
    """A token and where it came from; the value is kept as stored, even when malformed."""

    source: str
    """stdin, environment, dotenv or keyring."""
    location: str
    """The variable name, the .env path, or the keyring service/account."""
    token: SecretToken

    @property
    def masked(self) -> str:
        """The token's mask."""
        return self.token.masked


@dataclass(frozen=True)
class SourceReading:
    """What one stored source holds: a token, nothing, or why it could not be read."""

    source: str
    location: str
    token: SecretToken | None = None
    error: StoreError | None = None


def from_stdin(text: str) -> FoundToken:
    """A pasted token, cleaned of the usual wrapping (raises TokenFormatError)."""
    return FoundToken(STDIN, "-", clean_pasted(text).token)


def read_environment(environ: Mapping[str, str]) -> SourceReading:
    """The WHATSAPP_CLOUD_API_TOKEN variable; empty counts as unset."""
    value = environ.get(TOKEN_KEY) or None
    return SourceReading(ENVIRONMENT, TOKEN_KEY, SecretToken(value) if value else None)


def read_dotenv(path: Path) -> SourceReading:
    """The token line of a `.env` file."""
    try:
        value = env_store.read_env_token(path)
    except StoreError as err:
        return SourceReading(DOTENV, str(path), error=err)
    return SourceReading(DOTENV, str(path), SecretToken(value) if value else None)


def keyring_location() -> str:
    """`service/account`, as `status` shows it."""
    return f"{keyring_store.keyring_service()}/{keyring_store.ACCOUNT}"


def read_keyring() -> SourceReading:
    """The keyring entry; no backend at all is "nothing here", a locked or hung one is an error."""
    try:
        value = keyring_store.read_keyring_token()
    except KeyringUnavailable:
        return SourceReading(KEYRING, keyring_location())
    except StoreError as err:
        return SourceReading(KEYRING, keyring_location(), error=err)
    return SourceReading(KEYRING, keyring_location(), SecretToken(value) if value else None)


def read_stored(environ: Mapping[str, str], env_file: Path) -> list[SourceReading]:
    """Every stored source, highest precedence first."""
    return [read_environment(environ), read_dotenv(env_file), read_keyring()]


def find_winner(
    environ: Mapping[str, str], env_file: Path
) -> tuple[FoundToken | None, StoreError | None]:
    """The first source that holds a token, reading lower sources only when needed.

    Returns the error of a source that failed above any token (so the caller can say exit 5),
    or (None, None) when no source holds a token.
    """
    for read in (lambda: read_environment(environ), lambda: read_dotenv(env_file), read_keyring):
        reading = read()
        if reading.error is not None:
            return None, reading.error
        if reading.token is not None:
            return FoundToken(reading.source, reading.location, reading.token), None
    return None, None


def winner_of(readings: list[SourceReading]) -> FoundToken | None:
    """The highest-precedence reading that holds a token."""
    for reading in readings:
        if reading.token is not None:
            return FoundToken(reading.source, reading.location, reading.token)
    return None


def shadowed_locations(winner: FoundToken, readings: list[SourceReading]) -> tuple[str, ...]:
    """Lower sources that hold a token different from the winner's."""
    order = [r.source for r in readings]
    below = order.index(winner.source) + 1 if winner.source in order else 0
    return tuple(
        describe(r.source, r.location) for r in readings[below:]
        if r.token is not None and r.token != winner.token
    )


def describe(source: str, location: str) -> str:
    """A source in words: "the .env file .env", "the OS keyring (wa-token/...)"."""
    if source == DOTENV:
        return location
    if source == KEYRING:
        return f"the OS keyring ({location})"
    return SOURCE_LABELS.get(source, source)
