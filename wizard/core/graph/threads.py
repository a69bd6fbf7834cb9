"""Graph requests side by side on threads, and one request bounded by a deadline."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Generic, TypeVar

_T = TypeVar("_T")


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
        if not self._done.wait(timeout):
            raise TimeoutError
        if self._error is not None:
            raise self._error
        return self._result  # type: ignore[return-value]

    def outcome(self) -> _T | Exception:
        """The result, or the exception, as a value (anything but an Exception is raised)."""
        return outcome_of(self.result)


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
