"""Tests for wizard.core.stores.env_store: what the .env becomes, file errors, and exposure risks."""

from __future__ import annotations

import logging
import os
import shlex
import shutil
import stat
import subprocess
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from dotenv import dotenv_values
from hypothesis import given
from hypothesis import strategies as st

from wizard.core.errors import EnvFileError
from wizard.core.stores import git_runner
from wizard.core.stores.env_store import (
    TOKEN_KEY,
    EnvFileRisks,
    EnvWriteResult,
    env_values,
    inspect_env_file,
    read_env_file,
    read_env_token,
    remove_env_token,
    set_env_value,
    unset_env_value,
    write_env_token,
)

SENTINEL = "EAAFakeSENTINEL0000000000000000000000000000000000"
K = TOKEN_KEY
IS_ROOT = os.geteuid() == 0
# Root reads and writes whatever the mode bits say; those cases are simulated for root below.
needs_non_root = pytest.mark.skipif(IS_ROOT, reason="root ignores file permission bits")


# --- what the .env becomes (pure) -----------------------------------------------------------

OTHERS = (
    "# a comment = with # signs\n"
    "\n"
    'QUOTED="a # b = c \\" \\n d"\n'
    "SINGLE='x#y=z'\n"
    "  INDENTED = spaced   # trailing comment\n"
    "export EXPORTED=1\n"
    "EMPTY=\n"
    "BARE\n"
    "this line does not parse '\n"
)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param("", f"{K}=new\n", id="empty-file"),
        pytest.param("A=1\n", f"A=1\n{K}=new\n", id="append"),
        pytest.param("A=1", f"A=1\n{K}=new\n", id="append-no-trailing-newline"),
        pytest.param(f"{K}=old\n", f"{K}=new\n", id="replace"),
        pytest.param(f"{K}=old", f"{K}=new", id="replace-last-line-no-newline"),
        pytest.param(f"A=1\n{K}=old\nB=2", f"A=1\n{K}=new\nB=2", id="middle-no-trailing-newline"),
        pytest.param(f"export {K}=old\n", f"export {K}=new\n", id="export-kept"),
        pytest.param(f"{K}=old  # expires soon\n", f"{K}=new  # expires soon\n", id="comment-kept"),
        pytest.param(f"{K}= # none yet\n", f"{K}=new # none yet\n", id="empty-with-comment"),
        pytest.param(f"  {K} = 'old'\n", f"  {K} = new\n", id="quotes-dropped-indent-kept"),
        pytest.param(f'{K}="old\nline"\nB=2\n', f"{K}=new\nB=2\n", id="multiline-value"),
        pytest.param(f"{K}\n", f"{K}=new\n", id="bare-key"),
        pytest.param(f"{K}=\n", f"{K}=new\n", id="empty-value"),
        pytest.param(
            f"{K}=a\nB=2\nexport {K}=b\n",
            f"{K}=new\nB=2\nexport {K}=new\n",
            id="duplicates-all-replaced",
        ),
        pytest.param(f"A=1\r\n{K}=old\r\nB=2\r\n", f"A=1\r\n{K}=new\r\nB=2\r\n", id="crlf-replace"),
        pytest.param("A=1\r\nB=2\r\n", f"A=1\r\nB=2\r\n{K}=new\r\n", id="crlf-append"),
        pytest.param("A=1\r\nB=2", f"A=1\r\nB=2\r\n{K}=new\r\n", id="crlf-append-no-newline"),
        pytest.param(f"\ufeff{K}=old\n", f"\ufeff{K}=new\n", id="bom-kept"),
        pytest.param("\ufeffA=1\n", f"\ufeffA=1\n{K}=new\n", id="bom-append"),
        pytest.param(f"#{K}=old\n", f"#{K}=old\n{K}=new\n", id="commented-out-kept"),
        pytest.param(f"{K}_OLD=x\n", f"{K}_OLD=x\n{K}=new\n", id="longer-key-untouched"),
        pytest.param(f'A="open\n{K}=old\n', f'A="open\n{K}=new\n', id="after-unparsable-line"),
        pytest.param(OTHERS, OTHERS + f"{K}=new\n", id="others-byte-identical"),
        pytest.param(
            f"{OTHERS}{K}=old\n{OTHERS}",
            f"{OTHERS}{K}=new\n{OTHERS}",
            id="others-around-byte-identical",
        ),
    ],
)
def test_set_env_value(before: str, after: str) -> None:
    assert set_env_value(before, K, "new") == after


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param(f"{K}=old\n", "", id="only-line"),
        pytest.param(f"A=1\n{K}=old\nB=2\n", "A=1\nB=2\n", id="middle"),
        pytest.param(f"A=1\n\n{K}=old\nB=2\n", "A=1\n\nB=2\n", id="blank-line-before-kept"),
        pytest.param(f"A=1\n\n  {K}=old\n", "A=1\n\n", id="indented"),
        pytest.param(f"A=1\r\n{K}=old\r\nB=2\r\n", "A=1\r\nB=2\r\n", id="crlf"),
        pytest.param(f"A=1\n{K}=old", "A=1\n", id="last-line-no-newline"),
        pytest.param(f"{K}=a\nB=2\nexport {K}=b\n", "B=2\n", id="duplicates-all-removed"),
        pytest.param(f"\ufeff{K}=x\nA=1\n", "\ufeffA=1\n", id="bom-kept"),
        pytest.param("A=1\n", "A=1\n", id="absent"),
        pytest.param(f"{OTHERS}{K}=old\n{OTHERS}", OTHERS + OTHERS, id="others-byte-identical"),
    ],
)
def test_unset_env_value(before: str, after: str) -> None:
    assert unset_env_value(before, K) == after


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("", []),
        (f"{K}=a\n{K}='b c'\nexport {K}=\n{K}\n", ["a", "b c", "", None]),
        (f"#{K}=a\n", []),
    ],
)
def test_env_values(text: str, values: list[str | None]) -> None:
    assert env_values(text, K) == values


