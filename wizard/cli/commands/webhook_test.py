"""`wa-token webhook-test --url URL`: the user's endpoint called as Meta calls it, step by step."""

from __future__ import annotations

import argparse
import textwrap
from collections.abc import Mapping
from typing import TextIO

from wizard.cli.commands.common import Command
from wizard.cli.console import Console, ask_hidden, isatty
from wizard.cli.help_texts import GLOBAL_OPTIONS_NOTE
from wizard.cli.jsonout import json_text
from wizard.cli.parser import SafeParser, SubParsers
from wizard.cli.render import _width, render_finding
from wizard.core import webhook_test as wt
from wizard.core.errors import SettingsError
from wizard.core.settings import Settings
from wizard.core.token import SecretToken
from wizard.core.variables import APP_SECRET_VAR

DESCRIPTION = (
    "Call your webhook endpoint the way Meta will, in four steps:\n"
    "  1. verification: GET ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=N\n"
    "     must answer 200 with exactly the challenge\n"
    "  2. the same with a wrong verify token must be refused\n"
    "  3. a `messages` notification signed with X-Hub-Signature-256 (HMAC-SHA256\n"
    "     of the body with the app secret) must get a 2xx\n"
    "  4. the same with a wrong signature must be refused\n"
    f"The verify token comes from {wt.VERIFY_TOKEN_VAR}, the app secret from\n"
    f"{APP_SECRET_VAR} (environment or .env, profile-suffixed; else a hidden\n"
    "prompt in a terminal). https only, except loopback; redirects are not followed.\n"
    "Exit 0: steps 1 and 3 pass (2 or 4 failing are warnings); 1: a step failed;\n"
    "4: the endpoint could not be reached or did not answer in time."
)
EXAMPLES = (
    "  wa-token webhook-test --url https://example.com/webhook\n"
    "  wa-token webhook-test --url http://127.0.0.1:8000/webhook --json"
)


def add_parsers(commands: SubParsers, common: SafeParser) -> None:
    """webhook-test, with the global options after it too."""
    command = commands.add_parser(
        "webhook-test",
        parents=[common],
        help="call your webhook endpoint as Meta does (verification, signed notification)",
        description=DESCRIPTION,
        epilog=f"examples:\n{EXAMPLES}\n\n{GLOBAL_OPTIONS_NOTE}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    command.add_argument(
        "--url",
        metavar="URL",
        help=f"your Callback URL (https, or loopback http; default {wt.WEBHOOK_URL_VAR})",
    )
    command.add_argument("--json", action="store_true", help="JSON on stdout")


def cmd_webhook_test(
    args: argparse.Namespace,
    settings: Settings,
    environ: Mapping[str, str],
    stdin: TextIO,
    console: Console,
) -> int:
    """Run the four calls and print each step, the problems and the warnings."""
    stored = wt.stored_secrets(settings, environ)
    url = args.url or stored.url
    if not url:
        raise SettingsError(
            "Which endpoint? Give its Callback URL with --url URL.",
            fix=f"Or set {settings.profile.var(wt.WEBHOOK_URL_VAR)} in the environment or .env "
            "(the way for a URL that holds a secret).",
        )
    wt.require_secret_url(url)  # a usage error before any secret is asked for
    keys = _secrets(stored, settings, stdin, console)
    report = wt.run_webhook_test(
        url,
        keys,
        timeout=settings.timeout,
        phone_number_id=settings.phone_number_id,
        business_account_id=settings.business_account_id,
    )
    if args.json:
        console.out.write(json_text(wt.report_json(report)) + "\n")
        console.say(_headline(report, console))
    else:
        console.out.write(render_report(report, console))
    return report.exit_code


def _secrets(
    stored: wt.StoredSecrets, settings: Settings, stdin: TextIO, console: Console
) -> wt.WebhookSecrets:
    """The verify token and app secret: environment, .env, else a hidden prompt in a terminal."""
    verify, secret = stored.verify_token, stored.app_secret
    interactive = isatty(stdin)
    if verify is None:
        verify = _ask(wt.VERIFY_TOKEN_VAR, settings, console, interactive)
    verify = wt.check_verify_token(verify, settings.profile.var(wt.VERIFY_TOKEN_VAR))
    if secret is None:
        secret = _ask(APP_SECRET_VAR, settings, console, interactive)
    return wt.WebhookSecrets(verify, secret)


def _ask(name: str, settings: Settings, console: Console, interactive: bool) -> SecretToken:
    if not interactive:
        raise wt.missing_secret(name, settings.profile)
    where = (
        "the Verify token of " + wt.CONFIGURATION_PAGE
        if name == wt.VERIFY_TOKEN_VAR
        else ("App Dashboard → App settings → Basic → App secret")
    )
    console.say(f"{settings.profile.var(name)} is not set: {where}.")
    value = ask_hidden(f"{settings.profile.var(name)} (input is hidden): ", console).strip()
    if not value:
        raise wt.missing_secret(name, settings.profile)
    return SecretToken(value)


_LABELS = {
    wt.WebhookStep.VERIFICATION: "1. verification (right verify token)",
    wt.WebhookStep.WRONG_VERIFY_TOKEN: "2. verification with a wrong verify token",
    wt.WebhookStep.SIGNED_NOTIFICATION: "3. notification signed with the app secret",
    wt.WebhookStep.BAD_SIGNATURE: "4. notification with a wrong signature",
}


def render_report(report: wt.WebhookReport, console: Console) -> str:
    """The human form: the URL, one line per step, then each problem and warning with its fix."""
    marks = console.marks
    lines = [_headline(report, console), f"Endpoint: {report.url}", ""]
    for result in report.steps:
        mark = marks.ok if result.passed else (marks.bad if _is_problem(result) else marks.warn)
        line = f"  {mark} {_LABELS[result.step]}: {result.summary}"
        lines += textwrap.wrap(
            line, width=max(40, _width()), subsequent_indent="      ", break_on_hyphens=False
        )
    skipped = len(_LABELS) - len(report.steps)
    if skipped:
        lines.append(f"  - the {skipped} later step(s) were not tried")
    text = "\n".join(lines) + "\n"
    for finding in report.problems:
        text += "\n" + render_finding(finding, marks.bad)
    for finding in report.warnings:
        text += "\n" + render_finding(finding, marks.warn)
    return text


def _is_problem(result: wt.StepResult) -> bool:
    return result.step in (wt.WebhookStep.VERIFICATION, wt.WebhookStep.SIGNED_NOTIFICATION) or (
        not result.reached
    )


def _headline(report: wt.WebhookReport, console: Console) -> str:
    marks = console.marks
    if report.ok and report.warnings:
        return f"{marks.warn} Meta can verify and reach the endpoint, but it accepts forged calls."
    if report.ok:
        return f"{marks.ok} The endpoint answers Meta's verification and notifications correctly."
    if report.exit_code == 4:
        return f"{marks.bad} The endpoint could not be reached: try again."
    return f"{marks.bad} The endpoint would fail Meta's webhook calls."


COMMANDS: dict[str, Command] = {"webhook-test": cmd_webhook_test}
