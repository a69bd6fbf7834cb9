"""The `wa-token` commands: argparse before the core; Textual is imported only for the wizard."""

from __future__ import annotations

import argparse
import asyncio
import errno
import io
import json
import os
import stat
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TextIO

from wizard import __version__, cli_args, cli_fix, cli_help, cli_lifecycle, cli_provision, cli_status
from wizard.cli_args import SafeParser, UsageError
from wizard.cli_stdin import EMPTY_STDIN, EmptyStdin, read_limited
from wizard.console import Console, ask_hidden, confirm, isatty
from wizard.core import env_store, keyring_store, profiles, sources
from wizard.core.check import CheckReport, check_found_token, report_json, status_json
from wizard.core.diagnose import EXIT_NO_TOKEN, EXIT_OK, EXIT_PROBLEM, EXIT_STORE, EXIT_USAGE
from wizard.core.errors import (
    EnvFileError,
    GraphError,
    KeyringUnavailable,
    StoreError,
    TokenFormatError,
    WaTokenError,
)
from wizard.core.save import store_token
from wizard.core.settings import Settings, SettingsError, load_settings
from wizard.core.sources import FoundToken
from wizard.text_report import (
    render_check,
    render_error,
    render_profiles,
    summary_line,
)

__all__ = ["COMMANDS", "Console", "build_parser", "exit_code_for", "main"]

EXIT_INTERRUPTED = 130
OUTPUT_ERRNOS = frozenset({errno.EBADF, errno.ENOSPC, errno.EPIPE, errno.EIO, errno.EDQUOT,
                           errno.EFBIG})
"""Why writing to standard output fails: closed, full, a reader that went away."""

REVOKE_HINT = (
    "This does not revoke the token at Meta. To revoke it: Business Settings → Users → System "
    "Users → your system user → Revoke tokens (or remove the app in the user's settings)."
)
INSTEAD = (
    "use `wa-token check` (test the stored token), `wa-token status`, or "
    "`printf '%s' \"$TOKEN\" | wa-token save`."
)
NO_TTY = "The wizard needs an interactive terminal. Without one, " + INSTEAD


