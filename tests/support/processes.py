"""Processes for tests: a fresh interpreter on this checkout, and `wa-token` left running."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from subprocess import PIPE

from tests.conftest import WA_TOKEN, Cli

REPO = Path(__file__).resolve().parents[2]
"""The checkout's top folder (holds `wizard/` and `tests/`)."""


def run_python(
    *args: str,
    timeout: float,
    env: Mapping[str, str] | None = None,
    cwd: Path = REPO,
) -> subprocess.CompletedProcess[str]:
    """`python ARGS` with REPO on PYTHONPATH, in `env` (default: this process's); output as text.

    It does not raise on a non-zero exit: the caller asserts on the code, with stderr shown.
    """
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        env={**(os.environ if env is None else env), "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def start(
    cli: Cli, *args: str, stdin: int = PIPE, env: Mapping[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """`wa-token ARGS` started in the test's folder with its environment (or `env`), output piped."""
    return subprocess.Popen(
        [str(WA_TOKEN), *args],
        stdin=stdin,
        stdout=PIPE,
        stderr=PIPE,
        cwd=cli.cwd,
        env=cli.env if env is None else env,
    )


@contextmanager
def running(cli: Cli, *args: str) -> Iterator[subprocess.Popen[bytes]]:
    """`wa-token ARGS` with a pipe on stdin; killed and its pipes closed when the block ends."""
    proc = start(cli, *args)
    try:
        yield proc
    finally:
        proc.kill()
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            if stream:
                stream.close()
