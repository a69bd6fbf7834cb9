"""Security fixes: ignore the .env in git, restrict its mode, move it to the keyring, find leaks."""

from __future__ import annotations

import errno
import os
import re
import shlex
import stat
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from wizard.core.codes import Source, StoreTarget
from wizard.core.diagnose import LocalFacts, command
from wizard.core.errors import EnvFileError, StoreError
from wizard.core.profiles import Profile
from wizard.core.stores import env_store
from wizard.core.stores.atomic import write_bytes_atomically
from wizard.core.stores.env_expand import EXPANSION_MARK
from wizard.core.stores.git_runner import git_answer, run_git
from wizard.core.stores.registry import store_for
from wizard.core.token import SecretToken

MAX_REVISIONS = 2000
"""The history search looks at most at this many commits (the newest first)."""
SEARCH_SECONDS = 20.0
"""The history search stops after this long and says how far it got."""
REVISIONS_PER_CALL = 64

_GITIGNORE_SPECIAL = re.compile(r"([\\*?\[])")
_NEWLINE = re.compile(rb"\r\n|\n|\r")


@dataclass(frozen=True)
class Repair:
    """What a fix did: whether anything changed, what, and what the user should know."""

    changed: bool
    summary: str
    notes: tuple[str, ...] = ()


# -- fix gitignore -------------------------------------------------------------------------------


def ignore_in_git(env_file: Path) -> Repair:
    """Add the .env path, relative and anchored, to the .gitignore at the top of its work tree,
    and a rule for the temp files a killed save may leave beside it (`/.env.tmp-*`)."""
    path = _path_of(env_file)
    top = git_answer(path.parent, "rev-parse", "--show-toplevel")
    if top is None:
        return Repair(False, f"{env_file} is not inside a git work tree: nothing to ignore.")
    root = Path(top)
    relative = path.relative_to(root).as_posix()
    if "\n" in relative or "\r" in relative:
        raise _unignorable(env_file)
    notes = _tracked_note(root, path, env_file)
    temp = path.with_name(path.name + env_store.TEMP_INFIX + "a1b2c3d4")  # any temp file's name
    patterns = [
        pattern
        for pattern, covered in (
            (gitignore_pattern(relative), _ignored(root, path)),
            (temp_files_pattern(relative), _ignored(root, temp)),
        )
        if not covered
    ]
    if not patterns:
        return Repair(False, f"{env_file} is already ignored by git.", notes)
    gitignore = root / ".gitignore"
    _append_lines(gitignore, patterns)
    if not _ignored(root, path):
        notes += (
            (
                f"git still does not ignore {env_file}: a later rule such as `!.env` "
                "re-includes it; remove that rule."
            ),
        )
    return Repair(True, f"Added {' and '.join(patterns)} to {gitignore}.", notes)


def temp_files_pattern(relative: str) -> str:
    """`/config/prod.env.tmp-*`: the temp and lock files wa-token writes beside the file."""
    return gitignore_pattern(relative + env_store.TEMP_INFIX) + "*"


def gitignore_pattern(relative: str) -> str:
    """`/config/prod.env`: anchored at the work tree's top, special characters escaped."""
    escaped = _GITIGNORE_SPECIAL.sub(r"\\\1", relative)
    if escaped.endswith(" "):
        escaped = escaped[:-1] + "\\ "
    return "/" + escaped


def _tracked_note(root: Path, path: Path, shown: Path) -> tuple[str, ...]:
    relative = path.relative_to(root).as_posix()
    if (
        git_answer(root, "--literal-pathspecs", "ls-files", "--error-unmatch", "--", relative)
        is None
    ):
        return ()
    return (
        (
            f"{shown} is tracked by git, and ignoring never untracks a file: run "
            "`wa-token fix tracked`."
        ),
    )


def _ignored(root: Path, path: Path) -> bool:
    relative = path.relative_to(root).as_posix()
    return git_answer(root, "check-ignore", "--no-index", "-q", "--", relative) is not None


def _append_lines(target: Path, lines: list[str]) -> None:
    """Append lines in the file's own line ending; every existing byte is kept."""
    data = _read_gitignore(target)
    match = _NEWLINE.search(data)
    newline = match.group() if match else b"\n"
    if data and not data.endswith((b"\n", b"\r")):
        data += newline
    added = b"".join(line.encode("utf-8") + newline for line in lines)
    try:
        write_bytes_atomically(target, data + added, new_mode=0o644)
    except OSError as exc:
        raise _write_failed(target, exc) from None


