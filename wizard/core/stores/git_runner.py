"""The one way core runs git: no secrets and no repository overrides in its environment, bounded."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from wizard.core.variables import APP_SECRET_VAR, TOKEN_KEY

GIT_TIMEOUT = 5.0
"""Seconds each quick git question may take (a slow git counts as "no answer")."""
GIT_LOCATION_VARS = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR", "GIT_PREFIX")
"""Variables that would point git at another repository than the one around the file."""
SECRET_VAR_PREFIXES = (TOKEN_KEY, APP_SECRET_VAR)
"""Variables that hold secrets (a profile adds a suffix): git never needs them, so never gets them."""


def run_git(
    folder: Path, args: list[str], *, stdin: str | None = None, timeout: float | None = None
) -> subprocess.CompletedProcess[str] | None:
    """git run in `folder` (GIT_TIMEOUT unless told); None when git is missing, fails to start or is slow."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in GIT_LOCATION_VARS and not k.startswith(SECRET_VAR_PREFIXES)
    }
    try:
        return subprocess.run(
            ["git", "-c", "core.fsmonitor=false", "-C", str(folder), *args],
            input=stdin,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=GIT_TIMEOUT if timeout is None else timeout,
            stdin=None if stdin is not None else subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError):
        return None


def git_answer(folder: Path, *args: str) -> str | None:
    """git's stripped stdout when it exits 0, else None (also when git is missing or slow)."""
    done = run_git(folder, list(args))
    return done.stdout.strip() if done is not None and done.returncode == 0 else None
