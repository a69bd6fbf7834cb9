"""The `wa-token` entry point: it answers `--version` at once and loads the commands on demand."""

from __future__ import annotations

import atexit
import gc
import os
import signal
import sys
from collections.abc import Sequence
from types import FrameType
from typing import Any

from wizard import __version__
from wizard.core.codes import ExitCode

INTERRUPTED = b"\nInterrupted; nothing was changed.\n"
TEST_INTERRUPT = "WA_TOKEN_TEST_INTERRUPT"
"""Tests only: `import` makes the process send itself SIGINT while the commands are loading."""


def main(argv: Sequence[str] | None = None, **streams: Any) -> int:
    """Run one command and return its exit code (see `wizard.cli.run.main`)."""
    previous = _quiet_interrupts_while_starting()
    try:
        args = list(sys.argv[1:] if argv is None else argv)
        if args == ["--version"]:
            return _print_version(streams.get("stdout") or sys.stdout)
        if os.environ.get(TEST_INTERRUPT) == "import":
            os.kill(os.getpid(), signal.SIGINT)
        _skip_final_collections()
        from wizard.cli import run  # httpx, the core and argparse: only when a command runs
    finally:
        _restore(previous)
    try:
        return run.main(argv, **streams)
    except KeyboardInterrupt:  # between the handler's restore and the command's own handling
        _write_interrupted()
        return ExitCode.INTERRUPTED


def _print_version(stdout: Any) -> int:
    """`wa-token --version`, or one line on stderr when stdout cannot take it (exit 2)."""
    try:
        stdout.write(f"wa-token {__version__}\n")
        stdout.flush()
    except (AttributeError, OSError):
        _write_to_stderr(b"wa-token: could not write to standard output.\n")
        os.dup2(os.open(os.devnull, os.O_WRONLY), 1)  # so that Python's last flush succeeds
        return ExitCode.USAGE
    return 0


def _quiet_interrupts_while_starting() -> Any:
    """Ctrl-C while the modules load: one line and exit 130, never an import traceback."""
    try:
        return signal.signal(signal.SIGINT, _interrupted_while_starting)
    except ValueError:  # not the main thread (an embedding test): leave signals alone
        return None


def _interrupted_while_starting(signum: int, frame: FrameType | None) -> None:
    _write_interrupted()
    os._exit(ExitCode.INTERRUPTED)  # nothing was written yet: no state to unwind


def _write_interrupted() -> None:
    _write_to_stderr(INTERRUPTED)


def _write_to_stderr(data: bytes) -> None:
    try:
        os.write(2, data)
    except OSError:
        pass


def _restore(previous: Any) -> None:
    if previous is not None:
        signal.signal(signal.SIGINT, previous)


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


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
