"""The token-lifecycle commands: send-test, extend, refresh and schedule (argparse and printing)."""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TextIO

from wizard.cli import parser
from wizard.cli.console import Console, ask_hidden, confirm, isatty
from wizard.cli.parser import SafeParser, SubParsers
from wizard.cli.render import render_check, render_finding
from wizard.core import lifecycle, messaging, usecases
from wizard.core.check import check_found_token
from wizard.core.codes import ExitCode
from wizard.core.diagnose import Finding
from wizard.core.errors import SettingsError, StoreError
from wizard.core.exits import exit_code_for
from wizard.core.graph import DEFAULT_GRAPH_URL, GRAPH_VERSION, PhoneNumber
from wizard.core.schedule import refresh_command, schedule_texts
from wizard.core.settings import Settings
from wizard.core.stores import sources
from wizard.core.stores.sources import FoundToken
from wizard.core.token import SecretToken

Command = Callable[[argparse.Namespace, Settings, Mapping[str, str], TextIO, Console], int]

NO_TOKEN = "No token found (environment, .env, keyring). Run `wa-token setup` or `wa-token save`."


def add_parsers(commands: SubParsers, common: SafeParser) -> None:
    """send-test, extend, refresh and schedule, with the global options after them too."""
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

    extend = parser.add_command(commands, "extend", common)
    extend.add_argument("--app-id", metavar="ID", help="the app id (default WHATSAPP_APP_ID)")

    refresh = parser.add_command(commands, "refresh", common)
    refresh.add_argument(
        "--if-expiring-within",
        type=parser.days,
        metavar="DAYS",
        default=lifecycle.DEFAULT_REFRESH_WITHIN_DAYS,
        help="only when it expires within DAYS days (default 10)",
    )
    refresh.add_argument("--app-id", metavar="ID", help="the app id (default WHATSAPP_APP_ID)")

    schedule = parser.add_command(commands, "schedule", common)
    schedule.add_argument(
        "--print",
        action="store_true",
        dest="print_only",
        help="print them (the default; wa-token never installs them itself)",
    )
    schedule.add_argument(
        "--if-expiring-within",
        type=parser.days,
        metavar="DAYS",
        default=lifecycle.DEFAULT_REFRESH_WITHIN_DAYS,
        help="passed on to refresh (default 10)",
    )


# -- send-test -----------------------------------------------------------------------------------


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
    if not args.yes and not isatty(stdin):
        console.say(
            "Not sent: send-test sends a real WhatsApp message and needs an explicit yes. "
            "There is no terminal to ask on, so add --yes."
        )
        return ExitCode.USAGE
    found = _stored_token(settings, environ, console)
    if found is None:
        return ExitCode.NO_TOKEN
    sender = _sender(settings, environ, found, wanted, console)
    if isinstance(sender, int):
        return sender
    question = f"Send the hello_world template from {messaging.describe_sender(sender)} to +{to}?"
    if not args.yes and not confirm(question, stdin, console):
        console.say("Not sent: you did not answer yes.")
        return ExitCode.USAGE
    outcome = messaging.send_hello_world(settings, found, sender.id, to)
    if outcome.sent is None:
        _print_problem(outcome.problem, console)
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


# -- extend and refresh ----------------------------------------------------------------------------


def cmd_extend(
    args: argparse.Namespace,
    settings: Settings,
    environ: Mapping[str, str],
    stdin: TextIO,
    console: Console,
) -> int:
    """Method 2: exchange the current user token for a ~60-day one and store it in its place."""
    found = _token_to_replace(settings, environ, console)
    if found is None:
        return ExitCode.NO_TOKEN
    lifecycle.ensure_replaceable(found, settings.profile)  # exit 5 before anything is asked
    try:
        done = usecases.extend(
            settings,
            found,
            datetime.now(UTC),
            app_id=args.app_id,
            app_secret=lambda: _app_secret(settings, stdin, console),
        )
    except StoreError as err:
        console.error(err)
        console.say(
            "The new token could not be stored; the old one is unchanged in "
            f"{sources.describe(found.source, found.location)}."
        )
        return ExitCode.STORE
    if done.plan.action == lifecycle.NOTHING:
        console.out.write(done.plan.summary + "\n")
        return ExitCode.OK
    if done.renewal is None:
        if done.plan.problem is not None and done.plan.summary:
            console.say(f"{console.marks.bad} {done.plan.summary}")
        return _fail(done.problem, console) if done.problem else done.exit_code
    console.say(done.plan.summary)
    return _report_renewal(done.renewal, found, console)


def cmd_refresh(
    args: argparse.Namespace,
    settings: Settings,
    environ: Mapping[str, str],
    stdin: TextIO,
    console: Console,
) -> int:
    """Method 3, for cron: exchange the token only when it expires within --if-expiring-within."""
    within = _days_option(args.if_expiring_within)
    found = _token_to_replace(settings, environ, console)
    if found is None:
        return ExitCode.NO_TOKEN
    now = datetime.now(UTC)
    local = lifecycle.local_for(settings, found, now)
    info = lifecycle.inspect_current(settings, found, local)
    if isinstance(info, Finding):
        return _fail(info, console)
    plan = lifecycle.plan_refresh(info, now, within, local)
    if plan.action == lifecycle.EXCHANGE:
        lifecycle.ensure_replaceable(found, settings.profile)
    return _carry_out(plan, args, settings, found, info.app_id, stdin, console)


