"""Profiles: one token per app, each under its own variable, `.env` key and keyring account."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, NamedTuple

from wizard.core.codes import Source
from wizard.core.errors import SettingsError, StoreError
from wizard.core.stores import keyring_store
from wizard.core.variables import TOKEN_KEY

if TYPE_CHECKING:
    from wizard.core.stores.sources import SourceReading

DEFAULT_PROFILE = "default"
"""The profile that keeps today's names: WHATSAPP_CLOUD_API_TOKEN everywhere."""

PROFILE_ENV_VAR = "WA_TOKEN_PROFILE"
"""Chooses the profile when `--profile` is not given."""

INDEX_ACCOUNT = "wa-token-profiles"
"""Keyring account listing the profiles stored in the keyring (keyrings cannot be enumerated)."""

_NAME = re.compile(r"[a-z0-9_-]{1,32}")
_KEY_SUFFIX = re.compile(r"[A-Z0-9_]{1,32}")


class Profile(NamedTuple):
    """A named token slot; every WHATSAPP_* name of a non-default profile gets its suffix."""

    name: str = DEFAULT_PROFILE

    @property
    def is_default(self) -> bool:
        """True for the profile that uses the unsuffixed names."""
        return self.name == DEFAULT_PROFILE

    @property
    def suffix(self) -> str:
        """ "" for the default profile, else `_` + the name upper-cased with `-` as `_`."""
        return "" if self.is_default else "_" + self.name.upper().replace("-", "_")

    def var(self, base: str) -> str:
        """A variable name for this profile: WHATSAPP_APP_ID → WHATSAPP_APP_ID_ACME."""
        return base + self.suffix

    @property
    def token_key(self) -> str:
        """The environment variable, `.env` key and keyring account of this profile's token."""
        return self.var(TOKEN_KEY)

    @property
    def flag(self) -> str:
        """`--profile NAME` for commands shown to the user; "" for the default profile."""
        return "" if self.is_default else f"--profile {self.name}"


DEFAULT = Profile()


def profile_named(name: str) -> Profile:
    """The profile called `name`; names are 1 to 32 of a-z, 0-9, `_` and `-`."""
    if not _NAME.fullmatch(name):
        raise SettingsError(
            f"{name!r} is not a profile name: use 1 to 32 lower-case letters, digits, _ or -."
            if len(name) <= 40
            else "The profile name is too long (at most 32 characters).",
            fix="Choose a name such as `acme` or `shop-2` for --profile or WA_TOKEN_PROFILE.",
        )
    return Profile(name)


def choose_profile(flag: str | None, environ: Mapping[str, str]) -> Profile:
    """`--profile` wins over WA_TOKEN_PROFILE, which wins over `default`."""
    if flag is not None:
        return profile_named(flag)
    return profile_named(environ.get(PROFILE_ENV_VAR) or DEFAULT_PROFILE)


def profile_of_key(key: str) -> str | None:
    """The profile a token variable or `.env` key belongs to, or None for other names."""
    if key == TOKEN_KEY:
        return DEFAULT_PROFILE
    suffix = key.removeprefix(TOKEN_KEY + "_")
    if suffix == key or not _KEY_SUFFIX.fullmatch(suffix):
        return None
    return suffix.lower()


def profiles_in(keys: Iterable[str]) -> tuple[str, ...]:
    """The profiles named by a set of variable or `.env` keys, in their order."""
    return tuple(dict.fromkeys(p for p in map(profile_of_key, keys) if p is not None))


class ProfileListing(NamedTuple):
    """One profile found on this machine and the stores that hold a token for it."""

    name: str
    stores: tuple[str, ...]
    """environment, dotenv and/or keyring (keyring as recorded in the profile index)."""


def list_profiles(
    environ: Mapping[str, str], dotenv_keys: Iterable[str], keyring_names: Iterable[str]
) -> tuple[ProfileListing, ...]:
    """Every profile found in the environment, the `.env` keys and the keyring index."""
    found: dict[str, list[str]] = {}
    sources = (
        (Source.ENVIRONMENT, profiles_in(k for k, v in environ.items() if v)),
        (Source.DOTENV, profiles_in(dotenv_keys)),
        (Source.KEYRING, tuple(_canonical(n) for n in keyring_names)),
    )
    for store, names in sources:
        for name in names:
            found.setdefault(name, []).append(store)
    ordered = sorted(found, key=lambda n: (n != DEFAULT_PROFILE, n))
    return tuple(ProfileListing(name, tuple(found[name])) for name in ordered)


def _canonical(name: str) -> str:
    """The name as a key suffix would give it back, so `my-app` and `my_app` count once."""
    return profile_of_key(Profile(name).token_key) or name


# -- the keyring index -----------------------------------------------------------------------


def read_profile_index(readings: Iterable[SourceReading] = ()) -> tuple[str, ...]:
    """Profiles recorded as stored in the keyring; () when there is no keyring or no index.

    A keyring reading of the same run that found no keyring here answers at once: asking again
    would only find out the same thing (`status`, where no keyring can exist).
    """
    if any(r.source == Source.KEYRING and r.unavailable is not None for r in readings):
        return ()
    try:
        text = keyring_store.read_keyring_token(INDEX_ACCOUNT)
    except StoreError:
        return ()
    return _parse_index(text or "")


def record_in_index(profile: Profile, *, stored: bool) -> bool:
    """Add (stored) or drop the profile in the keyring index; False when that failed.

    Best effort: the index only feeds `status`, so a failure never undoes a token write.
    """
    try:
        names = set(_parse_index(keyring_store.read_keyring_token(INDEX_ACCOUNT) or ""))
        wanted = names | {profile.name} if stored else names - {profile.name}
        if wanted == names:
            return True
        if wanted:
            keyring_store.write_keyring_token(",".join(sorted(wanted)), INDEX_ACCOUNT)
        else:
            keyring_store.remove_keyring_token(INDEX_ACCOUNT)
    except StoreError:
        return False
    return True


def _parse_index(text: str) -> tuple[str, ...]:
    return tuple(n for n in (part.strip() for part in text.split(",")) if _NAME.fullmatch(n))
