"""`wa-token extend` and `refresh`: trade the token for a ~60-day one (argparse and printing)."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TextIO

from wizard.cli import parser
from wizard.cli.commands.common import (
    Command,
    add_expiring_within,
    days_option,
    fail,
    print_problem,
    token_to_replace,
)
from wizard.cli.commands.push import given_destinations, push_after_store
from wizard.cli.console import Console, ask_hidden, isatty
from wizard.cli.parser import SafeParser, SubParsers
from wizard.core import lifecycle
from wizard.core.codes import ExitCode
from wizard.core.errors import SettingsError, StoreError
from wizard.core.extend import extend
from wizard.core.push.destination import Destination
from wizard.core.refresh import refresh
from wizard.core.settings import Settings
from wizard.core.stores import sources
from wizard.core.stores.sources import FoundToken
from wizard.core.token import SecretToken


def add_parsers(commands: SubParsers, common: SafeParser) -> None:
    """extend and refresh, with the global options after them too."""
    extend = parser.add_command(commands, "extend", common)
    extend.add_argument("--app-id", metavar="ID", help="the app id (default WHATSAPP_APP_ID)")
    parser.add_push_options(extend)

    refresh = parser.add_command(commands, "refresh", common)
    add_expiring_within(refresh, "only when it expires within DAYS days (default 10)")
    refresh.add_argument("--app-id", metavar="ID", help="the app id (default WHATSAPP_APP_ID)")
    parser.add_push_options(refresh)


def cmd_extend(
    args: argparse.Namespace,
    settings: Settings,
    environ: Mapping[str, str],
    stdin: TextIO,
    console: Console,
) -> int:
    """Method 2: exchange the current user token for a ~60-day one and store it in its place."""
    given = given_destinations(args)
    found = token_to_replace(settings, environ, console)
    if found is None:
        return ExitCode.NO_TOKEN
    lifecycle.ensure_replaceable(found, settings.profile)  # exit 5 before anything is asked
    try:
        done = extend(
            settings,
            found,
            datetime.now(UTC),
            app_id=args.app_id,
            app_secret=lambda: _app_secret(settings, stdin, console),
        )
    except StoreError as err:
        return _not_stored(err, found, console)
    if done.plan.action == lifecycle.NOTHING:
        console.out.write(done.plan.summary + "\n")
        return ExitCode.OK
    if done.renewal is None:
        if done.plan.problem is not None and done.plan.summary:
            console.say(f"{console.marks.bad} {done.plan.summary}")
        return fail(done.problem, console) if done.problem else done.exit_code
    console.say(done.plan.summary)
    code = _report_renewal(done.renewal, found, console)
    return _push_renewal(code, done.renewal, given, settings, environ, console)


def cmd_refresh(
    args: argparse.Namespace,
    settings: Settings,
    environ: Mapping[str, str],
    stdin: TextIO,
    console: Console,
) -> int:
    """Method 3, for cron: exchange the token only when it expires within --if-expiring-within."""
    within = days_option(args.if_expiring_within)
    given = given_destinations(args)  # a bad --push or --then: exit 2 before anything is done
    found = token_to_replace(settings, environ, console)
    if found is None:
        return ExitCode.NO_TOKEN
    done = refresh(
        settings,
        found,
        datetime.now(UTC),
        within,
        app_id=args.app_id,
        app_secret=lambda: _app_secret(settings, stdin, console),
    )
    if done.plan.action == lifecycle.NOTHING:
        console.out.write(done.plan.summary + "\n")
        return ExitCode.OK
    if done.store_error is not None:
        console.say(done.plan.summary)
        return _not_stored(done.store_error, found, console)
    if done.renewal is None:
        if done.plan.problem is not None and done.plan.summary:
            console.say(f"{console.marks.bad} {done.plan.summary}")
        return fail(done.problem, console) if done.problem else ExitCode.OK
    console.say(done.plan.summary)
    code = _report_renewal(done.renewal, found, console)
    return _push_renewal(code, done.renewal, given, settings, environ, console)


def _push_renewal(
    code: int,
    renewal: lifecycle.Renewal,
    given: tuple[Destination, ...],
    settings: Settings,
    environ: Mapping[str, str],
    console: Console,
) -> int:
    """A new token was made and stored: send it on (only then: no new token, no push)."""
    if code != ExitCode.OK or renewal.new_token is None:
        return code
    return push_after_store(given, renewal.new_token, settings, environ, console)


def _report_renewal(renewal: lifecycle.Renewal, found: FoundToken, console: Console) -> int:
    old_place = sources.describe(found.source, found.location)
    if renewal.problem is not None or renewal.new_token is None:
        if renewal.problem is not None:
            print_problem(renewal.problem, console)
        console.say(f"Nothing was changed: the old token is still in {old_place}.")
        return renewal.exit_code
    expiry = (
        f"expires on {renewal.expires_at:%Y-%m-%d}"
        if renewal.expires_at
        else "has no expiry date Graph would tell"
    )
    console.say(
        f"{console.marks.ok} The new token ({renewal.new_token.masked}) works and "
        f"{expiry}. It replaced the old one in {renewal.stored_in}."
    )
    console.say(
        f"{console.marks.warn} "
        f"{lifecycle.SYSTEM_USER_RENEWED if renewal.system_user else lifecycle.NOT_PERMANENT}"
    )
    console.say("Restart your backend server so it reads the new token.")
    return ExitCode.OK


def _app_secret(settings: Settings, stdin: TextIO, console: Console) -> SecretToken:
    """WHATSAPP_APP_SECRET from the environment or .env, else a hidden prompt; never argv."""
    if settings.app_secret is not None:
        return settings.app_secret
    variable = settings.profile.var("WHATSAPP_APP_SECRET")
    where = "App Dashboard → your app → App settings → Basic → App secret → Show"
    if not isatty(stdin):
        raise SettingsError(
            f"The exchange needs the app secret, and {variable} is not set.",
            fix=f"Put {variable}=... in the .env file (or the environment of the job); it is "
            f"never taken as an argument. Find it in {where}.",
        )
    value = ask_hidden(f"App secret ({where}; input is hidden): ", console).strip()
    if not value:
        raise SettingsError("No app secret was entered.", fix=f"Copy it from {where}.")
    return SecretToken(value)


def _not_stored(err: StoreError, found: FoundToken, console: Console) -> int:
    """The exchange worked but the new token could not be stored: say the old one is kept."""
    console.error(err)
    console.say(
        "The new token could not be stored; the old one is unchanged in "
        f"{sources.describe(found.source, found.location)}."
    )
    return ExitCode.STORE


COMMANDS: dict[str, Command] = {
    "extend": cmd_extend,
    "refresh": cmd_refresh,
}
