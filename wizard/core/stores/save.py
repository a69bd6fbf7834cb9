"""Store a checked token in `.env` or the OS keyring, the one way the CLI and the wizard both use."""

from __future__ import annotations

from pathlib import Path

from wizard.core.codes import StoreTarget
from wizard.core.profiles import DEFAULT, Profile
from wizard.core.stores.keyring_token import token_command
from wizard.core.stores.outcome import SaveOutcome
from wizard.core.stores.registry import store_for
from wizard.core.token import SecretToken

__all__ = ["SaveOutcome", "store_token", "stored_token", "token_command"]


def stored_token(
    target: StoreTarget, env_file: Path, profile: Profile = DEFAULT
) -> SecretToken | None:
    """The token already in that store, if any (raises StoreError when it cannot be read)."""
    return store_for(target).stored(env_file, profile.token_key)


def store_token(
    target: StoreTarget, token: SecretToken, env_file: Path, profile: Profile = DEFAULT
) -> SaveOutcome:
    """Write the token (raises StoreError; the keyring write is verified by reading it back)."""
    return store_for(target).write(token, env_file, profile)