_LINE = st.sampled_from(
    [
        "A=1",
        "B='x # y'",
        'C="q\\"r"',
        "# note",
        "",
        "  ",
        "export D=4",
        "E",
        "bad '",
        f"{K}=old",
        f"export {K}=old2",
        "F=a=b",
        "G=#h",
    ]
)
_TEXTS = st.tuples(
    st.lists(_LINE, max_size=8), st.sampled_from(["\n", "\r\n", "\r"]), st.booleans(), st.booleans()
).map(lambda t: ("\ufeff" if t[3] else "") + t[1].join(t[0]) + (t[1] if t[2] else ""))
_TOKENS = st.from_regex(r"[A-Za-z0-9_|.-]{1,40}", fullmatch=True)


@given(text=_TEXTS, token=_TOKENS)
def test_set_then_read_gives_the_token_and_keeps_other_values(text: str, token: str) -> None:
    after = set_env_value(text, K, token)
    before_values = _values(text)
    after_values = _values(after)

    assert after_values.pop(K) == token
    before_values.pop(K, None)
    assert after_values == before_values
    assert unset_env_value(text, "NOT_THERE") == text  # parsing loses no byte


@given(text=_TEXTS)
def test_unset_removes_every_occurrence_and_keeps_other_values(text: str) -> None:
    after = unset_env_value(text, K)
    before_values = _values(text)
    before_values.pop(K, None)

    assert K not in _values(after)
    assert _values(after) == before_values


def _values(text: str) -> dict[str, str | None]:
    from io import StringIO

    return dict(dotenv_values(stream=StringIO(text.removeprefix("\ufeff")), interpolate=False))


# --- files: reading -------------------------------------------------------------------------


def test_read_missing_file_is_empty(tmp_path: Path) -> None:
    assert read_env_file(tmp_path / ".env") == {}
    assert read_env_token(tmp_path / ".env") is None


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(b"A=1\nB=${A}\n", {"A": "1", "B": "${A}"}, id="no-interpolation"),
        pytest.param(b"\xef\xbb\xbfA=1\n", {"A": "1"}, id="bom"),
        pytest.param(b"A=1\r\nB=2\r\n", {"A": "1", "B": "2"}, id="crlf"),
        pytest.param(b"A\nB=\nC=3\n", {"B": "", "C": "3"}, id="keys-without-value-dropped"),
        pytest.param("N=caf\u00e9\n".encode(), {"N": "caf\u00e9"}, id="utf8"),
        pytest.param(f"{K}=a\n{K}=b\n".encode(), {K: "b"}, id="duplicates-last-wins"),
    ],
)
def test_read_env_file(tmp_path: Path, content: bytes, expected: dict[str, str]) -> None:
    path = tmp_path / ".env"
    path.write_bytes(content)
    assert read_env_file(path) == expected


