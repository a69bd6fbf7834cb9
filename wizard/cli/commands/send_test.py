"""`wa-token send-test`: hello_world to one number after an explicit yes (argparse, printing)."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import TextIO

from wizard.cli import parser
from wizard.cli.commands.common import Command, print_problem, stored_token
from wizard.cli.console import Console, ask_yes, can_ask
from wizard.cli.parser import SafeParser, SubParsers
from wizard.cli.render import render_check
from wizard.core import messaging
from wizard.core.check import check_found_token
from wizard.core.codes import ExitCode
from wizard.core.graph import PhoneNumber
from wizard.core.settings import Settings
from wizard.core.stores.sources import FoundToken


def add_parsers(commands: SubParsers, common: SafeParser) -> None:
    """send-test, with the global options after it too."""
    send = parser.add_command(commands, "send-test", common)
    send.add_argument(
        "--to",
        required=True,
        metavar="+NUMBER",
        help="the recipient, in international format (e.g. +15551234567)",
    )
    send.add_argument(
        "--phone-number-id",
        metavar="ID",
        help="the sending number's id (default WHATSAPP_PHONE_NUMBER_ID, or the "
        "only number the token reaches)",
    )
    send.add_argument(
        "--yes",
        action="store_true",
        help="send without asking (required when there is no terminal)",
    )


def cmd_send_test(
    args: argparse.Namespace,
    settings: Settings,
    environ: Mapping[str, str],
    stdin: TextIO,
    console: Console,
) -> int:
    """Send hello_world to one number after an explicit yes, and report the message id."""
    to = messaging.recipient_digits(args.to)
    wanted = (
        messaging.check_phone_number_id(args.phone_number_id)
        if args.phone_number_id
        else settings.phone_number_id
    )
    asking = {"not_done": "Not sent", "why": "send-test sends a real WhatsApp message"}
    if not can_ask(args.yes, stdin, console, **asking):  # before the token and Graph are read
        return ExitCode.USAGE
    found = stored_token(settings, environ, console)
    if found is None:
        return ExitCode.NO_TOKEN
    sender = _sender(settings, environ, found, wanted, console)
    if isinstance(sender, int):
        return sender
    question = f"Send the hello_world template from {messaging.describe_sender(sender)} to +{to}?"
    if not ask_yes(question, args.yes, stdin, console, **asking):
        return ExitCode.USAGE
    outcome = messaging.send_hello_world(settings, found, sender.id, to)
    if outcome.sent is None:
        print_problem(outcome.problem, console)
        console.say("Nothing was sent.")
        return outcome.exit_code
    console.say(
        f"{console.marks.ok} Graph accepted the hello_world message to +{to} from "
        f"{messaging.describe_sender(sender)}. Accepted is not delivered: check that "
        "phone."
    )
    console.out.write(f"{outcome.sent.message_id}\n")
    return ExitCode.OK


def _sender(
    settings: Settings,
    environ: Mapping[str, str],
    found: FoundToken,
    wanted: str | None,
    console: Console,
) -> PhoneNumber | int:
    """The number to send from; without an id, the check lists them (or an exit code)."""
    if wanted:
        return PhoneNumber(id=wanted)
    report = check_found_token(found, settings, environ)
    if not report.ok:
        console.err.write(render_check(report, console.marks))
        console.say("Nothing was sent: the token does not work.")
        return report.exit_code
    choice = messaging.choose_sender(report.graph.accounts, None)
    if choice.phone is not None:
        return choice.phone
    console.say(
        "The token reaches several numbers; choose the sender with --phone-number-id "
        "(or set WHATSAPP_PHONE_NUMBER_ID):"
    )
    for number in choice.candidates:
        console.say(f"  --phone-number-id {number.id}   {messaging.describe_sender(number)}")
    return ExitCode.USAGE


COMMANDS: dict[str, Command] = {"send-test": cmd_send_test}
