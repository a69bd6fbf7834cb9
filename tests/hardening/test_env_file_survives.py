"""The user's `.env` survives wa-token: generated files on disk, a killed writer, unusable files.

tests/core/test_env_store.py tests the text functions and hand-picked files. Here hypothesis builds
whole `.env` files (comments, blank lines, `export`, quoted values with `#`, `=` and escapes,
multi-line values, duplicate token lines, CRLF, no final newline, a BOM, symlinks, modes), writes
them to disk and runs the real save and forget on them.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import stat
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from dotenv import dotenv_values
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import Cli
from tests.support.processes import run_python
from wizard.cli import run as cli
from wizard.core.errors import EnvFileError
from wizard.core.stores.env_store import (
    TOKEN_KEY,
    read_env_token,
    remove_env_token,
    write_env_token,
)
from wizard.testing.fake_graph import TOKENS

K = TOKEN_KEY
NEW = "EAAFakeNewTokenFromTheHardeningTests000000000000000001"
HERE = Path(__file__).resolve().parent
IS_ROOT = os.geteuid() == 0
CI = bool(os.environ.get("CI"))
"""On CI, hypothesis runs the same examples every time (locally it keeps exploring)."""
FILE_SETTINGS = settings(
    max_examples=150, deadline=None, derandomize=CI, suppress_health_check=[HealthCheck.too_slow]
)

# --- generated .env files -------------------------------------------------------------------

_WORD = st.text(st.sampled_from("abcXYZ019_-."), min_size=1, max_size=8)
_EOL = st.sampled_from(["\n", "\r\n"])
_OTHER_KEY = st.sampled_from(["A", "PORT", "db_url", "X1", f"{K}_2", f"X{K}", "WHATSAPP_APP_ID"])


def _double_quoted(allow_newline: bool) -> st.SearchStrategy[str]:
    piece = st.sampled_from(
        ["a", "Z", " ", "#", "=", "'", '\\"', "\\\\", "\\n", "$X", "é"]
        + (["\n"] if allow_newline else [])
    )
    return st.lists(piece, max_size=6).map(lambda p: '"' + "".join(p) + '"')


_SINGLE_QUOTED = st.lists(st.sampled_from(["a", " ", "#", "=", '"', "\\n", "x"]), max_size=6).map(
    lambda p: "'" + "".join(p) + "'"
)
_UNQUOTED = st.text(st.sampled_from("abc019_-./:=@"), max_size=10)
_TRAILER = st.sampled_from(["", "  ", " # a comment = with # signs", "\t# c"])


@st.composite
def other_line(draw: st.DrawFn) -> str:
    """Any line that is not the token's: wa-token must leave its bytes exactly as they were."""
    eol = draw(_EOL)
    kind = draw(st.sampled_from(["comment", "blank", "assign", "export", "bare", "junk", "multi"]))
    if kind == "comment":
        text = draw(st.sampled_from([f"# {K}=commented-out", "# a = b # c", "#", "  # indented"]))
    elif kind == "blank":
        text = draw(st.sampled_from(["", "   ", "\t"]))
    elif kind == "bare":
        text = draw(st.sampled_from(["BARE", "export LONELY"]))
    elif kind == "junk":  # lines python-dotenv cannot parse
        text = draw(st.sampled_from(["this line does not parse", f"{K} is set below", "=x"]))
    else:
        value = draw(st.one_of(_UNQUOTED, _SINGLE_QUOTED, _double_quoted(kind == "multi")))
        export = "export " if kind == "export" else ""
        trailer = draw(_TRAILER) if value else ""
        text = f"{export}{draw(_OTHER_KEY)}={value}{trailer}"
    return text + eol


@st.composite
def token_line(draw: st.DrawFn) -> str:
    """A statement setting the token, in any of the shapes people write."""
    indent = draw(st.sampled_from(["", "  ", "\t"]))
    export = draw(st.sampled_from(["", "export ", "export\t"]))
    key = draw(st.sampled_from([K, K, f"'{K}'"]))
    value = draw(
        st.one_of(
            st.just(""),
            _UNQUOTED.filter(lambda v: not v.startswith("#")),
            _SINGLE_QUOTED,
            _double_quoted(True),
        )
    )
    before = draw(st.sampled_from(["", " "]))
    after = draw(st.sampled_from(["", " "])) if value else ""
    trailer = draw(_TRAILER) if value else draw(st.sampled_from(["", " # empty for now"]))
    return f"{indent}{export}{key}{before}={after}{value}{trailer}" + draw(_EOL)


@dataclass(frozen=True)
class EnvFile:
    """A generated file: its segments in order, and which of them set the token."""

    bom: str
    segments: tuple[str, ...]
    is_token: tuple[bool, ...]

    @property
    def text(self) -> str:
        return self.bom + "".join(self.segments)

    @property
    def others(self) -> str:
        """The file with every token statement taken out (what forget must leave)."""
        return self.bom + "".join(s for s, t in zip(self.segments, self.is_token) if not t)


