"""`wa-token provision`: argparse, questions and printing around the core's provision use case."""

from __future__ import annotations

import argparse
import json
import os
import stat
from collections.abc import Callable, Mapping
from typing import Any, TextIO

from wizard.cli.console import Console, ask_hidden, confirm, isatty
from wizard.cli.parser import SafeParser, SubParsers
from wizard.cli.render import render_check
from wizard.cli.stdin import read_limited
from wizard.core import provision as pv
from wizard.core.business_api import NamedNode
from wizard.core.check import report_json
from wizard.core.codes import ExitCode, StoreTarget
from wizard.core.errors import SettingsError, TokenFormatError
from wizard.core.settings import Settings
from wizard.core.stores.sources import from_stdin
from wizard.core.token import SecretToken
from wizard.core.variables import APP_ID_VAR, APP_SECRET_VAR

Command = Callable[[argparse.Namespace, Settings, Mapping[str, str], TextIO, Console], int]

EXPLORER_HOWTO = (
    "Get one in Graph API Explorer (https://developers.facebook.com/tools/explorer/): choose "
    "your app, tick business_management, whatsapp_business_management and "
    "whatsapp_business_messaging, click Generate Access Token, copy it."
)
SECRET_WHERE = "App Dashboard → your app → App settings → Basic → App secret → Show"
STATE_WORDS = {
    pv.StepState.TO_DO: "to do",
    pv.StepState.ALREADY_DONE: "already done (reused)",
    pv.StepState.DONE: "done",
    pv.StepState.FAILED: "FAILED",
    pv.StepState.NOT_RUN: "not run",
}


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
        choices=(StoreTarget.ENV, StoreTarget.KEYRING),
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


def cmd_provision(
    args: argparse.Namespace,
    settings: Settings,
    environ: Mapping[str, str],
    stdin: TextIO,
    console: Console,
) -> int:
    """Read the admin token, find the business, show the plan, and after a yes carry it out."""
    interactive = isatty(stdin) and isatty(console.err)
    admin = _admin_token(stdin, console, interactive, settings.timeout)
    request = _request(args, settings, console, interactive)
    try:
        return _provision(args, settings, environ, stdin, console, admin, request, interactive)
    except pv.ProvisionRefused as err:
        _print_refusal(err.refusal, console, done=())
        if args.json:
            _write_json(console, None, None, err.refusal)
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
    business = _choose(
        businesses, args.business_id, "--business-id", "business", stdin, console, interactive
    )
    accounts = pv.find_accounts(settings, admin, business.id)
    chosen = _choose_accounts(accounts, args.waba_id, stdin, console, interactive)
    existing = pv.existing_token(settings, request.target)
    plan = pv.make_plan(settings, admin, request, business, chosen, existing=existing)
    _print_plan(plan, console)
    if args.plan:
        if args.json:
            _write_json(console, plan, None, None)
        console.say("Nothing was sent (--plan). " + pv.ADMIN_NOT_STORED)
        return ExitCode.OK
    if plan.writes_at_meta and not _confirmed(args, stdin, console, interactive):
        console.say("Nothing was changed at Meta. " + pv.ADMIN_NOT_STORED)
        return ExitCode.USAGE
    outcome = pv.carry_out(
        settings, environ, admin, plan, existing=existing, on_progress=_progress(console)
    )
    _print_outcome(outcome, console)
    if args.json:
        _write_json(console, plan, outcome, outcome.refusal)
    console.say(pv.ADMIN_NOT_STORED)
    return outcome.exit_code


# -- input ----------------------------------------------------------------------------------------


def _admin_token(stdin: TextIO, console: Console, interactive: bool, timeout: float) -> SecretToken:
    """From a pipe, else from a hidden prompt; never from argv."""
    if _is_pipe(stdin):
        text = read_limited(stdin, timeout)
    elif interactive:
        console.say(
            "wa-token needs a token of a business admin with business_management. "
            + EXPLORER_HOWTO
            + " It is used for these calls only and never stored."
        )
        text = ask_hidden("Admin token (input is hidden): ", console)
    else:
        raise SettingsError(
            "No admin token: standard input is neither a pipe nor a terminal.",
            fix="Pipe it: `printf '%s' \"$ADMIN_TOKEN\" | wa-token provision --yes`.",
        )
    if not text.strip():
        raise TokenFormatError("No admin token was given.", fix=EXPLORER_HOWTO)
    return from_stdin(text).token


