"""Blocking core calls (Graph, git, the keyring) awaited off the event loop, on daemon threads."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, ParamSpec, TypeVar

if TYPE_CHECKING:
    from wizard.core.check import CheckReport
    from wizard.ui.state import WizardState

_P = ParamSpec("_P")
_T = TypeVar("_T")


async def in_background(call: Callable[_P, _T], /, *args: _P.args, **kwargs: _P.kwargs) -> _T:
    """`call(*args, **kwargs)` on a daemon thread, awaited.

    Not asyncio.to_thread: asyncio.run waits for its executor's threads at the end, so quitting
    the wizard while Graph is slow would hang until the request timed out. A cancelled await
    leaves the call to finish alone; its result is dropped.
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future[_T] = loop.create_future()

    def run() -> None:
        try:
            result = call(*args, **kwargs)
        except BaseException as exc:  # noqa: BLE001 -- raised again by the awaiting coroutine
            _hand_over(loop, future, None, exc)
        else:
            _hand_over(loop, future, result, None)

    threading.Thread(target=run, name="wa-token-ui-call", daemon=True).start()
    return await future


async def check_the_winner(state: WizardState) -> CheckReport:
    """`wa-token status`'s check: the token that wins among the stored sources (none: the
    report says so)."""
    from wizard.core.check import check_found_token  # httpx: loaded when a check first runs
    from wizard.core.stores.sources import winner_of

    return await in_background(
        check_found_token,
        winner_of(state.readings),
        state.settings,
        state.environ,
        readings=state.readings,
        now=state.clock(),
    )


def _hand_over(
    loop: asyncio.AbstractEventLoop,
    future: asyncio.Future[_T],
    result: _T | None,
    error: BaseException | None,
) -> None:
    """Settle the future on its loop; nothing to do when the loop has closed (the app quit)."""
    with contextlib.suppress(RuntimeError):
        loop.call_soon_threadsafe(_settle, future, result, error)


def _settle(future: asyncio.Future[_T], result: _T | None, error: BaseException | None) -> None:
    if future.done():  # cancelled while the call ran
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)  # type: ignore[arg-type]