@st.composite
def env_files(draw: st.DrawFn) -> EnvFile:
    flags = tuple(draw(st.lists(st.booleans(), max_size=10)))
    segments = [draw(token_line() if is_token else other_line()) for is_token in flags]
    if segments and draw(st.booleans()):  # no newline at the end of the file
        last = segments[-1]
        segments[-1] = last[:-2] if last.endswith("\r\n") else last[:-1]
    bom = draw(st.sampled_from(["", "\ufeff"]))
    return EnvFile(bom, tuple(segments), flags)


def _parse(text: str) -> dict[str, str | None]:
    return dict(dotenv_values(stream=io.StringIO(text.removeprefix("\ufeff")), interpolate=False))


def _assert_saved(env: EnvFile, after: str) -> None:
    """Every non-token segment byte-identical and in place; each token statement now says NEW."""
    assert after.startswith(env.bom)
    at = len(env.bom)
    for segment, is_token in zip(env.segments, env.is_token):
        if not is_token:
            assert after[at : at + len(segment)] == segment
            at += len(segment)
            continue
        end = min(
            (i for i in (after.find("\n", at), after.find("\r", at)) if i >= 0), default=len(after)
        )
        end += 2 if after.startswith("\r\n", end) else 1 if end < len(after) else 0
        assert _parse(after[at:end]) == {K: NEW}, after[at:end]
        at = end
    rest = after[at:]
    if any(env.is_token):
        assert rest == ""
    else:  # one line appended, after ending an unterminated last line
        body = after[len(env.bom) : at]
        first = env.text.find("\n")
        newline = "\r\n" if first > 0 and env.text[first - 1] == "\r" else "\n"
        expected = "" if not body or body.endswith(("\n", "\r")) else newline
        assert rest == expected + f"{K}={NEW}" + newline


MODES = st.sampled_from([0o600, 0o640, 0o644, 0o660, 0o604])