def _request(
    args: argparse.Namespace, settings: Settings, console: Console, interactive: bool
) -> pv.Request:
    app_id = (args.app_id or settings.app_id or "").strip()
    if not app_id and interactive:
        app_id = input_line("App id (App Dashboard → your app, top left): ", console)
    if not app_id:
        raise SettingsError(
            "The app id is needed (the app the token will belong to).",
            fix=f"Pass --app-id ID or set {APP_ID_VAR} (environment or .env).",
        )
    secret = None if args.plan else _app_secret(settings, console, interactive)
    request = pv.Request(
        app_id=app_id,
        app_secret=secret,
        system_user=args.system_user,
        role=pv.Role(args.role),
        expires=pv.Expiry(args.expires),
        target=args.to,
    )
    try:
        pv.check_request(request)
    except ValueError as err:
        raise SettingsError(
            f"{str(err).capitalize()}.", fix="Correct --app-id or --system-user."
        ) from None
    if not args.plan:
        pv.check_store_usable(request.target)
    return request


def _app_secret(settings: Settings, console: Console, interactive: bool) -> SecretToken:
    if settings.app_secret is not None:
        return settings.app_secret
    if not interactive:
        raise SettingsError(
            f"The app secret is needed (for appsecret_proof) and {APP_SECRET_VAR} is not set.",
            fix=f"Set {APP_SECRET_VAR} in the environment or .env ({SECRET_WHERE})"
            "; never pass it as an argument.",
        )
    value = ask_hidden(f"App secret ({SECRET_WHERE}; input is hidden): ", console).strip()
    if not value:
        raise SettingsError("No app secret was entered.", fix=f"Copy it from {SECRET_WHERE}.")
    return SecretToken(value)


def input_line(prompt: str, console: Console) -> str:
    """One visible answer from the terminal."""
    console.err.write(prompt)
    console.err.flush()
    return input().strip()


def _choose(
    nodes: tuple[NamedNode, ...],
    wanted: str | None,
    flag: str,
    what: str,
    stdin: TextIO,
    console: Console,
    interactive: bool,
) -> NamedNode:
    if wanted is not None or len(nodes) == 1:
        return pv.pick(nodes, wanted, flag)
    if not interactive:
        listing = ", ".join(f"{pv.describe(n)} ({n.id})" for n in nodes)
        raise SettingsError(
            f"The admin token sees {len(nodes)} of them: {listing}.",
            fix=f"Name the {what} with {flag} ID.",
        )
    for number, node in enumerate(nodes, 1):
        console.say(f"  {number}) {pv.describe(node)} ({node.id})")
    answer = input_line(f"Which {what}? [1-{len(nodes)}] ", console)
    if answer.isdigit() and 1 <= int(answer) <= len(nodes):
        return nodes[int(answer) - 1]
    raise SettingsError(f"No {what} was chosen.", fix=f"Run it again, or pass {flag} ID.")


def _choose_accounts(
    accounts: tuple[NamedNode, ...],
    wanted: str | None,
    stdin: TextIO,
    console: Console,
    interactive: bool,
) -> tuple[NamedNode, ...]:
    if wanted == "all":
        return accounts
    return (
        _choose(
            accounts,
            wanted,
            "--waba-id",
            "WhatsApp account (or --waba-id all)",
            stdin,
            console,
            interactive,
        ),
    )


def _confirmed(
    args: argparse.Namespace, stdin: TextIO, console: Console, interactive: bool
) -> bool:
    if args.yes:
        return True
    if not interactive:
        console.say("Add --yes to carry this out without a terminal (or --plan to only see it).")
        return False
    return confirm("Do this at Meta now?", stdin, console)


def _is_pipe(stream: TextIO) -> bool:
    try:
        mode = os.fstat(stream.fileno()).st_mode
    except (AttributeError, ValueError, OSError):
        return not isatty(stream) and hasattr(stream, "read")
    return stat.S_ISFIFO(mode) or stat.S_ISREG(mode)


# -- output ---------------------------------------------------------------------------------------


