"""`wa-token provision`: argparse around the core's provision use case, and its course."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import TextIO

from wizard.cli.commands.common import Command
from wizard.cli.commands.provision_prompts import (
    admin_token,
    choose,
    choose_accounts,
    confirmed,
    read_request,
)
from wizard.cli.commands.provision_render import (
    print_outcome,
    print_plan,
    print_refusal,
    progress,
    write_json,
)
from wizard.cli.console import Console, isatty
from wizard.cli.parser import SafeParser, SubParsers, add_push_options
from wizard.core import provision as pv
from wizard.core.codes import ExitCode, StoreTarget
from wizard.core.errors import SettingsError
from wizard.core.push.destination import PushReport
from wizard.core.settings import Settings
from wizard.core.token import SecretToken
from wizard.core.variables import APP_ID_VAR


def add_parsers(commands: SubParsers, common: SafeParser) -> None:
    """`provision` and its flags (the contract's table)."""
    p = commands.add_parser(
        "provision",
        parents=[common],
        help="create or reuse the System User, give it the app and the WhatsApp account, "
        "generate, check and store its token (from a business admin's token on stdin)",
    )
    p.add_argument("--business-id", metavar="ID", help="the business portfolio to use")
    p.add_argument(
        "--waba-id", metavar="ID", help="the WhatsApp Business Account to assign (`all`: every one)"
    )
    p.add_argument(
        "--system-user",
        metavar="NAME",
        default=pv.DEFAULT_SYSTEM_USER,
        help=f"the System User's name (default {pv.DEFAULT_SYSTEM_USER}; reused if it exists)",
    )
    p.add_argument(
        "--role",
        choices=[r.value for r in pv.Role],
        default=pv.Role.EMPLOYEE.value,
        help="its role (default employee: least privilege)",
    )
    p.add_argument(
        "--expires",
        choices=[e.value for e in pv.Expiry],
        default=pv.Expiry.NEVER.value,
        help="never (default) or 60d (set_token_expires_in_60_days)",
    )
    p.add_argument(
        "--to",
        choices=tuple(StoreTarget),
        default=StoreTarget.ENV,
        help="where to store the token (default env: the .env file)",
    )
    p.add_argument("--plan", action="store_true", help="show the plan and stop (nothing is sent)")
    p.add_argument("--yes", action="store_true", help="carry the plan out without asking")
    p.add_argument(
        "--json",
        action="store_true",
        help="the plan, each step's outcome and the check, as JSON on stdout",
    )
    p.add_argument("--app-id", metavar="ID", help=f"the app's id (env {APP_ID_VAR})")
    add_push_options(p)


def cmd_provision(
    args: argparse.Namespace,
    settings: Settings,
    environ: Mapping[str, str],
    stdin: TextIO,
    console: Console,
) -> int:
    """Read the admin token, find the business, show the plan, and after a yes carry it out."""
    from wizard.cli.commands.push import given_destinations

    given_destinations(args)  # a bad --push or --then: exit 2 before the admin token is read
    interactive = isatty(stdin) and isatty(console.err)
    admin = admin_token(stdin, console, interactive, settings.timeout)
    request = read_request(args, settings, console, interactive)
    try:
        return _provision(args, settings, environ, stdin, console, admin, request, interactive)
    except pv.ProvisionRefused as err:
        print_refusal(err.refusal, console, done=())
        if args.json:
            write_json(console, None, None, err.refusal)
        console.say(pv.ADMIN_NOT_STORED)
        return err.refusal.exit_code
    except ValueError as err:
        raise SettingsError(
            f"{str(err).capitalize()}.", fix="See `wa-token provision --help`."
        ) from None


def _provision(
    args: argparse.Namespace,
    settings: Settings,
    environ: Mapping[str, str],
    stdin: TextIO,
    console: Console,
    admin: SecretToken,
    request: pv.Request,
    interactive: bool,
) -> int:
    businesses = pv.find_businesses(settings, admin)
    business = choose(
        businesses, args.business_id, "--business-id", "business", stdin, console, interactive
    )
    accounts = pv.find_accounts(settings, admin, business.id)
    chosen = choose_accounts(accounts, args.waba_id, stdin, console, interactive)
    existing = pv.existing_token(settings, request.target)
    plan = pv.make_plan(settings, admin, request, business, chosen, existing=existing)
    print_plan(plan, console)
    if args.plan:
        if args.json:
            write_json(console, plan, None, None)
        console.say("Nothing was sent (--plan). " + pv.ADMIN_NOT_STORED)
        return ExitCode.OK
    if plan.writes_at_meta and not confirmed(args, stdin, console):
        console.say(pv.ADMIN_NOT_STORED)
        return ExitCode.USAGE
    outcome = pv.carry_out(
        settings, environ, admin, plan, existing=existing, on_progress=progress(console)
    )
    print_outcome(outcome, console)
    console.say(pv.ADMIN_NOT_STORED)
    from wizard.cli.commands.push import given_destinations, push_report_after_store

    pushed = PushReport()
    if outcome.ok and outcome.token is not None:
        given = given_destinations(args)
        pushed = push_report_after_store(given, outcome.token, settings, environ, console)
    if args.json:
        write_json(console, plan, outcome, outcome.refusal, pushed)
    return pushed.exit_code if outcome.ok and outcome.token is not None else outcome.exit_code


COMMANDS: dict[str, Command] = {"provision": cmd_provision}