@FILE_SETTINGS
@given(env=env_files(), mode=MODES, link=st.sampled_from(["", "absolute", "relative"]))
def test_save_and_forget_keep_every_other_byte_and_the_mode(
    env: EnvFile, mode: int, link: str
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        real = Path(folder) / "config" / "app.env"
        real.parent.mkdir()
        real.write_bytes(env.text.encode("utf-8"))
        real.chmod(mode)
        path = Path(folder) / ".env"
        if link:
            path.symlink_to(real if link == "absolute" else Path("config/app.env"))
        else:
            path = real
        others_before = {k: v for k, v in _parse(env.text).items() if k != K}
        names_before = _names(Path(folder))

        write_env_token(path, NEW)

        after = real.read_bytes().decode("utf-8")
        _assert_saved(env, after)
        assert read_env_token(path) == NEW
        assert {k: v for k, v in _parse(after).items() if k != K} == others_before
        assert stat.S_IMODE(real.stat().st_mode) == mode
        assert path.is_symlink() == bool(link)

        assert remove_env_token(path) is True
        after_forget = real.read_bytes().decode("utf-8")
        assert read_env_token(path) is None
        assert {k: v for k, v in _parse(after_forget).items() if k != K} == others_before
        if any(env.is_token):
            assert after_forget == env.others
        assert stat.S_IMODE(real.stat().st_mode) == mode
        assert path.is_symlink() == bool(link)
        assert _names(Path(folder)) == names_before  # no temp file left behind


def _names(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@settings(max_examples=30, deadline=None, derandomize=CI)
@given(umask=st.sampled_from([0o000, 0o002, 0o022, 0o077]), link=st.booleans())
def test_a_new_file_is_0600_whatever_the_umask(umask: int, link: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "real.env"
        path = Path(folder) / ".env"
        if link:
            path.symlink_to(target)  # dangling: the target is created
        old = os.umask(umask)
        try:
            result = write_env_token(path if link else target, NEW)
        finally:
            os.umask(old)
        assert result.created
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
        assert target.read_text(encoding="utf-8") == f"{K}={NEW}\n"
        assert read_env_token(path if link else target) == NEW


# --- a writer killed at many points ---------------------------------------------------------


def _base_file() -> str:
    lines = ["# my app", "export PORT=8080", 'QUOTED="a # b = c \\" d"'] + [
        f"KEY_{i}='value # {i} = x'" for i in range(400)
    ]
    return "\r\n".join(lines) + "\r\n"


def test_a_writer_killed_mid_write_leaves_the_old_or_the_new_file(tmp_path: Path) -> None:
    """SIGKILL at 50 points across a cycle of save A, save B, forget: never a mix, never empty."""
    sys.path.insert(0, str(HERE))
    try:
        from _kill_writer import TOKEN_A, TOKEN_B  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(HERE))
    path = tmp_path / ".env"
    base = _base_file()
    path.write_text(base, encoding="utf-8", newline="")
    path.chmod(0o640)
    versions = {
        hashlib.sha256(text.encode()).hexdigest(): name
        for name, text in (
            ("without token", base),
            ("token A", base + f"{K}={TOKEN_A}\r\n"),
            ("token B", base + f"{K}={TOKEN_B}\r\n"),
        )
    }
    done = run_python(str(HERE / "_kill_writer.py"), str(path), "50", timeout=60)
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()[1:]]
    assert len(rows) == 50
    seen = [versions.get(row["sha"], f"a mix or empty ({row['sha']})") for row in rows]
    assert all(name in ("without token", "token A", "token B") for name in seen), seen
    assert len(set(seen)) >= 2, "the kills never landed in different writes"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    for row in rows:  # a kill between the temp file and the rename leaves the temp file:
        for left in row["left"]:  # private, and named so `.env*` ignore rules cover it
            assert left["name"].startswith(".env.tmp-"), left
            assert left["mode"] in (0o600, 0o640), left


# --- unusable files, through the core and the CLI -------------------------------------------


def _directory(path: Path) -> None:
    path.mkdir()


def _not_utf8(path: Path) -> None:
    path.write_bytes(b"PORT=1\nNAME=caf\xe9\n")


def _utf16(path: Path) -> None:
    path.write_bytes("PORT=1\n".encode("utf-16"))


def _dangling_in_missing_folder(path: Path) -> None:
    path.symlink_to(path.parent / "gone" / "app.env")


UNUSABLE: dict[str, tuple[Callable[[Path], None], str]] = {
    "directory": (_directory, "is a directory"),
    "latin-1": (_not_utf8, "not UTF-8"),
    "utf-16": (_utf16, "not UTF-8"),
}


@pytest.mark.parametrize("kind", list(UNUSABLE))
@pytest.mark.parametrize(
    "argv",
    [
        ["save"],
        ["check"],
        ["status"],
        ["token"],
        ["forget"],
        ["forget", "--from", "env"],
        ["save", "--force"],
    ],
)
def test_the_cli_refuses_an_unusable_env_file_clearly(cli: Cli, kind: str, argv: list[str]) -> None:
    make, words = UNUSABLE[kind]
    path = cli.cwd / ".env"
    make(path)
    before = _tree(cli.cwd)
    run = cli(*argv, stdin=TOKENS["valid"] if argv[0] == "save" else None)
    assert run.code == 5, run.text
    assert words in run.flat_err and "Traceback" not in run.err
    assert TOKENS["valid"] not in run.text
    assert _tree(cli.cwd) == before  # nothing written, no temp file left


def test_a_symlink_into_a_missing_folder_is_refused_clearly(cli: Cli) -> None:
    _dangling_in_missing_folder(cli.cwd / ".env")
    run = cli("save", stdin=TOKENS["valid"])
    assert run.code == 5 and "does not exist" in run.flat_err and "mkdir -p" in run.flat_err


@pytest.mark.parametrize(
    "argv", [["save"], ["check"], ["token"], ["forget", "--from", "env"], ["status"]]
)
def test_the_cli_refuses_an_unreadable_env_file_clearly(
    argv: list[str],
    isolated: Path,
    monkeypatch: pytest.MonkeyPatch,
    fake_graph: object,
) -> None:
    """Mode 000 for a user; simulated in-process so it also runs as root (which reads anything)."""
    path = isolated / ".env"
    path.write_text(f"{K}={TOKENS['valid']}\n", encoding="utf-8")
    path.chmod(0)
    if IS_ROOT:
        real_read = Path.read_bytes

        def refuse(self: Path) -> bytes:
            if self.name == ".env":
                raise PermissionError(13, "Permission denied", str(self))
            return real_read(self)

        monkeypatch.setattr(Path, "read_bytes", refuse)
    out, err = io.StringIO(), io.StringIO()
    environ = {"WHATSAPP_GRAPH_URL": fake_graph.url, "PATH": os.environ["PATH"]}
    stdin = io.StringIO(TOKENS["valid"] if argv[0] == "save" else "")
    code = cli.main(argv, environ=environ, stdin=stdin, stdout=out, stderr=err)
    path.chmod(0o600)
    assert code == 5, err.getvalue()
    assert "permission denied" in err.getvalue() and "chmod u+rw" in err.getvalue()
    assert TOKENS["valid"] not in out.getvalue() + err.getvalue()
    assert path.read_text(encoding="utf-8") == f"{K}={TOKENS['valid']}\n"


def _tree(folder: Path) -> dict[str, bytes | str]:
    return {
        str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else "dir")
        for p in sorted(folder.rglob("*"))
    }


def test_env_file_error_never_quotes_the_file(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    path.write_bytes(f"{K}={TOKENS['valid']}\nBAD=\xff\n".encode("latin-1"))
    with pytest.raises(EnvFileError) as caught:
        write_env_token(path, NEW)
    text = " ".join((str(caught.value), caught.value.message, caught.value.fix))
    assert TOKENS["valid"] not in text and "position" in text
