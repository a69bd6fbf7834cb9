"""Graph requests side by side on threads, and one request bounded by a deadline."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Generic, TypeVar

_T = TypeVar("_T")

SIGNAL_CHECK = 0.2
"""Seconds between two looks at pending signals while the main thread waits for a call: the
kernel may hand a Ctrl-C to any thread, and only the main thread's Python code can act on it,
so a wait without an end could miss it until the call ends (a hanging Graph: --timeout)."""


class Background(Generic[_T]):
    """One call running on a daemon thread: the interpreter does not wait for it at exit, so
    a request left behind (timed out, or Ctrl-C) never holds up the end of the process."""

    def __init__(self, call: Callable[[], _T]) -> None:
        self._call = call
        self._done = threading.Event()
        self._result: _T | None = None
        self._error: BaseException | None = None
        threading.Thread(target=self._run, name="wa-token-graph", daemon=True).start()

    def _run(self) -> None:
        try:
            self._result = self._call()
        except BaseException as exc:  # noqa: BLE001 -- handed to the waiting thread, never lost
            self._error = exc
        finally:
            self._done.set()

    def result(self, timeout: float | None = None) -> _T:
        """The call's result, or the exception it raised; TimeoutError when it has not ended
        within `timeout` seconds (it then goes on alone). A Ctrl-C interrupts the wait."""
        if not _wait(self._done, timeout):
            raise TimeoutError
        if self._error is not None:
            raise self._error
        return self._result  # type: ignore[return-value]

    def outcome(self) -> _T | Exception:
        """The result, or the exception, as a value (anything but an Exception is raised)."""
        return outcome_of(self.result)


def _wait(done: threading.Event, timeout: float | None) -> bool:
    """`done.wait(timeout)` in steps of SIGNAL_CHECK, so that a signal another thread received
    is acted on (KeyboardInterrupt raised here) within a step, not when the wait ends."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        left = SIGNAL_CHECK if deadline is None else min(SIGNAL_CHECK, deadline - time.monotonic())
        if done.wait(max(left, 0.0)):
            return True
        if deadline is not None and time.monotonic() >= deadline:
            return False


def run_all(calls: Sequence[Callable[[], _T]]) -> list[_T | Exception]:
    """Each call's result or exception, in order: the first call runs on this thread while
    the others run on their own, so one call costs no thread and N calls take as long as the
    slowest. A KeyboardInterrupt is never captured."""
    others = [Background(call) for call in calls[1:]]
    first = [outcome_of(calls[0])] if calls else []
    return [*first, *(other.outcome() for other in others)]


def gather_all(calls: Iterable[Callable[[], _T]]) -> list[_T]:
    """Run calls side by side; the first failure is raised once all have finished."""
    results = run_all(list(calls))
    for result in results:
        if isinstance(result, Exception):
            raise result
    return results  # type: ignore[return-value]


def outcome_of(call: Callable[[], _T]) -> _T | Exception:
    """The call's result, or the exception it raised, as a value (a KeyboardInterrupt passes)."""
    try:
        return call()
    except Exception as exc:  # noqa: BLE001 -- the caller decides what each failure means
        return exc


def run_bounded(calls: Sequence[Callable[[], _T]], limit: int) -> list[_T | Exception]:
    """Each call's result or exception, in order, with at most `limit` running at once: a few
    workers take the calls one after another, so a hundred calls never start a hundred threads.
    """
    pending = iter(range(len(calls)))
    taking = threading.Lock()
    slots: list[_T | Exception | None] = [None] * len(calls)

    def work() -> None:
        while True:
            with taking:
                index = next(pending, None)
            if index is None:
                return
            slots[index] = outcome_of(calls[index])

    for worker in [Background(work) for _ in range(min(limit, len(calls)))]:
        worker.result()
    return slots  # type: ignore[return-value]  # every slot was filled