def _read_gitignore(target: Path) -> bytes:
    """The .gitignore's bytes (b"" when missing), refusing a symlink (git does not follow one
    either, and it may point out of the repository) and anything but a regular file (a FIFO
    would block the read forever)."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        descriptor = os.open(target, flags)
    except FileNotFoundError:
        return b""
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise _not_a_plain_gitignore(target, "a symbolic link") from None
        raise _write_failed(target, exc) from None
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise _not_a_plain_gitignore(target, "not a regular file")
        with os.fdopen(os.dup(descriptor), "rb") as stream:
            return stream.read()
    except OSError as exc:
        raise _write_failed(target, exc) from None
    finally:
        os.close(descriptor)


# -- fix permissions -----------------------------------------------------------------------------


def restrict_permissions(env_file: Path) -> Repair:
    """chmod 600 the .env file (its target when it is a symlink)."""
    try:
        mode = stat.S_IMODE(env_file.stat().st_mode)
    except FileNotFoundError:
        return Repair(False, f"{env_file} does not exist: nothing to restrict.")
    except OSError as exc:
        raise _write_failed(env_file, exc) from None
    if not mode & 0o077:
        return Repair(False, f"{env_file} is already private (mode {mode:o}).")
    try:
        os.chmod(env_file, 0o600)
    except OSError as exc:
        raise _write_failed(env_file, exc, owner=True) from None
    return Repair(
        True, f"{env_file} is now readable and writable by you only (mode {mode:o} → 600)."
    )


# -- fix keyring ---------------------------------------------------------------------------------


def move_to_keyring(env_file: Path, profile: Profile) -> Repair:
    """Write the .env token to the keyring, read it back, compare, and only then remove it.

    If anything fails before the removal, the .env file is untouched.
    """
    key = profile.token_key
    value = env_store.read_env_token(env_file, key)
    if not value:
        return Repair(False, f"No token under {key} in {env_file}: nothing to move.")
    if EXPANSION_MARK in value:  # the keyring would get the text `${VAR}`, not a token
        raise StoreError(
            f"{key} in {env_file} refers to another variable (`${{…}}`): the token itself is "
            "elsewhere, so nothing was moved.",
            fix=f"Store the token with `wa-token save --to keyring`, then remove the {key} line.",
        )
    env_store.check_rewritable(env_file)  # a hard link or another owner: refuse before copying
    keyring, token = store_for(StoreTarget.KEYRING), SecretToken(value)
    saved = keyring.write(token, env_file, profile)  # writes, reads back, compares
    if keyring.stored(env_file, key) != token:
        raise StoreError(
            f"The OS keyring did not give back the token just stored; {env_file} was not changed.",
            fix="Check the keyring with your keyring manager and try again.",
        )
    store_for(StoreTarget.ENV).remove(env_file, profile)
    notes = (
        (
            (
                f"It replaced a different token that was in the keyring (unused: {env_file} "
                "took precedence)."
            ),
        )
        if saved.replaced
        else ()
    )
    return Repair(
        True,
        f"Moved the token ({token.masked}) from {env_file} to {saved.where}.",
        notes,
    )


# -- fix tracked ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryHit:
    """A commit whose tree holds the token, and the file it is in."""

    commit: str
    path: str


@dataclass(frozen=True)
class HistoryScan:
    """Where a token appears in a repository: commits, the index, and how far the search got."""

    root: Path | None
    """The work tree's top; None when the file is not in a git work tree."""
    tracked: bool = False
    """The .env file is in the index."""
    hits: tuple[HistoryHit, ...] = ()
    """Newest commit first."""
    in_index: bool = False
    """The staged files hold the token (it is committed with the next `git commit`)."""
    searched: int = 0
    total: int = 0
    failed: str = ""
    """Why the search stopped early ("" when it finished)."""

    @property
    def complete(self) -> bool:
        """Every commit was searched."""
        return not self.failed and self.searched >= self.total

    @property
    def commits(self) -> tuple[str, ...]:
        """The commits holding the token, newest first."""
        return tuple(dict.fromkeys(hit.commit for hit in self.hits))

    @property
    def leaked(self) -> bool:
        """The token is (or is about to be) in git, so it must be rotated."""
        return bool(self.hits) or self.in_index


def scan_history(
    env_file: Path,
    token: SecretToken | None,
    *,
    max_revisions: int = MAX_REVISIONS,
    seconds: float = SEARCH_SECONDS,
) -> HistoryScan:
    """Whether the file is tracked, and every revision (`git rev-list --all`, bounded) that
    holds the token (no search without a token).

    The token reaches git only on standard input (`git grep -F -f -`), never on a command line.
    """
    path = _path_of(env_file)
    top = git_answer(path.parent, "rev-parse", "--show-toplevel")
    if top is None:
        return HistoryScan(None)
    root = Path(top)
    relative = path.relative_to(root).as_posix()
    tracked = (
        git_answer(root, "--literal-pathspecs", "ls-files", "--error-unmatch", "--", relative)
        is not None
    )
    if token is None:
        return HistoryScan(root, tracked)
    listed = git_answer(root, "rev-list", "--all", f"--max-count={max_revisions}")
    total = git_answer(root, "rev-list", "--all", "--count")
    revisions = listed.split() if listed else []
    deadline = time.monotonic() + seconds
    in_index = bool(_grep(root, token, ["--cached"], deadline))
    hits, searched, failed = _grep_revisions(root, token, revisions, deadline)
    if not failed and total and int(total) > len(revisions):
        failed = f"only the newest {len(revisions)} of {total} commits were searched"
    return HistoryScan(
        root,
        tracked,
        hits,
        in_index,
        searched,
        int(total) if total and total.isdigit() else len(revisions),
        failed,
    )


