"""Run one `wa-token` command: parse, load the settings, dispatch, turn errors into exit codes."""

from __future__ import annotations

import argparse
import errno
import io
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, TextIO, cast

from wizard.cli.console import Console
from wizard.cli.parser import (
    COMMAND_MODULES,
    UsageError,
    build_parser,
    known_words,
    masked_usage,
    quick_parse,
    refuse_token_shaped,
)
from wizard.core.codes import ExitCode
from wizard.core.errors import EnvFileError, GraphError, StoreError, Terminated, WaTokenError
from wizard.core.settings import Settings, SettingsError, load_settings
from wizard.core.stores import env_store

if TYPE_CHECKING:
    from wizard.cli.commands.common import Command

__all__ = ["COMMANDS", "Console", "build_parser", "exit_code_for", "main"]

OUTPUT_ERRNOS = frozenset(
    {errno.EBADF, errno.ENOSPC, errno.EPIPE, errno.EIO, errno.EDQUOT, errno.EFBIG}
)
"""Why writing to standard output fails: closed, full, a reader that went away."""


def main(
    argv: Sequence[str] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run one command and return its exit code."""
    console = Console(
        stdout or sys.stdout or cast(TextIO, ClosedOutput()),
        stderr or sys.stderr or cast(TextIO, ClosedOutput()),
    )
    argv = list(sys.argv[1:] if argv is None else argv)
    environ = os.environ if environ is None else environ
    stdin = stdin or sys.stdin
    try:
        code = _run(argv, environ, stdin, console)
        console.out.flush()
        return code
    except KeyboardInterrupt:
        console.err.write("\nInterrupted; nothing more was changed.\n")
        return ExitCode.INTERRUPTED
    except Terminated as stop:
        console.err.write(
            f"\n{stop.signal_name}: stopped, with the --then command under way (and every "
            "process it started); nothing more was changed.\n"
        )
        return stop.exit_code
    except OSError as exc:
        if not _is_output_failure(exc, console):
            return _unexpected(exc, environ, console)
        return _output_failed(exc, console)


def _run(argv: list[str], environ: Mapping[str, str], stdin: TextIO, console: Console) -> int:
    try:
        refuse_token_shaped(argv)
    except UsageError as err:
        console.err.write(err.text + "\n")
        return ExitCode.USAGE
    args = quick_parse(argv)
    if args is None:
        parser = build_parser()
        try:
            args = parser.parse_args(argv)
        except SystemExit as done:  # --help: argparse printed it to sys.stdout, which may fail
            if sys.stdout is not None:
                sys.stdout.flush()
            return int(done.code or 0)
        except UsageError as err:
            console.err.write(
                masked_usage(err.text, argv, known_words(parser))
                + "\nRun `wa-token --help` (or `wa-token COMMAND --help`) for usage.\n"
            )
            return ExitCode.USAGE
    try:
        settings = _settings(args, environ)
        return COMMANDS[args.command or "setup"](args, settings, environ, stdin, console)
    except SettingsError as err:
        console.error(err)
        return ExitCode.USAGE
    except WaTokenError as err:
        console.error(err)
        return exit_code_for(err)
    except (KeyboardInterrupt, Terminated, OSError):
        raise
    except Exception as exc:  # noqa: BLE001 -- a bug: say so without a traceback that could carry a secret
        return _unexpected(exc, environ, console)


def _unexpected(exc: Exception, environ: Mapping[str, str], console: Console) -> int:
    if environ.get("WA_TOKEN_DEBUG"):
        raise exc
    from wizard.cli.render import hanging  # only on this path: not loaded at start-up

    said = (
        f"wa-token hit an unexpected error ({type(exc).__name__}). Set WA_TOKEN_DEBUG=1 to see "
        "the traceback, and please report it."
    )
    console.err.write(hanging(said, f"{console.marks.bad} ", "  ") + "\n")
    return ExitCode.INTERNAL


class ClosedOutput(io.TextIOBase):
    """Stands for a standard stream that was closed when wa-token started: writing fails."""

    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, "it was closed when wa-token started")


def _is_output_failure(exc: OSError, console: Console) -> bool:
    """An error from writing stdout or stderr (closed, full disk, broken pipe), not a file."""
    return exc.filename is None and exc.errno in OUTPUT_ERRNOS


def _output_failed(exc: OSError, console: Console) -> int:
    """Say on stderr (if it still works) that the output could not be written; exit 2."""
    _silence_stdout()
    reason = exc.strerror or "it cannot be written"
    try:
        console.err.write(
            f"wa-token: could not write to standard output ({reason}). Give it a "
            "writable place (a file, a pipe, the terminal).\n"
        )
        console.err.flush()
    except (OSError, ValueError):
        pass
    return ExitCode.USAGE


def _silence_stdout() -> None:
    """Point fd 1 at /dev/null so that Python's final flush does not fail a second time."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.close(devnull)
    except OSError:
        pass


def exit_code_for(err: WaTokenError) -> int:
    """The one place errors become exit codes."""
    if isinstance(err, StoreError):
        return ExitCode.STORE
    if isinstance(err, GraphError):
        return ExitCode.GRAPH
    if isinstance(err, SettingsError):
        return ExitCode.USAGE
    return ExitCode.PROBLEM


def _settings(args: argparse.Namespace, environ: Mapping[str, str]) -> Settings:
    env_file = getattr(args, "env_file", None) or Path(".env")
    try:
        dotenv = env_store.read_env_file(env_file)
    except EnvFileError:
        dotenv = {}  # the command that needs the file reports it
    return load_settings(
        environ,
        dotenv,
        graph_url=getattr(args, "graph_url", None),
        graph_version=getattr(args, "graph_version", None),
        env_file=env_file,
        timeout=getattr(args, "timeout", None),
        warn_days=getattr(args, "warn_days", None),
        profile=getattr(args, "profile", None),
        app_context=not getattr(args, "all_profiles", False),  # each profile's is read apart
    )


class CommandTable(Mapping[str, "Command"]):
    """Every command by name; its module is imported when the command is looked up."""

    def __getitem__(self, name: str) -> Command:
        module = import_module(f"wizard.cli.commands.{COMMAND_MODULES[name]}")
        command: Command = module.COMMANDS[name]
        return command

    def __iter__(self) -> Iterator[str]:
        return iter(COMMAND_MODULES)

    def __len__(self) -> int:
        return len(COMMAND_MODULES)


COMMANDS = CommandTable()


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
