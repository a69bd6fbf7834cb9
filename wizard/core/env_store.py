"""Read, write and remove the token in a .env file, and report how exposed that file is."""

from __future__ import annotations

import contextlib
import fcntl
import grp
import io
import os
import pwd
import re
import shlex
import stat
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from dotenv import dotenv_values
from dotenv.parser import Binding, parse_stream

from wizard.core.errors import EnvFileError

TOKEN_KEY = "WHATSAPP_CLOUD_API_TOKEN"
GIT_TIMEOUT = 2.0
"""Seconds each git question may take before the file is treated as outside a work tree."""

TEMP_INFIX = ".tmp-"
"""Temp files are `.env.tmp-` + mkstemp's 8 random characters; the lock is `.env.tmp-lock`."""
LOCK_NAME = TEMP_INFIX + "lock"
"""Appended to the .env's name: the lock file beside it, removed when the write is done."""
LOCK_WAIT = 10.0
"""Seconds a write waits for another wa-token writing the same file before it gives up."""
UPDATE_ATTEMPTS = 20
"""How often a write is redone because another program changed the file meanwhile."""
STALE_TEMP_AGE = 60.0
"""A temp file of ours older than this (seconds) is a leftover of a killed write: removed."""

_BOM = "\ufeff"
_TOKEN_VALUE = re.compile(r"[A-Za-z0-9_|.~+/=-]+")
"""What a token may hold (the same alphabet wizard.core.token accepts)."""
_PLAIN_VALUE = re.compile(r"[A-Za-z0-9_.-]+")
"""Written as it is; any other token is written in single quotes (`~` and `=` mean things to a
shell that sources the file, `|` too; single quotes keep every reader's value the same)."""
_RANDOM_PART = r"[a-z0-9_]{8}"
"""tempfile.mkstemp's random name part."""
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NEWLINE = re.compile(r"\r\n|\n|\r")
# One `KEY=value` statement as python-dotenv reads it, split so only the value is swapped.
_ASSIGNMENT = re.compile(
    r"""
    (?P<head>(?:export[^\S\r\n]+)?(?:'[^']+'|[^=\#\s]+)[^\S\r\n]*=[^\S\r\n]*)
    (?P<value>'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*"|[^\s\#][^\r\n]*?|)
    (?P<tail>(?:[^\S\r\n]+\#[^\r\n]*)?[^\S\r\n]*)
    \Z
    """,
    re.VERBOSE,
)
# Variables that would point git at another repository than the one around the file.
_GIT_LOCATION_VARS = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR", "GIT_PREFIX")
# Variables that hold secrets (a profile adds a suffix): git never needs them, so never gets them.
_SECRET_VAR_PREFIXES = (TOKEN_KEY, "WHATSAPP_APP_SECRET")


@dataclass(frozen=True)
class EnvWriteResult:
    """What writing the token did to the .env file."""

    created: bool
    """The file did not exist and was created (mode 0600)."""
    replaced: bool
    """A different, non-empty value was stored under the key before."""
    unchanged: bool
    """The key already held exactly this value, so the file was not rewritten."""


@dataclass(frozen=True)
class EnvFileRisks:
    """Facts about a .env file that decide the git and permission warnings."""

    exists: bool
    """The path exists (following symlinks)."""
    in_git_work_tree: bool
    """The file's folder is inside a git work tree."""
    git_ignored: bool
    """git ignores the file, so `git add .` will not pick it up."""
    tracked_by_git: bool
    """The file is in the git index, so the token may already be in history."""
    world_readable: bool
    """Every user on the machine can read the file (mode & 0o004)."""
    group_readable: bool
    """The file's group can read it (mode & 0o040)."""


# --- pure text functions: what the .env becomes ---------------------------------------------


def env_values(text: str, key: str) -> list[str | None]:
    """Every value `key` has in `text`, in order (None for a bare `KEY` without `=`)."""
    _, bindings = _parse(text)
    return [binding.value for binding in bindings if binding.key == key]


def set_env_value(text: str, key: str, value: str) -> str:
    """`text` with every `key` statement set to `value`, or one appended; other bytes kept."""
    return _set_parsed(text, *_parse(text), key, value)


