"""One atomic file update: locked, re-read, written beside the file, renamed over it."""

from __future__ import annotations

import contextlib
import fcntl
import io
import os
import re
import stat
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from wizard.core.stores.env_errors import (
    LOCK_NAME,
    LOCK_WAIT,
    STALE_TEMP_AGE,
    TEMP_INFIX,
    UPDATE_ATTEMPTS,
    _busy,
    _hard_linked,
    _is_directory,
    _kept_changing,
    _missing_folder,
    _not_regular,
    _not_utf8,
    _not_writable,
    _os_failure,
    _owner_not_kept,
    _unreadable,
)

_RANDOM_PART = r"[a-z0-9_]{8}"
"""tempfile.mkstemp's random name part."""
# --- one update: locked, re-read, redone when another program changed the file meanwhile ----

_Result = TypeVar("_Result")
_Change = Callable[[str | None], tuple[str | None, _Result]]
"""What the file becomes (None: leave it as it is), and what to report, from its text."""


@dataclass(frozen=True)
class _Snapshot:
    """The file's text (None when missing) and what identifies that version of it."""

    text: str | None
    identity: tuple[int, ...] | None
    """(device, inode, size, mtime_ns): a rename, an append or a rewrite changes it."""
    status: os.stat_result | None = field(compare=False)
    """The full stat (its access time changes on every read, so it is not compared)."""


def _update(target: Path, shown: Path, key: str, change: _Change[_Result]) -> _Result:
    """Apply `change` under the lock to the file as it is now, and replace the file only if
    nobody changed it since it was read; else redo it on what is there now."""
    with _locked(target, shown):
        _remove_stale_temps(target)
        for _ in range(UPDATE_ATTEMPTS):
            base = _snapshot(target)
            new, result = change(base.text)
            if new is None or _replace_if_unchanged(target, new, base, key, shown):
                return result
    raise _kept_changing(shown)


def _snapshot(path: Path) -> _Snapshot:
    status = _stat_or_none(path)
    text = _read_text(path)
    identity = (
        None
        if status is None
        else (status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns)
    )
    return _Snapshot(text, identity, status)


def _appended(base: _Snapshot, current: _Snapshot, new: str, key: str) -> str | None:
    """The lines another program appended to the same file since `base` was read, when `new`
    can simply take them over too; None when the change was anything else (a rewrite, a
    rename, or an appended `key`), then the update is computed again."""
    if base.text is None or current.text is None or base.identity is None:
        return None
    if current.identity is None or current.identity[:2] != base.identity[:2]:
        return None  # replaced by another file
    if not current.text.startswith(base.text):
        return None
    added = current.text[len(base.text) :]
    ends_a_line = (not base.text or base.text.endswith(("\n", "\r"))) and (
        not new or new.endswith(("\n", "\r"))
    )
    return added if ends_a_line and key not in added else None


@contextlib.contextmanager
def _locked(target: Path, shown: Path) -> Iterator[None]:
    """Hold `.env.tmp-lock` beside the file (flock); every wa-token writing it waits its turn."""
    lock = target.with_name(target.name + LOCK_NAME)
    descriptor = _acquire(lock, shown, time.monotonic() + LOCK_WAIT)
    try:
        yield
    finally:
        with contextlib.suppress(OSError):  # removed while held: whoever waits on it retries
            os.unlink(lock)
        os.close(descriptor)


def _acquire(lock: Path, shown: Path, deadline: float) -> int:
    """A descriptor holding the lock on the file that is at `lock` now (not a removed one)."""
    while True:
        descriptor = _open_lock(lock, shown)
        try:
            _wait_for_lock(descriptor, shown, deadline)
            if _is_at(descriptor, lock):
                return descriptor
        except BaseException:
            os.close(descriptor)
            raise
        os.close(descriptor)  # its holder removed it: lock the new one


