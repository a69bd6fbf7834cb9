"""A `.env` shared with other writers: concurrent saves and forgets, appenders, killed writes,
hard links and other owners (issue 10, items 5 to 7). Each test failed before the lock, the
re-read and the refusals in wizard.core.stores.env_store."""

from __future__ import annotations

import ctypes
import fcntl
import json
import os
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from dotenv import dotenv_values

from tests.conftest import WA_TOKEN, Cli
from tests.support.processes import run_python, start
from wizard.core.errors import EnvFileError
from wizard.core.stores import atomic, env_store
from wizard.core.stores.env_store import (
    TOKEN_KEY,
    read_env_token,
    remove_env_token,
    write_env_token,
)
from wizard.testing.fake_graph import TOKENS

K = TOKEN_KEY
HERE = Path(__file__).resolve().parent
IS_ROOT = os.geteuid() == 0
SAVERS, FORGETTERS = 20, 10


def _token(kind: str, number: int) -> str:
    return f"EAAFakeConcurrency{kind}{number:02d}".ljust(60, "0")


def _env_names(folder: Path) -> list[str]:
    """The .env and anything named after it (temp and lock files)."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".env"))


def _key(profile: str) -> str:
    return f"{K}_{profile.upper()}"


# --- concurrent writers through the real entry point -----------------------------------------


def test_concurrent_saves_and_forgets_across_profiles_lose_nothing(cli: Cli) -> None:
    """20 `save --profile pN --force` and 10 `forget --profile fN` at once on one .env."""
    path = cli.cwd / ".env"
    path.write_text(
        "# shared\nPORT=8080\n"
        + "".join(f"{_key(f'f{n}')}={_token('Forget', n)}\n" for n in range(FORGETTERS)),
        encoding="utf-8",
    )
    env = {**cli.env, "WHATSAPP_GRAPH_URL": "http://127.0.0.1:9"}  # --force: stored anyway
    runs = [
        start(cli, "save", "--profile", f"p{n}", "--force", "--timeout", "1", env=env)
        for n in range(SAVERS)
    ]
    runs += [
        start(
            cli, "forget", "--from", "env", "--profile", f"f{n}", stdin=subprocess.DEVNULL, env=env
        )
        for n in range(FORGETTERS)
    ]
    for n, run in enumerate(runs[:SAVERS]):
        assert run.stdin is not None
        run.stdin.write(_token("Save", n).encode())
        run.stdin.close()
    results = [(run.wait(timeout=120), run.stderr.read().decode()) for run in runs]
    for run in runs:
        for stream in (run.stdout, run.stderr):
            if stream is not None:
                stream.close()

    assert all(code == 0 for code, _ in results), results
    values = dotenv_values(path, interpolate=False)
    saved = {n for n in range(SAVERS) if values.get(_key(f"p{n}")) == _token("Save", n)}
    assert saved == set(range(SAVERS)), f"lost saves: {set(range(SAVERS)) - saved}"
    assert not [k for k in values if k.endswith(tuple(f"_F{n}" for n in range(FORGETTERS)))]
    assert values["PORT"] == "8080" and path.read_text(encoding="utf-8").startswith("# shared\n")
    assert _env_names(cli.cwd) == [".env"]  # no lock or temp file left


# --- another program writing the file meanwhile ----------------------------------------------


def test_a_concurrent_appender_loses_no_line_in_the_common_case(tmp_path: Path) -> None:
    """2,000 lines appended while the token is saved over and over: before the fix about 1,780
    were lost (each save replaced the file with what it had read); now at most a few."""
    path = tmp_path / ".env"
    done = run_python(str(HERE / "_append_race.py"), str(path), "2000", timeout=300)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["saves"] > 0 and report["token_kept"], report
    assert set(report["refused"]) <= {"EnvFileError"}, report
    assert report["lost"] <= 20, report  # 1 %: only lines in flight during a rename


def _during_write(monkeypatch: pytest.MonkeyPatch, act: object) -> list[int]:
    """Run `act(n)` each time a write creates its temp file (between its read and its rename)."""
    calls: list[int] = []
    real = tempfile.mkstemp

    def mkstemp(*args: object, **kwargs: object) -> tuple[int, str]:
        calls.append(len(calls))
        act(len(calls))  # type: ignore[operator]
        return real(*args, **kwargs)  # type: ignore[call-overload,no-any-return]

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    return calls


@pytest.mark.parametrize("write", ["save", "forget"])
def test_a_line_appended_during_a_write_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, write: str
) -> None:
    path = tmp_path / ".env"
    path.write_text(f"A=1\n{K}=old-token-value\n", encoding="utf-8")

    def append(_: int) -> None:
        with open(path, "a", encoding="utf-8") as stream:
            stream.write("APPENDED=yes\n")

    _during_write(monkeypatch, append)
    if write == "save":
        write_env_token(path, "new-token-value")
    else:
        assert remove_env_token(path)
    monkeypatch.undo()
    values = dotenv_values(path, interpolate=False)
    assert values.get("APPENDED") == "yes" and values["A"] == "1"
    assert values.get(K) == ("new-token-value" if write == "save" else None)


def test_a_rewrite_during_a_write_is_kept_and_the_write_redone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An editor saving the file (a new file renamed over it) between our read and our rename."""
    path = tmp_path / ".env"
    path.write_text(f"A=1\n{K}=old-token-value\n", encoding="utf-8")

    def editor(call: int) -> None:
        if call == 1:
            fresh = tmp_path / "editor.tmp"
            fresh.write_text(f"A=2\nB=added by the editor\n{K}=old-token-value\n", encoding="utf-8")
            os.replace(fresh, path)

    calls = _during_write(monkeypatch, editor)
    write_env_token(path, "new-token-value")
    monkeypatch.undo()
    assert len(calls) == 2  # the first attempt saw the change and was redone
    assert dotenv_values(path, interpolate=False) == {
        "A": "2",
        "B": "added by the editor",
        K: "new-token-value",
    }


