""" "Do it for me": the admin token, the plan, the progress, a refusal turned into the manual step."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.widgets import (
    Button,
    Input,
    LoadingIndicator,
    Markdown,
    RadioButton,
    RadioSet,
    Static,
)

from wizard.core import provision as pv
from wizard.core.business_api import NamedNode
from wizard.core.codes import StoreTarget
from wizard.core.errors import StoreError, TokenFormatError
from wizard.core.flow import STEP_TEXTS, Step
from wizard.core.token import MAX_TOKEN_LENGTH, SecretToken, clean_pasted
from wizard.ui.background import in_background
from wizard.ui.navigation import BACK, NEXT, Nav, StepResult
from wizard.ui.state import WizardState
from wizard.ui.steps.base import StepScreen
from wizard.ui.steps.instructions import InstructionStep

if TYPE_CHECKING:
    from wizard.ui.app import WizardApp

PROVISION = "provision"
"""The WHY screen's choice that starts "Do it for me"."""

EXPLORER_STEPS = (
    "wa-token can create the System User, give it your app and WhatsApp account, and generate "
    "its token **by API**, with a **business admin's token** that you give it for a minute. "
    "It is used for these calls only and **never stored**.\n\n"
    "Get one in **Graph API Explorer** (developers.facebook.com/tools/explorer):\n\n"
    "1. **Meta App**: choose your WhatsApp app.\n"
    "2. **Permissions**: tick **business_management**, **whatsapp_business_management** and "
    "**whatsapp_business_messaging**.\n"
    "3. Click **Generate Access Token**, confirm, and copy it.\n\n"
    "The app secret is in App Dashboard → App settings → Basic; it never leaves this machine "
    "(only a proof made from it does)."
)
STATE_MARKS = {
    pv.StepState.TO_DO: "[dim]·[/dim]",
    pv.StepState.ALREADY_DONE: "[$success]✓[/] [dim](reused)[/dim]",
    pv.StepState.DONE: "[$success]✓[/]",
    pv.StepState.FAILED: "[$error]✗[/]",
    pv.StepState.NOT_RUN: "[dim]–[/dim]",
}