def _grep_revisions(
    root: Path, token: SecretToken, revisions: list[str], deadline: float
) -> tuple[tuple[HistoryHit, ...], int, str]:
    hits: list[HistoryHit] = []
    for start in range(0, len(revisions), REVISIONS_PER_CALL):
        batch = revisions[start : start + REVISIONS_PER_CALL]
        found = _grep(root, token, batch, deadline)
        if found is None:
            return tuple(hits), start, f"the search stopped after {start} commits (time limit)"
        hits += _parse_hits(found)
    order = {rev: i for i, rev in enumerate(revisions)}
    return tuple(sorted(hits, key=lambda h: order.get(h.commit, 0))), len(revisions), ""


def _grep(root: Path, token: SecretToken, where: list[str], deadline: float) -> str | None:
    """Files holding the token (`rev:path` NUL-separated); "" for none, None on failure."""
    left = deadline - time.monotonic()
    if left <= 0:
        return None
    done = run_git(
        root,
        ["grep", "-F", "-l", "-z", "-f", "-", *where, "--"],
        stdin=token.reveal() + "\n",
        timeout=left,
    )
    if done is None or done.returncode not in (0, 1):
        return None
    return done.stdout if done.returncode == 0 else ""


def _parse_hits(output: str) -> list[HistoryHit]:
    hits = []
    for entry in filter(None, output.split("\0")):
        commit, _, path = entry.partition(":")
        hits.append(HistoryHit(commit, path))
    return hits


def untrack_steps(env_file: Path, scan: HistoryScan, fix_gitignore: str) -> tuple[str, ...]:
    """Exactly how to stop tracking the file; the token itself must be rotated separately."""
    if not scan.tracked:
        return ()
    return (
        f"git rm --cached -- {_quote(env_file)}    (stop tracking it; the file stays on disk)",
        f"{fix_gitignore}    (so `git add .` never picks it up again)",
        f"git commit -m {shlex.quote('Stop tracking ' + env_file.name)}",
    )


def untrack_commands(
    env_file: Path, profile: Profile, now: datetime, scan: HistoryScan
) -> tuple[str, ...]:
    """The steps to untrack `env_file`, naming `wa-token fix gitignore` with the right flags."""
    return untrack_steps(env_file, scan, fix_command(env_file, profile, now, "fix gitignore"))


def fix_command(env_file: Path, profile: Profile, now: datetime, words: str) -> str:
    """A wa-token command line about this .env file: --profile and --env-file when they matter."""
    local = LocalFacts(now=now, source=Source.DOTENV, location=str(env_file), profile=profile)
    return command(local, words)


# -- shared helpers ------------------------------------------------------------------------------


def _path_of(env_file: Path) -> Path:
    """The file's absolute path with its folder's symlinks resolved (git sees the file itself)."""
    absolute = Path(os.path.abspath(env_file))
    return Path(os.path.realpath(absolute.parent)) / absolute.name


def _quote(path: Path) -> str:
    return shlex.quote(str(path))


def _not_a_plain_gitignore(path: Path, what: str) -> EnvFileError:
    q = _quote(path)
    fix = (
        f"git ignores a symlinked .gitignore anyway: replace the link with a copy of its "
        f'target (cp --remove-destination "$(readlink -f {q})" {q}), then run '
        "`wa-token fix gitignore` again."
        if what == "a symbolic link"
        else f"Remove it (rm {q}) or replace it with a regular file, then run "
        "`wa-token fix gitignore` again."
    )
    return EnvFileError(
        f"{path} is {what}: wa-token only adds lines to a regular .gitignore file (a symlink "
        "could lead out of the repository; a FIFO or device would never end). Nothing was "
        "written.",
        fix=fix,
        title="The .gitignore file cannot be changed",
    )


def _unignorable(path: Path) -> EnvFileError:
    return EnvFileError(
        "The path of the .env file holds a line break, which a .gitignore rule cannot hold "
        "(it would become two rules).",
        fix="Rename the file or its folder so the path has no line break, then run "
        "`wa-token fix gitignore` again.",
        title="The .gitignore file cannot be changed",
    )


def _write_failed(path: Path, exc: OSError, *, owner: bool = False) -> EnvFileError:
    reason = exc.strerror or type(exc).__name__
    fix = (
        f'Run it as the file\'s owner (sudo chown "$USER" {_quote(path)}), or chmod 600 it '
        "yourself."
        if owner
        else "Check that you may write there, then try again."
    )
    return EnvFileError(
        f"{path} could not be changed: {reason}.", fix=fix, title="The file could not be changed"
    )
