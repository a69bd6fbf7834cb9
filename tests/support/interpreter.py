"""A fresh Python interpreter that imports this checkout's `wizard`, for what a test cannot do in-process."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

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