def _print_plan(plan: pv.Plan, console: Console) -> None:
    console.say(f"The plan for {pv.describe(plan.business)} ({plan.business.id}):")
    for number, step in enumerate(plan.steps, 1):
        state = "" if step.state is pv.StepState.TO_DO else "  [already done: reused]"
        console.say(f"  {number}. {step.words}{state}")
    if not plan.app_owned:
        console.say(
            f"  {console.marks.warn} The business does not list app {plan.app.id} among "
            "its apps: Meta may refuse to install it."
        )
    console.say(f"  Token expiry: {pv.EXPIRY_WORDS[plan.request.expires]}.")
    if plan.writes_at_meta == 0:
        console.say("Nothing to change at Meta: everything is already in place.")
    else:
        console.say(f"{plan.writes_at_meta} call(s) will change something at Meta.")


def _progress(console: Console) -> pv.ProgressCallback:
    def tell(step: pv.PlannedStep, state: pv.StepState) -> None:
        if state is pv.StepState.TO_DO:
            return
        mark = {pv.StepState.FAILED: console.marks.bad}.get(state, console.marks.ok)
        console.say(f"{mark} {step.words}: {STATE_WORDS[state]}")

    return tell


def _print_outcome(outcome: pv.Outcome, console: Console) -> None:
    if outcome.check is not None:
        console.err.write(render_check(outcome.check, console.marks))
    if outcome.refusal is not None:
        _print_refusal(outcome.refusal, console, done=outcome.done)
        return
    if outcome.saved is not None and outcome.token is not None:
        console.say(f"{console.marks.ok} {outcome.saved.summary}: {outcome.token.masked}.")
    if outcome.changed_at_meta == 0:
        console.say(
            "Nothing was changed at Meta: the System User, the app, the account(s) and "
            "the token were already in place."
        )
    else:
        console.say(
            f"{outcome.changed_at_meta} change(s) made at Meta. Restart your backend "
            "server so it reads the new token."
        )


def _print_refusal(refusal: pv.Refusal, console: Console, done: tuple[pv.StepResult, ...]) -> None:
    console.say(f"{console.marks.bad} {refusal.title}")
    console.say(f"  Call: {refusal.call}")
    console.say(f"  Why: {refusal.reason}")
    if done:
        console.say("  Already done (kept at Meta; a new run reuses it):")
        for result in done:
            console.say(f"    {console.marks.ok} {result.step.words}")
    else:
        console.say("  Nothing was done at Meta.")
    console.say(f"  Fix: {refusal.fix}")
    if refusal.manual_text:
        console.say("\nFinish by hand from this step:\n")
        console.say(_plain(refusal.manual_text))


def _plain(markdown: str) -> str:
    return markdown.replace("**", "").replace("*", "")


def _write_json(
    console: Console, plan: pv.Plan | None, outcome: pv.Outcome | None, refusal: pv.Refusal | None
) -> None:
    body: dict[str, Any] = {
        "plan": [_step_json(s) for s in plan.steps] if plan else None,
        "steps": [
            {"kind": r.step.kind.value, "words": r.step.words, "state": r.state.value}
            for r in outcome.results
        ]
        if outcome
        else [],
        "changed_at_meta": outcome.changed_at_meta if outcome else 0,
        "problem": _refusal_json(refusal) if refusal else None,
        "stored": (
            {"target": outcome.saved.target, "where": outcome.saved.where}
            if outcome and outcome.saved
            else None
        ),
        "check": report_json(outcome.check) if outcome and outcome.check else None,
        "admin_token_stored": False,
    }
    if plan is not None:
        body["business"] = {"id": plan.business.id, "name": plan.business.name}
    console.out.write(json.dumps(body, indent=2) + "\n")


def _step_json(step: pv.PlannedStep) -> dict[str, Any]:
    return {
        "kind": step.kind.value,
        "words": step.words,
        "call": step.call,
        "state": step.state.value,
        "manual_step": step.manual_step.value,
    }


def _refusal_json(refusal: pv.Refusal) -> dict[str, Any]:
    return {
        "code": refusal.problem.value,
        "title": refusal.title,
        "call": refusal.call,
        "reason": refusal.reason,
        "fix": refusal.fix,
        "manual_step": refusal.manual_step.value if refusal.manual_step else None,
        "manual_instructions": _plain(refusal.manual_text) or None,
    }


COMMANDS: dict[str, Command] = {"provision": cmd_provision}