class WhyStep(InstructionStep):
    """The first onboarding screen, with the choice: "Do it for me" or click through by hand."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "do_it_for_me", "Do it for me", id="do-it-for-me")
    ]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.next_label = "I'll click through Business Settings myself →"

    def compose_body(self) -> ComposeResult:
        yield from super().compose_body()
        with Horizontal(id="provision-choice"):
            yield Button(
                "Do it for me (by API, with an admin's token)", id="do-it-for-me", variant="success"
            )

    @on(Button.Pressed, "#do-it-for-me")
    def action_do_it_for_me(self) -> None:
        """Start "Do it for me"."""
        self.dismiss(StepResult(Nav.CHOOSE, choice=PROVISION))


class AdminTokenStep(StepScreen):
    """The admin token, the app id and (unless configured) the app secret, all hidden."""

    title_text = "Do it for me: a business admin's token"
    next_label = "Show the plan →"

    def __init__(self, state: WizardState) -> None:
        super().__init__(state)
        self.admin: SecretToken | None = None
        """The cleaned admin token, once it can be one."""

    def compose_body(self) -> ComposeResult:
        yield Markdown(EXPLORER_STEPS, classes="instructions", open_links=False)
        yield Input(
            placeholder="Admin token (hidden)",
            password=True,
            id="admin-token",
            max_length=MAX_TOKEN_LENGTH + 1,
        )
        yield Input(self.state.settings.app_id or "", placeholder="App id (digits)", id="app-id")
        if self.state.settings.app_secret is None:
            yield Input(placeholder="App secret (hidden)", password=True, id="app-secret")
        else:
            yield Static("[dim]App secret: from WHATSAPP_APP_SECRET.[/dim]")
        yield Static(id="admin-status")

    def can_go_next(self) -> bool:
        return False

    def setup(self) -> None:
        self.query_one("#admin-token", Input).focus()

    @on(Input.Changed)
    def _changed(self) -> None:
        status = self.query_one("#admin-status", Static)
        text = self.query_one("#admin-token", Input).value
        try:
            self.admin = clean_pasted(text).token if text.strip() else None
        except TokenFormatError as err:  # say why, never echo the text
            self.admin = None
            status.update(f"[$error]✗ That cannot be a token:[/] {escape(err.message)}")
            self.allow_next(False)
            return
        ok = self.admin is not None and self.app_id.isdigit() and self.secret is not None
        status.update(
            f"[$success]✓ Admin token:[/] {self.admin.masked}"
            if self.admin
            else "[dim]Waiting for the admin token…[/dim]"
        )
        self.allow_next(ok)

    @property
    def app_id(self) -> str:
        """The app id as typed."""
        return self.query_one("#app-id", Input).value.strip()

    @property
    def secret(self) -> SecretToken | None:
        """The app secret, from the settings or the hidden field."""
        if self.state.settings.app_secret is not None:
            return self.state.settings.app_secret
        value = self.query_one("#app-secret", Input).value.strip()
        return SecretToken(value) if value else None

    async def go_next(self) -> None:
        self.dismiss(NEXT)


class PickStep(StepScreen):
    """Choose one of several businesses or WhatsApp accounts."""

    next_label = "Use this →"

    def __init__(
        self,
        state: WizardState,
        title: str,
        nodes: tuple[NamedNode, ...],
        *,
        allow_all: bool = False,
    ) -> None:
        super().__init__(state)
        self.title_text = title
        self.nodes = nodes
        self.allow_all = allow_all
        self.chosen: tuple[NamedNode, ...] = nodes[:1]

    def compose_body(self) -> ComposeResult:
        with RadioSet(id="pick"):
            for index, node in enumerate(self.nodes):
                yield RadioButton(f"{pv.describe(node)} ({node.id})", value=index == 0)
            if self.allow_all:
                yield RadioButton("All of them")

    @on(RadioSet.Changed)
    def _picked(self, event: RadioSet.Changed) -> None:
        index = event.radio_set.pressed_index
        self.chosen = self.nodes if index >= len(self.nodes) else (self.nodes[index],)


class PlanStep(StepScreen):
    """The plan in words; nothing is written at Meta before Do it."""

    title_text = "Do it for me: the plan"
    next_label = "Do it at Meta →"

    def __init__(self, state: WizardState, plan: pv.Plan) -> None:
        super().__init__(state)
        self.plan = plan

    def compose_body(self) -> ComposeResult:
        plan = self.plan
        yield Static(
            f"In [b]{escape(pv.describe(plan.business))}[/b] ({plan.business.id}), wa-token will:",
            id="plan-intro",
        )
        for number, step in enumerate(plan.steps, 1):
            done = (
                "  [dim](already done: reused)[/dim]"
                if step.state is pv.StepState.ALREADY_DONE
                else ""
            )
            yield Static(f"  {number}. {escape(step.words)}{done}", classes="plan-step")
        yield Static(f"\nToken expiry: {escape(pv.EXPIRY_WORDS[plan.request.expires])}.")
        writes = plan.writes_at_meta
        yield Static(
            "[$success]Nothing to change at Meta: everything is in place.[/]"
            if not writes
            else f"[b]{writes}[/b] call(s) will change something at Meta. "
            "Nothing is sent before you press Do it.",
            id="plan-writes",
        )
        yield Static(f"[dim]{pv.ADMIN_NOT_STORED}[/dim]")


class ProgressStep(StepScreen):
    """Carries the plan out in a worker, one line per step; on success Next goes to Done."""

    title_text = "Do it for me: working"
    next_label = "Finish →"
    show_back = False

    def __init__(
        self, state: WizardState, plan: pv.Plan, admin: SecretToken, existing: SecretToken | None
    ) -> None:
        super().__init__(state)
        self.plan, self.admin, self.existing = plan, admin, existing
        self.outcome: pv.Outcome | None = None
        self.lines: dict[int, Static] = {}

    def compose_body(self) -> ComposeResult:
        for index, step in enumerate(self.plan.steps):
            line = Static(self._line(step, pv.StepState.TO_DO), classes="plan-step")
            self.lines[id(step)] = line
            yield line
        with Vertical(id="working"):
            yield LoadingIndicator()
        yield Static(id="progress-result")

    def can_go_next(self) -> bool:
        return False

    def setup(self) -> None:
        self.set_class(True, "-working")
        self.run_plan()

    @staticmethod
    def _line(step: pv.PlannedStep, state: pv.StepState) -> str:
        return f"  {STATE_MARKS[state]} {escape(step.words)}"

    def _progress(self, step: pv.PlannedStep, state: pv.StepState) -> None:
        line = self.lines.get(id(step))
        if line is not None:
            text = self._line(step, state)
            line.update(text + ("  [dim]…[/dim]" if state is pv.StepState.TO_DO else ""))

    @work(exclusive=True, exit_on_error=False, group="provision")
    async def run_plan(self) -> None:
        """The writes, off the UI's back."""
        state = self.state
        self.outcome = await in_background(
            pv.carry_out,
            state.settings,
            state.environ,
            self.admin,
            self.plan,
            existing=self.existing,
            on_progress=lambda step, done: self.app.call_from_thread(self._progress, step, done),
        )
        self.set_class(False, "-working")
        self.query_one("#working").display = False
        if self.outcome.refusal is not None:
            self.dismiss(StepResult(Nav.GOTO, step=None))
            return
        saved, token = self.outcome.saved, self.outcome.token
        state.saved, state.token, state.report = saved, token, self.outcome.check
        state.target = self.plan.request.target
        changed = self.outcome.changed_at_meta
        summary = (
            f"{changed} change(s) made at Meta."
            if changed
            else "Nothing was changed at Meta: everything was already in place."
        )
        self.query_one("#progress-result", Static).update(
            f"[$success]✓ The token works and is stored:[/] {token.masked if token else ''}\n"
            f"{summary}\n[dim]{pv.ADMIN_NOT_STORED}[/dim]"
        )
        self.allow_next(True)


