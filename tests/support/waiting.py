"""Wait for a readiness signal instead of sleeping a guessed time."""

from __future__ import annotations

import time
from collections.abc import Callable

POLL_SECONDS = 0.02


def wait_until(ready: Callable[[], bool], what: str, limit: float = 30.0) -> None:
    """Return once `ready()` is true; fail naming `what` if it never is (a hung process)."""
    deadline = time.monotonic() + limit
    while not ready():
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened: {what}")
        time.sleep(POLL_SECONDS)
