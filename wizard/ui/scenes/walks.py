"""Scripted walks through the wizard (Pilot[Any]) and `begin`: the wizard begun at a step."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, cast

from textual import events
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input, Static

from wizard.core.codes import Source
from wizard.core.flow import ONBOARD_STEPS, Step
from wizard.core.token import clean_pasted
from wizard.testing.fake_graph import TOKENS
from wizard.ui.modals import ConfirmModal
from wizard.ui.steps.check import CheckStep
from wizard.ui.steps.done import DoneStep
from wizard.ui.steps.extend import ExtendScreen
from wizard.ui.steps.hubs import ExpiredStep, MenuStep, TroubleshootStep
from wizard.ui.steps.instructions import InstructionStep
from wizard.ui.steps.paste import PasteStep
from wizard.ui.steps.send_test import SendTestScreen
from wizard.ui.steps.store import StoreStep

if TYPE_CHECKING:
    from wizard.core.check import CheckReport
    from wizard.core.token import SecretToken
    from wizard.ui.app import WizardApp
    from wizard.ui.state import WizardState

Script = Callable[[Pilot[Any]], Awaitable[None]]
INSTRUCTION_STEPS = ONBOARD_STEPS.index(Step.PASTE)
"""Onboarding's instruction steps before the paste step."""
WAITING_ON_THE_USER = ("flow", "quit", "save", "send")
"""Worker groups that wait for a key press, so "settled" does not wait for them."""


async def wait_for(
    pilot: Pilot[Any], condition: Callable[[], object], what: str, timeout: float = 8.0
) -> None:
    """Let the app run until `condition` holds, failing after `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(
                f"timed out waiting for {what}; the screen is {type(pilot.app.screen).__name__}"
            )
        await pilot.pause(0.05)


async def wait_for_screen(
    pilot: Pilot[Any],
    screen: type[Screen[Any]],
    timeout: float = 8.0,
    after: Screen[Any] | None = None,
) -> Screen[Any]:
    """Wait until a screen of that class is on top (another one than `after`), and return it.

    Steps of one class follow each other (the instruction steps): waiting for the class alone
    would return the old screen while it is still leaving, and the next key would be lost.
    """
    await wait_for(
        pilot,
        lambda: isinstance(pilot.app.screen, screen) and pilot.app.screen is not after,
        screen.__name__,
        timeout,
    )
    await pilot.pause()
    return pilot.app.screen


async def settle(pilot: Pilot[Any]) -> None:
    """Let the step's own workers finish and the screen redraw."""

    def quiet() -> bool:
        return not any(
            w.is_running for w in pilot.app.workers if w.group not in WAITING_ON_THE_USER
        )

    await wait_for(pilot, quiet, "the workers")
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False  # the cursor stays drawn: a picture never depends on the clock
    await pilot.pause()
    await pilot.pause()


@dataclass(frozen=True)
class Start:
    """Where the wizard begins instead of its first screen: a step of the first route it walks,
    with what the steps before it leave behind; or a hub, its look done, and a key pressed there."""

    step: Step | None = None
    """The step its first route begins at (None: that route's first step)."""
    pasted: str | None = None
    """The text pasted on the Paste step; its token is checked by the Check step, or before the
    wizard starts when it begins after Check."""
    hub: bool = False
    """The wizard opens on its hub with the hub's look already done (`look_before_start`)."""
    hub_key: str | None = None
    """The key pressed on that hub once it is drawn: g the go-live list, x extend, t the
    temporary route (whose route then begins at `step`)."""


def begin(app: WizardApp, start: Start, report: CheckReport | None = None) -> WizardApp:
    """Make the wizard begin at `start`: on its hub, looked and checked as the app's own look
    does, then `start.hub_key`; its first route at `start.step`, with the state the steps
    before leave (filled in when the route begins there, after a hub's choice reset it): the
    pasted text, its token and, after Check, the token's check (`report`, or the Check step's
    own call, made now)."""
    assert start.hub or start.hub_key is None, "a key is pressed on a hub"
    if start.hub:
        look_before_start(app)
        app.hub_key = start.hub_key
    app.start_at = start.step
    if start.pasted is None or start.step is None:
        return app
    token = clean_pasted(start.pasted).token
    after_check = ONBOARD_STEPS.index(start.step) > ONBOARD_STEPS.index(Step.CHECK)
    if after_check and report is None:
        assert token is not None, "only a token is checked"
        report = check_pasted(app.state, token)
    app.start_with = partial(leave_pasted, start.pasted, token, report)
    return app


