"""check, status, save, token, forget and setup: the commands on one stored token."""

from __future__ import annotations

import argparse
import os
import stat
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, TextIO

from wizard.cli import render
from wizard.cli.commands.common import Command, stored_token, winning_token
from wizard.cli.console import Console, ask_hidden, ask_yes, isatty
from wizard.cli.jsonout import json_text
from wizard.cli.render import render_check, render_error, render_profiles, summary_line
from wizard.cli.stdin import EMPTY_STDIN, EmptyStdin, read_limited
from wizard.core import profiles
from wizard.core.check import (
    CheckReport,
    check_found_token,
    report_json,
    status_json,
    tokenless_json,
)
from wizard.core.codes import ExitCode, ProblemCode, StoreTarget
from wizard.core.errors import (
    KeyringUnavailable,
    SettingsError,
    StoreError,
    TokenFormatError,
    WaTokenError,
)
from wizard.core.settings import Settings
from wizard.core.stores import registry, sources
from wizard.core.stores.sources import FoundToken

if TYPE_CHECKING:
    from wizard.core.push.remembered import Remembered
    from wizard.core.stores.protocol import TokenStore

REVOKE_HINT = (
    "This does not revoke the token at Meta. To revoke it: Business Settings → Users → System "
    "Users → your system user → Revoke tokens (or remove the app in the user's settings)."
)


# -- commands -----------------------------------------------------------------------------------


def cmd_check(
    args: argparse.Namespace,
    settings: Settings,
    environ: Mapping[str, str],
    stdin: TextIO,
    console: Console,
) -> int:
    """Test one token, by the contract's precedence (or every profile's, --all-profiles)."""
    if args.all_profiles:
        if args.stdin == "-":
            raise SettingsError(
                "--all-profiles checks the stored tokens; it reads no token from standard input.",
                fix="Leave out `-`, or check the piped token alone: `wa-token check -`.",
            )
        return _check_fleet(settings, environ, console, as_json=args.json, status=False)
    try:
        found = _token_for_check(args, settings, environ, stdin)
    except TokenFormatError as err:
        return _report_malformed_paste(err, args.json, console)
    except EmptyStdin as err:
        return _report_empty_stdin(err, args.json, console)
    report = check_found_token(found, settings, environ)
    return _print_report(report, args.json, console)


def cmd_status(
    args: argparse.Namespace,
    settings: Settings,
    environ: Mapping[str, str],
    stdin: TextIO,
    console: Console,
) -> int:
    """Every stored source, which one wins, the winner's check, and the profiles found."""
    if args.all_profiles:
        return _check_fleet(settings, environ, console, as_json=args.json, status=True)
    readings = sources.read_stored(environ, settings.env_file, settings.profile.token_key)
    winner = sources.winner_of(readings)
    blocking = (
        sources.error_above(readings, winner)
        if winner is not None
        else sources.unreadable_store(readings, settings.profile.token_key, settings.env_file)
    )
    report = check_found_token(winner, settings, environ, readings=readings)
    found_profiles = _profiles_found(environ, settings, readings)
    current = settings.profile.name
    pushed, unreadable = _remembered_destinations(environ, settings)
    if args.json:
        body = status_json(readings, report, found_profiles, current)
        body["destinations"] = _destinations_json(pushed)
        console.out.write(json_text(body) + "\n")
        console.err.write(summary_line(report, console.marks) + "\n")
    elif args.verbose:
        console.out.write(render.render_verbose(readings, report, console.marks))
        console.out.write("\n" + render_profiles(found_profiles, current, console.marks))
        _print_destinations(pushed, console)
    else:
        others = [listing.name for listing in found_profiles if listing.name != current]
        short = render.render_short(readings, report, current, others, console.marks)
        console.out.write(short.removesuffix(render.MORE + "\n"))
        _print_destinations(pushed, console)
        if short.endswith(render.MORE + "\n"):
            console.out.write(render.MORE + "\n")
    if unreadable is not None:
        console.error(unreadable)
    if blocking is not None:
        console.error(blocking)
        return ExitCode.STORE if winner is None else report.exit_code
    return report.exit_code


