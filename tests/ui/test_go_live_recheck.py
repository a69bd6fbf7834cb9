"""After an action of the "ready to go live" list, the check runs again: Done, the hubs and the
list itself show Meta's current verdict, not the warning the action just fixed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Input, Static

from tests.support.files import write_env
from tests.ui.conftest import AppFactory, screen_text
from wizard.core.codes import WarningCode
from wizard.core.flow import Step
from wizard.core.golive import ReadyItem, ReadyMark
from wizard.testing.fake_graph import TOKENS, FakeGraphServer
from wizard.testing.fake_register import REGISTER_PIN
from wizard.ui.modals import ConfirmModal
from wizard.ui.ready_modals import PinModal
from wizard.ui.scenes.walks import through_instructions, to_store, wait_for, wait_for_screen
from wizard.ui.steps.done import DoneStep
from wizard.ui.steps.hubs import TroubleshootStep
from wizard.ui.steps.ready import ReadyScreen

pytestmark = pytest.mark.usefixtures("no_keyring")


@pytest.fixture(autouse=True)
def fresh_graph(frozen_graph: FakeGraphServer) -> Iterator[None]:
    """Registrations and subscriptions made here do not leak into other tests."""
    frozen_graph.reset()
    yield
    frozen_graph.reset()


def warning_codes(report: object) -> list[WarningCode]:
    return [w.code for w in report.diagnosis.warnings]  # type: ignore[attr-defined]


def flat(pilot) -> str:  # type: ignore[no-untyped-def]
    return " ".join(screen_text(pilot).split())


def panel(screen: object) -> str:
    """What the screen's diagnosis panel says (scrolled into view or not)."""
    views = screen.query("#diagnosis FindingView")  # type: ignore[attr-defined]
    return " ".join(str(view.render()) for view in views)


async def register_from_the_list(pilot) -> ReadyScreen:  # type: ignore[no-untyped-def]
    ready: ReadyScreen = await wait_for_screen(pilot, ReadyScreen)  # type: ignore[assignment]
    await pilot.press("r")
    modal = await wait_for_screen(pilot, PinModal)
    modal.query_one("#pin-input", Input).value = REGISTER_PIN
    await pilot.press("enter")
    await wait_for(
        pilot,
        lambda: WarningCode.NUMBER_UNREGISTERED not in warning_codes(ready.report),
        "the check after the registration",
    )
    return ready


async def save_and_reach_done(pilot, token: str) -> DoneStep:  # type: ignore[no-untyped-def]
    async def store(pilot) -> None:  # type: ignore[no-untyped-def]
        await to_store(pilot, token)
        await pilot.press("enter")

    await through_instructions(Step.PASTE, store)(pilot)
    done: DoneStep = await wait_for_screen(pilot, DoneStep)  # type: ignore[assignment]
    await wait_for(pilot, lambda: done.state.saved_report is not None, "Done's look")
    await wait_for(pilot, lambda: list(done.query("#diagnosis")), "Done's warnings")
    return done


async def test_done_shows_the_number_registered_after_registering_from_the_list(
    wizard_app: AppFactory, isolated: Path
) -> None:
    app = wizard_app(mode="onboard")
    async with app.run_test(size=(80, 40)) as pilot:
        done = await save_and_reach_done(pilot, TOKENS["number_unregistered"])
        assert WarningCode.NUMBER_UNREGISTERED in panel(done)
        await pilot.press("g")
        ready = await register_from_the_list(pilot)
        assert {line.item: line.mark for line in ready.lines}[ReadyItem.SENDING] is ReadyMark.OK
        assert ready.lines[2].mark is ReadyMark.OK
        await pilot.press("escape")
        await wait_for_screen(pilot, DoneStep)
        await wait_for(
            pilot,
            lambda: WarningCode.NUMBER_UNREGISTERED not in panel(done),
            "Done's panel after the registration",
        )
        assert done.state.saved_report is not None
        assert WarningCode.NUMBER_UNREGISTERED not in warning_codes(done.state.saved_report)


async def test_troubleshooting_shows_the_app_subscribed_after_subscribing_from_the_list(
    wizard_app: AppFactory, isolated: Path
) -> None:
    write_env(isolated, TOKENS["webhooks_unsubscribed"])
    app = wizard_app(mode="troubleshoot")
    async with app.run_test(size=(80, 40)) as pilot:
        hub = await wait_for_screen(pilot, TroubleshootStep)
        await wait_for(pilot, lambda: WarningCode.APP_NOT_SUBSCRIBED in panel(hub), "the warning")
        await pilot.press("g")
        ready: ReadyScreen = await wait_for_screen(pilot, ReadyScreen)  # type: ignore[assignment]
        await pilot.press("s")
        await wait_for_screen(pilot, ConfirmModal)
        await pilot.press("y")
        await wait_for(
            pilot,
            lambda: WarningCode.APP_NOT_SUBSCRIBED not in warning_codes(ready.report),
            "the check after the subscription",
        )
        await pilot.press("escape")
        await wait_for_screen(pilot, TroubleshootStep)
        await wait_for(
            pilot,
            lambda: WarningCode.APP_NOT_SUBSCRIBED not in panel(hub),
            "troubleshooting's panel after the subscription",
        )
        assert hub.state.initial is not None
        assert WarningCode.APP_NOT_SUBSCRIBED not in warning_codes(hub.state.initial)


async def test_a_recheck_that_cannot_reach_graph_keeps_the_lines_and_says_so(
    wizard_app: AppFactory, isolated: Path, frozen_graph: FakeGraphServer
) -> None:
    from dataclasses import replace

    write_env(isolated, TOKENS["number_unregistered"])
    app = wizard_app(mode="troubleshoot")
    async with app.run_test(size=(80, 40)) as pilot:
        await wait_for_screen(pilot, TroubleshootStep)
        await pilot.press("g")
        ready: ReadyScreen = await wait_for_screen(pilot, ReadyScreen)  # type: ignore[assignment]
        before = ready.report
        app.state.settings = replace(app.state.settings, graph_url="http://127.0.0.1:9")
        await ready._recheck()
        status = str(ready.query_one("#ready-status", Static).render())
        assert "Could not check again" in status
        assert ready.report is before
        assert {line.item: line.mark for line in ready.lines}[ReadyItem.TOKEN] is ReadyMark.OK
