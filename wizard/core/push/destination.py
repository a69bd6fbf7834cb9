"""The one interface every destination fits (.env, keyring, GitHub, a hook), and its results."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from wizard.core.codes import DestinationKind, ExitCode, PushState
from wizard.core.profiles import Profile
from wizard.core.token import SecretToken


@dataclass(frozen=True)
class Delivery:
    """What every destination is given: the token, whose it is, and the bounds of the push."""

    token: SecretToken = field(repr=False)
    profile: Profile
    environ: Mapping[str, str] = field(repr=False)
    """The process environment (GitHub credentials, PATH); the token's variables are never passed on."""
    timeout: float = 10.0
    """Seconds one destination may take (--timeout)."""

    @property
    def variable(self) -> str:
        """The variable name, e.g. WHATSAPP_CLOUD_API_TOKEN_SHOP_2: the secret's name too."""
        return self.profile.token_key


class Destination(Protocol):
    """A place that takes the token. `send` returns a short line on success and raises a
    WaTokenError (PushError, StoreError, SettingsError) with the fix on failure."""

    @property
    def kind(self) -> DestinationKind:
        """github, hook, env or keyring."""
        ...

    @property
    def label(self) -> str:
        """How the user names it, e.g. `github:acme/shop` or `then:gh secret set …`."""
        ...

    def send(self, delivery: Delivery) -> str:
        """Put the token there; the line says what was done (no secret in it)."""
        ...


@dataclass(frozen=True)
class PushResult:
    """How one destination took the token."""

    label: str
    kind: DestinationKind
    state: PushState
    detail: str
    """What was done, or what went wrong (cleaned, no secret)."""
    at: datetime
    fix: str = ""
    """The next thing to do, for a failure."""

    @property
    def ok(self) -> bool:
        """True when the destination holds the token now."""
        return self.state is PushState.OK


@dataclass(frozen=True)
class PushReport:
    """Every destination's result, in the order they ran."""

    results: tuple[PushResult, ...] = ()

    @property
    def ok(self) -> bool:
        """True when every destination took the token (or there was none)."""
        return all(result.ok for result in self.results)

    @property
    def failed(self) -> tuple[PushResult, ...]:
        """The destinations that did not take it."""
        return tuple(result for result in self.results if not result.ok)

    @property
    def exit_code(self) -> ExitCode:
        """0, or 5 when any destination failed (the local store is kept either way)."""
        return ExitCode.OK if self.ok else ExitCode.STORE
