"""`wa-token register`: the two-step verification PIN from stdin or a hidden prompt, sent once."""

from __future__ import annotations

import argparse
import textwrap
from collections.abc import Mapping
from typing import TextIO

from wizard.cli.commands.common import Command, print_problem, stored_token
from wizard.cli.console import Console, ask_hidden, isatty
from wizard.cli.help_texts import GLOBAL_OPTIONS_NOTE
from wizard.cli.parser import SafeParser, SubParsers
from wizard.cli.render import _width
from wizard.cli.stdin import read_limited
from wizard.core import registration
from wizard.core.codes import ExitCode
from wizard.core.messaging import check_phone_number_id
from wizard.core.settings import PHONE_NUMBER_ID_VAR, Settings

DESCRIPTION = (
    "Register a phone number for the Cloud API with its 6-digit two-step\n"
    "verification PIN (POST /{phone-number-id}/register). The PIN comes from\n"
    "standard input or a hidden prompt, never from the command line. Meta allows\n"
    "10 attempts per number in 72 hours, a wrong PIN counts, and wa-token never\n"
    "retries a PIN by itself."
)
EXAMPLES = (
    "  wa-token register --phone-number-id 106540352242922\n"
    "  printf '%s' \"$PIN\" | wa-token register --phone-number-id 106540352242922"
)
PIN_NEVER_AN_ARGUMENT = (
    "wa-token register: the PIN is never taken from the command line (every user of the machine "
    "can read it there, and your shell history keeps it). Nothing was sent. Pipe it: "
    "`printf '%s' \"$PIN\" | wa-token register --phone-number-id ID`, or leave it out to be "
    "asked at a hidden prompt."
)


def add_parsers(commands: SubParsers, common: SafeParser) -> None:
    """register, with the global options after it too."""
    register = commands.add_parser(
        "register",
        parents=[common],
        help="register a phone number for the Cloud API (PIN from stdin or a hidden prompt)",
        description=DESCRIPTION,
        epilog=f"examples:\n{EXAMPLES}\n\n{GLOBAL_OPTIONS_NOTE}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    register.add_argument(
        "--phone-number-id",
        metavar="ID",
        help=f"the number's id (default {PHONE_NUMBER_ID_VAR}); `wa-token check` lists them",
    )
    # Only to refuse them without argparse echoing the value: a PIN on the command line.
    register.add_argument("--pin", nargs="?", const="", help=argparse.SUPPRESS)
    register.add_argument("stray", nargs="*", help=argparse.SUPPRESS)


def cmd_register(
    args: argparse.Namespace,
    settings: Settings,
    environ: Mapping[str, str],
    stdin: TextIO,
    console: Console,
) -> int:
    """Read the PIN (never argv), check its shape, send it once, turn a refusal into its fix."""
    if args.pin is not None or args.stray:
        console.say(
            textwrap.fill(PIN_NEVER_AN_ARGUMENT, width=max(40, _width()), break_on_hyphens=False)
        )
        return ExitCode.USAGE
    phone_id = check_phone_number_id(
        registration.check_usable_id(
            args.phone_number_id or settings.phone_number_id,
            settings.profile.var(PHONE_NUMBER_ID_VAR),
        )
    )
    found = stored_token(settings, environ, console)
    if found is None:
        return ExitCode.NO_TOKEN
    console.say(
        textwrap.fill(registration.ATTEMPTS_NOTE, width=max(40, _width()), break_on_hyphens=False)
    )
    pin = registration.read_pin(_pin_text(stdin, console, settings.timeout))
    console.say(f"Registering phone number id {phone_id} for the Cloud API…")
    outcome = registration.register_number(settings, found, phone_id, pin)
    if outcome.problem is not None:
        print_problem(outcome.problem, console)
        return outcome.exit_code
    done = (
        f"{console.marks.ok} Phone number id {phone_id} is registered for the Cloud API. "
        "Run `wa-token check` to see its status, then `wa-token send-test` to prove it sends."
    )
    console.say(
        textwrap.fill(done, width=max(40, _width()), subsequent_indent="  ", break_on_hyphens=False)
    )
    return ExitCode.OK


def _pin_text(stdin: TextIO, console: Console, timeout: float) -> str:
    """A pipe's text, else a hidden prompt on the terminal; neither is a usage error."""
    if isatty(stdin):
        return ask_hidden("Two-step verification PIN (6 digits; input is hidden): ", console)
    return read_limited(stdin, timeout)


COMMANDS: dict[str, Command] = {"register": cmd_register}
