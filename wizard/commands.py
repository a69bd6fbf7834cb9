"""The `wa-token` commands: argparse in front of the core; Textual is imported only for the wizard."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import stat
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TextIO

from wizard import __version__, cli_fix, cli_lifecycle, cli_provision
from wizard.console import Console, ask_hidden, isatty
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
from wizard.core.token import MAX_TOKEN_LENGTH
from wizard.text_report import (
    render_check,
    render_error,
    render_profiles,
    render_status,
    summary_line,
)

__all__ = ["COMMANDS", "Console", "build_parser", "exit_code_for", "main"]

EXIT_INTERRUPTED = 130
STDIN_LIMIT = MAX_TOKEN_LENGTH * 16
"""Read at most this much of standard input: enough to say "far too long", never a whole disk."""

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
    common = argparse.ArgumentParser(add_help=False)
    _add_global_options(common, suppress=True)
    parser = argparse.ArgumentParser(
        prog="wa-token",
        description="Get a permanent WhatsApp Cloud API token, prove it works, store it safely.",
        epilog="Exit codes: 0 ok, 1 token problem, 2 usage, 3 no token, 4 Graph unreachable, "
        "5 storage failed, 130 interrupted. A token is never accepted as an argument: pipe it "
        "on standard input.",
    )
    _add_global_options(parser, suppress=False)
    parser.add_argument("--version", action="version", version=f"wa-token {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    setup = commands.add_parser("setup", parents=[common], help="the interactive wizard")
    setup.add_argument("--mode", choices=("onboard", "expired", "troubleshoot"))

    check = commands.add_parser("check", parents=[common], help="test the token against Graph")
    check.add_argument("--json", action="store_true", help="JSON on stdout")
    check.add_argument("--warn-days", type=int, metavar="N",
                       help="warn when the token expires within N days (default 7)")
    check.add_argument("stdin", nargs="?", choices=("-",), help="read the token from stdin")

    status = commands.add_parser("status", parents=[common],
                                 help="where tokens are stored, which wins, and its check")
    status.add_argument("--json", action="store_true", help="JSON on stdout")

    save = commands.add_parser("save", parents=[common],
                               help="read a token from stdin, check it, store it")
    save.add_argument("--to", choices=("env", "keyring"), default="env",
                      help="where to store it (default env: the .env file)")
    save.add_argument("--force", action="store_true", help="store even if the check fails")
    save.add_argument("stdin", nargs="?", choices=("-",), help="read the token from stdin")

    commands.add_parser("token", parents=[common], help="print the winning token, raw")

    forget = commands.add_parser("forget", parents=[common], help="remove the stored token")
    forget.add_argument("--from", dest="source", choices=("env", "keyring"),
                        help="only this store (default: both)")

    cli_lifecycle.add_parsers(commands, common)
    cli_fix.add_parsers(commands, common)
    cli_provision.add_parsers(commands, common)
    return parser


def _add_global_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument("--graph-url", metavar="URL", default=default,
                        help="Graph API base URL (env WHATSAPP_GRAPH_URL)")
    parser.add_argument("--graph-version", metavar="vNN.N", default=default,
                        help="Graph API version (env WHATSAPP_GRAPH_API_VERSION)")
    parser.add_argument("--env-file", metavar="PATH", type=Path, default=default,
                        help="the .env file (default ./.env)")
    parser.add_argument("--timeout", metavar="SECONDS", type=float, default=default,
                        help="seconds to wait for each Graph answer (default 10)")
    parser.add_argument("--profile", metavar="NAME", default=default,
                        help="which app's token (env WA_TOKEN_PROFILE, default `default`)")


def main(
    argv: Sequence[str] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run one command and return its exit code."""
    console = Console(stdout or sys.stdout, stderr or sys.stderr)
    args = build_parser().parse_args(argv)
    environ = os.environ if environ is None else environ
    stdin = stdin or sys.stdin
    try:
        settings = _settings(args, environ)
        return COMMANDS[args.command or "setup"](args, settings, environ, stdin, console)
    except KeyboardInterrupt:
        console.err.write("\nInterrupted; nothing more was changed.\n")
        return EXIT_INTERRUPTED
    except SettingsError as err:
        console.error(err)
        return EXIT_USAGE
    except WaTokenError as err:
        console.error(err)
        return exit_code_for(err)
    except Exception as exc:  # a bug: say so without a traceback that could carry a secret
        if environ.get("WA_TOKEN_DEBUG"):
            raise
        console.err.write(f"{console.marks.bad} wa-token hit an unexpected error "
                          f"({type(exc).__name__}). Set WA_TOKEN_DEBUG=1 to see the traceback, "
                          "and please report it.\n")
        return EXIT_PROBLEM


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

    outcome = make_app(settings, environ, mode=getattr(args, "mode", None)).run()
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
    else:
        console.out.write(render_status(readings, report, console.marks))
        console.out.write("\n" + render_profiles(found_profiles, current, console.marks))
    if blocking is not None:
        console.error(blocking)
        return EXIT_STORE if winner is None else report.exit_code
    return report.exit_code


def cmd_save(args: argparse.Namespace, settings: Settings, environ: Mapping[str, str],
             stdin: TextIO, console: Console) -> int:
    """Read a token, check it, and store it only if it works (or with --force)."""
    found = sources.from_stdin(_read_token_text(stdin, console))
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
        text = _read_limited(stdin)
        if text.strip() or args.stdin == "-":
            return sources.from_stdin(text) if text.strip() else None
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


def _print_report(report: CheckReport, as_json: bool, console: Console) -> int:
    if as_json:
        console.out.write(json.dumps(report_json(report), indent=2) + "\n")
        console.err.write(summary_line(report, console.marks) + "\n")
    else:
        console.out.write(render_check(report, console.marks))
    return report.exit_code


def _read_token_text(stdin: TextIO, console: Console) -> str:
    if _isatty(stdin):
        return ask_hidden("Paste the token (input is hidden), then press Enter: ", console)
    text = _read_limited(stdin)
    if not text.strip():
        raise TokenFormatError(
            "Nothing was read from standard input.",
            fix="Pipe the token in: `printf '%s' \"$TOKEN\" | wa-token save`, or run "
            "`wa-token save` in a terminal to paste it at a hidden prompt.",
        )
    return text


def _read_limited(stdin: TextIO) -> str:
    """At most STDIN_LIMIT characters; bytes that are not UTF-8 are a format error."""
    buffer = getattr(stdin, "buffer", None)
    if buffer is None:
        return stdin.read(STDIN_LIMIT)
    data = buffer.read(STDIN_LIMIT)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TokenFormatError(
            "Standard input is not text (it is not valid UTF-8).",
            fix="Pipe only the token itself: `printf '%s' \"$TOKEN\" | wa-token save`.",
        ) from None


def _store(target: str, found: FoundToken, settings: Settings) -> str:
    return store_token(target, found.token, settings.env_file, settings.profile).summary


def _warn_if_shadowed(target: str, found: FoundToken, environ: Mapping[str, str],
                      settings: Settings, console: Console) -> None:
    key = settings.profile.token_key
    higher = [sources.read_environment(environ, key)]
    if target == "keyring":
        higher.append(sources.read_dotenv(settings.env_file, key))
    for reading in higher:
        if reading.token is not None and reading.token != found.token:
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
        return f"The OS keyring is not available here ({err.message}); nothing removed there."
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
