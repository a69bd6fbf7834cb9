"""The core's threads: a level's calls side by side, in order, failures as values, daemons."""

from __future__ import annotations

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
