"""`wa-token setup`: the interactive wizard (Textual loads only when it runs)."""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, TextIO

from wizard.cli.commands.common import Command
from wizard.cli.console import Console, isatty
from wizard.cli.render import hanging
from wizard.core.codes import ExitCode
from wizard.core.settings import Settings

if TYPE_CHECKING:  # what the wizard returns is core's: no Textual to know it
    from wizard.core.outcome import Outcome

INSTEAD = (
    "use `wa-token check` (test the stored token), `wa-token status`, or "
    "`printf '%s' \"$TOKEN\" | wa-token save`."
)
NO_TTY = "The wizard needs an interactive terminal. Without one, " + INSTEAD


def cmd_setup(
    args: argparse.Namespace,
    settings: Settings,
    environ: Mapping[str, str],
    stdin: TextIO,
    console: Console,
) -> int:
    """The interactive wizard; without a terminal, say which command to use."""
    if not (isatty(stdin) and isatty(console.out)):
        console.err.write(NO_TTY + "\n")
        return ExitCode.USAGE
    from wizard.ui.app import make_app  # Textual is imported only here

    app = make_app(settings, environ, mode=getattr(args, "mode", None))
    outcome: Outcome | None = app.run()
    if app.crashed is not None:  # what it changed, then main() reports the bug (exit 70)
        console.err.write(last_lines(app.crash_lines(), console) + "\n")
        raise app.crashed
    if outcome is None:
        console.err.write("The wizard closed; nothing was changed.\n")
        return ExitCode.OK
    console.err.write(last_lines(outcome.lines, console) + "\n")
    return outcome.exit_code


def last_lines(lines: Sequence[str], console: Console) -> str:
    """The wizard's last lines: on a terminal each wrapped between words to its width (a long
    sentence cut by the terminal mid-word reads badly); elsewhere one line each, for grep."""
    if not isatty(console.err):
        return "\n".join(lines)
    return "\n".join(hanging(line, "", "  ") for line in lines)


COMMANDS: dict[str, Command] = {"setup": cmd_setup}