class FailureStep(StepScreen):
    """Which call Meta refused and why, what was already done, and the step to finish by hand."""

    title_text = "Do it for me: Meta refused"
    next_label = "Finish by hand →"

    def __init__(
        self, state: WizardState, refusal: pv.Refusal, done: tuple[pv.StepResult, ...]
    ) -> None:
        super().__init__(state)
        self.refusal, self.done = refusal, done

    def compose_body(self) -> ComposeResult:
        refusal = self.refusal
        yield Static(f"[$error]✗ {escape(refusal.title)}[/]", id="failure-title")
        yield Static(
            f"[b]Call:[/b] {escape(refusal.call)}\n[b]Why:[/b] {escape(refusal.reason)}",
            id="failure-call",
        )
        if self.done:
            lines = "\n".join(f"  [$success]✓[/] {escape(r.step.words)}" for r in self.done)
            yield Static(
                f"[b]Already done[/b] (kept at Meta; a new run reuses it):\n{lines}",
                id="failure-done",
            )
        else:
            yield Static("Nothing was done at Meta.", id="failure-done")
        yield Static(f"[b]Fix:[/b] {escape(refusal.fix)}", id="failure-fix")
        where = refusal.manual_step
        if where is not None:
            title = STEP_TEXTS[where].title if where in STEP_TEXTS else where.value
            yield Static(
                f"Next: [b]{escape(title)}[/b], the instructions to finish this step by hand.",
                id="failure-next",
            )
        yield Static(f"[dim]{pv.ADMIN_NOT_STORED}[/dim]")

    async def go_next(self) -> None:
        self.dismiss(StepResult(Nav.GOTO, step=self.refusal.manual_step or Step.CREATE))


async def run_provision(app: WizardApp) -> Step | None:
    """The "Do it for me" route: Step.DONE when stored, the manual step on a refusal, None: back."""
    state = app.state
    entry = AdminTokenStep(state)
    result = await app.push_screen_wait(entry)
    if result.nav is not Nav.NEXT or entry.admin is None:
        return None
    request = pv.Request(
        app_id=entry.app_id, app_secret=entry.secret, target=StoreTarget(state.target)
    )
    try:
        plan, existing = await _plan(app, entry.admin, request)
    except pv.ProvisionRefused as err:
        return await _failed(app, err.refusal, ())
    except (ValueError, StoreError) as err:
        app.notify(str(getattr(err, "message", err)), severity="error")
        return None
    if plan is None:
        return None
    answer = await app.push_screen_wait(PlanStep(state, plan))
    if answer.nav is not Nav.NEXT:
        return None
    progress = ProgressStep(state, plan, entry.admin, existing)
    ended = await app.push_screen_wait(progress)
    outcome = progress.outcome
    if outcome is not None and outcome.refusal is not None:
        return await _failed(app, outcome.refusal, outcome.done)
    return Step.DONE if ended.nav is Nav.NEXT else None


async def _plan(
    app: WizardApp, admin: SecretToken, request: pv.Request
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
    app: WizardApp, refusal: pv.Refusal, done: tuple[pv.StepResult, ...]
) -> Step | None:
    result = await app.push_screen_wait(FailureStep(app.state, refusal, done))
    return result.step if result.nav is Nav.GOTO else None


__all__ = [
    "BACK",
    "PROVISION",
    "AdminTokenStep",
    "FailureStep",
    "PickStep",
    "PlanStep",
    "ProgressStep",
    "WhyStep",
    "run_provision",
]
