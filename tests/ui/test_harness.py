"""The harness that begins the wizard at a step lands where the full route lands: the same
screen, the same "Step n of N", the same state; so a test begun there tests the real screen."""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Static

import wizard
from tests.support.files import write_env
from tests.ui.conftest import AppFactory, AtHub, StartAt, screen_text
from wizard.core.flow import ONBOARD_STEPS, PERMANENT_ROUTE, Step, step_number
from wizard.testing.fake_graph import APP_ID, TOKENS
from wizard.ui.app import StartScreen, WizardApp, make_app
from wizard.ui.modals import ConfirmModal
from wizard.ui.scenes.walks import (
    EXTEND_START,
    HUB_START,
    READY_START,
    REPLACE_START,
    Script,
    Start,
    at,
    begin,
    check,
    checked,
    going_live,
    next_to_store,
    replace_question,
    settle,
    store_ready,
    to_extend,
    to_replace_question,
    wait_for,
    wait_for_screen,
)
from wizard.ui.steps.base import StepScreen
from wizard.ui.steps.done import DoneStep
from wizard.ui.steps.extend import ExtendScreen
from wizard.ui.steps.hubs import ExpiredStep, MenuStep, TroubleshootStep
from wizard.ui.steps.instructions import InstructionStep
from wizard.ui.steps.paste import PasteStep
from wizard.ui.steps.ready import ReadyScreen

VALID = TOKENS["valid"]
pytestmark = pytest.mark.usefixtures("no_keyring")
Landmark = tuple[str, str, str | None]


async def on_a_step(pilot: Pilot[Any]) -> StepScreen:
    """The step on top, once the look for a stored token (the start screen) is over."""
    await wait_for(
        pilot,
        lambda: (
            isinstance(pilot.app.screen, StepScreen)
            and not isinstance(pilot.app.screen, StartScreen)
        ),
        "a step",
    )
    await pilot.pause()
    return pilot.app.screen  # type: ignore[return-value]


def heading_of(screen: Screen[Any]) -> str:
    return str(screen.query_one("#step-heading", Static).render())


def step_label(route: tuple[Step, ...], step: Step) -> str:
    n, total = step_number(route, step)
    return f"Step {n} of {total}"


def landmark(screen: StepScreen) -> Landmark:
    """What says where the wizard is: the screen's class, its heading, the instruction shown."""
    return type(screen).__name__, heading_of(screen), getattr(screen, "step", None)


@dataclass
class Route:
    """What the full onboarding route showed: each step's landmark, and the state its check left."""

    landmarks: dict[Step, Landmark] = field(default_factory=dict)
    checked: tuple[object, ...] = ()
    """The pasted text, its token and its check, as the Check step left them."""


def checked_state(app: WizardApp) -> tuple[object, ...]:
    state = app.state
    return state.pasted_text, state.token, state.report


async def walk_the_route(pilot: Pilot[Any], route: Route) -> None:
    """The whole onboarding route walked with the valid token, each step's landmark noted."""
    seen = route.landmarks
    left = None
    for step in ONBOARD_STEPS[: ONBOARD_STEPS.index(Step.PASTE)]:
        left = await wait_for_screen(pilot, InstructionStep, after=left)
        seen[step] = landmark(left)  # type: ignore[arg-type]
        await pilot.press("enter")
    seen[Step.PASTE] = landmark(await wait_for_screen(pilot, PasteStep))  # type: ignore[arg-type]
    seen[Step.CHECK] = landmark(await check(pilot, VALID))
    route.checked = checked_state(pilot.app)  # type: ignore[arg-type]
    seen[Step.STORE] = landmark(await next_to_store(pilot))
    await pilot.press("enter")
    seen[Step.DONE] = landmark(await wait_for_screen(pilot, DoneStep))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def route() -> Route:
    """Filled by the walk below (the first test of this module), read by the others."""
    return Route()


async def test_the_full_onboarding_route_shows_every_step(
    wizard_app: AppFactory, route: Route
) -> None:
    async with wizard_app().run_test(size=(80, 24)) as pilot:
        await walk_the_route(pilot, route)
    assert list(route.landmarks) == list(ONBOARD_STEPS)


