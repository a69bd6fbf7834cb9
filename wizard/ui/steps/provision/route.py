"""The "Do it for me" route: admin token, choices, plan, progress, or the failure screen."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Protocol, TypeVar

from wizard.core import provision as pv
from wizard.core.codes import StoreTarget
from wizard.core.errors import StoreError
from wizard.core.flow import Step
from wizard.core.token import SecretToken
from wizard.ui.background import in_background
from wizard.ui.navigation import Nav
from wizard.ui.steps.provision.admin import AdminEntry, AdminTokenStep
from wizard.ui.steps.provision.plan import PickStep, PlanStep
from wizard.ui.steps.provision.progress import FailureStep, ProgressStep

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel
    from textual.screen import Screen

    from wizard.ui.state import WizardState

ScreenResult = TypeVar("ScreenResult")


class ProvisionHost(Protocol):
    """What the route needs of the app that runs it (the app is not imported: no cycle)."""

    state: WizardState
    """The wizard's memory: the route reads the settings and records what changed at Meta."""

    async def push_screen_wait(self, screen: Screen[ScreenResult]) -> ScreenResult:
        """Show a screen and wait for its answer (in the flow's worker)."""
        ...

    def notify(self, message: str, *, severity: SeverityLevel = "information") -> None:
        """A short note in the corner."""
        ...


async def run_provision(app: ProvisionHost) -> Step | None:
    """The "Do it for me" route: Step.DONE when stored, the manual step on a refusal, None: back.

    Back from the choices, the plan or "Meta refused" returns to the admin step with its
    fields as they were (kept in memory only); Back there leaves the route."""
    entered: AdminEntry | None = None
    while True:
        entry = AdminTokenStep(app.state, entered)
        result = await app.push_screen_wait(entry)
        entered = entry.entry()
        if result.nav is not Nav.NEXT or entered is None:
            return None
        ended = await _provision(app, entered)
        if not isinstance(ended, Nav):  # Nav.BACK: the admin step again, as it was
            return ended


async def _provision(app: ProvisionHost, entered: AdminEntry) -> Step | Nav | None:
    """Plan, progress and the outcome: a step to go to, Nav.BACK, or None (the route is over)."""
    state = app.state
    request = pv.Request(
        app_id=entered.app_id,
        app_secret=state.settings.app_secret or entered.secret,
        target=StoreTarget(state.target),
    )
    try:
        plan, existing = await _plan(app, entered.admin, request)
    except pv.ProvisionRefused as err:
        return await _failed(app, err.refusal, ())
    except (ValueError, StoreError) as err:
        app.notify(str(getattr(err, "message", err)), severity="error")
        return Nav.BACK
    if plan is None:
        return Nav.BACK
    answer = await app.push_screen_wait(PlanStep(state, plan))
    if answer.nav is not Nav.NEXT:
        return Nav.BACK
    progress = ProgressStep(state, plan, entered.admin, existing)
    ended = await app.push_screen_wait(progress)
    outcome = progress.outcome
    if outcome is not None:
        state.record_at_meta(outcome)  # the quit summary says what changed at Meta
    if outcome is not None and outcome.refusal is not None:
        return await _failed(app, outcome.refusal, outcome.done)
    return Step.DONE if ended.nav is Nav.NEXT else None


async def _plan(
    app: ProvisionHost, admin: SecretToken, request: pv.Request
) -> tuple[pv.Plan | None, SecretToken | None]:
    state = app.state
    pv.check_request(request)
    await asyncio.to_thread(pv.check_store_usable, request.target)
    businesses = await in_background(pv.find_businesses, state.settings, admin)
    business = businesses[0]
    if len(businesses) > 1:
        pick = PickStep(state, "Which business?", businesses)
        if (await app.push_screen_wait(pick)).nav is not Nav.NEXT:
            return None, None
        business = pick.chosen[0]
    accounts = await in_background(pv.find_accounts, state.settings, admin, business.id)
    if len(accounts) > 1:
        pick = PickStep(state, "Which WhatsApp account?", accounts, allow_all=True)
        if (await app.push_screen_wait(pick)).nav is not Nav.NEXT:
            return None, None
        accounts = pick.chosen
    existing = await asyncio.to_thread(pv.existing_token, state.settings, request.target)
    plan = await in_background(
        pv.make_plan, state.settings, admin, request, business, accounts, existing=existing
    )
    return plan, existing


async def _failed(
    app: ProvisionHost, refusal: pv.Refusal, done: tuple[pv.StepResult, ...]
) -> Step | Nav:
    result = await app.push_screen_wait(FailureStep(app.state, refusal, done))
    if result.nav is Nav.GOTO and result.step is not None:
        return result.step
    return Nav.BACK
