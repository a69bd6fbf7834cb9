"""The OS keyring as a token store; its writes and removals keep the keyring's profile index."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from wizard.core.codes import Source, StoreTarget
from wizard.core.errors import (
    KeyringError,
    KeyringLocked,
    KeyringTimeout,
    KeyringUnavailable,
    StoreError,
)
from wizard.core.profiles import Profile, is_profile_name
from wizard.core.stores import keyring_store
from wizard.core.stores.base import SourceReading
from wizard.core.stores.keyring_backend import backend_label
from wizard.core.token import SecretToken
from wizard.core.user_dirs import APP_FOLDER, config_folder

if TYPE_CHECKING:
    from wizard.core.stores.outcome import Reach, SaveOutcome

INDEX_ACCOUNT = "wa-token-profiles"
"""Keyring account listing the profiles stored in the keyring (keyrings cannot be enumerated)."""
INDEX_ATTEMPTS = 3
"""Tries of one index update when the keyring failed on the way (a Secret Service busy with
another process's items answers ItemNotFoundException now and then: 1 run in 15 measured)."""
INDEX_LOCK = "keyring-index"
"""The index's lock file (+ `.tmp-lock`), in $XDG_RUNTIME_DIR/wa-token or the config folder."""


class KeyringStore:
    """One keyring entry per profile (service `wa-token`, account the token's variable)."""

    source = Source.KEYRING
    target = StoreTarget.KEYRING
    short_name = "keyring"
    label = "OS keyring"
    letter = "k"
    footer = "Keyring"
    in_chosen_file = False
    probing = "Looking for an OS keyring…"
    cron_reaches = False

    def read(self, environ: Mapping[str, str], env_file: Path, key: str) -> SourceReading:
        """No backend at all is "nothing here"; a locked or hung one is an error."""
        where = keyring_location(key)
        try:
            value = keyring_store.read_keyring_token(key)
        except KeyringUnavailable as err:
            return SourceReading(Source.KEYRING, where, unavailable=err)
        except StoreError as err:
            return SourceReading(Source.KEYRING, where, error=err)
        return SourceReading(Source.KEYRING, where, SecretToken(value) if value else None)

    def describe(self, location: str) -> str:
        """The OS keyring, with the service/account."""
        return f"the OS keyring ({location})"

    def profile_names(
        self, environ: Mapping[str, str], env_file: Path, readings: Sequence[SourceReading]
    ) -> tuple[str, ...]:
        """The profiles its index records (keyrings cannot be listed)."""
        return read_profile_index(readings)

    def named(self, env_file: Path) -> str:
        """The OS keyring."""
        return "the OS keyring"

    def location(self, env_file: Path, key: str) -> str:
        """`service/account`."""
        return keyring_location(key)

    def stored(self, env_file: Path, key: str) -> SecretToken | None:
        """The entry's token."""
        value = keyring_store.read_keyring_token(key)
        return SecretToken(value) if value else None

    def write(self, token: SecretToken, env_file: Path, profile: Profile) -> SaveOutcome:
        """Write, read back and compare; on failure the previous token is put back. The profile
        is then recorded in the index."""
        from wizard.core.stores.outcome import SaveOutcome

        key, value = profile.token_key, token.reveal()
        previous = keyring_store.read_keyring_token(key)
        try:
            keyring_store.write_keyring_token(value, key)
        except KeyringError:
            _put_back(previous, key)
            raise
        _record_in_index(profile, stored=True)
        where = f"the OS keyring ({keyring_location(key)})"
        return SaveOutcome(
            StoreTarget.KEYRING,
            where,
            replaced=bool(previous) and previous != value,
            unchanged=previous == value,
            place=where,
        )

    def remove(self, env_file: Path, profile: Profile) -> bool:
        """Delete the entry, then drop the profile from the index."""
        removed = keyring_store.remove_keyring_token(profile.token_key)
        _record_in_index(profile, stored=False)
        return removed

    def reach(self, env_file: Path) -> Reach:
        """Whether a usable keyring backend answers (bounded: it may be locked or hung)."""
        from wizard.core.stores.outcome import Reach

        status = keyring_store.keyring_status()
        if status.available:
            return Reach(True, "A keyring works here", backend_label(status.backend))
        return Reach(False, "No usable OS keyring", status.reason or "none found")

    def help(self, profile: Profile) -> str:
        """Encrypted by the OS; how the server reads this profile's token back."""
        return (
            "Encrypted by your OS (Keychain, Credential Locker, Secret Service), never in a plain "
            f'file. Your server reads it with: export {profile.token_key}="$('
            f'{token_command(profile)})"'
        )

    def server_reads(self, env_file: Path, key: str) -> str:
        """Through `wa-token token`."""
        return "Your server reads it from the keyring through wa-token: start it with"

    def export_line(self, key: str) -> str:
        """`export KEY="$(wa-token token)"`."""
        return f'export {key}="$(wa-token token)"'

    def keep_it_safe(self, env_file: Path) -> str:
        """Out of files and chats."""
        return "Never paste the token into a file or a chat."


KEYRING = KeyringStore()


def keyring_location(account: str = keyring_store.ACCOUNT) -> str:
    """`service/account`, as `status` shows it."""
    return f"{keyring_store.keyring_service()}/{account}"


def token_command(profile: Profile) -> str:
    """How a server reads this profile's token from the keyring: `wa-token token [--profile X]`."""
    return " ".join(["wa-token", "token", *([profile.flag] if profile.flag else [])])


def _put_back(previous: str | None, account: str) -> None:
    """After a failed write, try to leave the previous token in place (it usually still is)."""
    if not previous:
        return
    with contextlib.suppress(StoreError, ValueError):
        if keyring_store.read_keyring_token(account) != previous:
            keyring_store.write_keyring_token(previous, account)


# -- the profile index: kept by write and remove above, and by nothing else -------------------


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


def _record_in_index(profile: Profile, *, stored: bool) -> bool:
    """Add (stored) or drop the profile in the keyring index; False when that failed.

    Best effort: the index only feeds `status`, so a failure never undoes a token write. One
    process at a time, reading the index under the lock: two saves at the same moment would
    each write back what they read, and one profile's name would be lost.
    """
    try:
        with _index_locked():
            _update_index(profile, stored=stored)
    except StoreError:
        return False
    return True


def _update_index(profile: Profile, *, stored: bool) -> None:
    """Read the index, change it, write it back; again when the keyring failed on the way."""
    for attempt in range(1, INDEX_ATTEMPTS + 1):
        try:
            names = set(_parse_index(keyring_store.read_keyring_token(INDEX_ACCOUNT) or ""))
            wanted = names | {profile.name} if stored else names - {profile.name}
            if wanted == names:
                return
            if wanted:
                keyring_store.write_keyring_token(",".join(sorted(wanted)), INDEX_ACCOUNT)
            else:
                keyring_store.remove_keyring_token(INDEX_ACCOUNT)
            return
        except (KeyringUnavailable, KeyringLocked, KeyringTimeout):
            raise  # asking again would wait or fail the same way
        except KeyringError:
            if attempt == INDEX_ATTEMPTS:
                raise


@contextlib.contextmanager
def _index_locked() -> Iterator[None]:
    """Hold the index's lock; without a folder to keep it in, update unlocked (as before)."""
    from wizard.core.stores.atomic import locked  # fcntl and tempfile: for writers only

    try:
        folder = index_lock_folder()
    except OSError:
        yield
        return
    with locked(folder / INDEX_LOCK, Path("the OS keyring's profile index")):
        yield


def index_lock_folder() -> Path:
    """`$XDG_RUNTIME_DIR/wa-token` (the user's own, in memory), else `wa-token` in the user's
    config folder; made 0700. Never the project folder, which others may share or commit."""
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if runtime and os.path.isabs(runtime) and os.path.isdir(runtime):
        folder = Path(runtime, APP_FOLDER)
    else:
        folder = config_folder(os.environ)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    status = os.stat(folder)  # another user's folder (XDG_RUNTIME_DIR=/tmp) could hold it forever
    if status.st_uid != os.getuid() or status.st_mode & 0o022:
        raise PermissionError(f"{folder} is not the user's own folder")
    return folder


def _parse_index(text: str) -> tuple[str, ...]:
    return tuple(n for n in (part.strip() for part in text.split(",")) if is_profile_name(n))
