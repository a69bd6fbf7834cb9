"""Read, write and remove the token in the OS keyring, every call bounded by a timeout."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from wizard.core.errors import (
    KeyringDisabled,
    KeyringError,
    KeyringLocked,
    KeyringTimeout,
    KeyringUnavailable,
)
from wizard.core.variables import TOKEN_KEY

if TYPE_CHECKING:  # `keyring` itself is imported lazily: CLI start-up time matters
    from keyring.backend import KeyringBackend

from wizard.core.stores.keyring_backend import (
    _NO_BACKEND,
    BACKEND_ENV_VAR,
    FAIL_BACKEND,
    _name,
    _no_keyring_here,
    _refusal,
    _select_backends,
)

SERVICE = "wa-token"
SERVICE_ENV_VAR = "WA_TOKEN_KEYRING_SERVICE"
"""Overrides SERVICE when set (read at each call), so tests use keyring entries of their own."""
ACCOUNT = TOKEN_KEY
"""The keyring account of the default profile's token: the token's variable name."""
CALL_TIMEOUT = 3.0
"""Seconds one keyring call may take; a Secret Service waiting on an unlock prompt can hang."""

T = TypeVar("T")

_LOCKED_ERRORS = {"KeyringLocked", "LockedException", "PromptDismissedException"}
_SERVICE_MISSING_ERRORS = {"InitError", "NoKeyringError", "SecretServiceNotAvailableException"}

_USE_ENV = "or store the token in a .env file instead: wa-token save --to env"


class KeyringStatus(NamedTuple):
    """Whether a usable keyring backend exists, which one, and why not."""

    available: bool
    """A real keyring backend was found (not a fail, null or plain-file one)."""
    backend: str
    """The backend's module-qualified class name, e.g. keyring.backends.SecretService.Keyring."""
    reason: str = ""
    """Why it is unavailable; empty when available."""


def keyring_service() -> str:
    """The service name entries are stored under: $WA_TOKEN_KEYRING_SERVICE or SERVICE."""
    return os.environ.get(SERVICE_ENV_VAR) or SERVICE


def keyring_status(*, timeout: float = CALL_TIMEOUT) -> KeyringStatus:
    """Which backend keyring would use and whether wa-token accepts it; never raises."""
    try:
        backend, name, reason = _run_bounded(_choose_backend, timeout)
    except KeyringError as exc:
        return KeyringStatus(False, "", exc.message)
    return KeyringStatus(backend is not None, name, reason)


def read_keyring_token(account: str = ACCOUNT, *, timeout: float = CALL_TIMEOUT) -> str | None:
    """The stored token, or None when there is none."""
    service = keyring_service()
    return _call(lambda backend: backend.get_password(service, account), timeout)


def write_keyring_token(
    value: str, account: str = ACCOUNT, *, timeout: float = CALL_TIMEOUT
) -> None:
    """Store the token (replacing any old one), then read it back to prove it was kept."""
    if not value:
        raise ValueError("the token to store is empty")
    service = keyring_service()
    _call(lambda backend: backend.set_password(service, account, value), timeout)
    if _call(lambda backend: backend.get_password(service, account), timeout) != value:
        raise KeyringError(
            "The OS keyring did not give back the token that was just stored.",
            fix=f"Check the keyring with your keyring manager and try again, {_USE_ENV}",
        )


def remove_keyring_token(account: str = ACCOUNT, *, timeout: float = CALL_TIMEOUT) -> bool:
    """Delete the stored token; True if one was there."""
    service = keyring_service()
    return _call(lambda backend: _delete(backend, service, account), timeout)


def _delete(backend: KeyringBackend, service: str, account: str) -> bool:
    from keyring.errors import PasswordDeleteError

    if backend.get_password(service, account) is None:
        return False
    try:
        backend.delete_password(service, account)
    except PasswordDeleteError:  # gone between the two calls
        return False
    return True


# --- choosing a backend ---------------------------------------------------------------------


def _usable_backend() -> KeyringBackend:
    """The backend to use, or KeyringUnavailable saying why there is none."""
    backend, _, reason = _choose_backend()
    if backend is None:
        raise _unavailable(reason, disabled=_turned_off())
    return backend


def _turned_off() -> bool:
    """PYTHON_KEYRING_BACKEND names the fail or null backend: no keyring, on purpose."""
    return os.environ.get(BACKEND_ENV_VAR, "").strip() in _NO_BACKEND


