"""The CLI's front door: no argv value echoed, no "unexpected error", help that teaches."""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.cli.test_lifecycle_commands import run_on_terminal
from tests.conftest import WA_TOKEN, Cli, Run
from tests.support.processes import running
from wizard.cli import main as cli
from wizard.cli.parser import build_parser
from wizard.testing.fake_graph import TOKENS

VALID = TOKENS["valid"]
TOKEN_SENTINEL = "EAAZ" + "q7R" * 30 + "Sntl"
"""Shaped like a real access token: it must never be printed back, whatever the argv."""
PLAIN_SENTINEL = "not-a-token-but-a-secret-sentinel"
"""Not token-shaped: argparse's own errors must not echo it either."""
INTERRUPTED = "Interrupted; nothing was changed."


def command_paths(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """Every command and subcommand with its parser, the top level first."""
    found = [(path, parser)]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found += command_paths(sub, (*path, name))
    return found


def value_options(parser: argparse.ArgumentParser) -> list[str]:
    """The long option strings that take a value."""
    return [
        action.option_strings[-1]
        for action in parser._actions
        if action.option_strings
        and action.nargs != 0
        and not isinstance(action, argparse._VersionAction | argparse._HelpAction)
    ]


def argv_cases() -> list[list[str]]:
    """The sentinel as a positional, after `-`, and as the value of every option, everywhere."""
    cases: list[list[str]] = []
    for path, parser in command_paths(build_parser()):
        cases.append([*path, TOKEN_SENTINEL])
        cases.append([*path, "-", TOKEN_SENTINEL])
        for option in value_options(parser):
            cases.append([*path, option, TOKEN_SENTINEL])
            cases.append([*path, f"{option}={TOKEN_SENTINEL}"])
        cases.append(["--profile", TOKEN_SENTINEL, *path])
    return cases


def choice_cases() -> list[list[str]]:
    """The plain sentinel where argparse refuses it: positionals, choices, typed options."""
    cases: list[list[str]] = []
    for path, parser in command_paths(build_parser()):
        cases.append([*path, PLAIN_SENTINEL])
        for action in parser._actions:
            typed = action.type not in (None, str, Path) and action.option_strings
            if action.option_strings and (action.choices or typed) and action.nargs != 0:
                cases.append([*path, action.option_strings[-1], PLAIN_SENTINEL])
    return cases


def run_in_process(argv: list[str]) -> Run:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(
        argv,
        stdin=io.StringIO(""),
        stdout=out,
        stderr=err,
        environ={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"},
    )
    return Run(code, out.getvalue(), err.getvalue())


# -- A. a token on the command line is never printed back ----------------------------------------


@pytest.mark.parametrize("argv", argv_cases(), ids=lambda argv: " ".join(argv)[:60])
def test_token_in_argv_is_refused_and_never_echoed(argv: list[str]) -> None:
    run = run_in_process(argv)
    assert run.code == 2, run.err
    assert TOKEN_SENTINEL not in run.text and TOKEN_SENTINEL[8:-8] not in run.text
    assert "never taken as an argument" in run.err


@pytest.mark.parametrize("argv", choice_cases(), ids=lambda argv: " ".join(argv)[:60])
def test_argparse_errors_never_echo_a_value(argv: list[str]) -> None:
    run = run_in_process(argv)
    assert run.code == 2, run.err
    assert PLAIN_SENTINEL not in run.text
    assert "Traceback" not in run.err


@pytest.mark.parametrize(
    "argv",
    [
        ("check", TOKEN_SENTINEL),
        ("save", TOKEN_SENTINEL),
        (TOKEN_SENTINEL,),
        ("send-test", "--to", TOKEN_SENTINEL),
        ("save", "--to", PLAIN_SENTINEL),
        ("setup", "--mode", PLAIN_SENTINEL),
        ("forget", "--from", PLAIN_SENTINEL),
        ("check", "--timeout", PLAIN_SENTINEL),
        ("check", "-", PLAIN_SENTINEL),
        (PLAIN_SENTINEL,),
        ("fix", PLAIN_SENTINEL),
    ],
)
def test_sentinel_in_argv_through_the_real_process(cli: Cli, argv: tuple[str, ...]) -> None:
    run = cli(*argv, stdin=VALID)
    assert run.code == 2, run.err
    for secret in (TOKEN_SENTINEL, PLAIN_SENTINEL, VALID):
        assert secret not in run.text
    assert "usage:" not in run.err and "Traceback" not in run.err


def test_a_short_wrong_value_is_still_shown(cli: Cli) -> None:
    run = cli("save", "--to", "s3")
    assert run.code == 2 and "'s3'" in run.err and "'env', 'keyring'" in run.err


# -- B. odd input ends in a clear message and the contract's exit code ---------------------------


def assert_clear(run: Run) -> None:
    assert "unexpected error" not in run.err and "Traceback" not in run.err, run.err


BAD_GRAPH_URL = "The Graph URL must look like https://graph.facebook.com"


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://[::1", BAD_GRAPH_URL),
        ("http://256.1.1.1", BAD_GRAPH_URL),
        ("http://[::1]:99999", BAD_GRAPH_URL),
        ("ftp://x", BAD_GRAPH_URL),
        ("", "argument --graph-url: is empty"),
        ("http://", BAD_GRAPH_URL),
    ],
)
def test_malformed_graph_url_is_a_usage_error(cli: Cli, url: str, words: str) -> None:
    run = cli("check", "--graph-url", url, stdin=VALID)
    assert run.code == 2 and words in run.flat_err
    assert "--graph-url" in run.err
    assert_clear(run)


