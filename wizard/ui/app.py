"""The wizard app: it owns the state and the flow, and returns what happened."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import LoadingIndicator, Static
from textual.worker import Worker, WorkerFailed

from wizard.core.flow import (
    STEP_TEXTS,
    Mode,
    RouteChoice,
    Step,
    Walk,
    choose_mode,
    opening_route,
    route_for,
)
from wizard.core.outcome import (
    Outcome,
    WhatHappened,
    crashed_lines,
    outcome_of,
    quitting_loses_a_checked_token,
)
from wizard.ui.background import check_the_winner, in_background
from wizard.ui.navigation import Nav
from wizard.ui.state import WizardState
from wizard.ui.steps.base import StepFrame, StepScreen

if TYPE_CHECKING:  # the other screens, the stores and the check load when first needed
    from wizard.core.settings import Settings
    from wizard.ui.widgets.fixes import FixButton


class StartScreen(StepFrame[None]):
    """Shown while the stored token is looked up and checked."""

    title_note = "the WhatsApp Cloud API token wizard"
    body_id = "start-body"
    show_back = False

    def compose_body(self) -> ComposeResult:
        yield LoadingIndicator()
        yield Static(
            "Looking for your token (environment, .env, OS keyring) and checking "
            "it with the Graph API…",
            id="start-text",
        )

    def compose_nav(self) -> ComposeResult:
        """Nothing to go back or on to while the check runs."""
        yield from ()


class WizardApp(App[Outcome]):
    """Walks the chosen journey one step at a time; the flow lives in one worker."""

    CSS_PATH = "wizard.tcss"
    TITLE = "wa-token"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
        Binding("ctrl+c", "quit", "Quit", id="quit-ctrl-c", show=False, priority=True),
    ]

    def __init__(self, state: WizardState, *, open_links: bool = True) -> None:
        super().__init__()
        self.state = state
        """Everything known and entered so far."""
        self.open_links = open_links
        """False in tests and screenshots: links are recorded, not opened."""
        self.opened_urls: list[str] = []
        """Every link the user opened (for tests)."""

    crashed: Exception | None = None
    """The bug that ended the wizard, if one did (the CLI then exits non-zero)."""
    detect_later = False
    """Forced onboarding: its first screens do not depend on what is stored, so the look for a
    stored token starts once the first one is drawn, and the steps from Paste on wait for it."""
    detecting: Worker[None] | None = None
    """That look, once started."""
    looked = False
    """The stored sources were read and the winner checked (tests only: before the app started,
    by walks.look_before_start; then there is no start screen and no look of its own)."""
    start_at: Step | None = None
    """Tests only (the CLI never sets it): the first route walked begins at this step."""
    start_with: Callable[[WizardState], None] | None = None
    """Tests only: fills in what the steps before `start_at` leave, when the route begins there."""
    hub_key: str | None = None
    """Tests only: the first hub, once drawn, gets this key (g, x, t), as if it were pressed.
    A test that sets it has also done the hub's look (`looked`) before the app started."""

    def _handle_exception(self, error: Exception) -> None:
        """Textual's hook for an unhandled exception, a worker's too (every worker ends the
        wizard on an error it does not handle): remember the bug, then let Textual exit."""
        bug = error.error if isinstance(error, WorkerFailed) else error
        self.crashed = self.crashed or (bug if isinstance(bug, Exception) else error)
        super()._handle_exception(error)

    def _fatal_error(self) -> None:
        """Exit without Textual's traceback: it shows local variables, and they hold the token.
        WA_TOKEN_DEBUG=1 shows it (as `wa-token` does for its own bugs)."""
        if os.environ.get("WA_TOKEN_DEBUG"):
            super()._fatal_error()
            return
        self.exit(None, return_code=1)

    def on_mount(self) -> None:
        self.detect_later = self.state.mode is Mode.ONBOARD
        if not self.detect_later and not self.looked:
            self.push_screen(StartScreen())
        self.run_flow()

    def open_url(self, url: str, *, new_tab: bool = True) -> None:
        self.opened_urls.append(url)
        self.notify(f"Opening {url}", timeout=3)
        if self.open_links:
            super().open_url(url, new_tab=new_tab)

    def on_fix_button_fixed(self, event: FixButton.Fixed) -> None:
        """A fix changed a file or the keyring: the quit summary must say so."""
        self.state.changes.append(event.summary)

    # -- the flow ----------------------------------------------------------------------------

    @work(exclusive=True, group="flow")
    async def run_flow(self) -> None:
        """Detect, pick the journey, walk it; the app exits when a route is finished."""
        if not self.detect_later and not self.looked:
            await self.detect()
        mode = self.state.mode or choose_mode(self.state.initial)
        while True:
            chosen = opening_route(mode) or await self.hub(mode)
            if self.return_value is not None:
                return  # finished from a hub (the token was extended)
            self.state.mode = mode = chosen.mode
            if chosen.route is not None and await self.walk(Walk(chosen.route, mode)):
                self.exit(self.outcome())
                return

    async def detect(self) -> None:
        """Read every source (in a thread: the keyring may be slow) and check the winner."""
        from wizard.core.stores import sources  # after the first screen (forced onboarding)

        state = self.state
        state.readings = await in_background(
            sources.read_stored,
            state.environ,
            state.settings.env_file,
            state.settings.profile.token_key,
        )
        if sources.winner_of(state.readings) is not None:
            state.initial = await check_the_winner(state)
        self.looked = True

    def start_detection(self) -> Worker[None]:
        """Start the deferred look for a stored token (once)."""
        if self.detecting is None:
            self.detecting = self.run_worker(self.detect(), group="detect")
        return self.detecting

    async def detected(self) -> None:
        """Wait for the deferred look, on the start screen if it has not finished yet."""
        detection = self.start_detection()
        if not detection.is_finished:
            await self.push_screen(StartScreen())
            await detection.wait()
            await self.pop_screen()

    async def hub(self, mode: Mode) -> RouteChoice:
        """The journey's first screen; what its choice leads to (core's route_for decides)."""
        from wizard.ui.steps.hubs import ExpiredStep, MenuStep, TroubleshootStep

        screens = {
            Mode.MENU: MenuStep,
            Mode.EXPIRED: ExpiredStep,
            Mode.TROUBLESHOOT: TroubleshootStep,
        }
        screen = screens[mode](self.state)
        if self.hub_key is not None:  # tests and scenes only: what that key opens, at once
            screen.call_after_refresh(self.simulate_key, self.hub_key)
            self.hub_key = None
        result = await self.push_screen_wait(screen)
        chosen = route_for(result.choice, mode)
        if chosen.extend:
            await self.extend()
        self.apply(chosen)
        return chosen

    def apply(self, chosen: RouteChoice) -> None:
        """Forget or aim before a new route, as the choice says."""
        state = self.state
        state.temporary_route = chosen.temporary
        if chosen.forget_paste:
            state.forget_paste()
        if chosen.aim_at_stored:
            state.aim_at_stored_place()

    async def extend(self) -> None:
        """Method 2; when it stored a new token, the wizard is done."""
        from wizard.ui.steps.extend import ExtendScreen

        done = await self.push_screen_wait(ExtendScreen(self.state))
        if done is not None:
            self.exit(self.outcome())

    async def walk(self, walk: Walk) -> bool:
        """Step through a route; True when its last step is done, False when backed out of it."""
        if self.start_at in walk.route:  # tests and scenes only: begin at that step
            walk = walk.reroute(self.start_at)
            if self.start_with is not None:
                self.start_with(self.state)
        self.start_at = self.start_with = None
        while walk.walking:
            screen = self.make_step(walk)
            if self.detect_later:
                screen.call_after_refresh(self.start_detection)
                if walk.needs_the_look:
                    await self.detected()
            result = await self.push_screen_wait(screen)
            if result.nav is Nav.NEXT:
                walk = walk.forward()
            elif result.nav is Nav.BACK:
                walk = walk.back()
            elif result.nav is Nav.GOTO and result.step is not None:
                walk = self.reroute(walk, result.step)
            elif result.nav is Nav.CHOOSE:  # "Do it for me" on the first screen
                from wizard.ui.steps.provision import run_provision

                if (goto := await run_provision(self)) is not None:
                    walk = self.reroute(walk, goto)
        return walk.finished

    def reroute(self, walk: Walk, step: Step) -> Walk:
        """Jump to a step (core's Walk.reroute decides the route); the pasted check is redone."""
        self.state.report = None
        return walk.reroute(step)

    def make_step(self, walk: Walk) -> StepScreen:
        """The screen for a step, numbered within its route."""
        step, position, first = walk.step, walk.number, walk.first
        if step is Step.WHY:
            from wizard.ui.steps.provision import WhyStep  # "Do it for me" beside the clicks

            return WhyStep(self.state, step, STEP_TEXTS[step], position, first=first)
        if step in STEP_TEXTS:
            from wizard.ui.steps.instructions import InstructionStep

            return InstructionStep(self.state, step, STEP_TEXTS[step], position, first=first)
        from wizard.ui.steps.check import CheckStep
        from wizard.ui.steps.done import DoneStep
        from wizard.ui.steps.paste import PasteStep
        from wizard.ui.steps.store import StoreStep

        screen_class = {
            Step.PASTE: PasteStep,
            Step.CHECK: CheckStep,
            Step.STORE: StoreStep,
            Step.DONE: DoneStep,
        }[step]
        screen = screen_class(self.state, position)
        if first:
            screen.show_back = False
        return screen

    # -- leaving -----------------------------------------------------------------------------

    async def action_quit(self) -> None:
        """Quit; ask first when a checked token would be lost (asked again: quit)."""
        state = self.state
        if not self.asking_to_quit and quitting_loses_a_checked_token(
            saved=state.saved is not None, extended=state.extended, pasted=state.report
        ):
            self.confirm_quit()
            return
        self.exit(self.outcome(quit_early=True))

    asking_to_quit = False
    """"Quit without saving?" is on screen: a second Ctrl+C or Ctrl+Q is the answer Quit."""

    @work(group="quit", exclusive=True)
    async def confirm_quit(self) -> None:
        """The checked token is not saved yet: make sure."""
        from wizard.ui.modals import ConfirmModal

        done = (
            " Nothing has been changed."
            if not self.state.changes
            else " What was already changed is listed when you quit."
        )
        self.asking_to_quit = True
        try:
            leave = await self.push_screen_wait(
                ConfirmModal(
                    "Quit without saving?",
                    "The token you pasted works but is not saved anywhere." + done,
                    yes="Quit",
                    no="Stay",
                )
            )
        finally:
            self.asking_to_quit = False
        if leave:
            self.exit(self.outcome(quit_early=True))

    def outcome(self, *, quit_early: bool = False) -> Outcome:
        """What was and was not changed, and the exit code (core's outcome_of decides)."""
        return outcome_of(self.what_happened(quit_early=quit_early))

    def crash_lines(self) -> tuple[str, ...]:
        """What was changed before a bug ended the wizard (core's crashed_lines says it)."""
        return crashed_lines(self.what_happened(quit_early=True))

    def what_happened(self, *, quit_early: bool) -> WhatHappened:
        state = self.state
        return WhatHappened(
            saved=state.saved,
            token=state.token,
            extended=state.extended,
            changes=tuple(state.changes),
            initial=state.initial,
            looked=self.looked,
            readings=tuple(state.readings),
            quit_early=quit_early,
        )


def make_app(
    settings: Settings,
    environ: Mapping[str, str],
    *,
    mode: str | None = None,
    open_links: bool = True,
    clock: Callable[[], datetime] | None = None,
    workdir: Path | None = None,
    command: str | None = None,
) -> WizardApp:
    """The one way to build the wizard: the CLI, the tests and the screenshot script use it."""
    state = WizardState(
        settings=settings,
        environ=environ,
        mode=Mode(mode) if mode else None,
        env_file=Path(settings.env_file),
        workdir=workdir or Path.cwd(),
        command=command or shutil.which("wa-token") or "wa-token",
    )
    if clock is not None:
        state.clock = clock
    return WizardApp(state, open_links=open_links)