def cmd_save(
    args: argparse.Namespace,
    settings: Settings,
    environ: Mapping[str, str],
    stdin: TextIO,
    console: Console,
) -> int:
    """Read a token, check it, and store it only if it works (or with --force); then send it
    to the remembered destinations and those of --push and --then."""
    from wizard.cli.commands.push import given_destinations, push_after_store

    given = given_destinations(args)  # a bad --push or --then: exit 2 before anything is read
    found = sources.from_stdin(_read_token_text(stdin, settings.timeout, console))
    report = check_found_token(found, settings, environ)
    console.err.write(render_check(report, console.marks))
    if not report.ok and not args.force:
        console.err.write("Not saved: fix the problem above, or add --force to store it anyway.\n")
        return report.exit_code
    if not report.ok:
        console.err.write(
            f"{console.marks.warn} Saving anyway (--force), although the check failed.\n"
        )
    summary = _store(args.to, found, settings)
    console.err.write(f"{console.marks.ok} {summary}: {found.masked}.\n")
    _warn_if_shadowed(args.to, found, environ, settings, console)
    console.err.write("Restart your backend server so it reads the new token.\n")
    if not report.ok:
        if given:
            console.say("Not sent to any destination: the token did not pass the check.")
        return ExitCode.OK
    return push_after_store(given, found.token, settings, environ, console)


def cmd_token(
    args: argparse.Namespace,
    settings: Settings,
    environ: Mapping[str, str],
    stdin: TextIO,
    console: Console,
) -> int:
    """Print the winning token, raw, for `export X=$(wa-token token)`."""
    found = stored_token(settings, environ, console)  # a failing source above it: exit 5
    if found is None:
        return ExitCode.NO_TOKEN
    console.out.write(found.token.reveal() + "\n")
    return ExitCode.OK


def cmd_forget(
    args: argparse.Namespace,
    settings: Settings,
    environ: Mapping[str, str],
    stdin: TextIO,
    console: Console,
) -> int:
    """Remove the stored token from `.env`, the keyring, or both."""
    stores = [registry.store_for(args.source)] if args.source else list(registry.STORES)
    key = settings.profile.token_key
    where = " and ".join(store.named(settings.env_file) for store in stores)
    question = f"Remove the {settings.profile.name} token from {where}?"
    asking = {"not_done": "Nothing was removed", "why": "removing the token"}
    if _isatty(stdin) and not ask_yes(question, args.yes, stdin, console, **asking):
        return ExitCode.USAGE  # without a terminal it removes without asking, as scripts expect
    for store in stores:
        console.err.write(_forget_from(store, settings, explicit=bool(args.source)) + "\n")
    if environ.get(key):
        console.err.write(
            f"{console.marks.warn} {key} is still set in this shell's environment: `unset {key}`.\n"
        )
    console.err.write(REVOKE_HINT + "\n")
    return ExitCode.OK


COMMANDS: dict[str, Command] = {
    "check": cmd_check,
    "status": cmd_status,
    "save": cmd_save,
    "token": cmd_token,
    "forget": cmd_forget,
}


# -- helpers -------------------------------------------------------------------------------------


def _check_fleet(
    settings: Settings,
    environ: Mapping[str, str],
    console: Console,
    *,
    as_json: bool,
    status: bool,
) -> int:
    """--all-profiles: every profile side by side; one block each, then the failing ones."""
    from wizard.core.fleet import check_profiles, fleet_json  # only --all-profiles needs it

    fleet = check_profiles(settings, environ, status=status)
    if as_json:
        console.out.write(json_text(fleet_json(fleet, status=status)) + "\n")
        console.err.write(render.fleet_summary(fleet, console.marks) + "\n")
    else:
        console.out.write(render.render_fleet(fleet, console.marks))
    return fleet.exit_code


def _token_for_check(
    args: argparse.Namespace, settings: Settings, environ: Mapping[str, str], stdin: TextIO
) -> FoundToken | None:
    """stdin when asked for or piped, else the first stored source (exit 5 if one fails)."""
    if args.stdin == "-" or _is_pipe(stdin):
        text = read_limited(stdin, settings.timeout)
        if text.strip():
            return sources.from_stdin(text)
        if args.stdin == "-":
            raise EMPTY_STDIN
    return winning_token(settings, environ)