@pytest.mark.parametrize("url", ["http://[::1", "http://256.1.1.1", "http://[::1]:99999"])
def test_malformed_graph_url_from_the_environment(cli: Cli, url: str) -> None:
    run = cli("check", stdin=VALID, env={"WHATSAPP_GRAPH_URL": url})
    assert run.code == 2 and BAD_GRAPH_URL in run.flat_err
    assert "WHATSAPP_GRAPH_URL" in run.err
    assert_clear(run)


@pytest.mark.parametrize(
    "args",
    [
        ("check", "--timeout", "nan"),
        ("check", "--timeout", "inf"),
        ("check", "--timeout", "-1"),
        ("check", "--timeout", "0"),
        ("check", "--timeout", "1e300"),
        ("refresh", "--if-expiring-within", "99999999999"),
        ("check", "--warn-days", "99999999999"),
        ("schedule", "--if-expiring-within", "99999999999"),
        ("refresh", "--if-expiring-within", "-1"),
    ],
)
def test_out_of_range_numbers_are_usage_errors(cli: Cli, args: tuple[str, ...]) -> None:
    run = cli(*args, stdin=VALID)
    assert run.code == 2 and args[1] in run.err
    assert_clear(run)


def run_shell(cli: Cli, redirect: str, *args: str) -> Run:
    """wa-token with a shell redirection such as `>&-`, `>/dev/full` or `<&-`."""
    proc = subprocess.run(
        ["sh", "-c", f'"$@" {redirect}', "sh", str(WA_TOKEN), *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        cwd=cli.cwd,
        env=cli.env,
        timeout=30,
        check=False,
    )
    return Run(proc.returncode, proc.stdout.decode(), proc.stderr.decode())


@pytest.mark.parametrize("redirect", [">&-", ">/dev/full"])
@pytest.mark.parametrize(
    "args", [("check", "--json"), ("status",), ("token",), ("--version",), ("--help",)]
)
def test_unwritable_stdout_is_a_clear_error(cli: Cli, redirect: str, args: tuple[str, ...]) -> None:
    (cli.cwd / ".env").write_text(f"WHATSAPP_CLOUD_API_TOKEN={VALID}\n")
    run = run_shell(cli, redirect, *args)
    if args == ("--help",):  # argparse prints help itself; it must not crash either
        assert "Traceback" not in run.err
        return
    assert run.code == 2 and "could not write to standard output" in run.err, run.err
    assert_clear(run)
    assert "Exception ignored" not in run.err and VALID not in run.err


def test_save_with_stdin_closed(cli: Cli) -> None:
    run = run_shell(cli, "<&-", "save")
    assert run.code == 1 and "closed" in run.err
    assert_clear(run)
    assert not (cli.cwd / ".env").exists()


def test_an_idle_stdin_pipe_ends_after_the_timeout(cli: Cli) -> None:
    with running(cli, "check", "--timeout", "1") as proc:
        code = proc.wait(timeout=25)  # the pipe stays open: before the fix this never ended
        err = proc.stderr.read().decode() if proc.stderr else ""
    assert code == 2 and "sent nothing" in " ".join(err.split()), err


def test_a_token_then_an_idle_pipe_is_still_checked(cli: Cli) -> None:
    with running(cli, "check", "--timeout", "1", "--json") as proc:
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(VALID.encode() + b"\n")
        proc.stdin.flush()
        code = proc.wait(timeout=25)
        body = json.loads(proc.stdout.read())
    assert code == 0 and body["token"]["source"] == "stdin"


def test_ctrl_c_while_starting_prints_one_line(cli: Cli) -> None:
    run = cli("check", env={cli_module_hook(): "import"}, stdin=VALID)
    assert run.code == 130 and run.out == ""
    assert run.err.strip() == INTERRUPTED


def cli_module_hook() -> str:
    return cli.TEST_INTERRUPT


# -- C. what a new user trips on ------------------------------------------------------------------


def test_check_dash_with_empty_stdin_says_stdin_was_empty(cli: Cli) -> None:
    (cli.cwd / ".env").write_text(f"WHATSAPP_CLOUD_API_TOKEN={VALID}\n")
    run = cli("check", "-", stdin="")
    assert run.code == 3 and "Standard input was empty" in run.err
    assert "not in .env" not in run.flat_err
    body = json.loads(cli("check", "-", "--json", stdin="").out)
    assert body["problems"][0]["code"] == "token_missing" and body["token"] is None


@pytest.mark.parametrize("command", ["extend", "refresh"])
def test_extend_and_refresh_without_any_token_exit_3(cli: Cli, command: str) -> None:
    run = cli(command)
    assert run.code == 3 and "No token found" in run.err
    assert_clear(run)


@pytest.mark.parametrize(
    ("answer", "code", "kept"), [(b"n\n", 2, True), (b"\n", 2, True), (b"y\n", 0, False)]
)
def test_forget_asks_on_a_terminal(cli: Cli, answer: bytes, code: int, kept: bool) -> None:
    env_file = cli.cwd / ".env"
    env_file.write_text(f"WHATSAPP_CLOUD_API_TOKEN={VALID}\n")
    run = run_on_terminal(cli, answer, "forget", "--from", "env")
    assert "[y/N]" in run.err and run.code == code, run.err
    assert (VALID in env_file.read_text()) is kept


def test_forget_yes_skips_the_question(cli: Cli) -> None:
    env_file = cli.cwd / ".env"
    env_file.write_text(f"WHATSAPP_CLOUD_API_TOKEN={VALID}\n")
    run = run_on_terminal(cli, b"", "forget", "--from", "env", "--yes", prompt=b"revoke")
    assert run.code == 0 and "[y/N]" not in run.err and VALID not in env_file.read_text()


def test_forget_keyring_message_reads_cleanly(cli: Cli) -> None:
    run = cli("forget")
    assert run.code == 0 and "Nothing removed from the OS keyring" in run.err
    assert ".)" not in run.err and ");" not in run.err


def test_status_is_short_and_says_why_the_keyring_is_unusable(cli: Cli) -> None:
    (cli.cwd / ".env").write_text(f"WHATSAPP_CLOUD_API_TOKEN={VALID}\n")
    (cli.cwd / ".env").chmod(0o600)
    run = cli("status")
    assert run.code == 0
    lines = run.out.strip().splitlines()
    assert len(lines) <= 8, run.out
    assert f"{VALID[:4]}…{VALID[-4:]}" in run.out and "System User" in run.out
    assert "The token works" in run.out and "expires never" in run.out
    assert "keyring: unavailable:" in run.out and "(none)" not in run.out
    verbose = cli("status", "--verbose")
    assert "(used)" in verbose.out and "unavailable:" in verbose.out
    assert "Permissions" in verbose.out
    for shown in (run, verbose):
        assert VALID not in shown.text


def test_status_json_is_unchanged(cli: Cli) -> None:
    (cli.cwd / ".env").write_text(f"WHATSAPP_CLOUD_API_TOKEN={VALID}\n")
    body = json.loads(cli("status", "--json").out)
    assert set(body) >= {"sources", "active"}
    assert set(body["sources"][0]) >= {"source", "location", "masked", "active"}


@pytest.mark.parametrize(
    "path", [path for path, _ in command_paths(build_parser()) if len(path) == 1]
)
def test_each_command_help_teaches(cli: Cli, path: tuple[str, ...]) -> None:
    run = cli(*path, "--help")
    assert run.code == 0
    _, _, examples = run.out.partition("examples:")
    assert examples.count("wa-token ") >= 2, run.out
    assert "Graph API base URL" not in run.out  # the global options are listed once, at the top
    assert "see `wa-token --help`" in run.out


def test_top_help_lists_global_options_once_and_explains_modes(cli: Cli) -> None:
    top = cli("--help").out
    assert top.count("Graph API base URL") == 1 and "--profile NAME" in top
    assert "exit codes:" in top and "never accepted as an argument" in top
    setup = " ".join(cli("setup", "--help").out.split())
    for mode in (
        "onboard no token yet",
        "expired a stored token fails",
        "troubleshoot every source",
    ):
        assert mode in setup


def test_version_still_loads_no_command_module() -> None:
    proc = subprocess.run(
        [str(WA_TOKEN), "--version"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPROFILEIMPORTTIME": "1"},
        check=False,
    )
    assert proc.stdout.startswith("wa-token ") and "wizard.cli.run" not in proc.stderr