@pytest.mark.parametrize("step", ONBOARD_STEPS)
async def test_the_harness_lands_where_the_route_lands(
    at_step: StartAt, wizard_app: AppFactory, isolated: Path, route: Route, step: Step
) -> None:
    """Failed before: the wizard always began at its first step, whatever it was asked.
    Begun after Check, the state holds the check the Check step itself made."""
    if not route.checked:  # run alone (-k, another worker): walk the route here
        async with wizard_app().run_test(size=(80, 24)) as pilot:
            await walk_the_route(pilot, route)
        (isolated / ".env").unlink()  # the walk saved the token: begin with nothing stored
    pasted = VALID if step in (Step.CHECK, Step.STORE, Step.DONE) else None
    app = at_step(Step.STORE if step is Step.DONE else step, pasted)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await on_a_step(pilot)
        if step is Step.STORE:
            assert checked_state(app) == route.checked
        if step is Step.DONE:  # Done needs a save: begun at Store, saved there
            await store_ready(pilot)
            await pilot.press("enter")
            screen = await wait_for_screen(pilot, DoneStep)  # type: ignore[assignment]
        assert landmark(screen) == route.landmarks[step]


async def test_back_from_a_begun_step_walks_the_real_route(at_step: StartAt) -> None:
    app = at_step(Step.CHECK, VALID)
    async with app.run_test(size=(80, 24)) as pilot:
        await checked(pilot)
        await pilot.press("escape")
        paste = await wait_for_screen(pilot, PasteStep)
        assert step_label(ONBOARD_STEPS, Step.PASTE) in heading_of(paste)
        await pilot.press("escape")
        generate = await wait_for_screen(pilot, InstructionStep)
        assert generate.step is Step.GENERATE  # type: ignore[attr-defined]


async def test_a_hub_s_route_begins_there_once(at_step: StartAt, isolated: Path) -> None:
    """After a hub the chosen route begins at the step; chosen again, at its first step."""
    write_env(isolated, TOKENS["expired"])
    app = at_step(Step.GENERATE)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_screen(pilot, ExpiredStep)
        await pilot.press("p")
        generate = await wait_for_screen(pilot, InstructionStep)
        assert generate.step is Step.GENERATE  # type: ignore[attr-defined]
        assert step_label(PERMANENT_ROUTE, Step.GENERATE) in heading_of(generate)
        for before in (Step.ASSIGN, Step.CREATE):
            await pilot.press("escape")
            shown = await wait_for_screen(pilot, InstructionStep, after=generate)
            assert shown.step is before  # type: ignore[attr-defined]
            generate = shown
        await pilot.press("escape")
        await wait_for_screen(pilot, ExpiredStep)
        await pilot.press("p")
        create = await wait_for_screen(pilot, InstructionStep)
        assert create.step is Step.CREATE  # type: ignore[attr-defined]


HOOKS = ("start_at", "start_with", "hub_key", "looked")
"""The app's test hooks, and `looked`, which begin.look_before_start sets."""


@pytest.mark.parametrize("hook", HOOKS)
def test_only_the_scenes_begin_the_wizard_elsewhere(hook: str) -> None:
    """The hooks are for tests: the CLI, the steps and the core never set them (hub_key,
    start_with and looked failed before: they were not looked for)."""
    package = Path(wizard.__file__).parent
    setters = sorted(
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if re.search(rf"\.{hook}\b[^=\n]*(?<![=!<>])=(?!=)", path.read_text())
    )
    assert setters == ["ui/app.py", "ui/scenes/walks.py"]  # app.py: the flow clears or sets it
    assert hook not in inspect.signature(make_app).parameters


# -- hubs, and the screens a hub's key opens ------------------------------------------------------


def where(pilot: Pilot[Any]) -> tuple[object, ...]:
    """Where the wizard is and what it knows there: the screen on top and all it shows, the
    journey, the stored token's look and check, and what the route chosen on the hub set."""
    app: WizardApp = pilot.app  # type: ignore[assignment]
    state = app.state
    return (
        type(app.screen).__name__,
        screen_text(pilot),
        state.mode,
        repr(state.readings),  # repr: a reading's error is an exception, equal only to itself
        repr(state.initial),
        app.looked,
        (state.temporary_route, state.target, state.env_file),
        checked_state(app),
    )


