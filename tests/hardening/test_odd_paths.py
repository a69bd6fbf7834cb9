"""Odd paths and pastes through the real entry point (issue 10, item 6): `fix gitignore` on a
symlinked, FIFO or newline path, leftover temp files in `git status`, a `schedule --print`
line pasted into a shell, a profile key pasted with the token. Each test failed before."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.support.files import git, new_repo
from wizard.core.stores.env_store import TOKEN_KEY
from wizard.testing.fake_graph import TOKENS

K = TOKEN_KEY


# --- fix gitignore ----------------------------------------------------------------------------


def test_fix_gitignore_covers_the_temp_files_a_killed_save_leaves(cli: Cli) -> None:
    """`.env.tmp-…` (mode 0600, holding the token) showed in `git status` as untracked."""
    new_repo(cli.cwd)
    (cli.cwd / ".env").write_text(f"{K}={TOKENS['valid']}\n", encoding="utf-8")
    leftover = cli.cwd / ".env.tmp-k1ll3d_x"
    leftover.write_text(f"{K}={TOKENS['valid']}\n", encoding="utf-8")
    (cli.cwd / ".gitignore").write_text(".env\n", encoding="utf-8")  # the usual rule
    assert ".env.tmp-k1ll3d_x" in git(cli.cwd, "status", "--porcelain", "--untracked=all")

    run = cli("fix", "gitignore")
    assert run.code == 0, run.err
    assert (cli.cwd / ".gitignore").read_text(encoding="utf-8") == ".env\n/.env.tmp-*\n"
    assert git(cli.cwd, "status", "--porcelain", "--untracked=all").split() == ["??", ".gitignore"]
    again = cli("fix", "gitignore")
    assert again.code == 0 and "already ignored" in again.flat_err


def test_fix_gitignore_refuses_a_symlink_out_of_the_repository(cli: Cli, tmp_path: Path) -> None:
    new_repo(cli.cwd)
    outside = tmp_path / "outside.txt"
    outside.write_text("someone else's file\n", encoding="utf-8")
    (cli.cwd / ".gitignore").symlink_to(outside)
    run = cli("fix", "gitignore")
    assert run.code == 5, run.text
    assert "symbolic link" in run.flat_err and "Traceback" not in run.err
    assert outside.read_text(encoding="utf-8") == "someone else's file\n"
    assert (cli.cwd / ".gitignore").is_symlink()


def test_fix_gitignore_refuses_a_fifo_instead_of_hanging(cli: Cli) -> None:
    new_repo(cli.cwd)
    os.mkfifo(cli.cwd / ".gitignore")
    run = cli("fix", "gitignore", timeout=30)  # hung forever before
    assert run.code == 5, run.text
    assert "not a regular file" in run.flat_err


def test_fix_gitignore_refuses_a_path_with_a_line_break(cli: Cli) -> None:
    """`a\\nb/.env` wrote two rules, `/a` and `b/.env`: the first ignores a whole folder."""
    new_repo(cli.cwd)
    folder = cli.cwd / "a\nb"
    folder.mkdir()
    run = cli("fix", "gitignore", "--env-file", str(folder / ".env"))
    assert run.code == 5, run.text
    assert "line break" in run.flat_err
    assert not (cli.cwd / ".gitignore").exists()


# --- schedule --print -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["$(touch PWNED)", "`touch PWNED`", "a;touch PWNED", "it's"])
def test_the_check_by_hand_line_is_safe_to_paste(cli: Cli, name: str) -> None:
    folder = cli.cwd / name
    folder.mkdir()
    env_file = folder / ".env"
    run = cli("schedule", "--print", "--env-file", str(env_file))
    assert run.code == 0, run.err
    [line] = [x for x in run.err.splitlines() if x.startswith("Check it once by hand first: ")]
    pasted = line.removeprefix("Check it once by hand first: ")
    words = subprocess.run(
        ["sh", "-c", "printf '%s\\0' " + pasted],
        cwd=cli.cwd,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split("\0")[:-1]
    assert words[words.index("--env-file") + 1] == str(env_file)
    assert not (cli.cwd / "PWNED").exists() and not (folder / "PWNED").exists()


def test_schedule_refuses_a_path_with_a_line_break(cli: Cli) -> None:
    run = cli("schedule", "--print", "--env-file", str(cli.cwd / "a\n17 * * * * evil" / ".env"))
    assert run.code == 2, run.text
    assert "control character" in run.flat_err and "evil" not in run.out


# --- pasted profile keys ----------------------------------------------------------------------


@pytest.mark.parametrize("prefix", [f"{K}_ACME=", f"export {K}_STAGING_2=", f"{K}_P1 = "])
def test_a_pasted_profile_key_prefix_is_stripped(cli: Cli, prefix: str) -> None:
    run = cli("save", stdin=f"{prefix}{TOKENS['valid']}\n")
    assert run.code == 0, run.err
    assert cli("token").out.strip() == TOKENS["valid"]
    assert TOKENS["valid"] not in run.text
