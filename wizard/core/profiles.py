"""Profiles: one token per app, each under its own variable, `.env` key and keyring account."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import NamedTuple

from wizard.core.errors import SettingsError
from wizard.core.variables import TOKEN_KEY

DEFAULT_PROFILE = "default"
"""The profile that keeps today's names: WHATSAPP_CLOUD_API_TOKEN everywhere."""

PROFILE_ENV_VAR = "WA_TOKEN_PROFILE"
"""Chooses the profile when `--profile` is not given."""

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


def is_profile_name(text: str) -> bool:
    """1 to 32 of a-z, 0-9, `_` and `-`."""
    return _NAME.fullmatch(text) is not None


def profile_named(name: str) -> Profile:
    """The profile called `name`; names are 1 to 32 of a-z, 0-9, `_` and `-`."""
    if not is_profile_name(name):
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
    """The sources holding one: environment, dotenv, keyring (as its profile index records)."""


def list_profiles(
    held: Iterable[tuple[str, Iterable[str]]],
) -> tuple[ProfileListing, ...]:
    """Every profile found, from each source's name and the profiles it holds, in order."""
    found: dict[str, list[str]] = {}
    for store, names in held:
        for name in dict.fromkeys(_canonical(n) for n in names):
            found.setdefault(name, []).append(store)
    ordered = sorted(found, key=lambda n: (n != DEFAULT_PROFILE, n))
    return tuple(ProfileListing(name, tuple(found[name])) for name in ordered)


def _canonical(name: str) -> str:
    """The name as a key suffix would give it back, so `my-app` and `my_app` count once."""
    return profile_of_key(Profile(name).token_key) or name
