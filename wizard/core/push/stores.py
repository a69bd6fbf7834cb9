"""The local stores (.env, the OS keyring) as destinations: the same `send` as GitHub and hooks."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from wizard.core.codes import DestinationKind
from wizard.core.push.destination import Delivery

if TYPE_CHECKING:
    from wizard.core.stores.protocol import TokenStore


@dataclass(frozen=True)
class StoreDestination:
    """A token store (`.env`, the OS keyring, ...) written through its own `write`."""

    store: TokenStore
    env_file: Path

    @property
    def kind(self) -> DestinationKind:
        return DestinationKind(self.store.target.value)

    @property
    def label(self) -> str:
        if self.store.in_chosen_file:
            return f"{self.store.target.value}:{self.env_file}"
        return self.store.target.value

    def send(self, delivery: Delivery) -> str:
        return self.store.write(delivery.token, self.env_file, delivery.profile).summary
