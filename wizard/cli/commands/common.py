"""What the commands share: their signature, the stored token they act on, a problem's printing."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, TextIO

from wizard.cli import parser
from wizard.cli.console import Console
from wizard.cli.render import render_finding
from wizard.core.errors import SettingsError
from wizard.core.exits import exit_code_for
from wizard.core.settings import Settings
from wizard.core.stores import registry, sources
from wizard.core.stores.sources import FoundToken

if TYPE_CHECKING:
    from wizard.core.diagnose import Finding

Command = Callable[[argparse.Namespace, Settings, Mapping[str, str], TextIO, Console], int]
"""Every `cmd_*`: the parsed arguments, the settings, the environment, stdin and the console."""


def no_token() -> str:
    """No token anywhere, naming every place looked in (from the one list of stores)."""
    return f"No token found ({registry.places_looked()}). Run `wa-token setup` or `wa-token save`."


def winning_token(settings: Settings, environ: Mapping[str, str]) -> FoundToken | None:
    """The first stored token by precedence, or None; a source failing above it is raised (5)."""
    found, error = sources.find_winner(environ, settings.env_file, settings.profile.token_key)
    if error is not None:
        raise error
    return found


def stored_token(
    settings: Settings, environ: Mapping[str, str], console: Console
) -> FoundToken | None:
    """The winning stored token, else None after saying that there is none (exit 3)."""
    found = winning_token(settings, environ)
    if found is None:
        console.say(no_token())
    return found


def token_to_replace(
    settings: Settings, environ: Mapping[str, str], console: Console
) -> FoundToken | None:
    """The winning token (a source that fails above it is exit 5); none anywhere is exit 3.

    A keyring that could not be asked at all (cron without D-Bus, a daemon gone) may hold the
    token: exit 5, as for `check`; one turned off on purpose (the fail or null backend) holds
    none, and the message says it was not asked.
    """
    readings = sources.read_stored(environ, settings.env_file, settings.profile.token_key)
    for reading in readings:
        if reading.error is not None:
            raise reading.error
        if reading.token is not None:
            return reading.found
    out_of_reach = sources.unreadable_store(readings, settings.profile.token_key, settings.env_file)
    if out_of_reach is not None:  # the token may be in a keyring that could not be asked: 5
        raise out_of_reach
    console.say(no_token())
    unavailable = next((r.unavailable for r in readings if r.unavailable is not None), None)
    if unavailable is not None:
        console.say(
            f"{console.marks.warn} The OS keyring could not be asked: "
            f"{unavailable.message} From cron, keep the token in the .env file or run "
            "the job as a systemd user timer (`wa-token schedule --print`)."
        )
    return None


def fail(problem: Finding, console: Console) -> int:
    """Print the problem on stderr and return its exit code."""
    print_problem(problem, console)
    return exit_code_for([problem.code])


def print_problem(problem: Finding | None, console: Console) -> None:
    """A problem with its fix, on stderr (nothing for None)."""
    if problem is not None:
        console.err.write(render_finding(problem, console.marks.bad))


def add_expiring_within(command: argparse.ArgumentParser, help_text: str) -> None:
    """--if-expiring-within DAYS: refresh's option, which schedule passes on to it."""
    from wizard.core import lifecycle  # only refresh and schedule need it

    command.add_argument(
        "--if-expiring-within",
        type=parser.days,
        metavar="DAYS",
        default=lifecycle.DEFAULT_REFRESH_WITHIN_DAYS,
        help=help_text,
    )


def days_option(days: int) -> timedelta:
    """--if-expiring-within as a time span (refresh and schedule)."""
    if days < 0:
        raise SettingsError(
            "--if-expiring-within must be 0 or more days.",
            fix="For example --if-expiring-within 10.",
        )
    return timedelta(days=days)
