"""Read, write and remove the token in a .env file, and report how exposed that file is."""

from __future__ import annotations

import os
import re
import stat
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from wizard.core.stores.atomic import (
    _keep_owner,
    _read_text,
    _require_folder,
    _stat_or_none,
    _update,
)
from wizard.core.stores.env_errors import (
    LOCK_NAME,
    STALE_TEMP_AGE,
    TEMP_INFIX,
    UPDATE_ATTEMPTS,
    _hard_linked,
)
from wizard.core.stores.env_expand import EXPANSION_MARK, Expansion, expand
from wizard.core.stores.env_parse import Binding, dotenv_values, parse_text
from wizard.core.stores.git_runner import git_answer
from wizard.core.variables import TOKEN_KEY

__all__ = [
    "LOCK_NAME",
    "STALE_TEMP_AGE",
    "TEMP_INFIX",
    "TOKEN_KEY",
    "UPDATE_ATTEMPTS",
    "EnvFileRisks",
    "EnvWriteResult",
    "check_rewritable",
    "env_values",
    "inspect_env_file",
    "read_env_file",
    "read_env_token",
    "remove_env_token",
    "set_env_value",
    "unset_env_value",
    "write_env_token",
]

_BOM = "\ufeff"
_TOKEN_VALUE = re.compile(r"[A-Za-z0-9_|.~+/=-]+")
"""What a token may hold (the same alphabet wizard.core.token accepts)."""
_PLAIN_VALUE = re.compile(r"[A-Za-z0-9_.-]+")
"""Written as it is; any other token is written in single quotes (`~` and `=` mean things to a
shell that sources the file, `|` too; single quotes keep every reader's value the same)."""
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
    """Split off the BOMs python-dotenv skips (a UTF-8 BOM, then parse_stream drops one more)
    and parse the rest; the bindings' originals rebuild it exactly."""
    bom = text[: len(text) - len(text.removeprefix(_BOM).removeprefix(_BOM))]
    return bom, parse_text(text[len(bom) :])


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
    values = dotenv_values(text.removeprefix(_BOM))
    return {key: value for key, value in values.items() if value is not None}


def read_env_token(path: Path, key: str = TOKEN_KEY) -> str | None:
    """The token stored under `key`, or None when the file, the key or its value is missing."""
    return read_env_file(path).get(key) or None


def read_env_token_as_loaded(
    path: Path, key: str, environ: Mapping[str, str]
) -> tuple[str | None, Expansion | None]:
    """The token under `key` as the app's load_dotenv reads it: `${VAR}` expanded (environment
    first), used only when the result is shaped like an access token (see env_expand)."""
    raw = read_env_token(path, key)
    if raw is None or EXPANSION_MARK not in raw:
        return raw, None
    text = _read_text(Path(path)) or ""
    value, expansion = expand(
        ((b.key, b.value) for b in parse_text(text.removeprefix(_BOM))), key, environ
    )
    return value or None, expansion


def can_hold(value: str) -> bool:
    """Whether a .env line can keep this token so that every .env reader reads it back as is."""
    return _TOKEN_VALUE.fullmatch(value) is not None


def write_env_token(path: Path, value: str, key: str = TOKEN_KEY) -> EnvWriteResult:
    """Store the token under `key` (all occurrences), atomically, keeping every other byte."""
    _check_key(key)
    if not can_hold(value):
        raise ValueError("a token may only hold letters, digits and _ | . ~ + / = -")
    stored = value if _PLAIN_VALUE.fullmatch(value) else f"'{value}'"
    shown = Path(path)
    target = _real_path(shown)
    _require_folder(target, shown)

    def change(existing: str | None) -> tuple[str | None, EnvWriteResult]:
        text = existing or ""
        bom, bindings = _parse(text)  # once: parsing is most of the time a save takes
        old = [binding.value for binding in bindings if binding.key == key]
        if old and all(previous == value for previous in old):
            return None, EnvWriteResult(created=False, replaced=False, unchanged=True)
        replaced = any(previous and previous != value for previous in old)
        return _set_parsed(text, bom, bindings, key, stored), EnvWriteResult(
            created=existing is None, replaced=replaced, unchanged=False
        )

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
        descriptor, probe = tempfile.mkstemp(prefix=f"{target.name}{TEMP_INFIX}", dir=target.parent)
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


# --- risks ------------------------------------------------------------------------------------


def inspect_env_file(path: Path) -> EnvFileRisks:
    """Whether the file exists, who may read it, and what git thinks of it."""
    path = Path(path).absolute()
    mode = _mode_or_none(path)
    folder, name = path.parent, path.name
    in_tree = git_answer(folder, "rev-parse", "--is-inside-work-tree") == "true"
    ignored = in_tree and git_answer(folder, "check-ignore", "-q", "--", name) is not None
    # ls-files takes pathspecs: --literal-pathspecs keeps a name like `*.env` from globbing
    tracked = (
        in_tree
        and git_answer(folder, "--literal-pathspecs", "ls-files", "--error-unmatch", "--", name)
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
