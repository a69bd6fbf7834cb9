"""The plan carried out one line at a time, and a refusal turned into the step to do by hand."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import LoadingIndicator, Static

from wizard.core import provision as pv
from wizard.core.flow import STEP_TEXTS, Step
from wizard.core.token import SecretToken
from wizard.ui.background import in_background
from wizard.ui.navigation import Nav, StepResult
from wizard.ui.safe import literal as escape
from wizard.ui.state import WizardState
from wizard.ui.steps.base import StepScreen
from wizard.ui.steps.provision.plan import StepLine
from wizard.ui.widgets.text import inline

STATE_MARKS = {
    pv.StepState.TO_DO: "[dim]·[/dim]",
    pv.StepState.ALREADY_DONE: "[$success]✓[/] [dim](reused)[/dim]",
    pv.StepState.DONE: "[$success]✓[/]",
    pv.StepState.FAILED: "[$error]✗[/]",
    pv.StepState.NOT_RUN: "[dim]–[/dim]",
}


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
        self.lines: dict[int, StepLine] = {}

    def compose_body(self) -> ComposeResult:
        for index, step in enumerate(self.plan.steps):
            line = StepLine(*self._line(step, pv.StepState.TO_DO), classes="plan-step")
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
    def _line(step: pv.PlannedStep, state: pv.StepState) -> tuple[str, str]:
        return f"  {STATE_MARKS[state]} ", inline(step.words)

    def _progress(self, step: pv.PlannedStep, state: pv.StepState) -> None:
        line = self.lines.get(id(step))
        if line is not None:
            marker, words = self._line(step, state)
            line.update(marker, words + ("  [dim]…[/dim]" if state is pv.StepState.TO_DO else ""))

    @work(exclusive=True, group="provision")
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
        state.saved_report = self.outcome.check  # Done's security look starts from it
        state.target = self.plan.request.target
        changed = self.outcome.changed_at_meta
        summary = (
            f"{changed} change(s) made at Meta."
            if changed
            else "Nothing was changed at Meta: everything was already in place."
        )
        self.query_one("#progress-result", Static).update(
            f"[$success]✓ The token works and is stored:[/] {escape(token.masked) if token else ''}\n"
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
            lines = "\n".join(f"  [$success]✓[/] {inline(r.step.words)}" for r in self.done)
            yield Static(
                f"[b]Already done[/b] (kept at Meta; a new run reuses it):\n{lines}",
                id="failure-done",
            )
        else:
            yield Static("Nothing was done at Meta.", id="failure-done")
        yield Static(f"[b]Fix:[/b] {inline(refusal.fix)}", id="failure-fix")
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