def leave_pasted(
    pasted: str, token: SecretToken | None, report: CheckReport | None, state: WizardState
) -> None:
    """What Paste and Check leave in the state: the text, its token, the token's check."""
    state.pasted_text, state.token, state.report = pasted, token, report


def look_before_start(app: WizardApp) -> None:
    """The app's look at start (`WizardApp.detect`), made before it starts: every stored source
    read and the winner checked by the core's one call (`wa-token status`'s check)."""
    from wizard.core.check import check_found_token
    from wizard.core.stores import sources

    state = app.state
    state.readings = sources.read_stored(
        state.environ, state.settings.env_file, state.settings.profile.token_key
    )
    winner = sources.winner_of(state.readings)
    if winner is not None:
        state.initial = check_found_token(
            winner, state.settings, state.environ, readings=state.readings, now=state.clock()
        )
    app.looked = True


def check_pasted(state: WizardState, token: SecretToken) -> CheckReport:
    """The check the Check step runs on the pasted token: the core's one call, without the UI."""
    from wizard.core.check import check_found_token
    from wizard.core.stores.sources import FoundToken

    found = FoundToken(Source.PASTED, "the wizard", token)
    return check_found_token(found, state.settings, state.environ, now=state.clock())


async def paste(pilot: Pilot[Any], text: str) -> None:
    """What a terminal's bracketed paste does: one Paste event, to whatever has the focus."""
    await wait_for_screen(pilot, PasteStep)
    pilot.app.post_message(events.Paste(text))
    await pilot.pause()
    await pilot.pause()


async def check(pilot: Pilot[Any], token: str) -> CheckStep:
    """Paste a token, submit it, and wait for the check to finish."""
    await paste(pilot, token)
    await pilot.press("enter")
    return await checked(pilot)


async def checked(pilot: Pilot[Any]) -> CheckStep:
    """Wait for the check step and its check to finish."""
    screen = await wait_for_screen(pilot, CheckStep)
    await wait_for(
        pilot,
        lambda: (
            not screen.has_class("-checking") and cast(CheckStep, screen).state.report is not None
        ),
        "the check",
    )
    await settle(pilot)
    return screen  # type: ignore[return-value]


async def to_store(pilot: Pilot[Any], token: str = TOKENS["valid"]) -> StoreStep:
    """Check a working token and go on to the save step, once the keyring probe answered."""
    await check(pilot, token)
    return await next_to_store(pilot)


async def next_to_store(pilot: Pilot[Any]) -> StoreStep:
    """From a passed check, Next to the save step, once the keyring probe answered."""
    await pilot.press("enter")
    return await store_ready(pilot)


async def store_ready(pilot: Pilot[Any]) -> StoreStep:
    """Wait for the save step and its keyring probe's answer."""
    store = await wait_for_screen(pilot, StoreStep)
    await wait_for(
        pilot,
        lambda: "keyring" in str(store.query_one("#keyring-status", Static).render()).lower(),
        "the keyring probe",
    )
    return store  # type: ignore[return-value]


def through_instructions(until: Step, then: Script | None = None) -> Script:
    """Press Enter through onboarding's instruction screens up to `until`, then run `then`."""
    steps = ONBOARD_STEPS.index(until)

    async def run(pilot: Pilot[Any]) -> None:
        left: Screen[Any] | None = None
        for _ in range(steps):
            left = await wait_for_screen(pilot, InstructionStep, after=left)
            await pilot.press("enter")
        if then is None and steps < INSTRUCTION_STEPS:
            await wait_for_screen(pilot, InstructionStep, after=left)
        if then is not None:
            await then(pilot)
        await settle(pilot)

    return run


def pasting(text: str) -> Script:
    """A scene step: paste this text."""

    async def run(pilot: Pilot[Any]) -> None:
        await paste(pilot, text)

    return run


def checked_then(*keys: str) -> Script:
    """A scene step, begun at the Check step: wait for its check, press these keys, settle."""

    async def run(pilot: Pilot[Any]) -> None:
        await checked(pilot)
        await pilot.press(*keys)
        await settle(pilot)

    return run


def stored_then(*keys: str) -> Script:
    """A scene step, begun at the save step: wait for its keyring probe, press these keys."""

    async def run(pilot: Pilot[Any]) -> None:
        await store_ready(pilot)
        await pilot.press(*keys)
        await settle(pilot)

    return run