@pytest.mark.parametrize(
    ("content", "expected"),
    [(f"{K}=tok\n", "tok"), (f"{K}=\n", None), (f"{K}\n", None), ("A=1\n", None)],
)
def test_read_env_token(tmp_path: Path, content: str, expected: str | None) -> None:
    path = tmp_path / ".env"
    path.write_text(content, encoding="utf-8")
    assert read_env_token(path) == expected


def test_parse_warnings_name_a_line_never_a_value(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / ".env"
    path.write_text(f"A=1\n{K}='{SENTINEL}\nB={SENTINEL}'x\n", encoding="utf-8")
    caplog.set_level(logging.DEBUG)

    read_env_file(path)
    write_env_token(path, "new-token")

    assert "line 2" in caplog.text  # python-dotenv's warning: a line number only
    assert SENTINEL not in caplog.text


# --- files: writing -------------------------------------------------------------------------


@pytest.mark.parametrize("token", [SENTINEL, "a", "x.y-z_W|9", "EAAG" + "a1" * 100])
def test_value_read_back_equals_value_written(tmp_path: Path, token: str) -> None:
    path = tmp_path / ".env"
    write_env_token(path, token)
    assert read_env_token(path) == token
    assert dotenv_values(path)[K] == token  # also with python-dotenv's own defaults


@pytest.mark.parametrize(
    ("before", "value", "expected"),
    [
        pytest.param(
            None, "new", EnvWriteResult(created=True, replaced=False, unchanged=False), id="created"
        ),
        pytest.param("A=1\n", "new", EnvWriteResult(False, False, False), id="added"),
        pytest.param(f"{K}=old\n", "new", EnvWriteResult(False, True, False), id="replaced"),
        pytest.param(f"{K}=\n", "new", EnvWriteResult(False, False, False), id="was-empty"),
        pytest.param(f"{K}=new\n", "new", EnvWriteResult(False, False, True), id="unchanged"),
        pytest.param(
            f"{K}=new\n{K}=old\n",
            "new",
            EnvWriteResult(False, True, False),
            id="one-duplicate-differs",
        ),
    ],
)
def test_write_result(
    tmp_path: Path, before: str | None, value: str, expected: EnvWriteResult
) -> None:
    path = tmp_path / ".env"
    if before is not None:
        path.write_text(before, encoding="utf-8")
    assert write_env_token(path, value) == expected
    assert read_env_token(path) == value


def test_unchanged_does_not_rewrite(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    path.write_text(f"{K}=same\n", encoding="utf-8")
    inode = path.stat().st_ino
    assert write_env_token(path, "same").unchanged
    assert path.stat().st_ino == inode


def test_every_other_byte_survives_a_file_round_trip(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    original = f"\ufeff# top\r\n{OTHERS}export {K}=old # c\r\nZ='last'".encode()
    path.write_bytes(original)

    write_env_token(path, SENTINEL)
    assert path.read_bytes() == original.replace(b"=old", f"={SENTINEL}".encode())
    remove_env_token(path)
    assert path.read_bytes() == original.replace(f"export {K}=old # c\r\n".encode(), b"")


def test_new_file_is_private_despite_umask(tmp_path: Path) -> None:
    old_umask = os.umask(0o022)
    try:
        write_env_token(tmp_path / ".env", "tok")
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE((tmp_path / ".env").stat().st_mode) == 0o600


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o644])
def test_existing_mode_is_kept(tmp_path: Path, mode: int) -> None:
    path = tmp_path / ".env"
    path.write_text("A=1\n", encoding="utf-8")
    path.chmod(mode)

    write_env_token(path, "tok")
    assert stat.S_IMODE(path.stat().st_mode) == mode
    remove_env_token(path)
    assert stat.S_IMODE(path.stat().st_mode) == mode


def test_symlink_is_updated_at_its_target(tmp_path: Path) -> None:
    real = tmp_path / "shared" / "real.env"
    real.parent.mkdir()
    real.write_text("A=1\n", encoding="utf-8")
    link = tmp_path / ".env"
    link.symlink_to(real)

    write_env_token(link, "tok")

    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text(encoding="utf-8") == f"A=1\n{K}=tok\n"
    assert remove_env_token(link) is True
    assert link.is_symlink() and real.read_text(encoding="utf-8") == "A=1\n"


def test_dangling_symlink_creates_its_target(tmp_path: Path) -> None:
    link = tmp_path / ".env"
    link.symlink_to(tmp_path / "target.env")
    assert write_env_token(link, "tok").created
    assert link.is_symlink() and read_env_token(tmp_path / "target.env") == "tok"


def test_no_temp_files_left_behind(tmp_path: Path) -> None:
    folder = tmp_path / "app"
    folder.mkdir()
    write_env_token(folder / ".env", "one")
    write_env_token(folder / ".env", "two")
    remove_env_token(folder / ".env")
    assert [p.name for p in folder.iterdir()] == [".env"]


@pytest.mark.parametrize(
    "bad",
    ["", "has space", "quote'", 'dq"', "new\nline", "caf\u00e9", "a#b", "a\\b", "$(x)", "a;b"],
)
def test_unsafe_values_are_refused_without_echo(tmp_path: Path, bad: str) -> None:
    with pytest.raises(ValueError) as caught:
        write_env_token(tmp_path / ".env", bad)
    assert not (tmp_path / ".env").exists()
    assert bad not in str(caught.value) or bad == ""


@pytest.mark.parametrize("bad_key", ["", "1A", "A-B", "A B", "A=B"])
def test_bad_keys_are_refused(tmp_path: Path, bad_key: str) -> None:
    with pytest.raises(ValueError):
        write_env_token(tmp_path / ".env", "tok", key=bad_key)


def test_remove(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    assert remove_env_token(path) is False  # no file
    assert not path.exists()

    path.write_text("A=1\n", encoding="utf-8")
    inode = path.stat().st_ino
    assert remove_env_token(path) is False  # no key: not rewritten
    assert path.stat().st_ino == inode

    write_env_token(path, "tok")
    assert remove_env_token(path) is True
    assert path.read_text(encoding="utf-8") == "A=1\n"


# --- files: errors, each with a fix, nothing half-written -----------------------------------


def _directory(path: Path) -> None:
    path.mkdir()


def _latin1(path: Path) -> None:
    path.write_bytes(f"A=caf\xe9\n{K}={SENTINEL}\n".encode("latin-1"))


def _fifo(path: Path) -> None:
    os.mkfifo(path)


@pytest.mark.parametrize(
    ("make", "words"),
    [
        pytest.param(_directory, "is a directory", id="directory"),
        pytest.param(_latin1, "not UTF-8", id="not-utf8"),
        pytest.param(_fifo, "not a regular file", id="fifo"),
    ],
)
@pytest.mark.parametrize("action", ["read", "write", "remove"])
def test_unusable_file(
    tmp_path: Path, make: Callable[[Path], None], words: str, action: str
) -> None:
    path = tmp_path / ".env"
    make(path)
    before = _snapshot(tmp_path)

    with pytest.raises(EnvFileError) as caught:
        _act(action, path)

    assert words in caught.value.message
    assert str(path) in caught.value.fix or "--env-file" in caught.value.fix
    _assert_no_secret(caught.value)
    assert _snapshot(tmp_path) == before  # nothing written, no temp file left


def test_missing_folder(tmp_path: Path) -> None:
    path = tmp_path / "nope" / ".env"
    with pytest.raises(EnvFileError) as caught:
        write_env_token(path, "tok")
    assert "does not exist" in caught.value.message
    assert "mkdir -p" in caught.value.fix and str(path.parent) in caught.value.fix
    assert not path.parent.exists()


@needs_non_root
def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    path.write_text(f"{K}={SENTINEL}\n", encoding="utf-8")
    path.chmod(0)
    with pytest.raises(EnvFileError, match="permission denied") as caught:
        read_env_file(path)
    assert "chmod" in caught.value.fix
    _assert_no_secret(caught.value)


def test_unreadable_file_simulated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs as root too: the OS's PermissionError on read, as a mode-000 file gives a user."""
    path = tmp_path / ".env"
    path.write_text(f"{K}={SENTINEL}\n", encoding="utf-8")

    def refuse(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", refuse)
    for action in ("read", "write", "remove"):
        with pytest.raises(EnvFileError, match="cannot be read: permission denied") as caught:
            _act(action, path)
        assert "chmod u+rw" in caught.value.fix
        _assert_no_secret(caught.value)


@needs_non_root
@pytest.mark.parametrize("locked", ["file", "folder"])
def test_not_writable(tmp_path: Path, locked: str) -> None:
    path = tmp_path / ".env"
    path.write_text("A=1\n", encoding="utf-8")
    (path if locked == "file" else tmp_path).chmod(0o500 if locked == "folder" else 0o400)
    try:
        with pytest.raises(EnvFileError, match="cannot be written") as caught:
            write_env_token(path, "tok")
    finally:
        tmp_path.chmod(0o700)
    assert "chmod u+w" in caught.value.fix
    assert path.read_text(encoding="utf-8") == "A=1\n"


@pytest.mark.parametrize(
    ("where", "error", "words"),
    [
        pytest.param(
            "mkstemp",
            PermissionError(13, "Permission denied"),
            "cannot be written",
            id="folder-not-writable",
        ),
        pytest.param(
            "replace",
            PermissionError(13, "Permission denied"),
            "cannot be written",
            id="rename-refused",
        ),
        pytest.param(
            "replace", OSError(28, "No space left on device"), "No space left", id="disk-full"
        ),
        pytest.param(
            "fsync", OSError(5, "Input/output error"), "Input/output error", id="io-error"
        ),
    ],
)
def test_failed_write_leaves_the_file_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str, error: OSError, words: str
) -> None:
    """Simulated, so it also runs as root: the original stays and no temp file is left."""
    path = tmp_path / ".env"
    path.write_text(f"A=1\n{K}=old\n", encoding="utf-8")
    before = _snapshot(tmp_path)

    def fail(*args: object, **kwargs: object) -> None:
        raise error

    target = {"mkstemp": tempfile, "replace": os, "fsync": os}[where]
    monkeypatch.setattr(target, where, fail)
    with pytest.raises(EnvFileError, match=words) as caught:
        write_env_token(path, SENTINEL)
    monkeypatch.undo()

    assert caught.value.fix
    _assert_no_secret(caught.value)
    assert _snapshot(tmp_path) == before


def test_root_rewrite_keeps_the_owner(tmp_path: Path) -> None:
    if not IS_ROOT:
        pytest.skip("only root can give a file to another user")
    path = tmp_path / ".env"
    path.write_text("A=1\n", encoding="utf-8")
    os.chown(path, 65534, 65534)

    write_env_token(path, "tok")
    assert (path.stat().st_uid, path.stat().st_gid) == (65534, 65534)


def test_concurrent_readers_never_see_a_partial_file(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    path.write_text("A=1\n" * 2000, encoding="utf-8")
    seen: set[int] = set()
    done = threading.Event()

    def read_sizes() -> None:
        while not done.is_set():
            seen.add(len(path.read_bytes()))

    reader = threading.Thread(target=read_sizes)
    reader.start()
    try:
        for i in range(20):
            write_env_token(path, f"tok{i % 2}")
    finally:
        done.set()
        reader.join()
    full = {8000, 8000 + len(f"{K}=tok0\n")}
    assert seen <= full


def _act(action: str, path: Path) -> object:
    if action == "read":
        return read_env_file(path)
    if action == "write":
        return write_env_token(path, SENTINEL)
    return remove_env_token(path)


def _snapshot(folder: Path) -> dict[str, bytes | str]:
    return {
        p.name: (p.read_bytes() if p.is_file() and not p.is_symlink() else "special")
        for p in folder.iterdir()
    }


def _assert_no_secret(error: EnvFileError) -> None:
    for text in (str(error), error.message, error.fix, error.title):
        assert SENTINEL not in text


# --- risks: git and permissions -------------------------------------------------------------


needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, timeout=10)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh git repository; git never looks above tmp_path."""
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    root = tmp_path / "repo"
    root.mkdir()
    _git(root, "init", "-q")
    return root


@needs_git
@pytest.mark.parametrize(
    ("setup", "relative", "expected"),
    [
        pytest.param("", ".env", (True, False, False), id="in-repo-not-ignored"),
        pytest.param("ignore", ".env", (True, True, False), id="ignored"),
        pytest.param("track", ".env", (True, False, True), id="tracked"),
        pytest.param("ignore-sub", "app/.env", (True, True, False), id="ignored-in-subfolder"),
        pytest.param("", "app/.env", (True, False, False), id="subfolder-not-ignored"),
        pytest.param("", "missing/.env", (False, False, False), id="folder-missing"),
    ],
)
def test_git_risks(
    repo: Path, setup: str, relative: str, expected: tuple[bool, bool, bool]
) -> None:
    path = repo / relative
    if path.parent != repo and relative != "missing/.env":
        path.parent.mkdir()
    if relative != "missing/.env":
        path.write_text(f"{K}={SENTINEL}\n", encoding="utf-8")
    if setup == "ignore":
        (repo / ".gitignore").write_text(".env\n", encoding="utf-8")
    if setup == "ignore-sub":
        (repo / ".gitignore").write_text("app/.env\n", encoding="utf-8")
    if setup == "track":
        _git(repo, "add", ".env")

    risks = inspect_env_file(path)
    assert (risks.in_git_work_tree, risks.git_ignored, risks.tracked_by_git) == expected


@needs_git
def test_outside_a_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    path = tmp_path / "plain" / ".env"
    path.parent.mkdir()
    path.write_text("A=1\n", encoding="utf-8")
    path.chmod(0o600)
    assert inspect_env_file(path) == EnvFileRisks(True, False, False, False, False, False)


@needs_git
def test_git_location_variables_are_ignored(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Inside a git hook GIT_DIR points elsewhere; the file's own repository still counts."""
    monkeypatch.setenv("GIT_DIR", str(repo.parent / "elsewhere.git"))
    assert inspect_env_file(repo / ".env").in_git_work_tree


def test_git_missing_means_not_in_a_repo(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(repo.parent / "no-bin"))
    risks = inspect_env_file(repo / ".env")
    assert not (risks.in_git_work_tree or risks.git_ignored or risks.tracked_by_git)


def test_git_hanging_means_not_in_a_repo(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = repo.parent / "slow-bin"
    bin_dir.mkdir()
    fake_git = bin_dir / "git"
    fake_git.write_text("#!/bin/sh\nexec sleep 10\n", encoding="utf-8")
    fake_git.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setattr(git_runner, "GIT_TIMEOUT", 0.2)

    assert inspect_env_file(repo / ".env").in_git_work_tree is False


@needs_git
def test_git_never_sees_the_token(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[str]] = []
    real_run = subprocess.run

    def spy(command: list[str], **kwargs: object) -> object:
        calls.append(command)
        return real_run(command, **kwargs)  # type: ignore[call-overload]

    (repo / ".env").write_text(f"{K}={SENTINEL}\n", encoding="utf-8")
    monkeypatch.setattr(subprocess, "run", spy)
    inspect_env_file(repo / ".env")

    assert len(calls) == 3
    assert all(command[-1] == ".env" for command in calls[1:])  # relative, after `--`
    assert all(SENTINEL not in part for command in calls for part in command)


@pytest.mark.parametrize(
    ("mode", "world", "group"),
    [(0o600, False, False), (0o640, False, True), (0o644, True, True), (0o604, True, False)],
)
def test_permission_risks(tmp_path: Path, mode: int, world: bool, group: bool) -> None:
    path = tmp_path / ".env"
    path.write_text("A=1\n", encoding="utf-8")
    path.chmod(mode)
    risks = inspect_env_file(path)
    assert (risks.exists, risks.world_readable, risks.group_readable) == (True, world, group)


def test_missing_file_has_no_permission_risk(tmp_path: Path) -> None:
    risks = inspect_env_file(tmp_path / ".env")
    assert (risks.exists, risks.world_readable, risks.group_readable) == (False, False, False)


@pytest.mark.parametrize(
    "token", ["EAAG~abc+def/ghi==", "~home", "a=b", "+x/y", "a|b~c", "==", "123|abc"]
)
def test_every_character_the_validator_accepts_round_trips(tmp_path: Path, token: str) -> None:
    """`~+/=` passed validation but made the writer raise ValueError ("unexpected error")."""
    path = tmp_path / ".env"
    path.write_text(f"A=1\n{K}=old\n", encoding="utf-8")
    write_env_token(path, token)
    assert read_env_token(path) == token
    assert dotenv_values(path)[K] == token  # python-dotenv's own reader, default settings
    assert f"{K}='{token}'" in path.read_text(encoding="utf-8")  # quoted: a shell reads it too
    done = subprocess.run(
        ["sh", "-c", f'. {shlex.quote(str(path))} && printf %s "${K}"'],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout == token


@given(token=st.from_regex(r"[A-Za-z0-9_\-.|~+/=]{1,60}", fullmatch=True))
def test_any_valid_token_text_round_trips_through_python_dotenv(token: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / ".env"
        write_env_token(path, token)
        assert dotenv_values(path, interpolate=False)[K] == token
        assert dotenv_values(path)[K] == token