def _set_parsed(text: str, bom: str, bindings: list[Binding], key: str, value: str) -> str:
    """set_env_value on a text already parsed (parsing is most of the time a save takes)."""
    parts = [
        _with_value(b.original.string, key, value) if b.key == key else b.original.string
        for b in bindings
    ]
    body = "".join(parts)
    if not any(b.key == key for b in bindings):
        body = _append_line(body, f"{key}={value}", _first_newline(text))
    return bom + body


def unset_env_value(text: str, key: str) -> str:
    """`text` without any `key` statement; blank lines before it and all other bytes kept."""
    bom, bindings = _parse(text)
    parts = [
        _blank_lines_before(b.original.string) if b.key == key else b.original.string
        for b in bindings
    ]
    return bom + "".join(parts)


def _parse(text: str) -> tuple[str, list[Binding]]:
    """Split off a UTF-8 BOM and parse the rest; the bindings' originals rebuild it exactly."""
    bom = _BOM if text.startswith(_BOM) else ""
    return bom, list(parse_stream(io.StringIO(text[len(bom) :])))


def _with_value(original: str, key: str, value: str) -> str:
    """One statement with its value swapped; indent, `export`, comment and line end kept."""
    lead = _leading_space(original)
    rest = original[len(lead) :]
    end = next((end for end in ("\r\n", "\n", "\r") if rest.endswith(end)), "")
    match = _ASSIGNMENT.match(rest[: len(rest) - len(end)])
    if match is None:  # e.g. a bare `KEY` line: write a plain assignment in its place
        return f"{lead}{key}={value}{end}"
    return f"{lead}{match['head']}{value}{match['tail']}{end}"


def _blank_lines_before(original: str) -> str:
    """The whole blank lines the parser folded into the front of a statement."""
    lead = _leading_space(original)
    return lead[: max(lead.rfind("\n"), lead.rfind("\r")) + 1]


def _leading_space(original: str) -> str:
    """Blank lines and indentation the parser folded into the front of a statement."""
    return original[: len(original) - len(original.lstrip())]


def _first_newline(text: str) -> str:
    """The file's line ending (its first one), or "\\n" for a file with a single line."""
    match = _NEWLINE.search(text)
    return match.group() if match else "\n"


def _append_line(body: str, line: str, newline: str) -> str:
    """`body` plus `line`, ending an unterminated last line first."""
    if body and not body.endswith(("\n", "\r")):
        body += newline
    return body + line + newline


# --- files ------------------------------------------------------------------------------------


def read_env_file(path: Path) -> dict[str, str]:
    """Every key with a value in the file, without interpolation; {} when there is no file."""
    text = _read_text(Path(path))
    if text is None:
        return {}
    values = dotenv_values(stream=io.StringIO(text.removeprefix(_BOM)), interpolate=False)
    return {key: value for key, value in values.items() if value is not None}


def read_env_token(path: Path, key: str = TOKEN_KEY) -> str | None:
    """The token stored under `key`, or None when the file, the key or its value is missing."""
    return read_env_file(path).get(key) or None


def write_env_token(path: Path, value: str, key: str = TOKEN_KEY) -> EnvWriteResult:
    """Store the token under `key` (all occurrences), atomically, keeping every other byte."""
    _check_key(key)
    if not _TOKEN_VALUE.fullmatch(value):
        raise ValueError("a token may only hold letters, digits and _ | . ~ + / = -")
    stored = value if _PLAIN_VALUE.fullmatch(value) else f"'{value}'"
    shown = Path(path)
    target = _real_path(shown)
    _require_folder(target, shown)

    def change(existing: str | None) -> tuple[str | None, EnvWriteResult]:
        text = existing or ""
        bom, bindings = _parse(text)  # once: python-dotenv's parser is the slow part
        old = [binding.value for binding in bindings if binding.key == key]
        if old and all(previous == value for previous in old):
            return None, EnvWriteResult(created=False, replaced=False, unchanged=True)
        replaced = any(previous and previous != value for previous in old)
        return _set_parsed(text, bom, bindings, key, stored), EnvWriteResult(
            created=existing is None, replaced=replaced, unchanged=False)

    return _update(target, shown, key, change)


