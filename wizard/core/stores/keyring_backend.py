"""Which OS keyring backend to use, and why none is usable, found without hanging or a file fallback."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # `keyring` itself is imported lazily: CLI start-up time matters
    from keyring.backend import KeyringBackend


FAIL_BACKEND = "keyring.backends.fail.Keyring"
BACKEND_ENV_VAR = "PYTHON_KEYRING_BACKEND"
_NO_BACKEND = {
    FAIL_BACKEND: "no keyring backend was found",
    "keyring.backends.null.Keyring": "the keyring is disabled (the null backend is configured)",
}
# Backends that keep secrets in a file next to the user's data: never a silent fallback.
_FILE_BACKEND_PACKAGES = ("keyrings.alt", "keyrings.cryptfile")


def _select_backends() -> list[KeyringBackend]:
    """The backends keyring itself would try, best first, without its full scan when it can.

    keyring's scan imports every backend module it knows, the macOS one included, which on
    Linux runs `ldconfig`, `gcc` and `ld` to look for the Security framework (15 processes,
    over 100 ms). Instead, in keyring's own order: a backend already set in this process,
    PYTHON_KEYRING_BACKEND, keyringrc.cfg, then on Linux the Secret Service directly (the one
    keyring picks there unless KDE's wallet or a plugin outranks it), and only then the scan,
    skipping the backends of other operating systems.
    """
    import keyring
    import keyring.core

    if getattr(keyring.core, "_keyring_backend", None) is not None:  # set_keyring() was called
        return _chain_members(keyring.get_keyring())
    configured = keyring.core.load_env() or keyring.core.load_config()
    if configured is not None:
        return _chain_members(configured)
    if _secret_service_first():
        direct = _viable_secret_service()
        if direct is not None:
            return [direct]
    return _scan_native_backends()


def _secret_service_first() -> bool:
    """True where keyring's scan would rank the Secret Service first (Linux & co., not KDE)."""
    on_kde = "KDE" in os.environ.get("XDG_CURRENT_DESKTOP", "").split(":")
    return (
        sys.platform not in ("darwin", "win32", "cygwin")
        and not on_kde
        and not (_backend_plugins_installed())
    )


def _viable_secret_service() -> KeyringBackend | None:
    """keyring's Secret Service backend when its daemon answers on the session bus, else None."""
    try:
        from keyring.backends import SecretService

        SecretService.Keyring.priority  # noqa: B018 - raises unless the daemon is reachable
    except Exception:  # noqa: BLE001 - not viable: keyring's own rule, the scan decides
        return None
    return SecretService.Keyring()  # type: ignore[no-untyped-call]


_FOREIGN_BACKENDS = {"darwin": ("keyring.backends.Windows",), "win32": ("keyring.backends.macOS",)}
_CHAINER = "keyring.backends.chainer"


def _scan_native_backends() -> list[KeyringBackend]:
    """keyring's scan (`keyring.core._detect_backend`) without other systems' backend modules.

    Every viable backend, highest priority first, as keyring's chainer orders them (the
    chainer itself would rescan everything, the macOS module included).
    """
    from importlib import metadata

    from keyring import backend as kb
    from keyring.backends import chainer

    skip = _FOREIGN_BACKENDS.get(
        sys.platform, ("keyring.backends.macOS", "keyring.backends.Windows")
    )
    for entry in metadata.entry_points(group="keyring.backends"):
        module = entry.value.split(":")[0]
        if module in skip or module == _CHAINER:
            continue
        try:
            init = entry.load()
            if callable(init):
                init()
        except Exception:  # noqa: BLE001, S112 - a broken plugin is skipped, as keyring does
            continue
    rings = []
    for kind in kb.KeyringBackend.get_viable_backends():
        if issubclass(kind, chainer.ChainerBackend) or kind.__module__ in skip:
            continue
        try:
            ring = kind()
        except TypeError:  # needs arguments: keyring skips those too
            continue
        if ring.priority > 0:
            rings.append(ring)
    return sorted(rings, key=kb.by_priority, reverse=True)


def _no_keyring_here() -> str:
    """Why no keyring can be found, when that is known at once; "" when keyring must look.

    Nothing is imported and no daemon is asked: the configured backend is the fail or null one,
    or, on Linux with no keyring configuration and no keyring plugin installed, there is no
    D-Bus session bus for a Secret Service (or KDE wallet) to live on: cron, CI, containers.
    """
    core = sys.modules.get("keyring.core")
    if core is not None and getattr(core, "_keyring_backend", None) is not None:
        return ""
    configured = os.environ.get(BACKEND_ENV_VAR, "").strip()
    if configured:
        return _NO_BACKEND.get(configured, "")
    if sys.platform in ("darwin", "win32", "cygwin") or _keyring_config_file().exists():
        return ""
    if _session_bus_reachable() or _backend_plugins_installed():
        return ""
    return _NO_BACKEND[FAIL_BACKEND]


def _keyring_config_file() -> Path:
    """keyring's keyringrc.cfg on Linux: $XDG_CONFIG_HOME or ~/.config, python_keyring/."""
    root = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(root, "python_keyring", "keyringrc.cfg")


def _session_bus_reachable() -> bool:
    """Whether a D-Bus session bus may answer: a unix socket path that exists, or any other."""
    address = os.environ.get("DBUS_SESSION_BUS_ADDRESS")
    if address is None:  # libdbus and GLib fall back to $XDG_RUNTIME_DIR/bus
        runtime = os.environ.get("XDG_RUNTIME_DIR")
        return runtime is not None and runtime != "" and Path(runtime, "bus").exists()
    for part in address.split(";"):
        transport, _, params = part.partition(":")
        options = dict(item.partition("=")[::2] for item in params.split(","))
        if transport != "unix" or "path" not in options:
            return True  # abstract sockets, tcp, autolaunch: only a connection can tell
        if Path(options["path"]).exists():
            return True
    return False


def _backend_plugins_installed() -> bool:
    """Whether a package other than keyring registers keyring backends (entry_points.txt).

    importlib.metadata would take longer than the whole check; this reads only the few
    entry_points.txt files of the installed distributions.
    """
    for folder in sys.path:
        try:
            names = os.listdir(folder or ".")
        except OSError:
            continue
        for name in names:
            if not name.endswith((".dist-info", ".egg-info")) or name.startswith("keyring-"):
                continue
            try:
                text = Path(folder or ".", name, "entry_points.txt").read_text("utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            if "[keyring.backends]" in text:
                return True
    return False


def _chain_members(backend: KeyringBackend) -> list[KeyringBackend]:
    """The backends a ChainerBackend would try, highest priority first; else just `backend`."""
    from keyring.backends.chainer import ChainerBackend

    return list(backend.backends) if isinstance(backend, ChainerBackend) else [backend]


def _refusal(backend: KeyringBackend) -> str:
    """Why wa-token will not use this backend, or "" when it will."""
    name = _name(backend)
    if name in _NO_BACKEND:
        return _NO_BACKEND[name]
    if name.startswith(_FILE_BACKEND_PACKAGES) or "plaintext" in name.lower():
        return f"{name} keeps secrets in a plain file, which wa-token does not use as a keyring"
    return ""


def _name(backend: object) -> str:
    kind = type(backend)
    return f"{kind.__module__}.{kind.__qualname__}"


_LABELS = {
    "keyring.backends.SecretService.Keyring": "Secret Service",
    "keyring.backends.libsecret.Keyring": "Secret Service (libsecret)",
    "keyring.backends.kwallet.DBusKeyring": "KDE Wallet",
    "keyring.backends.kwallet.DBusKeyringKWallet4": "KDE Wallet",
    "keyring.backends.macOS.Keyring": "macOS Keychain",
    "keyring.backends.Windows.WinVaultKeyring": "Windows Credential Locker",
}


def backend_label(name: str) -> str:
    """A backend's name for people: "Secret Service", not keyring.backends.SecretService.Keyring
    (a plugin's class keeps its module's name, which is what a user would look up)."""
    return _LABELS.get(name) or name.rsplit(".", 1)[0] or name
