"""The local stores (.env, the OS keyring) as destinations: the same `send` as GitHub and hooks."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from wizard.core.codes import DestinationKind, StoreTarget
from wizard.core.push.destination import Delivery


@dataclass(frozen=True)
class StoreDestination:
    """`.env` or the OS keyring, written through the one save of `stores/save.py`."""

    target: StoreTarget
    env_file: Path

    @property
    def kind(self) -> DestinationKind:
        return DestinationKind(self.target.value)

    @property
    def label(self) -> str:
        return (
            f"{self.target.value}:{self.env_file}" if self.target is StoreTarget.ENV else "keyring"
        )

    def send(self, delivery: Delivery) -> str:
        from wizard.core.stores.save import store_token

        return store_token(self.target, delivery.token, self.env_file, delivery.profile).summary
