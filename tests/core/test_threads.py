"""The core's threads: a level's calls side by side, in order, failures as values, daemons."""

from __future__ import annotations

import subprocess
import sys
import threading

import pytest

from wizard.core.graph.threads import Background, gather_all, run_all

SAFETY = 10.0
"""Seconds a barrier waits before it breaks: only ever reached when the calls ran one by one."""


def test_run_all_runs_the_calls_side_by_side_and_keeps_their_order() -> None:
    barrier = threading.Barrier(3, timeout=SAFETY)  # passes only if all three wait at once

    def call(value: int) -> int:
        barrier.wait()
        return value

    assert run_all([lambda: call(1), lambda: call(2), lambda: call(3)]) == [1, 2, 3]


def test_failures_come_back_as_values_and_gather_all_raises_the_first() -> None:
    def fail(message: str) -> int:
        raise ValueError(message)

    first, second, third = run_all([lambda: 1, lambda: fail("a"), lambda: fail("b")])
    assert first == 1 and str(second) == "a" and str(third) == "b"
    with pytest.raises(ValueError, match="a"):
        gather_all([lambda: 1, lambda: fail("a"), lambda: fail("b")])


def test_a_keyboard_interrupt_is_never_captured() -> None:
    def interrupted() -> int:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_all([interrupted])


def test_a_call_left_behind_runs_on_a_daemon_thread() -> None:
    release = threading.Event()
    seen: list[bool] = []

    def slow() -> str:
        seen.append(threading.current_thread().daemon)
        release.wait(SAFETY)
        return "done"

    call = Background(slow)
    with pytest.raises(TimeoutError):
        call.result(timeout=0)  # not finished: the caller stops waiting, the call goes on
    release.set()
    assert call.result() == "done" and seen == [True]


def test_what_is_not_an_exception_is_raised_not_returned() -> None:
    def exits() -> int:
        raise SystemExit(3)

    with pytest.raises(SystemExit):
        Background(exits).outcome()


CTRL_C_ON_ANOTHER_THREAD = """
import signal, sys, threading
from wizard.core.graph.threads import Background

release = threading.Event()
started = threading.Event()

def hanging() -> None:  # a Graph answer that never comes
    started.set()
    release.wait(60)

call = Background(hanging)
started.wait()
worker = next(t for t in threading.enumerate() if t.name == "wa-token-graph")
# the kernel hands a Ctrl-C to any thread of the process; here, surely not the main one
threading.Timer(0.1, signal.pthread_kill, (worker.ident, signal.SIGINT)).start()
try:
    call.result()
except KeyboardInterrupt:
    sys.exit(0 if not release.is_set() else 1)
sys.exit(2)
"""


def test_a_ctrl_c_that_another_thread_received_ends_the_wait() -> None:
    """Under load, a SIGINT went to a worker thread and the main thread slept on until the
    call ended: `check --all-profiles` ignored Ctrl-C against a hanging Graph (60 s)."""
    done = subprocess.run(
        [sys.executable, "-c", CTRL_C_ON_ANOTHER_THREAD],
        check=False,
        timeout=30,
        capture_output=True,
    )
    assert done.returncode == 0, done.stderr.decode()