def remove_env_token(path: Path, key: str = TOKEN_KEY) -> bool:
    """Remove every `key` statement; True if one was removed, False if there was none."""
    _check_key(key)
    shown = Path(path)
    target = _real_path(shown)
    if _read_text(target) is None:
        return False

    def change(existing: str | None) -> tuple[str | None, bool]:
        if existing is None:
            return None, False
        new_text = unset_env_value(existing, key)
        return (None, False) if new_text == existing else (new_text, True)

    _require_folder(target, shown)
    return _update(target, shown, key, change)


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
    identity = None if status is None else (
        status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns)
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
    added = current.text[len(base.text):]
    ends_a_line = (not base.text or base.text.endswith(("\n", "\r"))) and (
        not new or new.endswith(("\n", "\r")))
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
        if (stat.S_ISREG(status.st_mode) and status.st_uid in owners
                and now - status.st_mtime > STALE_TEMP_AGE):
            path.unlink()


def check_rewritable(path: Path) -> None:
    """Raise now the EnvFileError a write would end with for a hard-linked file or an owner
    that cannot be kept, before a caller changes anything else (e.g. copies the token away)."""
    shown = Path(path)
    target = _real_path(shown)
    old = _stat_or_none(target)
    if old is None:
        return
    if old.st_nlink > 1:
        raise _hard_linked(shown, old.st_nlink)
    if (old.st_uid, old.st_gid) == (os.geteuid(), os.getegid()):
        return
    try:
        descriptor, probe = tempfile.mkstemp(prefix=f"{target.name}{TEMP_INFIX}",
                                             dir=target.parent)
    except OSError:
        return  # the write itself says what is wrong with the folder
    try:
        _keep_owner(descriptor, old, shown)
    finally:
        os.close(descriptor)
        os.unlink(probe)


def _check_key(key: str) -> None:
    if not _KEY.fullmatch(key):
        raise ValueError("a .env key must be letters, digits and _, not starting with a digit")


def _real_path(path: Path) -> Path:
    """The file a (possibly symlinked) path points at, so a symlink is updated at its target."""
    return Path(os.path.realpath(path))


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


def _replace_if_unchanged(
    target: Path, text: str, base: _Snapshot, key: str, shown: Path
) -> bool:
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


# --- risks ------------------------------------------------------------------------------------


def inspect_env_file(path: Path) -> EnvFileRisks:
    """Whether the file exists, who may read it, and what git thinks of it."""
    path = Path(path).absolute()
    mode = _mode_or_none(path)
    folder, name = path.parent, path.name
    in_tree = _git_answers(folder, "rev-parse", "--is-inside-work-tree") == "true"
    ignored = in_tree and _git_answers(folder, "check-ignore", "-q", "--", name) is not None
    # ls-files takes pathspecs: --literal-pathspecs keeps a name like `*.env` from globbing
    tracked = (
        in_tree
        and _git_answers(folder, "--literal-pathspecs", "ls-files", "--error-unmatch", "--", name)
        is not None
    )
    return EnvFileRisks(
        exists=mode is not None,
        in_git_work_tree=in_tree,
        git_ignored=ignored,
        tracked_by_git=tracked,
        world_readable=bool((mode or 0) & stat.S_IROTH),
        group_readable=bool((mode or 0) & stat.S_IRGRP),
    )


def _mode_or_none(path: Path) -> int | None:
    """The mode of the file a path points at, None when it cannot be reached."""
    try:
        return path.stat().st_mode
    except OSError:
        return None


