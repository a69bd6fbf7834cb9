"""`wa-token push`, and `--then` / `--push` after save, extend, refresh and provision."""

from __future__ import annotations

import argparse
import shutil
import textwrap
from collections.abc import Mapping, Sequence
from typing import TextIO

from wizard.cli import parser
from wizard.cli.commands.common import Command, stored_token
from wizard.cli.console import Console
from wizard.cli.jsonout import json_text
from wizard.cli.parser import SafeParser, SubParsers
from wizard.core.codes import ExitCode, PushState
from wizard.core.errors import SettingsError
from wizard.core.push import remembered
from wizard.core.push.deliver import (
    OLD_TOKEN_KEPT,
    destination_named,
    every_destination,
    from_command_line,
    push_token,
)
from wizard.core.push.destination import Delivery, Destination, PushReport, PushResult
from wizard.core.push.hook import HOOK_PREFIX
from wizard.core.settings import Settings
from wizard.core.token import SecretToken

ACTIONS = ("add", "list", "remove")


def add_parsers(commands: SubParsers, common: SafeParser) -> None:
    """push [add|list|remove] [TARGET] [--then CMD] [--push TARGET] [--json]."""
    push = parser.add_command(commands, "push", common)
    push.add_argument(
        "action", nargs="?", choices=ACTIONS, help="add, list or remove (none: push now)"
    )
    push.add_argument("target", nargs="?", metavar="TARGET", help="github:OWNER/REPO[/ENVIRONMENT]")
    parser.add_push_options(push)
    push.add_argument("--json", action="store_true", help="`push list` as JSON on stdout")


def given_destinations(args: argparse.Namespace) -> tuple[Destination, ...]:
    """--push and --then of this command line, checked before anything is done (exit 2)."""
    return from_command_line(getattr(args, "push", None) or (), getattr(args, "then", None) or ())


def push_after_store(
    given: Sequence[Destination],
    token: SecretToken,
    settings: Settings,
    environ: Mapping[str, str],
    console: Console,
) -> int:
    """After a new token was checked and stored: send it to the remembered destinations and
    those given (--push, --then); 0, or 5 when one failed (the local store is kept)."""
    return push_report_after_store(given, token, settings, environ, console).exit_code


def push_report_after_store(
    given: Sequence[Destination],
    token: SecretToken,
    settings: Settings,
    environ: Mapping[str, str],
    console: Console,
) -> PushReport:
    """`push_after_store`, with every destination's result (none: an empty report)."""
    destinations = every_destination(environ, settings.profile, given)
    if not destinations:
        return PushReport()
    return _push(destinations, token, settings, environ, console)


def pushes_json(report: PushReport) -> list[dict[str, object]]:
    """The `pushes` list of `provision --json`: each destination's result, in the order run."""
    return [
        {
            "destination": result.label,
            "kind": result.kind.value,
            "result": result.state.value,
            "detail": result.detail,
            "fix": result.fix,
            "at": remembered.now_text(result.at),
        }
        for result in report.results
    ]


def _push(
    destinations: Sequence[Destination],
    token: SecretToken,
    settings: Settings,
    environ: Mapping[str, str],
    console: Console,
) -> PushReport:
    delivery = Delivery(token, settings.profile, environ, settings.timeout)
    console.say(f"Sending {token.masked} to {len(destinations)} destination(s):")
    report = push_token(delivery, destinations, on_result=lambda r: _print_result(r, console))
    if not report.ok:
        summary = (
            f"{console.marks.warn} {len(report.failed)} of {len(report.results)} destination(s) "
            "did not take the token; it is stored here all the same. " + OLD_TOKEN_KEPT
        )
        console.say("\n".join(_wrapped(summary, "", "  ")))
    return report


def _print_result(result: PushResult, console: Console) -> None:
    mark = console.marks.ok if result.ok else console.marks.bad
    head, *tail = result.detail.split("\n")  # a hook's stderr tail keeps its own lines
    lines = _wrapped(f"{mark} {result.label}: {head}", "  ", "    ")
    lines += [f"      {line.strip()}" for line in tail]
    if result.fix:
        lines += _wrapped(f"{console.marks.arrow} {result.fix}", "    ", "      ")
    console.say("\n".join(lines))


def _wrapped(text: str, first: str, rest: str) -> list[str]:
    """`text` wrapped to the terminal's width (at most 110 columns), never inside a word."""
    width = max(40, min(shutil.get_terminal_size((100, 24)).columns, 110) - 1)
    return textwrap.wrap(
        text,
        width=width,
        initial_indent=first,
        subsequent_indent=rest,
        break_on_hyphens=False,
        break_long_words=False,
    ) or [first.rstrip()]