def _open_lock(lock: Path, shown: Path) -> int:
    flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        descriptor = os.open(lock, flags, 0o600)
    except PermissionError:
        raise _not_writable(shown) from None
    except OSError as exc:
        raise _os_failure(shown, "locked", exc) from None
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise _os_failure(shown, "locked", OSError(0, f"{lock.name} is not a regular file"))
    return descriptor


def _wait_for_lock(descriptor: int, shown: Path, deadline: float) -> None:
    while True:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise _busy(shown) from None
            time.sleep(0.005)
        except OSError as exc:
            raise _os_failure(shown, "locked", exc) from None


def _is_at(descriptor: int, path: Path) -> bool:
    held = os.fstat(descriptor)
    try:
        now = os.stat(path, follow_symlinks=False)
    except FileNotFoundError:
        return False
    return (held.st_dev, held.st_ino) == (now.st_dev, now.st_ino)


def _remove_stale_temps(target: Path) -> None:
    """Remove `.env.tmp-XXXXXXXX` files a killed write left (they may hold a token): only ours
    (that exact name, a regular file, our user or the file's owner), only when older than
    STALE_TEMP_AGE seconds (a writer that does not lock may still be writing a fresh one)."""
    name = re.compile(re.escape(target.name + TEMP_INFIX) + _RANDOM_PART)
    owners = {os.geteuid(), *([] if (old := _stat_or_none(target)) is None else [old.st_uid])}
    now = time.time()
    try:
        with os.scandir(target.parent) as entries:
            for entry in entries:
                if name.fullmatch(entry.name):
                    _remove_if_stale(Path(entry.path), owners, now)
    except OSError:
        return  # the folder cannot be listed: the write itself reports what is wrong


def _remove_if_stale(path: Path, owners: set[int], now: float) -> None:
    with contextlib.suppress(OSError):
        status = os.stat(path, follow_symlinks=False)
        if (
            stat.S_ISREG(status.st_mode)
            and status.st_uid in owners
            and now - status.st_mtime > STALE_TEMP_AGE
        ):
            path.unlink()


def _read_text(path: Path) -> str | None:
    """The file's text, None when it does not exist; EnvFileError for anything unusable."""
    try:
        mode = path.stat().st_mode
        if stat.S_ISDIR(mode):
            raise _is_directory(path)
        if not stat.S_ISREG(mode):  # a FIFO or a device would block or never end
            raise _not_regular(path)
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except PermissionError:
        raise _unreadable(path) from None
    except IsADirectoryError:
        raise _is_directory(path) from None
    except OSError as exc:
        raise _os_failure(path, "read", exc) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _not_utf8(path, exc.start) from None


def _require_folder(target: Path, shown: Path) -> None:
    """The folder must exist, and an existing file must be writable."""
    if not target.parent.is_dir():
        raise _missing_folder(shown, target.parent)
    if target.exists() and not os.access(target, os.W_OK):
        raise _not_writable(shown)


def _replace_if_unchanged(target: Path, text: str, base: _Snapshot, key: str, shown: Path) -> bool:
    """Write a temp file beside `target` with the old mode and owner, and rename it over the file
    if the file is still the version `base` read (lines appended meanwhile are carried over);
    False, with nothing changed, when the file changed in another way."""
    old = base.status
    if old is not None and old.st_nlink > 1:
        raise _hard_linked(shown, old.st_nlink)
    try:
        # mode 0600; named after the file, so a write killed midway leaves `.env.tmp-…` that the
        # user recognises, that the next write removes, and that `.env*` ignore rules cover
        fd, temp_name = tempfile.mkstemp(prefix=f"{target.name}{TEMP_INFIX}", dir=target.parent)
    except PermissionError:
        raise _not_writable(shown) from None
    except OSError as exc:
        raise _os_failure(shown, "written", exc) from None
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as stream:
            if old is not None:  # before any byte is written: a refusal leaves no token behind
                _keep_owner(stream.fileno(), old, shown)
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
            if old is not None:
                os.fchmod(stream.fileno(), stat.S_IMODE(old.st_mode))
            replaced = _replace_when_still(target, temp, stream, base, text, key)
        if not replaced:
            temp.unlink()
        return replaced
    except BaseException as exc:
        temp.unlink(missing_ok=True)
        if isinstance(exc, PermissionError):
            raise _not_writable(shown) from None
        if isinstance(exc, OSError):
            raise _os_failure(shown, "written", exc) from None
        raise


