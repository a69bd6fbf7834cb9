"""The quick parse (only the commands argv names) answers exactly as the whole parser does."""

from __future__ import annotations

import argparse
import io

import pytest

from tests.cli.test_front_door import command_paths
from wizard.cli import run
from wizard.cli.parser import COMMAND_MODULES, QuickParser, build_parser, quick_parse

PARSED = [
    [],
    ["check"],
    ["check", "-"],
    ["check", "--json", "--warn-days", "3"],
    ["check", "--war", "3"],
    ["check", "--timeout", "5"],
    ["check", "--profile", "check"],
    ["--profile", "check", "status"],
    ["--pro", "shop", "check"],
    ["--graph-url", "http://127.0.0.1:1", "--graph-version", "v26.0", "check"],
    ["--env-file", "config/app.env"],
    ["status", "-v"],
    ["status", "--verbose", "--json"],
    ["save", "--to", "keyring", "--force", "-"],
    ["token", "--env-file", "x.env"],
    ["forget", "--from", "env", "--yes"],
    ["setup", "--mode", "troubleshoot"],
    ["send-test", "--to", "+15551234567", "--yes"],
    ["extend", "--app-id", "1234"],
    ["refresh", "--if-expiring-within", "3"],
    ["schedule", "--print"],
    ["fix", "tracked", "--profile", "shop"],
    ["provision", "--role", "admin", "--expires", "60d", "--plan", "--json"],
]
"""Command lines that parse: every command, global options before and after, abbreviations."""

HANDED_ON = [
    ["--help"],
    ["-h"],
    ["--he"],
    ["check", "--help"],
    ["status", "-vh"],
    ["fix", "gitignore", "--help"],
    ["--version", "check"],
    ["--vers"],
    ["check", "--version"],
    ["nosuch"],
    ["check", "--nosuch"],
    ["check", "--warn-days", "abc"],
    ["check", "x"],
    ["--timeout", "0", "check"],
    ["check", "status"],
    ["fix"],
    ["fix", "nosuch"],
    ["send-test"],
    ["setup", "--mode", "nope"],
]
"""Help, --version and usage errors: the whole parser prints them (its usage, its known words)."""


def parser_at(parser: argparse.ArgumentParser, path: tuple[str, ...]) -> argparse.ArgumentParser:
    return dict(command_paths(parser))[path]


@pytest.mark.parametrize("argv", PARSED, ids=" ".join)
def test_a_quick_parse_is_the_whole_parsers_answer(argv: list[str]) -> None:
    quick = quick_parse(argv)
    assert quick is not None
    assert vars(quick) == vars(build_parser().parse_args(argv))


@pytest.mark.parametrize("argv", HANDED_ON, ids=" ".join)
def test_help_version_and_usage_errors_are_left_to_the_whole_parser(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert quick_parse(argv) is None
    assert capsys.readouterr() == ("", "")  # nothing printed twice


def test_the_quick_parser_holds_only_the_named_commands() -> None:
    parser = build_parser({"check", "fix"}, QuickParser)
    assert [path for path, _ in command_paths(parser) if len(path) == 1] == [("check",), ("fix",)]
    whole = [path[0] for path, _ in command_paths(build_parser()) if len(path) == 1]
    assert whole == list(COMMAND_MODULES)  # the table lists every command, in --help's order


@pytest.mark.parametrize(
    "path", [path for path, _ in command_paths(build_parser()) if path], ids=" ".join
)
def test_command_help_is_byte_for_byte_the_whole_parsers(
    path: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    """`wa-token COMMAND --help` as the whole parser prints it, and the quick parser's
    subparser for that command is the same parser (same help, same options)."""
    expected = parser_at(build_parser(), path).format_help()
    assert parser_at(build_parser(set(path), QuickParser), path).format_help() == expected
    out, err = io.StringIO(), io.StringIO()
    code = run.main([*path, "--help"], environ={}, stdout=out, stderr=err)
    assert (code, capsys.readouterr().out, err.getvalue()) == (0, expected, "")


def test_top_help_is_the_whole_parsers(capsys: pytest.CaptureFixture[str]) -> None:
    code = run.main(["--help"], environ={}, stdout=io.StringIO(), stderr=io.StringIO())
    assert (code, capsys.readouterr().out) == (0, build_parser().format_help())
    assert all(name in build_parser().format_help() for name in COMMAND_MODULES)


def test_a_usage_error_names_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    """`wa-token nosuch`: argparse's list of choices is the whole parser's, not the quick one's."""
    err = io.StringIO()
    code = run.main(["nosuch"], environ={}, stdout=io.StringIO(), stderr=err)
    assert code == 2
    assert all(f"'{name}'" in err.getvalue() for name in COMMAND_MODULES), err.getvalue()
