"""`wa-token provision`'s input: the admin token, the app's credentials and the user's choices."""

from __future__ import annotations

import argparse
import os
import stat
from typing import TextIO

from wizard.cli.console import Console, ask_hidden, ask_yes, isatty
from wizard.cli.stdin import read_limited
from wizard.core import provision as pv
from wizard.core.business_api import NamedNode
from wizard.core.errors import SettingsError, TokenFormatError
from wizard.core.settings import Settings
from wizard.core.stores.sources import from_stdin
from wizard.core.token import SecretToken
from wizard.core.variables import APP_ID_VAR, APP_SECRET_VAR

EXPLORER_HOWTO = (
    "Get one in Graph API Explorer (https://developers.facebook.com/tools/explorer/): choose "
    "your app, tick business_management, whatsapp_business_management and "
    "whatsapp_business_messaging, click Generate Access Token, copy it."
)
SECRET_WHERE = "App Dashboard → your app → App settings → Basic → App secret → Show"


def admin_token(stdin: TextIO, console: Console, interactive: bool, timeout: float) -> SecretToken:
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


def read_request(
    args: argparse.Namespace, settings: Settings, console: Console, interactive: bool
) -> pv.Request:
    """The app, System User, role, expiry and store, checked; the app secret unless --plan."""
    app_id = (args.app_id or settings.app_id or "").strip()
    if not app_id and interactive:
        app_id = input_line("App id (App Dashboard → your app, top left): ", console)
    if not app_id:
        raise SettingsError(
            "The app id is needed (the app the token will belong to).",
            fix=f"Pass --app-id ID or set {settings.profile.var(APP_ID_VAR)} (environment or .env).",
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
    variable = settings.profile.var(APP_SECRET_VAR)
    if not interactive:
        raise SettingsError(
            f"The app secret is needed (for appsecret_proof) and {variable} is not set.",
            fix=f"Set {variable} in the environment or .env ({SECRET_WHERE})"
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


def choose(
    nodes: tuple[NamedNode, ...],
    wanted: str | None,
    flag: str,
    what: str,
    stdin: TextIO,
    console: Console,
    interactive: bool,
) -> NamedNode:
    """The node named by `flag`, the only one, or the one the user picks at the terminal."""
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


def choose_accounts(
    accounts: tuple[NamedNode, ...],
    wanted: str | None,
    stdin: TextIO,
    console: Console,
    interactive: bool,
) -> tuple[NamedNode, ...]:
    """Every account for `--waba-id all`, else the one chosen as `choose` does."""
    if wanted == "all":
        return accounts
    return (
        choose(
            accounts,
            wanted,
            "--waba-id",
            "WhatsApp account (or --waba-id all)",
            stdin,
            console,
            interactive,
        ),
    )


def confirmed(args: argparse.Namespace, stdin: TextIO, console: Console) -> bool:
    """True with --yes or a yes at the terminal; else it says what to do (exit 2 follows)."""
    return ask_yes(
        "Do this at Meta now?",
        args.yes,
        stdin,
        console,
        not_done="Nothing was changed at Meta",
        why="carrying out the plan changes your business at Meta (--plan only shows it)",
    )


def _is_pipe(stream: TextIO) -> bool:
    try:
        mode = os.fstat(stream.fileno()).st_mode
    except (AttributeError, ValueError, OSError):
        return not isatty(stream) and hasattr(stream, "read")
    return stat.S_ISFIFO(mode) or stat.S_ISREG(mode)
