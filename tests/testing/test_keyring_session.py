"""The private Secret Service the keyring tests share behaves like a desktop session's."""

from __future__ import annotations

from contextlib import ExitStack, closing

import pytest
from jeepney.io.blocking import open_dbus_connection

from tests.keyring_session import SecretServiceInstance, SecretServiceSession, assert_alive

DESKTOP_CONNECTIONS = 300
"""More than dbus-daemon's built-in 256 connections per user, far fewer than a session bus's."""


def test_the_private_bus_takes_as_many_connections_as_a_session_bus(
    secret_service: SecretServiceSession,
) -> None:
    """Failed before: with dbus-daemon's built-in limits, the 257th connection of one user (a
    worker's tests and their CLI children, plus connections keyring leaks until collected) was
    refused (LimitsExceeded), which keyring reports as "no keyring backend was found"."""
    with ExitStack() as stack:
        for _ in range(DESKTOP_CONNECTIONS):
            stack.enter_context(closing(open_dbus_connection(secret_service.address)))


def test_a_dead_daemon_fails_with_its_logs(shared_secret_service: SecretServiceInstance) -> None:
    """A keyring daemon that died is named, with the daemons' logs, before a test relies on it."""

    class Exited:
        returncode = -9

        def poll(self) -> int:
            return self.returncode

    dead = SecretServiceInstance(
        shared_secret_service.session,
        shared_secret_service.bus,
        Exited(),  # type: ignore[arg-type]
    )
    with pytest.raises(pytest.fail.Exception) as failed:
        assert_alive(dead)
    assert "gnome-keyring-daemon exited with -9" in str(failed.value)
    assert "dbus.log" in str(failed.value)