def _write_tokenless_json(code: ProblemCode, err: WaTokenError, console: Console) -> None:
    """The check object for a run that never had a token to check: one problem, no token."""
    console.out.write(json_text(tokenless_json(code, err.message, err.fix)) + "\n")


def _report_malformed_paste(err: TokenFormatError, as_json: bool, console: Console) -> int:
    if as_json:
        _write_tokenless_json(ProblemCode.TOKEN_MALFORMED, err, console)
    console.err.write(
        render_error(
            "The text on standard input is not an access token",
            err.message,
            err.fix,
            console.marks.bad,
        )
    )
    return ExitCode.PROBLEM


def _report_empty_stdin(err: EmptyStdin, as_json: bool, console: Console) -> int:
    """`check -` with nothing on stdin: say so, not "no token anywhere" (exit 3)."""
    if as_json:
        _write_tokenless_json(ProblemCode.TOKEN_MISSING, err, console)
    console.error(err)
    return ExitCode.NO_TOKEN


def _print_report(report: CheckReport, as_json: bool, console: Console) -> int:
    if as_json:
        console.out.write(json_text(report_json(report)) + "\n")
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
            "Nothing was read from standard input" + (" (it is closed)." if stdin is None else "."),
            fix="Pipe the token in: `printf '%s' \"$TOKEN\" | wa-token save`, or run "
            "`wa-token save` in a terminal to paste it at a hidden prompt.",
        )
    return text


def _store(target: str, found: FoundToken, settings: Settings) -> str:
    from wizard.core.stores.save import store_token  # only `save` writes

    return store_token(
        StoreTarget(target), found.token, settings.env_file, settings.profile
    ).summary


def _warn_if_shadowed(
    target: str, found: FoundToken, environ: Mapping[str, str], settings: Settings, console: Console
) -> None:
    for reading in sources.overriding_saved(
        registry.store_for(target).source,
        found.token,
        environ,
        settings.env_file,
        settings.profile.token_key,
    ):
        console.err.write(
            f"{console.marks.warn} {sources.describe(reading.source, reading.location)} "
            "holds a different token and takes precedence over the one just saved; remove "
            "it so your server uses the new token.\n"
        )


def _forget_from(store: TokenStore, settings: Settings, *, explicit: bool) -> str:
    place = store.named(settings.env_file)
    try:
        removed = store.remove(settings.env_file, settings.profile)
    except KeyringUnavailable as err:
        if explicit:
            raise
        return f"Nothing removed from {place}: it is not available here. {err.message}"
    return f"Removed the token from {place}." if removed else f"No token in {place}."


def _profiles_found(
    environ: Mapping[str, str], settings: Settings, readings: list[sources.SourceReading]
) -> tuple[profiles.ProfileListing, ...]:
    return registry.profiles_found(environ, settings.env_file, readings)


def _remembered_destinations(
    environ: Mapping[str, str], settings: Settings
) -> tuple[tuple[Remembered, ...], StoreError | None]:
    """The profile's remembered destinations with their last push, or why they cannot be read."""
    from wizard.core.push import remembered

    try:
        return remembered.remembered(environ, settings.profile), None
    except StoreError as err:
        return (), err


def _destinations_json(entries: tuple[Remembered, ...]) -> list[dict[str, object]]:
    from wizard.cli.commands.push import destinations_json

    return destinations_json(entries)


def _print_destinations(entries: tuple[Remembered, ...], console: Console) -> None:
    """`status`: each remembered destination with the time and result of its last push."""
    if not entries:
        return
    from wizard.cli.commands.push import destination_lines

    console.out.write("  Destinations (wa-token push):\n")
    console.out.write("\n".join(destination_lines(entries, console)) + "\n")


_isatty = isatty


def _is_pipe(stream: TextIO) -> bool:
    """True when stdin is a pipe or a file redirect, not a terminal, /dev/null or closed."""
    try:
        mode = os.fstat(stream.fileno()).st_mode
    except (AttributeError, ValueError, OSError):
        return not _isatty(stream) and hasattr(stream, "read") and stream is not sys.__stdin__
    return stat.S_ISFIFO(mode) or stat.S_ISREG(mode)
