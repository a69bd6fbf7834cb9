"""`wa-token fix ...`: a check's security warnings turned into actions (argparse and printing)."""

from __future__ import annotations

import argparse
import textwrap
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TextIO

from wizard.cli import parser
from wizard.cli.commands.common import Command
from wizard.cli.console import Console
from wizard.cli.parser import SafeParser, SubParsers
from wizard.cli.render import render_finding
from wizard.core.codes import ExitCode, Source, WarningCode
from wizard.core.diagnose import Finding, LocalFacts, rotation_steps
from wizard.core.fixes import fix_commands
from wizard.core.settings import Settings
from wizard.core.stores import sources
from wizard.core.stores.sources import FoundToken

if TYPE_CHECKING:  # repair (git, the keyring move) is imported only when a fix runs
    from wizard.core import repair

SHOWN_HITS = 10
"""How many commit/path pairs `fix tracked` lists before it summarises."""
FIXES = {name: f"{entry.code}: {entry.summary}" for name, entry in fix_commands().items()}
"""`wa-token fix WHAT`: each fix's name and its help, the warning code it acts on first."""
WEBHOOKS_HELP: dict[str, Any] = {
    "description": textwrap.fill(
        "Subscribe the token's app to the webhooks of every WhatsApp Business Account "
        "it reaches that lacks it (POST /{waba-id}/subscribed_apps), after a yes. Accounts already "
        "subscribed are left as they are, their callback override included; a second run changes "
        "nothing.",
        width=78,
    ),
    "epilog": "examples:\n  wa-token fix webhooks          # shows the plan, asks y/N\n"
    "  wa-token fix webhooks --yes    # from a script",
    "formatter_class": argparse.RawDescriptionHelpFormatter,
}
"""`fix webhooks --help`: what it changes at Meta, and how to run it."""


def add_parsers(commands: SubParsers, common: SafeParser) -> None:
    """`fix gitignore|permissions|keyring|tracked`, with the global options after them too."""
    fix = parser.add_command(commands, "fix", common)
    what = fix.add_subparsers(dest="fix", metavar="WHAT", required=True)
    for name, help_text in FIXES.items():
        extra = WEBHOOKS_HELP if name == "webhooks" else {}
        one = what.add_parser(name, parents=[common], help=help_text, **extra)
        if name == "webhooks":
            one.add_argument(
                "--yes",
                action="store_true",
                help="subscribe without asking (required when there is no terminal)",
            )


def cmd_fix(
    args: argparse.Namespace,
    settings: Settings,
    environ: Mapping[str, str],
    stdin: TextIO,
    console: Console,
) -> int:
    """Run one fix."""
    if args.fix == "webhooks":
        from wizard.cli.commands.fix_webhooks import fix_webhooks

        return fix_webhooks(args, settings, environ, stdin, console)
    fixes: dict[str, Callable[[Settings, Mapping[str, str], Console], int]] = {
        "gitignore": _fix_gitignore,
        "permissions": _fix_permissions,
        "keyring": _fix_keyring,
        "tracked": _fix_tracked,
    }
    return fixes[args.fix](settings, environ, console)


def _fix_gitignore(settings: Settings, environ: Mapping[str, str], console: Console) -> int:
    from wizard.core import repair

    _print(repair.ignore_in_git(settings.env_file), console)
    return ExitCode.OK


def _fix_permissions(settings: Settings, environ: Mapping[str, str], console: Console) -> int:
    from wizard.core import repair

    _print(repair.restrict_permissions(settings.env_file), console)
    return ExitCode.OK


def _fix_keyring(settings: Settings, environ: Mapping[str, str], console: Console) -> int:
    from wizard.core import repair

    done = repair.move_to_keyring(settings.env_file, settings.profile)
    _print(done, console)
    key = settings.profile.token_key
    if done.changed:
        flag = f" {settings.profile.flag}" if settings.profile.flag else ""
        console.say(
            f"Your server can no longer read it from {settings.env_file}: start it with "
            f'`export {key}="$(wa-token token{flag})"` (or read it from the keyring).'
        )
    if environ.get(key):
        console.say(
            f"{console.marks.warn} {key} is set in this shell's environment and takes "
            f"precedence over the keyring: `unset {key}`."
        )
    return ExitCode.OK


def _fix_tracked(settings: Settings, environ: Mapping[str, str], console: Console) -> int:
    from wizard.core import repair

    found, _ = sources.find_winner(environ, settings.env_file, settings.profile.token_key)
    scan = repair.scan_history(settings.env_file, found.token if found else None)
    return _report_tracked(scan, found, settings, console)


def _report_tracked(
    scan: repair.HistoryScan, found: FoundToken | None, settings: Settings, console: Console
) -> int:
    from wizard.core import repair

    marks, env_file = console.marks, settings.env_file
    if scan.root is None:
        console.say(f"{env_file} is not inside a git work tree: nothing is tracked.")
        return ExitCode.OK
    local = LocalFacts(
        now=datetime.now(UTC),
        source=Source.DOTENV,
        location=str(env_file),
        profile=settings.profile,
    )
    _print_scan(scan, found, console)
    steps = repair.untrack_commands(env_file, settings.profile, local.now, scan)
    if steps:
        console.say(f"{marks.bad} {env_file} is tracked by git. Untrack it:")
        for number, step in enumerate(steps, 1):
            console.say(f"  {number}. {step}")
    if not scan.leaked and not scan.tracked:
        console.say(f"{marks.ok} {env_file} is not tracked by git.")
        return ExitCode.OK
    leaked = Finding(
        WarningCode.ENV_TRACKED_BY_GIT,
        "Treat the token as leaked: untracking, and even "
        "rewriting history, never removes it from clones, forks or CI logs that "
        "already have it.",
        rotation_steps(local),
    )
    console.err.write(render_finding(leaked, marks.warn))
    return ExitCode.PROBLEM


def _print_scan(scan: repair.HistoryScan, found: FoundToken | None, console: Console) -> None:
    marks = console.marks
    if found is None:
        console.say(
            f"{marks.warn} No token found for this profile, so the history was not searched."
        )
        return
    masked = found.masked
    if scan.hits:
        console.say(
            f"{marks.bad} The token ({masked}) is in {len(scan.commits)} commit"
            f"{'s' if len(scan.commits) != 1 else ''}:"
        )
        for hit in scan.hits[:SHOWN_HITS]:
            console.say(f"    {hit.commit[:12]}  {hit.path}")
        if len(scan.hits) > SHOWN_HITS:
            console.say(f"    … and {len(scan.hits) - SHOWN_HITS} more")
    else:
        console.say(
            f"{marks.ok} The token ({masked}) is in none of the {scan.searched} commits searched."
        )
    if scan.in_index and not scan.hits:
        console.say(f"{marks.bad} It is staged: the next `git commit` would record it.")
    if scan.failed:
        console.say(f"{marks.warn} Not every commit was searched: {scan.failed}.")


def _print(done: repair.Repair, console: Console) -> None:
    mark = console.marks.ok
    console.say(f"{mark} {done.summary}")
    for note in done.notes:
        console.say(f"{console.marks.warn} {note}")


COMMANDS: dict[str, Command] = {"fix": cmd_fix}
