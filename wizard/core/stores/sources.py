"""Where a token can be found, in the contract's order: stdin, environment, `.env`, keyring."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from wizard.core.codes import Source
from wizard.core.errors import KeyringDisabled, KeyringUnavailable, StoreError
from wizard.core.stores import keyring_store, registry
from wizard.core.stores.base import FoundToken, SourceReading
from wizard.core.stores.env_file import ENV_FILE
from wizard.core.stores.environment import ENVIRONMENT
from wizard.core.stores.keyring_token import KEYRING, keyring_location
from wizard.core.token import SecretToken, clean_pasted
from wizard.core.variables import TOKEN_KEY

__all__ = ["FoundToken", "SourceReading", "keyring_location"]
"""FoundToken and SourceReading live in base.py (the stores return them); also here, as ever."""

SOURCE_LABELS: dict[str, str] = {Source.STDIN: "standard input"}
"""Sources that are no stored source (the stored ones describe themselves, see registry)."""


def first_holding(
    readings: Iterable[SourceReading], seen: list[SourceReading] | None = None
) -> SourceReading | None:
    """The winner loop: the first reading that holds a token or failed; the readings after it
    are never taken (so a lower source is read only when needed). `seen` collects those taken."""
    for reading in readings:
        if seen is not None:
            seen.append(reading)
        if reading.error is not None or reading.token is not None:
            return reading
    return None


def from_stdin(text: str) -> FoundToken:
    """A pasted token, cleaned of the usual wrapping (raises TokenFormatError)."""
    return FoundToken(Source.STDIN, "-", clean_pasted(text).token)


def read_environment(environ: Mapping[str, str], key: str = TOKEN_KEY) -> SourceReading:
    """The token variable (WHATSAPP_CLOUD_API_TOKEN, or a profile's); empty counts as unset."""
    return ENVIRONMENT.read(environ, Path(), key)


def read_dotenv(
    path: Path, key: str = TOKEN_KEY, environ: Mapping[str, str] | None = None
) -> SourceReading:
    """The token line of a `.env` file, `${VAR}` expanded as the app's load_dotenv does."""
    return ENV_FILE.read(environ or {}, path, key)


def read_keyring(account: str = keyring_store.ACCOUNT) -> SourceReading:
    """The keyring entry; no backend at all is "nothing here", a locked or hung one is an error."""
    return KEYRING.read({}, Path(), account)


def read_source(
    source: Source, environ: Mapping[str, str], env_file: Path, key: str = TOKEN_KEY
) -> SourceReading:
    """What one stored source holds."""
    return registry.source_named(source).read(environ, env_file, key)


def read_stored(
    environ: Mapping[str, str], env_file: Path, key: str = TOKEN_KEY
) -> list[SourceReading]:
    """Every stored source, highest precedence first."""
    return list(_readings_in_order(environ, env_file, key))


def read_below(
    source: Source, environ: Mapping[str, str], env_file: Path, key: str = TOKEN_KEY
) -> list[SourceReading]:
    """The stored sources below `source` in precedence (all of them for a pasted token).

    The keyring is asked only when it is among them, so a token from the environment or
    `.env` looks at the keyring only to say whether it holds a different one.
    """
    order = registry.sources()
    names = [candidate.source for candidate in order]
    below = order[names.index(source) + 1 :] if source in names else order
    return [candidate.read(environ, env_file, key) for candidate in below]


def find_winner(
    environ: Mapping[str, str], env_file: Path, key: str = TOKEN_KEY
) -> tuple[FoundToken | None, StoreError | None]:
    """The first source that holds a token, reading lower sources only when needed.

    Returns the error of a source that failed above any token (so the caller can say exit 5),
    the reason none may be out of reach (`unreadable_store`), or (None, None) when no source
    holds a token.
    """
    seen: list[SourceReading] = []
    reading = first_holding(_readings_in_order(environ, env_file, key), seen)
    if reading is None:
        return None, unreadable_store(seen, key, env_file)
    if reading.error is not None:
        return None, reading.error
    return reading.found, None


def unreadable_store(
    readings: list[SourceReading], key: str = TOKEN_KEY, env_file: Path | None = None
) -> StoreError | None:
    """When no source holds a token: why the token may still be out of reach, else None.

    A source that failed, or a keyring that could not be asked at all (cron has no D-Bus
    session; the daemon is gone): the token may be in it, so "no token" would be a guess (exit
    5, not 3). A keyring turned off on purpose (the fail or null backend) holds nothing.
    """
    failed = next((r.error for r in readings if r.error is not None), None)
    if failed is not None:
        return failed
    missing = next((r.unavailable for r in readings if r.unavailable is not None), None)
    if missing is None or isinstance(missing, KeyringDisabled):
        return None
    where = f"{key} or {env_file}" if env_file is not None else f"{key} or the .env file"
    return KeyringUnavailable(
        f"No token in {where}, and the OS keyring could not be asked: {missing.message}",
        fix="A desktop keyring is out of reach outside your desktop session (cron, ssh, CI have "
        "no D-Bus session): keep the token in the .env file for such jobs "
        "(`wa-token save --to env`), or run the job as a systemd user timer, which can reach "
        "the keyring while you are logged in (`wa-token schedule --print`).",
    )


def _readings_in_order(
    environ: Mapping[str, str], env_file: Path, key: str
) -> Iterator[SourceReading]:
    """The stored sources, highest first, each read only when the caller asks for the next."""
    for source in registry.sources():
        yield source.read(environ, env_file, key)


def find_token_to_replace(
    environ: Mapping[str, str], env_file: Path, key: str = TOKEN_KEY
) -> FoundToken | None:
    """The winning token for a command that must write it back (extend, refresh, fix).

    Raises the StoreError of a source that failed above any token. When nothing holds a token
    and the keyring could not be asked at all, that is raised too: such a command cannot tell
    "no token" from "the token is in a keyring that went away" (cron has no D-Bus session).
    """
    found, error = find_winner(environ, env_file, key)
    if error is not None:
        raise error
    return found


def winner_of(readings: list[SourceReading]) -> FoundToken | None:
    """The highest-precedence reading that holds a token (sources that failed are passed over)."""
    reading = first_holding(r for r in readings if r.error is None)
    return None if reading is None else reading.found


def error_above(readings: list[SourceReading], winner: FoundToken | None) -> StoreError | None:
    """The error of a source that failed above the winning one (or above nothing)."""
    for reading in readings:
        if winner is not None and reading.source == winner.source:
            return None
        if reading.error is not None:
            return reading.error
    return None


def shadowed_locations(winner: FoundToken, readings: list[SourceReading]) -> tuple[str, ...]:
    """Lower sources that hold a token different from the winner's."""
    order = [r.source for r in readings]
    below = order.index(winner.source) + 1 if winner.source in order else 0
    return tuple(
        describe(r.source, r.location)
        for r in readings[below:]
        if r.token is not None and r.token != winner.token
    )


def overriding_saved(
    target_source: Source,
    token: SecretToken,
    environ: Mapping[str, str],
    env_file: Path,
    key: str = TOKEN_KEY,
) -> tuple[SourceReading, ...]:
    """Higher-precedence sources holding a different token than the one just saved there."""
    order = registry.sources()
    names = [candidate.source for candidate in order]
    above = order[: names.index(target_source)] if target_source in names else ()
    higher = (candidate.read(environ, env_file, key) for candidate in above)
    return tuple(r for r in higher if r.token is not None and r.token != token)


def describe(source: str, location: str) -> str:
    """A source in words: "the .env file .env", "the OS keyring (wa-token/...)"."""
    try:
        return registry.source_named(source).describe(location)
    except KeyError:
        return SOURCE_LABELS.get(source, source)


def describe_found(found: FoundToken) -> str:
    """Where the token came from in words, and that it was expanded from `${VAR}` when it was."""
    where = describe(found.source, found.location)
    if found.expansion is not None and found.expansion.used:
        return f"{where} ({found.expansion.note()})"
    return where