def build_parser() -> argparse.ArgumentParser:
    """The contract's commands and options; global options work before or after the command."""
    common = SafeParser(add_help=False)
    _add_global_options(common, suppress=True)
    parser = SafeParser(
        prog="wa-token",
        description="Get a permanent WhatsApp Cloud API token, prove it works, store it safely.",
        epilog=cli_help.TOP_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_global_options(parser, suppress=False)
    parser.add_argument("--version", action="version", version=f"wa-token {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    setup = cli_help.add_command(commands, "setup", common)
    setup.add_argument("--mode", choices=("onboard", "expired", "troubleshoot"),
                       help="onboard, expired or troubleshoot (see above); default: chosen from "
                       "what is stored")

    check = cli_help.add_command(commands, "check", common)
    check.add_argument("--json", action="store_true", help="JSON on stdout")
    check.add_argument("--warn-days", type=cli_args.days, metavar="N",
                       help="warn when the token expires within N days (default 7)")
    check.add_argument("stdin", nargs="?", choices=("-",), help="read the token from stdin")

    status = cli_help.add_command(commands, "status", common)
    status.add_argument("--json", action="store_true", help="JSON on stdout (every detail)")
    status.add_argument("--verbose", "-v", action="store_true",
                        help="every source and the full check, not just the summary")

    save = cli_help.add_command(commands, "save", common)
    save.add_argument("--to", choices=("env", "keyring"), default="env",
                      help="where to store it (default env: the .env file)")
    save.add_argument("--force", action="store_true", help="store even if the check fails")
    save.add_argument("stdin", nargs="?", choices=("-",), help="read the token from stdin")

    cli_help.add_command(commands, "token", common)

    forget = cli_help.add_command(commands, "forget", common)
    forget.add_argument("--from", dest="source", choices=("env", "keyring"),
                        help="only this store (default: both)")
    forget.add_argument("--yes", action="store_true", help="remove without asking")

    cli_lifecycle.add_parsers(commands, common)
    cli_fix.add_parsers(commands, common)
    cli_provision.add_parsers(commands, common)
    cli_help.teach(commands)  # commands added with a plain add_parser get their help too
    return parser


def _add_global_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """Listed once, in `wa-token --help`; accepted after any command too (hidden there)."""
    default = argparse.SUPPRESS if suppress else None

    def shown(text: str) -> str:
        return argparse.SUPPRESS if suppress else text

    parser.add_argument("--graph-url", metavar="URL", default=default, type=cli_args.graph_url,
                        help=shown("Graph API base URL (env WHATSAPP_GRAPH_URL)"))
    parser.add_argument("--graph-version", metavar="vNN.N", default=default,
                        help=shown("Graph API version (env WHATSAPP_GRAPH_API_VERSION)"))
    parser.add_argument("--env-file", metavar="PATH", type=Path, default=default,
                        help=shown("the .env file (default ./.env)"))
    parser.add_argument("--timeout", metavar="SECONDS", type=cli_args.seconds, default=default,
                        help=shown("seconds to wait for each Graph answer, and for a piped "
                                   "token on stdin (default 10, at most 3600)"))
    parser.add_argument("--profile", metavar="NAME", default=default,
                        help=shown("which app's token (env WA_TOKEN_PROFILE, default `default`)"))


def main(
    argv: Sequence[str] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run one command and return its exit code."""
    console = Console(stdout or sys.stdout or ClosedOutput(),
                      stderr or sys.stderr or ClosedOutput())
    argv = list(sys.argv[1:] if argv is None else argv)
    environ = os.environ if environ is None else environ
    stdin = stdin or sys.stdin
    try:
        code = _run(argv, environ, stdin, console)
        console.out.flush()
        return code
    except KeyboardInterrupt:
        console.err.write("\nInterrupted; nothing more was changed.\n")
        return EXIT_INTERRUPTED
    except OSError as exc:
        if not _is_output_failure(exc, console):
            return _unexpected(exc, environ, console)
        return _output_failed(exc, console)


def _run(argv: list[str], environ: Mapping[str, str], stdin: TextIO, console: Console) -> int:
    parser = build_parser()
    try:
        cli_args.refuse_token_shaped(argv)
    except UsageError as err:
        console.err.write(err.text + "\n")
        return EXIT_USAGE
    try:
        args = parser.parse_args(argv)
    except SystemExit as done:  # --help: argparse printed it to sys.stdout, which may fail
        if sys.stdout is not None:
            sys.stdout.flush()
        return int(done.code or 0)
    except UsageError as err:
        console.err.write(cli_args.masked_usage(err.text, argv, cli_args.known_words(parser))
                          + "\nRun `wa-token --help` (or `wa-token COMMAND --help`) for usage.\n")
        return EXIT_USAGE
    try:
        settings = _settings(args, environ)
        return COMMANDS[args.command or "setup"](args, settings, environ, stdin, console)
    except SettingsError as err:
        console.error(err)
        return EXIT_USAGE
    except WaTokenError as err:
        console.error(err)
        return exit_code_for(err)
    except (KeyboardInterrupt, OSError):
        raise
    except Exception as exc:  # a bug: say so without a traceback that could carry a secret
        return _unexpected(exc, environ, console)


def _unexpected(exc: Exception, environ: Mapping[str, str], console: Console) -> int:
    if environ.get("WA_TOKEN_DEBUG"):
        raise exc
    console.err.write(f"{console.marks.bad} wa-token hit an unexpected error "
                      f"({type(exc).__name__}). Set WA_TOKEN_DEBUG=1 to see the traceback, "
                      "and please report it.\n")
    return EXIT_PROBLEM


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
        console.err.write(f"wa-token: could not write to standard output ({reason}). Give it a "
                          "writable place (a file, a pipe, the terminal).\n")
        console.err.flush()
    except (OSError, ValueError):
        pass
    return EXIT_USAGE


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
        return EXIT_STORE
    if isinstance(err, GraphError):
        return 4
    if isinstance(err, SettingsError):
        return EXIT_USAGE
    return EXIT_PROBLEM


def _settings(args: argparse.Namespace, environ: Mapping[str, str]) -> Settings:
    env_file = getattr(args, "env_file", None) or Path(".env")
    try:
        dotenv = env_store.read_env_file(env_file)
    except EnvFileError:
        dotenv = {}  # the command that needs the file reports it
    return load_settings(
        environ, dotenv,
        graph_url=getattr(args, "graph_url", None),
        graph_version=getattr(args, "graph_version", None),
        env_file=env_file,
        timeout=getattr(args, "timeout", None),
        warn_days=getattr(args, "warn_days", None),
        profile=getattr(args, "profile", None),
    )


# -- commands ------------------------------------------------------------------------------------

Command = Callable[[argparse.Namespace, Settings, Mapping[str, str], TextIO, Console], int]


def cmd_setup(args: argparse.Namespace, settings: Settings, environ: Mapping[str, str],
              stdin: TextIO, console: Console) -> int:
    """The interactive wizard; without a terminal, say which command to use."""
    if not (_isatty(stdin) and _isatty(console.out)):
        console.err.write(NO_TTY + "\n")
        return EXIT_USAGE
    from wizard.ui.app import make_app  # Textual is imported only here

    app = make_app(settings, environ, mode=getattr(args, "mode", None))
    outcome = app.run()
    if app.crashed is not None:  # main() reports it as the unexpected error it is
        raise app.crashed
    if outcome is None:
        console.err.write("The wizard closed; nothing was changed.\n")
        return EXIT_OK
    console.err.write("\n".join(outcome.lines) + "\n")
    return outcome.exit_code


def cmd_check(args: argparse.Namespace, settings: Settings, environ: Mapping[str, str],
              stdin: TextIO, console: Console) -> int:
    """Test one token, by the contract's precedence."""
    try:
        found = _token_for_check(args, settings, environ, stdin)
    except TokenFormatError as err:
        return _report_malformed_paste(err, args.json, console)
    except EmptyStdin as err:
        return _report_empty_stdin(err, args.json, console)
    report = asyncio.run(check_found_token(found, settings, environ))
    return _print_report(report, args.json, console)


def cmd_status(args: argparse.Namespace, settings: Settings, environ: Mapping[str, str],
               stdin: TextIO, console: Console) -> int:
    """Every stored source, which one wins, the winner's check, and the profiles found."""
    readings = sources.read_stored(environ, settings.env_file, settings.profile.token_key)
    winner = sources.winner_of(readings)
    blocking = _error_above_winner(readings, winner)
    report = asyncio.run(check_found_token(winner, settings, environ, readings=readings))
    found_profiles = _profiles_found(environ, settings)
    current = settings.profile.name
    if args.json:
        body = status_json(readings, report, found_profiles, current)
        console.out.write(json.dumps(body, indent=2) + "\n")
        console.err.write(summary_line(report, console.marks) + "\n")
    elif args.verbose:
        console.out.write(cli_status.render_verbose(readings, report, console.marks))
        console.out.write("\n" + render_profiles(found_profiles, current, console.marks))
    else:
        others = [listing.name for listing in found_profiles if listing.name != current]
        console.out.write(cli_status.render_short(readings, report, current, others,
                                                  console.marks))
    if blocking is not None:
        console.error(blocking)
        return EXIT_STORE if winner is None else report.exit_code
    return report.exit_code


def cmd_save(args: argparse.Namespace, settings: Settings, environ: Mapping[str, str],
             stdin: TextIO, console: Console) -> int:
    """Read a token, check it, and store it only if it works (or with --force)."""
    found = sources.from_stdin(_read_token_text(stdin, settings.timeout, console))
    report = asyncio.run(check_found_token(found, settings, environ))
    console.err.write(render_check(report, console.marks))
    if not report.ok and not args.force:
        console.err.write("Not saved: fix the problem above, or add --force to store it anyway.\n")
        return report.exit_code
    if not report.ok:
        console.err.write(f"{console.marks.warn} Saving anyway (--force), although the check "
                          "failed.\n")
    summary = _store(args.to, found, settings)
    console.err.write(f"{console.marks.ok} {summary}: {found.masked}.\n")
    _warn_if_shadowed(args.to, found, environ, settings, console)
    console.err.write("Restart your backend server so it reads the new token.\n")
    return EXIT_OK


def cmd_token(args: argparse.Namespace, settings: Settings, environ: Mapping[str, str],
              stdin: TextIO, console: Console) -> int:
    """Print the winning token, raw, for `export X=$(wa-token token)`."""
    found, error = sources.find_winner(environ, settings.env_file, settings.profile.token_key)
    if error is not None:
        console.error(error)
        return EXIT_STORE
    if found is None:
        console.err.write("No token found (environment, .env, keyring). Run `wa-token setup` "
                          "or `wa-token save`.\n")
        return EXIT_NO_TOKEN
    console.out.write(found.token.reveal() + "\n")
    return EXIT_OK


def cmd_forget(args: argparse.Namespace, settings: Settings, environ: Mapping[str, str],
               stdin: TextIO, console: Console) -> int:
    """Remove the stored token from `.env`, the keyring, or both."""
    stores = [args.source] if args.source else ["env", "keyring"]
    key = settings.profile.token_key
    where = " and ".join({"env": str(settings.env_file), "keyring": "the OS keyring"}[store]
                         for store in stores)
    if not args.yes and _isatty(stdin) and not confirm(
            f"Remove the {settings.profile.name} token from {where}?", stdin, console):
        console.say("Nothing was removed: you did not answer yes.")
        return EXIT_USAGE
    for store in stores:
        console.err.write(_forget_from(store, settings, explicit=bool(args.source)) + "\n")
    if environ.get(key):
        console.err.write(f"{console.marks.warn} {key} is still set in this shell's "
                          f"environment: `unset {key}`.\n")
    console.err.write(REVOKE_HINT + "\n")
    return EXIT_OK


COMMANDS: dict[str, Command] = {
    "setup": cmd_setup, "check": cmd_check, "status": cmd_status, "save": cmd_save,
    "token": cmd_token, "forget": cmd_forget, **cli_lifecycle.COMMANDS, **cli_fix.COMMANDS,
    **cli_provision.COMMANDS,
}


# -- helpers -------------------------------------------------------------------------------------

def _token_for_check(args: argparse.Namespace, settings: Settings, environ: Mapping[str, str],
                     stdin: TextIO) -> FoundToken | None:
    """stdin when asked for or piped, else the first stored source (exit 5 if one fails)."""
    if args.stdin == "-" or _is_pipe(stdin):
        text = read_limited(stdin, settings.timeout)
        if text.strip():
            return sources.from_stdin(text)
        if args.stdin == "-":
            raise EMPTY_STDIN
    found, error = sources.find_winner(environ, settings.env_file, settings.profile.token_key)
    if error is not None:
        raise error
    return found


def _report_malformed_paste(err: TokenFormatError, as_json: bool, console: Console) -> int:
    if as_json:
        finding = {"code": "token_malformed", "title": err.message, "fix": err.fix}
        console.out.write(json.dumps({"ok": False, "token": None, "whatsapp_business_accounts": [],
                                      "problems": [finding], "warnings": []}, indent=2) + "\n")
    console.err.write(render_error("The text on standard input is not an access token",
                                   err.message, err.fix, console.marks.bad))
    return EXIT_PROBLEM


def _report_empty_stdin(err: EmptyStdin, as_json: bool, console: Console) -> int:
    """`check -` with nothing on stdin: say so, not "no token anywhere" (exit 3)."""
    if as_json:
        finding = {"code": "token_missing", "title": err.message, "fix": err.fix}
        console.out.write(json.dumps({"ok": False, "token": None, "whatsapp_business_accounts": [],
                                      "problems": [finding], "warnings": []}, indent=2) + "\n")
    console.error(err)
    return EXIT_NO_TOKEN


def _print_report(report: CheckReport, as_json: bool, console: Console) -> int:
    if as_json:
        console.out.write(json.dumps(report_json(report), indent=2) + "\n")
        console.err.write(summary_line(report, console.marks) + "\n")
    else:
        console.out.write(render_check(report, console.marks))
    return report.exit_code


def _read_token_text(stdin: TextIO, timeout: float, console: Console) -> str:
    if _isatty(stdin):
        return ask_hidden("Paste the token (input is hidden), then press Enter: ", console)
    text = read_limited(stdin, timeout)
    if not text.strip():
        raise TokenFormatError(
            "Nothing was read from standard input" + (" (it is closed)." if stdin is None
                                                      else "."),
            fix="Pipe the token in: `printf '%s' \"$TOKEN\" | wa-token save`, or run "
            "`wa-token save` in a terminal to paste it at a hidden prompt.",
        )
    return text


def _store(target: str, found: FoundToken, settings: Settings) -> str:
    return store_token(target, found.token, settings.env_file, settings.profile).summary


def _warn_if_shadowed(target: str, found: FoundToken, environ: Mapping[str, str],
                      settings: Settings, console: Console) -> None:
    source = sources.KEYRING if target == "keyring" else sources.DOTENV
    for reading in sources.overriding_saved(source, found.token, environ, settings.env_file,
                                            settings.profile.token_key):
        console.err.write(
            f"{console.marks.warn} {sources.describe(reading.source, reading.location)} "
            "holds a different token and takes precedence over the one just saved; remove "
            "it so your server uses the new token.\n"
        )


def _forget_from(store: str, settings: Settings, *, explicit: bool) -> str:
    key = settings.profile.token_key
    if store == "env":
        removed = env_store.remove_env_token(settings.env_file, key)
        return (f"Removed the token from {settings.env_file}." if removed
                else f"No token in {settings.env_file}.")
    try:
        removed = keyring_store.remove_keyring_token(key)
    except KeyringUnavailable as err:
        if explicit:
            raise
        return f"Nothing removed from the OS keyring: it is not available here. {err.message}"
    profiles.record_in_index(settings.profile, stored=False)
    return ("Removed the token from the OS keyring." if removed
            else "No token in the OS keyring.")


def _profiles_found(environ: Mapping[str, str],
                    settings: Settings) -> tuple[profiles.ProfileListing, ...]:
    try:
        dotenv_keys = env_store.read_env_file(settings.env_file)
    except EnvFileError:
        dotenv_keys = {}
    return profiles.list_profiles(environ, dotenv_keys, profiles.read_profile_index())


def _error_above_winner(readings: list[sources.SourceReading],
                        winner: FoundToken | None) -> StoreError | None:
    for reading in readings:
        if winner is not None and reading.source == winner.source:
            return None
        if reading.error is not None:
            return reading.error
    return None


_isatty = isatty


def _is_pipe(stream: TextIO) -> bool:
    """True when stdin is a pipe or a file redirect, not a terminal, /dev/null or closed."""
    try:
        mode = os.fstat(stream.fileno()).st_mode
    except (AttributeError, ValueError, OSError):
        return not _isatty(stream) and hasattr(stream, "read") and stream is not sys.__stdin__
    return stat.S_ISFIFO(mode) or stat.S_ISREG(mode)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