def _carry_out(
    plan: lifecycle.Plan,
    args: argparse.Namespace,
    settings: Settings,
    found: FoundToken,
    token_app_id: str | None,
    stdin: TextIO,
    console: Console,
) -> int:
    """Print a no-op or a refusal; else get the app credentials, exchange, check and store."""
    if plan.action == lifecycle.NOTHING:
        console.out.write(plan.summary + "\n")
        return ExitCode.OK
    if plan.problem is not None:
        console.say(f"{console.marks.bad} {plan.summary}")
        return _fail(plan.problem, console)
    local = lifecycle.local_for(settings, found, datetime.now(UTC))
    app_id = _app_id(args.app_id or settings.app_id or token_app_id, settings)
    mismatch = lifecycle.app_mismatch(token_app_id, app_id, local)
    if mismatch is not None:
        return _fail(mismatch, console)
    secret = _app_secret(settings, stdin, console)
    console.say(plan.summary)
    try:
        renewal = lifecycle.renew(
            settings, found, app_id=app_id, app_secret=secret, system_user=plan.system_user
        )
    except StoreError as err:
        console.error(err)
        console.say(
            "The new token could not be stored; the old one is unchanged in "
            f"{sources.describe(found.source, found.location)}."
        )
        return ExitCode.STORE
    return _report_renewal(renewal, found, console)


def _report_renewal(renewal: lifecycle.Renewal, found: FoundToken, console: Console) -> int:
    old_place = sources.describe(found.source, found.location)
    if renewal.problem is not None or renewal.new_token is None:
        if renewal.problem is not None:
            _print_problem(renewal.problem, console)
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


def _app_id(value: str | None, settings: Settings) -> str:
    return usecases.valid_app_id(value, settings.profile)


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


def _days_option(days: int) -> timedelta:
    if days < 0:
        raise SettingsError(
            "--if-expiring-within must be 0 or more days.",
            fix="For example --if-expiring-within 10.",
        )
    return timedelta(days=days)


# -- schedule ------------------------------------------------------------------------------------


def cmd_schedule(
    args: argparse.Namespace,
    settings: Settings,
    environ: Mapping[str, str],
    stdin: TextIO,
    console: Console,
) -> int:
    """Print a crontab line and a systemd service + timer that run `wa-token refresh` daily."""
    _days_option(args.if_expiring_within)
    env_file = Path(settings.env_file).absolute()
    command = refresh_command(
        _program(), env_file, settings.profile, args.if_expiring_within, _graph_flags(settings)
    )
    texts = schedule_texts(command, settings.profile)
    sections = (
        "## cron",
        texts.crontab,
        "## systemd (a user timer; it can reach your OS keyring while you are logged in)",
        texts.service,
        texts.timer,
    )
    console.out.write("\n\n".join(sections) + "\n")
    console.say(f"Check it once by hand first: {texts.shell}")
    return ExitCode.OK


def _program() -> list[str]:
    """The absolute path of the wa-token executable (or `python -m wizard` when run that way)."""
    argv0 = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if argv0 is not None and argv0.name.startswith("wa-token") and argv0.exists():
        return [str(argv0.absolute())]
    found = shutil.which("wa-token")
    if found:
        return [str(Path(found).absolute())]
    return [str(Path(sys.executable).absolute()), "-m", "wizard"]


def _graph_flags(settings: Settings) -> list[str]:
    """--graph-url / --graph-version when they differ from Meta's defaults."""
    flags = []
    if settings.graph_url != DEFAULT_GRAPH_URL:
        flags += ["--graph-url", settings.graph_url]
    if settings.graph_version != GRAPH_VERSION:
        flags += ["--graph-version", settings.graph_version]
    return flags


# -- shared --------------------------------------------------------------------------------------


def _stored_token(
    settings: Settings, environ: Mapping[str, str], console: Console
) -> FoundToken | None:
    found, error = sources.find_winner(environ, settings.env_file, settings.profile.token_key)
    if error is not None:
        raise error
    if found is None:
        console.say(NO_TOKEN)
    return found


def _token_to_replace(
    settings: Settings, environ: Mapping[str, str], console: Console
) -> FoundToken | None:
    """The winning token (a source that fails above it is exit 5); none anywhere is exit 3.

    A keyring that cannot be asked at all (no backend, cron without D-Bus) holds no token as far
    as wa-token can tell, exactly as for `check`; the message says it could not be asked.
    """
    readings = sources.read_stored(environ, settings.env_file, settings.profile.token_key)
    for reading in readings:
        if reading.error is not None:
            raise reading.error
        if reading.token is not None:
            return FoundToken(reading.source, reading.location, reading.token)
    console.say(NO_TOKEN)
    unavailable = readings[-1].unavailable
    if unavailable is not None:
        console.say(
            f"{console.marks.warn} The OS keyring could not be asked: "
            f"{unavailable.message} From cron, keep the token in the .env file or run "
            "the job as a systemd user timer (`wa-token schedule --print`)."
        )
    return None


def _fail(problem: Finding, console: Console) -> int:
    _print_problem(problem, console)
    return exit_code_for([problem.code])


def _print_problem(problem: Finding | None, console: Console) -> None:
    if problem is not None:
        console.err.write(render_finding(problem, console.marks.bad))


COMMANDS: dict[str, Command] = {
    "send-test": cmd_send_test,
    "extend": cmd_extend,
    "refresh": cmd_refresh,
    "schedule": cmd_schedule,
}