async def ready_walked(pilot: Pilot[Any], hub: type[Screen[Any]]) -> None:
    await going_live(hub)(pilot)


async def replace_walked(pilot: Pilot[Any]) -> None:
    await to_replace_question(pilot)
    await settle(pilot)


async def extend_walked(pilot: Pilot[Any]) -> None:
    await to_extend(pilot)
    await settle(pilot)


async def replace_begun(pilot: Pilot[Any]) -> None:
    await replace_question(pilot)
    await settle(pilot)


async def landed(pilot: Pilot[Any], screen: type[Screen[Any]]) -> None:
    await wait_for_screen(pilot, screen)
    await settle(pilot)


@dataclass(frozen=True)
class HubCase:
    """A stored token, the walk from the first screen, and the same place begun there."""

    stored: str
    walk: Script
    start: Start
    lands: type[Screen[Any]]
    mode: str | None = None
    env: dict[str, str] | None = None
    begun: Script | None = None
    """What is done where it begins, to land where the walk lands (default: nothing)."""


HUB_CASES = {
    "menu": HubCase("valid", at(MenuStep), HUB_START, MenuStep),
    "expired": HubCase("expired", at(ExpiredStep), HUB_START, ExpiredStep),
    "troubleshoot": HubCase("no_account", at(TroubleshootStep), HUB_START, TroubleshootStep),
    "troubleshoot, forced": HubCase(
        "webhooks_unsubscribed", at(TroubleshootStep), HUB_START, TroubleshootStep, "troubleshoot"
    ),
    "menu, g": HubCase("number_unregistered", going_live(MenuStep), READY_START, ReadyScreen),
    "troubleshoot, g": HubCase(
        "webhooks_unsubscribed",
        going_live(TroubleshootStep),
        READY_START,
        ReadyScreen,
        "troubleshoot",
    ),
    "expired, x": HubCase(
        "temporary",
        extend_walked,
        EXTEND_START,
        ExtendScreen,
        env={"WHATSAPP_APP_ID": APP_ID},
    ),
    "expired, t, then save": HubCase(
        "expired", replace_walked, REPLACE_START, ConfirmModal, begun=replace_begun
    ),
}


@pytest.mark.parametrize("case", HUB_CASES.values(), ids=HUB_CASES)
async def test_begun_on_a_hub_lands_where_the_walk_lands(
    wizard_app: AppFactory, isolated: Path, case: HubCase
) -> None:
    """Failed before: Start had no hub (the wizard began at a hub only by looking for the
    stored token on its start screen, then waiting for a key)."""
    write_env(isolated, TOKENS[case.stored], around=True)
    seen = []
    for start in (None, case.start):
        app = wizard_app(mode=case.mode, env=case.env)
        if start is not None:
            begin(app, start)
        async with app.run_test(size=(80, 24)) as pilot:
            if start is None:
                await case.walk(pilot)
            elif case.begun is not None:
                await case.begun(pilot)
            else:
                await landed(pilot, case.lands)
            assert isinstance(app.screen, case.lands)
            seen.append(where(pilot))
    walked, begun = seen
    assert begun == walked


async def test_the_hub_s_key_is_pressed_once(at_hub: AtHub, isolated: Path) -> None:
    """Back from what the key opened, the hub stays: the key is not pressed again."""
    write_env(isolated, TOKENS["valid"])
    app = at_hub("g")
    async with app.run_test(size=(80, 24)) as pilot:
        await landed(pilot, ReadyScreen)
        await pilot.press("escape")
        hub = await wait_for_screen(pilot, MenuStep)
        await settle(pilot)
        assert app.screen is hub and app.hub_key is None
        await pilot.press("g")
        await wait_for_screen(pilot, ReadyScreen)


async def test_a_key_the_hub_does_not_offer_opens_nothing(at_hub: AtHub, isolated: Path) -> None:
    """x on an expired token's hub (it cannot be extended): the hub's own rule still holds."""
    write_env(isolated, TOKENS["expired"])
    app = at_hub("x")
    async with app.run_test(size=(80, 24)) as pilot:
        hub = await wait_for_screen(pilot, ExpiredStep)
        await settle(pilot)
        assert app.screen is hub