def _replace_when_still(
    target: Path, temp: Path, stream: io.TextIOBase, base: _Snapshot, text: str, key: str
) -> bool:
    """Rename the temp file over `target` if the file is still `base`; lines appended since
    are first appended to the temp file too (not fsynced: their writer did not sync them)."""
    for _ in range(UPDATE_ATTEMPTS):
        with _opened(target) as previous:  # opened first: it is the file `current` describes
            current = _snapshot(target)
            if current == base:
                os.replace(temp, target)
                _carry_late_appends(previous, base, target, text, key)
                return True
        added = _appended(base, current, text, key)
        if added is None:
            return False
        stream.write(added)
        stream.flush()
        base, text = current, text + added
    return False


@contextlib.contextmanager
def _opened(path: Path) -> Iterator[int | None]:
    """A read-only descriptor of the file, or None when it cannot be opened."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        yield None
        return
    try:
        yield descriptor
    finally:
        os.close(descriptor)


def _carry_late_appends(
    previous: int | None, base: _Snapshot, target: Path, text: str, key: str
) -> None:
    """Lines a program that opened the file before the rename appended to it after our last
    look: copy them to the new file too (best effort; see SECURITY.md)."""
    if previous is None or base.identity is None or not text.endswith(("\n", "\r")):
        return
    status = os.fstat(previous)
    size = base.identity[2]
    if (status.st_dev, status.st_ino) != base.identity[:2] or status.st_size <= size:
        return
    with contextlib.suppress(OSError, UnicodeDecodeError):
        late = os.pread(previous, status.st_size - size, size)
        if key not in late.decode("utf-8"):
            appender = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_NOFOLLOW | os.O_CLOEXEC)
            try:
                os.write(appender, late)
            finally:
                os.close(appender)


def _stat_or_none(path: Path) -> os.stat_result | None:
    try:
        return path.stat()
    except FileNotFoundError:
        return None


def _keep_owner(descriptor: int, old: os.stat_result, shown: Path) -> None:
    """Give the new file the old owner and group, or refuse: a rename must not take the file
    away from its owner (bob's `0660 bob:devs` file rewritten by alice would become alice's)."""
    if (old.st_uid, old.st_gid) == (os.geteuid(), os.getegid()):
        return
    try:
        os.fchown(descriptor, old.st_uid, old.st_gid)
    except PermissionError:
        raise _owner_not_kept(shown, old) from None


def locked(target: Path, shown: Path) -> contextlib.AbstractContextManager[None]:
    """The lock every wa-token updating `target` holds: `{name}.tmp-lock` beside it (flock,
    mode 0600, removed when released; a killed holder's lock is free again), waited for up to
    LOCK_WAIT seconds, then a StoreError naming `shown`."""
    return _locked(target, shown)


def write_bytes_atomically(target: Path, data: bytes, *, new_mode: int = 0o600) -> None:
    """A small file that no other program rewrites (the .gitignore): a temp file beside it named
    like every temp file of ours, the old mode kept (or `new_mode`), fsynced, then renamed over
    it. Raises OSError, with the temp file removed."""
    real = Path(os.path.realpath(target))
    try:
        old_mode = stat.S_IMODE(real.stat().st_mode)
    except FileNotFoundError:
        old_mode = new_mode & ~_umask()
    fd, temp_name = tempfile.mkstemp(prefix=f"{real.name}{TEMP_INFIX}", dir=real.parent)
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp, old_mode)
        os.replace(temp, real)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
