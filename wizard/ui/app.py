"""The wizard app: it owns the state and the flow, and returns what happened."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import LoadingIndicator, Static
from textual.worker import Worker

from wizard.core.codes import ExitCode
from wizard.core.flow import (
    ONBOARD_STEPS,
    PERMANENT_ROUTE,
    STEP_TEXTS,
    TEMPORARY_ROUTE,
    Mode,
    Step,
    choose_mode,
    step_number,
)
from wizard.ui.background import check_the_winner, in_background
from wizard.ui.navigation import Nav, StepResult
from wizard.ui.state import WizardState
from wizard.ui.steps.base import StepFrame, StepScreen

if TYPE_CHECKING:  # the other screens, the stores and the check load when first needed
    from wizard.core.settings import Settings
    from wizard.ui.widgets.fixes import FixButton

COMPARE_ROUTE = (Step.PASTE, Step.CHECK, Step.STORE, Step.DONE)


@dataclass(frozen=True)
class Outcome:
    """What the wizard did, for the CLI's last line and exit code."""

    lines: tuple[str, ...]
    exit_code: int


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
    """The stored sources were read and the winner checked."""
    start_at: Step | None = None
    """Tests only (the CLI never sets it): the first route walked begins at this step."""

    def _handle_exception(self, error: Exception) -> None:
        """Textual's hook for an unhandled exception: remember it, then let Textual exit."""
        self.crashed = self.crashed or error
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
        if not self.detect_later:
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
        if not self.detect_later:
            await self.detect()
        mode = self.state.mode or choose_mode(self.state.initial)
        while True:
            route = await self.hub(mode)
            if self.return_value is not None:
                return  # finished from a hub (the token was extended)
            if route is None:
                mode = self.state.mode or mode
                continue
            mode = self.state.mode = route[1]
            finished = await self.walk(route[0])
            if finished:
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

    async def hub(self, mode: Mode) -> tuple[tuple[Step, ...], Mode] | None:
        """The journey's first screen; returns the route to walk (None: show a hub again)."""
        if mode is Mode.ONBOARD:
            return ONBOARD_STEPS, Mode.ONBOARD
        from wizard.ui.steps.hubs import EXTEND, ExpiredStep, MenuStep, TroubleshootStep

        screens = {
            Mode.MENU: MenuStep,
            Mode.EXPIRED: ExpiredStep,
            Mode.TROUBLESHOOT: TroubleshootStep,
        }
        result = await self.push_screen_wait(screens[mode](self.state))
        if result.choice == EXTEND:
            await self.extend()
        return self.route_for(result, mode)

    async def extend(self) -> None:
        """Method 2; when it stored a new token, the wizard is done."""
        from wizard.ui.steps.extend import ExtendScreen

        done = await self.push_screen_wait(ExtendScreen(self.state))
        if done is not None:
            self.exit(self.outcome())

    def route_for(self, result: StepResult, mode: Mode) -> tuple[tuple[Step, ...], Mode] | None:
        """A hub choice → the route and the journey it belongs to."""
        from wizard.ui.steps.hubs import (
            COMPARE,
            EXTEND,
            PERMANENT,
            REPLACE,
            TEMPORARY,
            TROUBLESHOOT,
        )

        self.state.temporary_route = result.choice == TEMPORARY
        if result.choice in (PERMANENT, REPLACE):
            self.state.forget_paste()
            if mode is Mode.EXPIRED:
                self.state.aim_at_stored_place()
            return (PERMANENT_ROUTE if mode is Mode.EXPIRED else ONBOARD_STEPS), mode
        if result.choice == TEMPORARY:
            self.state.forget_paste()
            self.state.aim_at_stored_place()
            return TEMPORARY_ROUTE, mode
        if result.choice == EXTEND:
            return None
        if result.choice == COMPARE:
            self.state.forget_paste()
            return COMPARE_ROUTE, mode
        if result.choice == TROUBLESHOOT:
            self.state.mode = Mode.TROUBLESHOOT
            return None
        return None

    async def walk(self, route: tuple[Step, ...]) -> bool:
        """Step through a route; True when its last step is done, False when backed out of it."""
        index = route.index(self.start_at) if self.start_at in route else 0
        self.start_at = None
        while 0 <= index < len(route):
            step = route[index]
            first = index == 0 and self.state.mode is Mode.ONBOARD
            screen = self.make_step(step, route, first)
            if self.detect_later:
                screen.call_after_refresh(self.start_detection)
                if step not in STEP_TEXTS:
                    await self.detected()
            result = await self.push_screen_wait(screen)
            if result.nav is Nav.NEXT:
                index += 1
            elif result.nav is Nav.BACK:
                index -= 1
            elif result.nav is Nav.GOTO and result.step is not None:
                route, index = self.reroute(route, result.step)
            elif result.nav is Nav.CHOOSE:  # "Do it for me" on the first screen
                from wizard.ui.steps.provision import run_provision

                if (goto := await run_provision(self)) is not None:
                    route, index = self.reroute(route, goto)
        return index >= len(route)

    def reroute(self, route: tuple[Step, ...], step: Step) -> tuple[tuple[Step, ...], int]:
        """Jump to a step; outside this route, continue on the full System User route."""
        if step not in route:
            route = ONBOARD_STEPS if self.state.mode is Mode.ONBOARD else PERMANENT_ROUTE
        self.state.report = None
        return route, route.index(step)

    def make_step(self, step: Step, route: tuple[Step, ...], first: bool) -> StepScreen:
        """The screen for a step, numbered within its route."""
        position = step_number(route, step)
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
        unsaved = state.saved is None and not state.extended
        if unsaved and state.report is not None and state.report.ok and not self.asking_to_quit:
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
        """What was and was not changed, and the exit code that goes with it."""
        state = self.state
        if state.saved is not None or state.extended:
            return Outcome(saved_lines(state), ExitCode.OK)
        lines = list(state.changes)
        if quit_early:
            lines.append(
                "No token was saved." if lines else "Nothing was changed: no token was saved."
            )
        initial = state.initial
        if initial is None and not self.looked:  # quit before the look ended: unknown
            return Outcome(
                (
                    *lines,
                    "You quit before the stored token was checked: `wa-token status` shows it.",
                ),
                ExitCode.OK,
            )
        if initial is None or initial.found is None:
            return nothing_stored(state, lines)
        if initial.ok:
            return Outcome(
                (*lines, f"The stored token ({initial.found.masked}) works."), ExitCode.OK
            )
        problem = initial.diagnosis.problems[0].title
        if initial.exit_code == ExitCode.GRAPH:  # not the token's fault: say so, exit as `check`
            said = f"could not be checked: {problem} Try again: `wa-token check`."
        else:
            said = f"still does not work: {problem}"
        return Outcome(
            (*lines, f"The stored token ({initial.found.masked}) {said}"), initial.exit_code
        )


def saved_lines(state: WizardState) -> tuple[str, ...]:
    """What a saved (or extended) token's summary says: where it went, what else changed."""
    saved: tuple[str, ...] = ()
    if state.saved is not None:
        saved = (f"{state.saved.summary}: {state.token.masked if state.token else ''}.",)
    renew = (
        ("Renew it from cron before day 60: wa-token schedule --print",) if state.extended else ()
    )
    return (
        *saved,
        *state.changes,
        "Restart your backend server so it reads the new token.",
        *renew,
    )


def nothing_stored(state: WizardState, lines: list[str]) -> Outcome:
    """No stored token was found: exit 3, or 5 when a store could not be read (the token may be
    there: a keyring without D-Bus, an unreadable .env), as `wa-token check` exits."""
    from wizard.core.stores.sources import unreadable_store  # loaded with the look, never first

    failed = unreadable_store(state.readings)
    if failed is not None:
        return Outcome((*lines, f"{failed.message} {failed.fix}"), ExitCode.STORE)
    return Outcome(
        (*lines, "No token is stored yet: run `wa-token` again when you have one."),
        ExitCode.NO_TOKEN,
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