def settled(then: Script) -> Script:
    """A scene step: run `then`, and let the app settle."""

    async def run(pilot: Pilot[Any]) -> None:
        await then(pilot)
        await settle(pilot)

    return run


def at(screen: type[Screen[Any]], *keys: str) -> Script:
    """A scene step: wait for a screen, then press keys."""

    async def run(pilot: Pilot[Any]) -> None:
        await wait_for_screen(pilot, screen)
        await pilot.press(*keys)
        await settle(pilot)

    return run


async def to_replace_question(pilot: Pilot[Any]) -> ConfirmModal:
    """The expired journey's temporary route, up to the question: replace the old token?"""
    await wait_for_screen(pilot, ExpiredStep)
    await pilot.press("t")
    await to_store(pilot, TOKENS["temporary"])
    return await replace_question(pilot)


async def replace_question(pilot: Pilot[Any]) -> ConfirmModal:
    """From the temporary route's save step (walked or begun there, `REPLACE_START`): Enter,
    once the keyring probe answered, to the question: replace the old token?"""
    await store_ready(pilot)
    await pilot.press("enter")
    return cast(ConfirmModal, await wait_for_screen(pilot, ConfirmModal))


async def replacing_with_temporary(pilot: Pilot[Any]) -> None:
    """Begun at the temporary route's save step (`REPLACE_START`): replace, through to Done."""
    await replace_question(pilot)
    await pilot.press("y")
    await wait_for_screen(pilot, DoneStep)
    await settle(pilot)


async def open_send_test(pilot: Pilot[Any]) -> SendTestScreen:
    """From a passed check: s, to the send-test screen."""
    await pilot.press("s")
    return cast(SendTestScreen, await wait_for_screen(pilot, SendTestScreen))


def sending_test(*keys: str) -> Script:
    """A scene step, begun at the check of the valid token: open the send-test screen, type a
    recipient, press these keys."""

    async def run(pilot: Pilot[Any]) -> None:
        await checked(pilot)
        await open_send_test(pilot)
        await pilot.press(*"+1 555 123 4567", *keys)
        if "y" in keys:
            screen = await wait_for_screen(pilot, SendTestScreen)
            await wait_for(
                pilot,
                lambda: "wamid." in str(screen.query_one("#send-result", Static).render()),
                "the send",
            )
        await settle(pilot)

    return run


async def to_extend(pilot: Pilot[Any]) -> ExtendScreen:
    """From the expired token's screen: x, to the extend screen."""
    await wait_for_screen(pilot, ExpiredStep)
    await pilot.press("x")
    return cast(ExtendScreen, await wait_for_screen(pilot, ExtendScreen))


async def on_extend(pilot: Pilot[Any]) -> ExtendScreen:
    """Begun at the extend screen (`EXTEND_START`): the screen, once it is drawn."""
    return cast(ExtendScreen, await wait_for_screen(pilot, ExtendScreen))


async def extending(pilot: Pilot[Any]) -> None:
    """Begun at the extend screen (`EXTEND_START`): extend the live temporary token."""
    screen = await on_extend(pilot)
    await pilot.press("enter")
    await wait_for(pilot, lambda: screen.done is not None, "the exchange")
    await settle(pilot)


def going_live(hub: type[Screen[Any]], *keys: str) -> Script:
    """A scene step: from a hub, g to the "ready to go live" list, then these keys."""
    listed = on_the_list(*keys)

    async def run(pilot: Pilot[Any]) -> None:
        await wait_for_screen(pilot, hub)
        await pilot.press("g")
        await listed(pilot)

    return run


def on_the_list(*keys: str) -> Script:
    """A scene step, begun at the "ready to go live" list (`READY_START`) or opened there: wait
    for it, then these keys (the first opens a modal)."""

    async def run(pilot: Pilot[Any]) -> None:
        from wizard.ui.steps.ready import ReadyScreen

        await wait_for_screen(pilot, ReadyScreen)
        await settle(pilot)
        if keys:
            await pilot.press(keys[0])
            await wait_for(pilot, lambda: not isinstance(pilot.app.screen, ReadyScreen), "a modal")
            await pilot.press(*keys[1:])
            for field in pilot.app.screen.query(Input):  # the action's worker waits on the modal
                field.cursor_blink = False
            await pilot.pause()
            await pilot.pause()

    return run


