"""Store a checked token in `.env` or the OS keyring, the one way the CLI and the wizard both use."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from wizard.core.codes import StoreTarget
from wizard.core.profiles import DEFAULT, Profile, record_in_index
from wizard.core.stores import env_store, keyring_store, sources
from wizard.core.token import SecretToken


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


def stored_token(
    target: StoreTarget, env_file: Path, profile: Profile = DEFAULT
) -> SecretToken | None:
    """The token already in that store, if any (raises StoreError when it cannot be read)."""
    key = profile.token_key
    if target == StoreTarget.KEYRING:
        value = keyring_store.read_keyring_token(key)
    else:
        value = env_store.read_env_token(env_file, key)
    return SecretToken(value) if value else None


def store_token(
    target: StoreTarget, token: SecretToken, env_file: Path, profile: Profile = DEFAULT
) -> SaveOutcome:
    """Write the token (raises StoreError; the keyring write is verified by reading it back)."""
    key = profile.token_key
    if target == StoreTarget.KEYRING:
        previous = keyring_store.read_keyring_token(key)
        keyring_store.write_keyring_token(token.reveal(), key)
        record_in_index(profile, stored=True)
        return SaveOutcome(
            StoreTarget.KEYRING,
            f"the OS keyring ({sources.keyring_location(key)})",
            replaced=bool(previous) and previous != token.reveal(),
            unchanged=previous == token.reveal(),
        )
    result = env_store.write_env_token(env_file, token.reveal(), key)
    return SaveOutcome(
        StoreTarget.ENV,
        f"{env_file} as {key}",
        created=result.created,
        replaced=result.replaced,
        unchanged=result.unchanged,
    )


def token_command(profile: Profile) -> str:
    """How a server reads this profile's token from the keyring: `wa-token token [--profile X]`."""
    return " ".join(["wa-token", "token", *([profile.flag] if profile.flag else [])])
