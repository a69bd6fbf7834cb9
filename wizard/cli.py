"""The `wa-token` entry point: it answers `--version` at once and loads the commands on demand."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

from wizard import __version__


def main(argv: Sequence[str] | None = None, **streams: Any) -> int:
    """Run one command and return its exit code (see `wizard.commands.main`)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args == ["--version"]:
        (streams.get("stdout") or sys.stdout).write(f"wa-token {__version__}\n")
        return 0
    from wizard import commands  # httpx, the core and argparse: only when a command runs

    return commands.main(argv, **streams)


def __getattr__(name: str) -> Any:
    """`wizard.cli.COMMANDS` and the other names of `wizard.commands` still resolve."""
    if name.startswith("__"):  # the import system probes __path__ & co.: no commands for that
        raise AttributeError(name)
    from wizard import commands

    return getattr(commands, name)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
