"""The `.env` file as a token store: the TokenStore face of env_store's atomic, locked writes."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from wizard.core.codes import Source, StoreTarget
from wizard.core.errors import EnvFileError, StoreError
from wizard.core.profiles import profiles_in
from wizard.core.stores import env_store
from wizard.core.stores.base import SourceReading
from wizard.core.token import SecretToken

if TYPE_CHECKING:
    from wizard.core.profiles import Profile
    from wizard.core.stores.outcome import Reach, SaveOutcome


class EnvFileStore:
    """The token line of a `.env` file; every other byte of the file is kept."""

    source = Source.DOTENV
    target = StoreTarget.ENV
    short_name = ".env"
    label = ".env file"
    letter = "e"
    footer = ".env file"
    in_chosen_file = True
    probing = ""
    cron_reaches = True

    def read(self, environ: Mapping[str, str], env_file: Path, key: str) -> SourceReading:
        """The token line, `${VAR}` expanded as the app's load_dotenv does."""
        try:
            value, expansion = env_store.read_env_token_as_loaded(env_file, key, environ)
        except StoreError as err:
            return SourceReading(Source.DOTENV, str(env_file), error=err)
        token = SecretToken(value) if value else None
        return SourceReading(Source.DOTENV, str(env_file), token, expansion=expansion)

    def describe(self, location: str) -> str:
        """The file's path."""
        return location

    def profile_names(
        self, environ: Mapping[str, str], env_file: Path, readings: Sequence[SourceReading]
    ) -> tuple[str, ...]:
        """The profiles of the file's keys; none when it cannot be read (its reading says why)."""
        try:
            return profiles_in(env_store.read_env_file(env_file))
        except EnvFileError:
            return ()

    def named(self, env_file: Path) -> str:
        """The file's path."""
        return str(env_file)

    def location(self, env_file: Path, key: str) -> str:
        """The file's path."""
        return str(env_file)

    def stored(self, env_file: Path, key: str) -> SecretToken | None:
        """The raw value under `key` (not expanded)."""
        value = env_store.read_env_token(env_file, key)
        return SecretToken(value) if value else None

    def write(self, token: SecretToken, env_file: Path, profile: Profile) -> SaveOutcome:
        """Add or replace the profile's line, atomically and locked; a new file is 0600."""
        from wizard.core.stores.outcome import SaveOutcome

        key = profile.token_key
        if not env_store.can_hold(token.reveal()):  # opaque tokens: Graph may take what .env can't
            raise EnvFileError(
                "This token holds characters a .env line cannot keep as they are (only letters, "
                "digits and _ | . ~ + / = - are written).",
                fix="Save it to the OS keyring instead: wa-token save --to keyring",
            )
        result = env_store.write_env_token(env_file, token.reveal(), key)
        return SaveOutcome(
            StoreTarget.ENV,
            f"{env_file} as {key}",
            created=result.created,
            replaced=result.replaced,
            unchanged=result.unchanged,
            place=f"{env_file} ({key})",
        )

    def remove(self, env_file: Path, profile: Profile) -> bool:
        """Remove every line of the profile's token."""
        return env_store.remove_env_token(env_file, profile.token_key)

    def reach(self, env_file: Path) -> Reach:
        """The file's folder exists and may be written (the write replaces the file there)."""
        from wizard.core.stores.outcome import Reach

        folder = Path(os.path.realpath(env_file)).parent
        if not folder.is_dir():
            return Reach(False, "The .env file cannot be written", f"{folder} is no folder")
        if not os.access(folder, os.W_OK):
            return Reach(False, "The .env file cannot be written", f"{folder} is not writable")
        return Reach(True, "The .env file can be written", str(folder))

    def help(self, profile: Profile) -> str:
        """What saving to a `.env` file does, naming the profile's variable."""
        return (
            f"Adds or replaces the {profile.token_key} line and leaves every other line as it "
            "is; a new file is readable by you only (0600). Your backend reads it as before. "
            "Keep it out of git."
        )

    def server_reads(self, env_file: Path, key: str) -> str:
        """The server reads the file as before."""
        return (
            f"Your server reads `{key}` from `{env_file}`, as before (dotenv or your process "
            "manager)."
        )

    def export_line(self, key: str) -> str:
        """None: the server's own dotenv reads the file."""
        return ""

    def keep_it_safe(self, env_file: Path) -> str:
        """Out of git."""

        return f"Never commit the token: keep {env_file} out of git."


ENV_FILE = EnvFileStore()