def test_a_file_that_keeps_changing_is_refused_and_never_overwritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / ".env"
    path.write_text("A=0\n", encoding="utf-8")

    def rewrite(call: int) -> None:
        path.write_text(f"A={call}\n", encoding="utf-8")  # same size: content and mtime differ

    calls = _during_write(monkeypatch, rewrite)
    with pytest.raises(EnvFileError, match="kept changing") as caught:
        write_env_token(path, "new-token-value")
    monkeypatch.undo()
    assert len(calls) == env_store.UPDATE_ATTEMPTS
    assert path.read_text(encoding="utf-8") == f"A={len(calls)}\n"
    assert "new-token-value" not in caught.value.message + caught.value.fix
    assert _env_names(tmp_path) == [".env"]


def test_a_write_waits_for_the_lock_and_gives_up_clearly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / ".env"
    path.write_text("A=1\n", encoding="utf-8")
    lock = tmp_path / (".env" + env_store.LOCK_NAME)
    holder = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(holder, fcntl.LOCK_EX)
    monkeypatch.setattr(atomic, "LOCK_WAIT", 0.2)
    try:
        with pytest.raises(EnvFileError, match="Another wa-token"):
            write_env_token(path, "new-token-value")
    finally:
        os.close(holder)
    assert path.read_text(encoding="utf-8") == "A=1\n"
    write_env_token(path, "new-token-value")  # the lock released (and left behind): it works
    assert read_env_token(path) == "new-token-value"
    assert _env_names(tmp_path) == [".env"]


# --- leftovers of a killed write --------------------------------------------------------------


def test_the_next_save_removes_stale_temp_files_of_ours_only(cli: Cli) -> None:
    folder = cli.cwd
    old = time.time() - env_store.STALE_TEMP_AGE - 5
    stale = folder / ".env.tmp-a1b2c3_4"
    fresh = folder / ".env.tmp-zzzzzzzz"
    other = [folder / ".env.tmp-mine", folder / ".env.tmp-a1b2c3d4.bak", folder / "x.tmp-a1b2c3d4"]
    leftover_token = "EAAFakeLeftoverTokenInATempFile".ljust(60, "0")
    for file in (stale, fresh, *other):
        file.write_text(f"{K}={leftover_token}\n", encoding="utf-8")
        os.utime(file, (old, old) if file != fresh else None)
    linked = folder / ".env.tmp-linkto99"
    linked.symlink_to(other[0])
    os.utime(linked, (old, old), follow_symlinks=False)

    run = cli("save", stdin=TOKENS["valid"])
    assert run.code == 0, run.err
    assert not stale.exists()
    assert fresh.exists() and all(p.exists() for p in other) and linked.is_symlink()


