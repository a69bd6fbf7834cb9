"""`wa-token setup`: the interactive wizard (Textual loads only when it runs)."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import TYPE_CHECKING, TextIO

from wizard.cli.commands.common import Command
from wizard.cli.console import Console, isatty
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
    if app.crashed is not None:  # main() reports it as the unexpected error it is
        raise app.crashed
    if outcome is None:
        console.err.write("The wizard closed; nothing was changed.\n")
        return ExitCode.OK
    console.err.write("\n".join(outcome.lines) + "\n")
    return outcome.exit_code


COMMANDS: dict[str, Command] = {"setup": cmd_setup}