def _git_answers(folder: Path, *args: str) -> str | None:
    """git's stripped stdout when it exits 0, else None (also when git is missing or slow)."""
    command = ["git", "-c", "core.fsmonitor=false", "-C", str(folder), *args]
    env = {k: v for k, v in os.environ.items()
           if k not in _GIT_LOCATION_VARS and not k.startswith(_SECRET_VAR_PREFIXES)}
    try:
        done = subprocess.run(
            command,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


# --- errors: a plain message and a concrete fix, never file contents ------------------------


def _q(path: Path) -> str:
    return shlex.quote(str(path))


def _is_directory(path: Path) -> EnvFileError:
    return EnvFileError(
        f"{path} is a directory, not a file.",
        fix=f"Point --env-file at a file, for example {_q(path / '.env')}.",
    )


def _not_regular(path: Path) -> EnvFileError:
    return EnvFileError(
        f"{path} is not a regular file.",
        fix="Point --env-file at a regular text file.",
    )


def _unreadable(path: Path) -> EnvFileError:
    return EnvFileError(
        f"{path} cannot be read: permission denied.",
        fix=f"Run wa-token as the file's owner, or give yourself access: chmod u+rw {_q(path)}",
    )


def _not_utf8(path: Path, position: int) -> EnvFileError:
    p = _q(path)
    return EnvFileError(
        f"{path} is not UTF-8 text (the first bad byte is at position {position}).",
        fix=f"Save it as UTF-8 in your editor, or convert it: "
        f"iconv -f latin1 -t utf-8 {p} > {p}.utf8 && mv {p}.utf8 {p}",
    )


def _missing_folder(path: Path, folder: Path) -> EnvFileError:
    return EnvFileError(
        f"The folder {folder} does not exist, so {path} cannot be created.",
        fix=f"Create it with mkdir -p {_q(folder)}, or choose another --env-file.",
    )


def _not_writable(path: Path) -> EnvFileError:
    return EnvFileError(
        f"{path} cannot be written: permission denied.",
        fix=f"Give yourself write access to the file and its folder "
        f"(chmod u+w {_q(path)} {_q(path.parent)}), or store it with --to keyring.",
    )


def _owner_not_kept(path: Path, old: os.stat_result) -> EnvFileError:
    owner, me = _user_and_group(old.st_uid, old.st_gid), _user_and_group(os.geteuid(),
                                                                          os.getegid())
    return EnvFileError(
        f"{path} belongs to {owner}, and wa-token (running as {me}) cannot give a rewritten "
        f"file back to {owner}: saving would make it yours and could lock its owner out. "
        "Nothing was changed.",
        fix=f"Run the command as the file's owner (sudo -u {shlex.quote(owner.split(':')[0])} "
        "wa-token …), or store the token in the OS keyring with --to keyring.",
        title="The .env file belongs to someone else",
    )


def _user_and_group(uid: int, gid: int) -> str:
    try:
        user = pwd.getpwuid(uid).pw_name
    except KeyError:
        user = str(uid)
    try:
        group = grp.getgrgid(gid).gr_name
    except KeyError:
        group = str(gid)
    return f"{user}:{group}"


def _hard_linked(path: Path, links: int) -> EnvFileError:
    q = _q(path)
    return EnvFileError(
        f"{path} has {links} hard links (other names for the same file). Replacing it would "
        "split them and leave the old contents, the token included, under the other names; "
        "wa-token refuses rather than say it changed a file it only half changed. "
        "Nothing was changed.",
        fix=f"Find the other names (find / -xdev -samefile {q}), then either edit the file by "
        f"hand (an in-place edit reaches every name), or make this name a file of its own "
        f"(cp -p {q} {q}.copy && mv {q}.copy {q}) and run wa-token again.",
        title="The .env file has other names (hard links)",
    )


def _kept_changing(path: Path) -> EnvFileError:
    return EnvFileError(
        f"{path} kept changing while wa-token was writing it ({UPDATE_ATTEMPTS} tries): another "
        "program writes it at the same time. Nothing was changed.",
        fix="Wait until that program is done, then try again.",
    )


def _busy(path: Path) -> EnvFileError:
    return EnvFileError(
        f"Another wa-token has been writing {path} for more than {LOCK_WAIT:.0f} seconds. "
        "Nothing was changed.",
        fix=f"Try again in a moment; if it keeps happening, look for a stuck wa-token process "
        f"(a leftover {path.name}{LOCK_NAME} file is harmless).",
    )


def _os_failure(path: Path, verb: str, exc: OSError) -> EnvFileError:
    reason = exc.strerror or type(exc).__name__  # the OS's words, never the file's contents
    return EnvFileError(
        f"{path} could not be {verb}: {reason}.",
        fix="Check the path and the free disk space, then try again.",
    )
