"""`wa-token schedule`: print the cron and systemd lines that run `wa-token refresh` daily."""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

from wizard import __version__
from wizard.cli import parser
from wizard.cli.commands.common import Command, add_expiring_within, days_option
from wizard.cli.console import Console
from wizard.cli.parser import SafeParser, SubParsers
from wizard.core.codes import ExitCode
from wizard.core.graph import DEFAULT_GRAPH_URL, GRAPH_VERSION
from wizard.core.schedule import (
    WORKFLOW_PATH,
    github_actions_workflow,
    refresh_command,
    schedule_texts,
)
from wizard.core.settings import Settings


def add_parsers(commands: SubParsers, common: SafeParser) -> None:
    """schedule, with the global options after it too."""
    schedule = parser.add_command(commands, "schedule", common)
    schedule.add_argument(
        "--print",
        action="store_true",
        dest="print_only",
        help="print them (the default; wa-token never installs them itself)",
    )
    add_expiring_within(schedule, "passed on to refresh (default 10)")
    schedule.add_argument(
        "--github-actions",
        action="store_true",
        help="print a GitHub Actions workflow that refreshes the token daily on GitHub's "
        "runners and keeps the repository's secret fresh",
    )


def cmd_schedule(
    args: argparse.Namespace,
    settings: Settings,
    environ: Mapping[str, str],
    stdin: TextIO,
    console: Console,
) -> int:
    """Print a crontab line and a systemd service + timer that run `wa-token refresh` daily."""
    days_option(args.if_expiring_within)
    if args.github_actions:
        return _print_workflow(args, settings, console)
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


def _print_workflow(args: argparse.Namespace, settings: Settings, console: Console) -> int:
    """The workflow on stdout; where to put it and which secrets it needs on stderr."""
    workflow = github_actions_workflow(
        settings.profile, args.if_expiring_within, __version__, _graph_flags(settings)
    )
    console.out.write(workflow)
    console.say(
        f"Save it as {WORKFLOW_PATH} in the repository, add the secrets and the variable its "
        "first lines name, then run it once by hand (Actions → the workflow → Run workflow)."
    )
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


COMMANDS: dict[str, Command] = {"schedule": cmd_schedule}