def _choose_backend() -> tuple[KeyringBackend | None, str, str]:
    """(backend or None, its name, why it is refused); a chain is cut to its real keyrings."""
    ruled_out = _no_keyring_here()
    if ruled_out:  # known without importing keyring or asking any daemon
        return None, os.environ.get(BACKEND_ENV_VAR, "").strip() or FAIL_BACKEND, ruled_out
    try:
        members = _select_backends()
    except Exception as exc:  # noqa: BLE001 - e.g. PYTHON_KEYRING_BACKEND names a missing class
        return None, "", f"the configured backend could not be loaded ({type(exc).__name__})"
    usable = [backend for backend in members if not _refusal(backend)]
    if usable:
        return usable[0], _name(usable[0]), ""
    if not members:
        return None, FAIL_BACKEND, _NO_BACKEND[FAIL_BACKEND]
    return None, _name(members[0]), _refusal(members[0])


# --- running one call -----------------------------------------------------------------------


def _call(action: Callable[[KeyringBackend], T], timeout: float) -> T:
    """Pick the backend and run `action` on it, both in one bounded thread."""
    return _run_bounded(lambda: _on_backend(action), timeout)


def _on_backend(action: Callable[[KeyringBackend], T]) -> T:
    backend = _usable_backend()
    try:
        return action(backend)
    except Exception as exc:  # noqa: BLE001 - every backend failure becomes one of ours
        error = _translate(exc, _name(backend))
    # Raised outside the handler so the original (whose frames may hold the token) is dropped.
    raise error


_STUCK_GRACE = 0.05
"""Seconds to let a call that timed out earlier finish (it may just have been released)."""
_stuck: list[tuple[threading.Thread, float]] = []
"""Calls that timed out and may still be waiting on the keyring, with their time limit."""
_stuck_lock = threading.Lock()


def _run_bounded(work: Callable[[], T], timeout: float) -> T:
    """Run `work` in a daemon thread; a hung keyring must not block the caller or exit.

    Once a call has timed out, the keyring is hung until that call returns: later calls fail at
    once instead of waiting their own full time, so a command that asks the keyring several
    times still waits for it once.
    """
    with _stuck_lock:
        _stuck[:] = [(thread, limit) for thread, limit in _stuck if thread.is_alive()]
        earlier = list(_stuck)
    for thread, limit in earlier:
        thread.join(min(timeout, _STUCK_GRACE))
        if thread.is_alive():
            raise _timed_out(limit)
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = work()
        except BaseException as exc:  # noqa: BLE001 - handed to the caller below
            outcome["error"] = exc

    thread = threading.Thread(target=target, name="wa-token-keyring", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        with _stuck_lock:
            _stuck.append((thread, timeout))
        raise _timed_out(timeout)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]  # type: ignore[no-any-return]


def _timed_out(timeout: float) -> KeyringTimeout:
    return KeyringTimeout(
        f"The OS keyring did not answer within {timeout:g} s.",
        fix=f"Unlock or start the keyring (e.g. gnome-keyring-daemon --unlock), {_USE_ENV}",
    )


# --- errors: built from exception class names only, never from str(exc) ---------------------


def _translate(exc: Exception, backend: str) -> KeyringError:
    """Map a backend exception to our tree; its text may hold the secret, so it is not used."""
    chain = _causes(exc)
    names = {kind.__name__ for error in chain for kind in type(error).__mro__}
    if names & _LOCKED_ERRORS or any(_says_locked(error) for error in chain):
        return KeyringLocked(
            "The OS keyring is locked and was not unlocked.",
            fix="Unlock it (log in to the desktop, or run gnome-keyring-daemon --unlock), "
            + _USE_ENV,
        )
    if names & _SERVICE_MISSING_ERRORS:
        return _unavailable(f"{backend} could not reach its keyring service")
    return KeyringError(
        f"The OS keyring ({backend}) failed with {type(exc).__name__}.",
        fix=f"Run `keyring diagnose` to see the keyring setup and try again, {_USE_ENV}",
    )


def _causes(exc: BaseException) -> list[BaseException]:
    """The exception and what caused it (a few levels), e.g. a LockedException in an InitError."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and len(chain) < 5:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _says_locked(error: BaseException) -> bool:
    """D-Bus errors carry their name (org.freedesktop.Secret.Error.IsLocked) or say so."""
    name = str(getattr(error, "name", ""))
    return name.endswith("IsLocked") or "is locked" in str(error).lower()


def _unavailable(reason: str, *, disabled: bool = False) -> KeyringUnavailable:
    kind = KeyringDisabled if disabled else KeyringUnavailable
    return kind(
        f"No usable OS keyring: {reason}.",
        fix="Install and start a Secret Service keyring (gnome-keyring or KeePassXC), "
        "check PYTHON_KEYRING_BACKEND and ~/.config/python_keyring/keyringrc.cfg, " + _USE_ENV,
    )