def cmd_push(
    args: argparse.Namespace,
    settings: Settings,
    environ: Mapping[str, str],
    stdin: TextIO,
    console: Console,
) -> int:
    """Push the stored token now, or add, list or remove a remembered destination."""
    if args.action == "add":
        return _add(args, settings, environ, console)
    if args.action == "remove":
        return _remove(args, settings, environ, console)
    if args.action == "list":
        return _list(args, settings, environ, console)
    if args.target:
        raise SettingsError(
            "`wa-token push` takes no destination by itself.",
            fix="Remember it with `wa-token push add TARGET`, or send once with --push TARGET.",
        )
    return _push_now(args, settings, environ, console)


def _push_now(
    args: argparse.Namespace, settings: Settings, environ: Mapping[str, str], console: Console
) -> int:
    destinations = every_destination(environ, settings.profile, given_destinations(args))
    if not destinations:
        console.say(
            f"No destination is remembered for the profile {settings.profile.name}. Add one: "
            "`wa-token push add github:OWNER/REPO` or `wa-token push add --then CMD`."
        )
        return ExitCode.USAGE
    found = stored_token(settings, environ, console)
    if found is None:
        return ExitCode.NO_TOKEN
    from wizard.core.check import check_found_token  # only a push that runs needs the check

    report = check_found_token(found, settings, environ)
    if not report.ok:
        from wizard.cli.render import render_check

        console.err.write(render_check(report, console.marks))
        console.say("Nothing was sent: the stored token does not pass the check.")
        return report.exit_code
    return _push(destinations, found.token, settings, environ, console).exit_code


def _one_target(args: argparse.Namespace, verb: str) -> str:
    """`TARGET` or `--then CMD` (exactly one) as a destination's name."""
    hooks = args.then or []
    if args.push:
        raise SettingsError(
            f"`push {verb}` takes the destination itself, not --push.",
            fix=f"For example `wa-token push {verb} github:acme/shop`.",
        )
    if bool(args.target) + len(hooks) != 1:
        raise SettingsError(
            f"`push {verb}` takes one destination: github:OWNER/REPO[/ENVIRONMENT], or --then CMD.",
            fix=f"For example `wa-token push {verb} github:acme/shop` or "
            f"`wa-token push {verb} --then 'gh secret set \"$WA_TOKEN_VARIABLE\"'`.",
        )
    label = args.target or HOOK_PREFIX + hooks[0]
    return destination_named(label).label


def _add(
    args: argparse.Namespace, settings: Settings, environ: Mapping[str, str], console: Console
) -> int:
    label = _one_target(args, "add")
    added = remembered.add(environ, settings.profile, label)
    where = remembered.config_file(environ)
    console.say(
        (f"Remembered {label}" if added else f"{label} was already remembered")
        + f" for the profile {settings.profile.name} (in {where})."
    )
    console.say(
        "`wa-token refresh` sends each new token there; `wa-token push` sends the stored one now."
    )
    return ExitCode.OK


def _remove(
    args: argparse.Namespace, settings: Settings, environ: Mapping[str, str], console: Console
) -> int:
    label = _one_target(args, "remove")
    if remembered.remove(environ, settings.profile, label):
        console.say(f"Forgot {label} (profile {settings.profile.name}); nothing was changed there.")
        return ExitCode.OK
    console.say(f"{label} is not remembered for the profile {settings.profile.name}.")
    return ExitCode.USAGE


def _list(
    args: argparse.Namespace, settings: Settings, environ: Mapping[str, str], console: Console
) -> int:
    entries = remembered.remembered(environ, settings.profile)
    if args.json:
        console.out.write(json_text(destinations_json(entries)) + "\n")
        return ExitCode.OK
    if not entries:
        console.say(f"No destination is remembered for the profile {settings.profile.name}.")
        return ExitCode.OK
    console.out.write("\n".join(destination_lines(entries, console)) + "\n")
    return ExitCode.OK


def destination_lines(entries: Sequence[remembered.Remembered], console: Console) -> list[str]:
    """One line a destination: its name, when it was last pushed and how that went (and the
    first sentence of why, for a failure)."""
    lines = []
    for entry in entries:
        if entry.last is None:
            lines.append(f"    {entry.label}: never pushed yet")
            continue
        mark = {PushState.OK: console.marks.ok, PushState.PENDING: console.marks.warn}.get(
            entry.last.state, console.marks.bad
        )
        when = entry.last.at.replace("T", " ").replace("Z", " UTC")
        line = f"  {mark} {entry.label}: {entry.last.state} at {when}"
        if entry.last.state is PushState.OK:
            lines.append(line)
            continue
        lines.append(line + " (`wa-token push` sends it again)")
        first = entry.last.detail.split(". ")[0].splitlines()[0] if entry.last.detail else ""
        lines.append(f"      {first[:200]}")
    return lines


def destinations_json(entries: Sequence[remembered.Remembered]) -> list[dict[str, object]]:
    """The `destinations` list of `push list --json` and `status --json`."""
    return [
        {
            "destination": entry.label,
            "last_push": None
            if entry.last is None
            else {
                "at": entry.last.at,
                "result": entry.last.state.value,
                "detail": entry.last.detail,
            },
        }
        for entry in entries
    ]


COMMANDS: dict[str, Command] = {"push": cmd_push}