@dataclass(frozen=True)
class Scene:
    """A picture of the wizard: the stored token it starts with, and the keys that lead there."""

    script: Script
    stored: str | None = None
    """The scenario whose token is in .env before the wizard starts."""
    mode: str | None = None
    app_credentials: bool = False
    """WHATSAPP_APP_ID and WHATSAPP_APP_SECRET are set (for extend)."""
    keyring: bool = False
    """The README picture runs with a working (private) OS keyring, as most desktops have."""
    start: Start | None = None
    """Where the wizard begins (`begin`) when not at its first screen."""


VALID_START = {step: Start(step, TOKENS["valid"]) for step in (Step.CHECK, Step.STORE)}
"""The valid token pasted, begun at its check or at the save step."""
HUB_START = Start(hub=True)
"""On the hub the stored token leads to, its check done."""
READY_START = Start(hub=True, hub_key="g")
"""On the "ready to go live" list, opened from the hub (the menu or troubleshooting)."""
EXTEND_START = Start(hub=True, hub_key="x")
"""On the extend screen, opened from the expired token's hub."""
REPLACE_START = Start(Step.STORE, TOKENS["temporary"], hub=True, hub_key="t")
"""On the save step of the expired journey's temporary route, the temporary token checked."""

ONBOARDING_SCENES: dict[str, Scene] = {
    "why": Scene(through_instructions(Step.WHY)),
    "create": Scene(at(InstructionStep), start=Start(Step.CREATE)),
    "assign": Scene(at(InstructionStep), start=Start(Step.ASSIGN)),
    "generate": Scene(at(InstructionStep), start=Start(Step.GENERATE)),
    "paste_empty": Scene(at(PasteStep), start=Start(Step.PASTE)),
    "paste_invalid": Scene(
        settled(pasting("Bearer EAAFake0 with spaces")), start=Start(Step.PASTE)
    ),
    "paste_valid": Scene(
        settled(pasting(f' "Bearer {TOKENS["valid"]}"\n')), start=Start(Step.PASTE)
    ),
    "check_ok": Scene(checked_then(), start=VALID_START[Step.CHECK]),
    "check_missing_permission": Scene(
        checked_then(), start=Start(Step.CHECK, TOKENS["missing_messaging"])
    ),
    "check_no_account": Scene(checked_then(), start=Start(Step.CHECK, TOKENS["no_account"])),
    "check_expired": Scene(checked_then(), start=Start(Step.CHECK, TOKENS["expired"])),
    "store": Scene(settled(stored_then()), keyring=True, start=VALID_START[Step.STORE]),
    "done": Scene(settled(stored_then("enter")), start=VALID_START[Step.STORE]),
    "quit_confirm": Scene(checked_then("ctrl+q"), start=VALID_START[Step.CHECK]),
    "overwrite": Scene(
        settled(stored_then("enter")), stored="old", mode="onboard", start=VALID_START[Step.STORE]
    ),
    "send_test": Scene(settled(sending_test()), start=VALID_START[Step.CHECK]),
    "send_test_confirm": Scene(settled(sending_test("enter")), start=VALID_START[Step.CHECK]),
    "send_test_sent": Scene(settled(sending_test("enter", "y")), start=VALID_START[Step.CHECK]),
}

JOURNEY_SCENES: dict[str, Scene] = {
    "expired": Scene(at(ExpiredStep), stored="expired", start=HUB_START),
    "revoked": Scene(at(ExpiredStep), stored="revoked", start=HUB_START),
    "temporary": Scene(at(ExpiredStep), stored="temporary", start=HUB_START),
    "temporary_route_paste": Scene(
        at(PasteStep), stored="expired", start=Start(hub=True, hub_key="t")
    ),
    "replaced": Scene(replacing_with_temporary, stored="expired", start=REPLACE_START),
    "troubleshoot": Scene(at(TroubleshootStep), stored="no_account", start=HUB_START),
    "menu": Scene(at(MenuStep), stored="valid", start=HUB_START),
    "extended": Scene(extending, stored="temporary", app_credentials=True, start=EXTEND_START),
    "ready": Scene(on_the_list(), stored="number_unregistered", start=READY_START),
    "ready_unsubscribed": Scene(
        on_the_list(), stored="webhooks_unsubscribed", mode="troubleshoot", start=READY_START
    ),
    "ready_pin": Scene(on_the_list("r", *"24"), stored="number_unregistered", start=READY_START),
    "ready_endpoint": Scene(on_the_list("w"), stored="valid", start=READY_START),
}

SCENES = {**ONBOARDING_SCENES, **JOURNEY_SCENES}
"""Every scene, by name."""
