"""`wa-token fix webhooks [--yes]`: the plan, a yes, then the subscriptions (printing only)."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import TextIO

from wizard.cli.console import Console, ask_yes
from wizard.cli.render import render_finding
from wizard.core.codes import ExitCode
from wizard.core.diagnose import graph_text
from wizard.core.graph import BusinessAccount
from wizard.core.settings import Settings
from wizard.core.stores import sources
from wizard.core.untrusted import mask_url_credentials
from wizard.core.webhooks import WebhookPlan, plan_webhooks, subscribe_missing


def fix_webhooks(
    args: argparse.Namespace,
    settings: Settings,
    environ: Mapping[str, str],
    stdin: TextIO,
    console: Console,
) -> int:
    """Subscribe the token's app to every reachable account that lacks it, after a yes."""
    found, error = sources.find_winner(environ, settings.env_file, settings.profile.token_key)
    if found is None:
        console.say(error.message if error else "No token found: run `wa-token setup` first.")
        return int(error.exit_code) if error else ExitCode.NO_TOKEN
    plan = plan_webhooks(found, settings, environ)
    if not plan.report.graph.accounts:  # a number that cannot send does not stop webhooks
        for problem in plan.report.diagnosis.problems:
            console.err.write(render_finding(problem, console.marks.bad))
        return plan.report.exit_code or ExitCode.PROBLEM
    _say_plan(plan, console)
    if not plan.missing:
        console.say(f"{console.marks.ok} Nothing to change: every account sends its webhooks here.")
        return ExitCode.OK
    why = "subscribing changes your accounts at Meta"
    if not ask_yes(
        "Subscribe the app now?", args.yes, stdin, console, not_done="Not changed", why=why
    ):
        return ExitCode.USAGE
    return _subscribe(plan, found, settings, console)


def _subscribe(
    plan: WebhookPlan, found: sources.FoundToken, settings: Settings, console: Console
) -> int:
    worst = 0
    for outcome in subscribe_missing(plan, found, settings):
        if outcome.refused is None:
            console.say(f"{console.marks.ok} Subscribed: {_label(outcome.account)}.")
            continue
        console.say(f"{console.marks.bad} Not subscribed: {_label(outcome.account)}.")
        console.err.write(render_finding(outcome.refused, console.marks.bad))
        worst = max(worst, outcome.exit_code)
    return worst


def _say_plan(plan: WebhookPlan, console: Console) -> None:
    marks = console.marks
    app = graph_text(plan.app_id or "?")
    for account in plan.subscribed:
        override = plan.override_of(account)
        kept = (
            f"; its callback override {graph_text(mask_url_credentials(override), 120)} is kept "
            "as it is"
            if override
            else ""
        )
        console.say(f"{marks.ok} Already subscribed (app {app}): {_label(account)}{kept}.")
    for account in plan.unknown:
        console.say(
            f"{marks.warn} Graph did not list the subscribed apps of {_label(account)}: "
            "left as it is."
        )
    for account in plan.missing:
        console.say(
            f"{marks.arrow} To subscribe (app {app}): {_label(account)}: POST "
            f"/{account.id}/subscribed_apps, without a callback override."
        )


def _label(account: BusinessAccount) -> str:
    return f"{graph_text(account.name or '(no name)')} ({account.id})"
