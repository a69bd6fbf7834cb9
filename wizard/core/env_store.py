"""Read, write and remove the token in a .env file, and report how exposed that file is."""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import stat
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from dotenv import dotenv_values
from dotenv.parser import Binding, parse_stream

from wizard.core.errors import EnvFileError

TOKEN_KEY = "WHATSAPP_CLOUD_API_TOKEN"
GIT_TIMEOUT = 2.0
"""Seconds each git question may take before the file is treated as outside a work tree."""

_BOM = "\ufeff"
_TOKEN_VALUE = re.compile(r"[A-Za-z0-9_|.-]+")
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
        raise ValueError("a token may only hold letters, digits and _ | . -")
    shown = Path(path)
    target = _real_path(shown)
    _require_folder(target, shown)
    existing = _read_text(target)
    created, text = existing is None, existing or ""
    bom, bindings = _parse(text)  # once: python-dotenv's parser is the slow part
    old = [binding.value for binding in bindings if binding.key == key]
    if old and all(previous == value for previous in old):
        return EnvWriteResult(created=False, replaced=False, unchanged=True)
    _write_atomically(target, _set_parsed(text, bom, bindings, key, value), shown)
    replaced = any(previous and previous != value for previous in old)
    return EnvWriteResult(created=created, replaced=replaced, unchanged=False)


def remove_env_token(path: Path, key: str = TOKEN_KEY) -> bool:
    """Remove every `key` statement; True if one was removed, False if there was none."""
    _check_key(key)
    shown = Path(path)
    target = _real_path(shown)
    text = _read_text(target)
    if text is None:
        return False
    new_text = unset_env_value(text, key)
    if new_text == text:
        return False
    _require_folder(target, shown)
    _write_atomically(target, new_text, shown)
    return True


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


def _write_atomically(target: Path, text: str, shown: Path) -> None:
    """Write a temp file beside `target`, give it the old mode and owner, then rename it over."""
    old = _stat_or_none(target)
    try:
        # mode 0600; named after the file, so a write killed midway leaves `.env.tmp-…` that the
        # user recognises and that `.env*` / `.env.*` ignore rules already cover
        fd, temp_name = tempfile.mkstemp(prefix=f"{target.name}.tmp-", dir=target.parent)
    except PermissionError:
        raise _not_writable(shown) from None
    except OSError as exc:
        raise _os_failure(shown, "written", exc) from None
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        if old is not None:
            os.chmod(temp, stat.S_IMODE(old.st_mode))
            _keep_owner(temp, old)
        os.replace(temp, target)
    except BaseException as exc:
        temp.unlink(missing_ok=True)
        if isinstance(exc, PermissionError):
            raise _not_writable(shown) from None
        if isinstance(exc, OSError):
            raise _os_failure(shown, "written", exc) from None
        raise


def _stat_or_none(path: Path) -> os.stat_result | None:
    try:
        return path.stat()
    except FileNotFoundError:
        return None


def _keep_owner(path: Path, old: os.stat_result) -> None:
    """Give the new file the old owner (matters when root rewrites a user's file)."""
    if (old.st_uid, old.st_gid) == (os.geteuid(), os.getegid()):
        return
    with contextlib.suppress(PermissionError):  # not root: keep our owner, as an editor would
        os.chown(path, old.st_uid, old.st_gid)


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


def _os_failure(path: Path, verb: str, exc: OSError) -> EnvFileError:
    reason = exc.strerror or type(exc).__name__  # the OS's words, never the file's contents
    return EnvFileError(
        f"{path} could not be {verb}: {reason}.",
        fix="Check the path and the free disk space, then try again.",
    )
