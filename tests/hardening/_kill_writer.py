"""Helper for test_env_file_survives: fork a writer, SIGKILL it mid-write, report the file.

Run as `python _kill_writer.py ENV_FILE KILLS`. The process is single-threaded, so forking is
safe. Each round forks a child that stores token A, stores token B and removes the token, over and
over; the parent kills it after a delay that moves across one whole cycle of those three writes,
then prints one JSON line: the delay, the SHA-256 of the file (or null when it is missing) and the
temp files the kill left beside it (which it then deletes for the next round).
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sys
import time
from pathlib import Path

from wizard.core.stores.env_store import remove_env_token, write_env_token

TOKEN_A = "EAAFakeKillTestTokenAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
TOKEN_B = "EAAFakeKillTestTokenBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"


def cycle(path: Path) -> None:
    write_env_token(path, TOKEN_A)
    write_env_token(path, TOKEN_B)
    remove_env_token(path)


def main() -> None:
    path, kills = Path(sys.argv[1]), int(sys.argv[2])
    started = time.perf_counter()
    for _ in range(5):
        cycle(path)
    period = (time.perf_counter() - started) / 5
    before = set(path.parent.iterdir())
    print(json.dumps({"period": period}), flush=True)
    for index in range(kills):
        delay = period * (1 + index / kills)  # one warm-up cycle, then every point of the next
        child = os.fork()
        if child == 0:  # pragma: no cover - killed
            try:
                while True:
                    cycle(path)
            finally:
                os._exit(0)
        time.sleep(delay)
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
        data = path.read_bytes() if path.exists() else None
        left = sorted(set(path.parent.iterdir()) - before)
        report = {
            "delay": delay,
            "sha": hashlib.sha256(data).hexdigest() if data is not None else None,
            "left": [
                {
                    "name": p.name,
                    "mode": p.stat().st_mode & 0o777,
                    "has_token": any(
                        t in p.read_text("utf-8", "replace") for t in (TOKEN_A, TOKEN_B)
                    ),
                }
                for p in left
            ],
        }
        for leftover in left:
            leftover.unlink()
        print(json.dumps(report), flush=True)


if __name__ == "__main__":
    main()
