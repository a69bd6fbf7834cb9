"""The .env writer's limits (lock wait, attempts, temp names) and its errors: a plain message and a concrete fix, never file contents."""

from __future__ import annotations

import grp
import os
import pwd
import shlex
from pathlib import Path

from wizard.core.errors import EnvFileError

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
    owner, me = _user_and_group(old.st_uid, old.st_gid), _user_and_group(os.geteuid(), os.getegid())
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
