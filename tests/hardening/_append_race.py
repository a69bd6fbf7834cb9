"""Helper for test_env_concurrency: one process appends lines while another saves the token.

Run as `python _append_race.py ENV_FILE LINES`. A forked child appends LINES numbered lines to the
file (open, append, close, like `echo … >> .env`), while the parent stores token A and token B in
turn through the core until the child is done. Prints one JSON line: how many appended lines are
missing from the final file, how many saves ran, how many were refused (and why, by class), and
which token the file ends with.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from wizard.core.stores.env_store import read_env_token, write_env_token

TOKEN_A = "EAAFakeAppendRaceTokenAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
TOKEN_B = "EAAFakeAppendRaceTokenBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"
PAUSE = 0.0002
"""Seconds between two appended lines (a busy logger, not a tight loop)."""


def append_lines(path: Path, count: int) -> None:
    for number in range(count):
        with open(path, "a", encoding="utf-8") as stream:
            stream.write(f"APPENDED_{number}=x\n")
        time.sleep(PAUSE)


def main() -> None:
    path, count = Path(sys.argv[1]), int(sys.argv[2])
    write_env_token(path, TOKEN_B)
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        try:
            append_lines(path, count)
        finally:
            os._exit(0)
    saves, refused, last = 0, {}, TOKEN_B
    while os.waitpid(child, os.WNOHANG) == (0, 0):
        token = TOKEN_A if saves % 2 == 0 else TOKEN_B
        try:
            write_env_token(path, token)
            last = token
        except Exception as exc:  # noqa: BLE001 - counted, reported by class
            refused[type(exc).__name__] = refused.get(type(exc).__name__, 0) + 1
        saves += 1
    text = path.read_text(encoding="utf-8")
    lost = sum(1 for number in range(count) if f"APPENDED_{number}=x\n" not in text)
    print(
        json.dumps(
            {
                "lost": lost,
                "saves": saves,
                "refused": refused,
                "token_kept": read_env_token(path) == last,
            }
        )
    )


if __name__ == "__main__":
    main()