# --- hard links and owners ------------------------------------------------------------------


@pytest.mark.parametrize("argv", [["forget", "--from", "env"], ["save", "--force"], ["save"]])
def test_a_hard_linked_env_is_refused_not_split(cli: Cli, argv: list[str]) -> None:
    path = cli.cwd / ".env"
    other = cli.cwd / "other-name.env"
    path.write_text(f"A=1\n{K}={_token('Linked', 1)}\n", encoding="utf-8")
    os.link(path, other)
    run = cli(*argv, stdin=TOKENS["valid"] if argv[0] == "save" else None)
    assert run.code == 5, run.text
    assert "hard links" in run.flat_err and "samefile" in run.flat_err
    assert os.path.samefile(path, other) and path.stat().st_nlink == 2  # not split
    assert read_env_token(other) == _token("Linked", 1)
    assert _token("Linked", 1) not in run.text and TOKENS["valid"] not in run.text


def test_root_keeps_another_users_owner_and_group(tmp_path: Path) -> None:
    if not IS_ROOT:
        pytest.skip("only root can give a file to another user")
    path = tmp_path / ".env"
    path.write_text("A=1\n", encoding="utf-8")
    path.chmod(0o660)
    os.chown(path, 65534, 4343)
    write_env_token(path, "new-token-value")
    status = path.stat()
    assert (status.st_uid, status.st_gid, status.st_mode & 0o777) == (65534, 4343, 0o660)


def _without_chown() -> None:  # pragma: no cover - runs in the child before exec
    """Drop CAP_CHOWN from the bounding set: root then cannot give a file away (like a user)."""
    if ctypes.CDLL(None, use_errno=True).prctl(24, 0, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
        os._exit(97)


@pytest.mark.parametrize("argv", [["save", "--force"], ["forget", "--from", "env"]])
def test_a_file_whose_owner_cannot_be_kept_is_refused(cli: Cli, argv: list[str]) -> None:
    """bob:devs 0660 written by another member of devs: the rename would make it theirs."""
    if not IS_ROOT:
        pytest.skip("needs root to create a file of another user and a process without chown")
    path = cli.cwd / ".env"
    before = f"A=1\n{K}={_token('Owned', 1)}\n"
    path.write_text(before, encoding="utf-8")
    path.chmod(0o660)
    os.chown(path, 65534, 4343)
    done = subprocess.run(
        [str(WA_TOKEN), *argv, "--timeout", "1"],
        preexec_fn=_without_chown,
        input=_token("Save", 3).encode() if argv[0] == "save" else None,
        stdin=None if argv[0] == "save" else subprocess.DEVNULL,
        capture_output=True,
        cwd=cli.cwd,
        env={**cli.env, "WHATSAPP_GRAPH_URL": "http://127.0.0.1:9"},
        timeout=60,
        check=False,
    )
    err = " ".join(done.stderr.decode().split())
    assert done.returncode == 5, err
    assert "belongs to nobody:4343" in err and "Nothing was changed" in err
    status = path.stat()
    assert (status.st_uid, status.st_gid, status.st_mode & 0o777) == (65534, 4343, 0o660)
    assert path.read_text(encoding="utf-8") == before
    assert _env_names(cli.cwd) == [".env"]


# --- a token with `~+/=` -------------------------------------------------------------------------


def test_save_force_stores_a_token_with_tilde_plus_slash_equals(cli: Cli) -> None:
    """The validator accepts `~+/=`; the writer raised ValueError ("unexpected error", exit 1)."""
    token = "EAAG~Fake+Token/With=Odd~Characters+" + "x" * 30 + "=="
    run = cli(
        "save",
        "--force",
        "--timeout",
        "1",
        stdin=token,
        env={"WHATSAPP_GRAPH_URL": "http://127.0.0.1:9"},
    )
    assert run.code == 0, run.err
    assert "unexpected" not in run.err and token not in run.text
    assert dotenv_values(cli.cwd / ".env")[K] == token
    assert cli("token").out.strip() == token
