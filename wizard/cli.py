"""The `wa-token` entry point: it answers `--version` at once and loads the commands on demand."""

from __future__ import annotations

import atexit
import gc
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
    _skip_final_collections()
    from wizard import commands  # httpx, the core and argparse: only when a command runs

    return commands.main(argv, **streams)


def _skip_final_collections() -> None:
    """Spare the interpreter's last garbage collections when the process exits.

    After main() returns, Python's finalization runs full collections over every object the
    loaded modules hold (over 20,000 for `check`): 100-190 ms measured, against 7-13 ms for an
    exit without them. They find nothing to do: every file is closed by its `with`, the event
    loop and the HTTP client by theirs, and the standard streams are flushed after the exit
    handlers. gc.freeze() as an exit handler (after threads are joined, before the modules are
    torn down) puts every object out of the collector's reach; the memory goes back with the
    process. Registered once, however many times main() runs in one process.
    """
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)


def __getattr__(name: str) -> Any:
    """`wizard.cli.COMMANDS` and the other names of `wizard.commands` still resolve."""
    if name.startswith("__"):  # the import system probes __path__ & co.: no commands for that
        raise AttributeError(name)
    from wizard import commands

    return getattr(commands, name)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
