"""Check the pasted token live against Graph, in a worker, and show what was found."""

from __future__ import annotations

from typing import ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Button, LoadingIndicator, Static

from wizard.core.check import CheckReport, check_found_token
from wizard.core.codes import Source
from wizard.core.flow import STEP_FOR_PROBLEM, STEP_TEXTS, Step
from wizard.core.graph import PhoneNumber
from wizard.core.stores.sources import FoundToken
from wizard.ui.background import in_background
from wizard.ui.navigation import Nav, StepResult
from wizard.ui.steps.base import StepScreen
from wizard.ui.steps.send_test import SendTestScreen
from wizard.ui.widgets.report import CheckSummary, DiagnosisPanel


class CheckStep(StepScreen):
    """Runs the same check as `wa-token check`; Next only when the token works."""

    title_text = "Check it against the Graph API"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "recheck", "Check again", id="recheck"),
        Binding("g", "goto_fix", "Go to the fix", id="goto-fix"),
        Binding("s", "send_test", "Send a test message", id="send-test"),
    ]

    def compose_body(self) -> ComposeResult:
        with Vertical(id="checking"):
            yield LoadingIndicator()
            yield Static(
                "Asking the Graph API about the token: validity, type, expiry, "
                "permissions, WhatsApp accounts and phone numbers…",
                id="checking-text",
            )
        yield Vertical(id="check-result")

    def can_go_next(self) -> bool:
        report = self.state.report
        return bool(report and report.ok)

    def setup(self) -> None:
        if self.state.report is None:
            self.action_recheck()
        else:
            self.call_later(self.show_report, self.state.report)

    def action_recheck(self) -> None:
        """Run the check again (after fixing something in Business Settings, say)."""
        self.allow_next(False)
        self.set_class(True, "-checking")
        self.run_check()

    @work(exclusive=True, group="check")
    async def run_check(self) -> None:
        """The network call, off the UI's back; Graph's failures become a diagnosis (a bug in
        it ends the wizard, as every worker's does)."""
        assert self.state.token is not None
        found = FoundToken(Source.PASTED, "the wizard", self.state.token)
        report = await in_background(
            check_found_token,
            found,
            self.state.settings,
            self.state.environ,
            now=self.state.clock(),
        )
        self.state.report = report
        await self.show_report(report)

    async def show_report(self, report: CheckReport) -> None:
        """Replace the spinner with the summary, the diagnosis and the way forward."""
        self.set_class(False, "-checking")
        result = self.query_one("#check-result", Vertical)
        await result.remove_children()  # the old ids must be gone before the new ones arrive
        headline = (
            "[$success]✓ The token works.[/]"
            if report.ok
            else "[$error]✗ The token does not work yet.[/] Fix the problem below, then "
            "press [b]r[/b] to check again, or go back and paste another token."
        )
        widgets: list[Widget] = [Static(headline, id="check-headline")]
        step = self._step_to_fix(report)
        if step is not None:
            label = STEP_TEXTS[step].title if step in STEP_TEXTS else "Paste another token"
            widgets.append(
                Button(
                    f"Go to the step that fixes it: {label} (g)",
                    id="goto-fix",
                    classes="goto",
                    compact=True,
                )
            )
        widgets += [
            DiagnosisPanel(report, id="diagnosis"),
            CheckSummary(report, id="check-summary"),
        ]
        await result.mount_all(widgets)
        self.refresh_bindings()
        self.allow_next(report.ok)
        self.hint(
            "s: send a test message"
            if report.ok and self._numbers()
            else ""
            if report.ok
            else "r: check again"
        )

    def _step_to_fix(self, report: CheckReport) -> Step | None:
        for problem in report.diagnosis.problems:
            if problem.code in STEP_FOR_PROBLEM:
                return STEP_FOR_PROBLEM[problem.code]
        return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        report = self.state.report
        if action == "goto_fix":
            return bool(report and self._step_to_fix(report))
        if action == "send_test":
            return bool(report and report.ok and self._numbers())
        return super().check_action(action, parameters)

    def _numbers(self) -> tuple[PhoneNumber, ...]:
        report = self.state.report
        accounts = report.graph.accounts if report else ()
        return tuple(n for a in accounts for n in a.phone_numbers)

    def action_send_test(self) -> None:
        """The optional proof: send hello_world to a number of the user's choice."""
        if self.check_action("send_test", ()):
            self.app.push_screen(SendTestScreen(self.state, self._numbers()))

    @on(Button.Pressed, "#goto-fix")
    def action_goto_fix(self) -> None:
        report = self.state.report
        step = self._step_to_fix(report) if report else None
        if step is not None:
            self.state.forget_paste()  # the token that failed is not the one to check next
            self.dismiss(StepResult(Nav.GOTO, step=step))

    def on_paste(self, event: events.Paste) -> None:
        """Another token pasted here replaces the one checked, on the Paste step."""
        self.paste_to_token_field(event)
