"""The "ready to go live" screen: five lines from the check, each with its fix or its action."""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Button, Static

from wizard.core.check import CheckReport
from wizard.core.errors import SettingsError
from wizard.core.golive import (
    ReadyAction,
    ReadyItem,
    ReadyLine,
    ReadyMark,
    check_again,
    ready_list,
)
from wizard.core.stores.sources import FoundToken
from wizard.core.webhook_test import WebhookReport
from wizard.ui.safe import literal
from wizard.ui.state import WizardState
from wizard.ui.steps.base import StepFrame
from wizard.ui.widgets.report import DiagnosisPanel
from wizard.ui.widgets.text import error_markup, inline

MARKS = {
    ReadyMark.OK: "[$success]✓[/]",
    ReadyMark.WARN: "[$warning]![/]",
    ReadyMark.BAD: "[$error]✗[/]",
}
LABELS = {
    ReadyItem.TOKEN: "Token",
    ReadyItem.SENDING: "A number that can send",
    ReadyItem.REGISTERED: "Registered",
    ReadyItem.SUBSCRIBED: "Webhooks subscribed",
    ReadyItem.ENDPOINT: "Endpoint tested",
}
BUTTONS = {
    ReadyAction.SUBSCRIBE: "Subscribe the app  (s)",
    ReadyAction.REGISTER: "Register it, PIN hidden  (r)",
    ReadyAction.TEST: "Test the endpoint  (w)",
}
KEYS = {
    "subscribe": ReadyAction.SUBSCRIBE,
    "register": ReadyAction.REGISTER,
    "test": ReadyAction.TEST,
}


class ReadyScreen(StepFrame[CheckReport | None]):
    """After a check that passed: what stands between the token and going live; Escape leaves
    with the check run again after an action (None when nothing was checked again)."""

    title_text = "Ready to go live"
    next_label = "Done"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "act('subscribe')", "Subscribe", id="ready-subscribe-key"),
        Binding("r", "act('register')", "Register", id="ready-register-key"),
        Binding("w", "act('test')", "Test endpoint", id="ready-test-key"),
    ]

    def __init__(self, state: WizardState, report: CheckReport, found: FoundToken) -> None:
        super().__init__()
        self.state = state
        """The app's wizard state (its changes feed the quit summary)."""
        self.report = report
        """The check the lines come from (checked again after an action)."""
        self.found = found
        """The token the actions use."""
        self.endpoint: WebhookReport | None = None
        """The endpoint's test, once run."""
        self.registered: frozenset[str] = frozenset()
        """The numbers registered from this screen."""
        self.rechecked: CheckReport | None = None
        """The check run again after an action: what the screen below shows once this closes."""
        self.said = ""
        """The status line's markup (an action's outcome)."""
        self.lines = ready_list(report)
        """The lines shown."""

    def compose_body(self) -> ComposeResult:
        for line in self.lines:
            with Vertical(id=f"ready-{line.item}", classes="ready-item"):
                yield Static(self._markup(line), id=f"ready-{line.item}-text")
                if line.action is not None:
                    yield Button(
                        BUTTONS[line.action],
                        id=f"ready-{line.action}",
                        compact=True,
                        classes="ready-action",
                    )
        yield Static(id="ready-status")

    def on_mount(self) -> None:
        self.query_one("#back", Button).display = False
        self._show(self.lines)

    def _markup(self, line: ReadyLine) -> str:
        text = f"{MARKS[line.mark]} [b]{LABELS[line.item]}:[/b] {inline(line.title)}"
        if line.detail:
            text += f"\n  Meta says: {literal(line.detail)}"
        return text + (f"\n  [dim]{inline(line.fix)}[/dim]" if line.fix else "")

    def _show(self, lines: tuple[ReadyLine, ...]) -> None:
        """Update every line, and show only the buttons whose action is still offered."""
        self.lines = lines
        offered = {line.action for line in lines if line.action is not None}
        for line in lines:
            self.query_one(f"#ready-{line.item}-text", Static).update(self._markup(line))
        for action in ReadyAction:
            for button in self.query(f"#ready-{action}").results(Button):
                button.display = action in offered
        self.refresh_bindings()
        buttons = [b for b in self.query(".ready-action").results(Button) if b.display]
        (buttons[0] if buttons else self.query_one("#next", Button)).focus()

    def _line(self, action: ReadyAction) -> ReadyLine | None:
        return next((line for line in self.lines if line.action is action), None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "act":
            return self._line(KEYS[str(parameters[0])]) is not None
        return super().check_action(action, parameters)

    def action_back(self) -> None:
        """Escape: back to where the list was opened, with the check run again, if it was."""
        self.dismiss(self.rechecked)

    @on(Button.Pressed, "#next")
    def _done(self) -> None:
        self.dismiss(self.rechecked)

    @on(Button.Pressed, ".ready-action")
    def _pressed(self, event: Button.Pressed) -> None:
        assert event.button.id is not None
        self.action_act(event.button.id.removeprefix("ready-"))

    def action_act(self, name: str) -> None:
        """s, r, w or a button: run that line's action."""
        action = KEYS[name]
        if self._line(action) is None:
            return
        if self._busy():
            self._status("[$warning]![/] One thing at a time: wait for the one under way.")
            return
        runs = {
            ReadyAction.SUBSCRIBE: self.subscribe,
            ReadyAction.REGISTER: self.register,
            ReadyAction.TEST: self.test_endpoint,
        }
        runs[action]()

    def _busy(self) -> bool:
        """An action is under way (cancelling it could hide a change made at Meta)."""
        return any(w.group == "ready" and w.is_running for w in self.app.workers if w.node is self)

    def _status(self, markup: str) -> None:
        self.said = markup
        self.query_one("#ready-status", Static).update(markup)

    def _status_after(self, said: str, markup: str) -> None:
        """What an action said, and under it what followed."""
        self._status(f"{said}\n{markup}" if said else markup)

    async def _recheck(self) -> None:
        """Check the token again (the same check as `wa-token check`) and redraw the lines;
        when Graph cannot answer, the lines keep the last check and say so."""
        state, said = self.state, self.said
        self._status_after(said, "[dim]Checking again…[/dim]")
        again = await asyncio.to_thread(
            check_again, self.found, state.settings, state.environ, state.clock()
        )
        if not again.answered:
            problem = again.report.diagnosis.problems[0]
            self._status_after(
                said,
                error_markup(
                    "Could not check again",
                    problem.fix,
                    message=problem.title,
                    outcome="The lines show the last check.",
                ),
            )
            return
        self.report = self.rechecked = again.report
        self._status(said)
        self._show(ready_list(self.report, self.endpoint, self.registered))

    # -- subscribe -------------------------------------------------------------------------------

    @work(exclusive=True, group="ready")
    async def subscribe(self) -> None:
        """`fix webhooks`: the plan, a yes, the subscriptions, then the check again."""
        from wizard.core.webhooks import plan_webhooks, subscribe_missing
        from wizard.ui.modals import ConfirmModal

        state = self.state
        self._status("[dim]Looking at your accounts' webhook subscriptions…[/dim]")
        plan = await asyncio.to_thread(plan_webhooks, self.found, state.settings, state.environ)
        if not plan.report.graph.accounts:  # the check reached no account: its problem says why
            problem = (*plan.report.diagnosis.problems, None)[0]
            title = problem.title if problem else "No account was reached"
            fix = problem.fix if problem else "Run `wa-token check` to see why."
            self._status(error_markup(title, fix, outcome="Nothing was changed."))
            return
        if not plan.missing:
            self._status("[$success]✓[/] Nothing to change: every account is subscribed.")
            await self._recheck()
            return
        names = ", ".join(_account(a.name, a.id) for a in plan.missing[:3])
        yes = await self.app.push_screen_wait(
            ConfirmModal(
                "Subscribe the app to these accounts' webhooks?",
                f"POST /{{waba-id}}/subscribed_apps on {inline(names)}: Meta then sends their "
                "inbound messages and delivery statuses to your app's callback.",
                yes="Subscribe",
                no="Not now",
            )
        )
        if not yes:
            self._status("Not changed: you did not answer yes.")
            return
        self._status("[dim]Subscribing…[/dim]")
        outcomes = await asyncio.to_thread(subscribe_missing, plan, self.found, state.settings)
        shown = []
        for outcome in outcomes:
            label = _account(outcome.account.name, outcome.account.id)
            if outcome.refused is None:
                state.changes.append(f"Subscribed the app to the webhooks of {label} at Meta.")
                shown.append(f"[$success]✓ Subscribed:[/] {inline(label)}")
            else:
                shown.append(error_markup(outcome.refused.title, outcome.refused.fix))
        self._status("\n".join(shown))
        await self._recheck()

    # -- register --------------------------------------------------------------------------------

    @work(exclusive=True, group="ready")
    async def register(self) -> None:
        """`register`: the PIN (hidden), sent once, the outcome, then the check again."""
        from wizard.core.registration import register_number
        from wizard.ui.ready_modals import PinModal

        line = self._line(ReadyAction.REGISTER)
        assert line is not None and line.targets
        phone_id = line.targets[0]
        pin = await self.app.push_screen_wait(PinModal(f"phone number id {phone_id}"))
        if pin is None:
            self._status("Not registered: nothing was sent.")
            return
        self._status(f"[dim]Registering phone number id {phone_id}…[/dim]")
        state = self.state
        outcome = await asyncio.to_thread(
            register_number, state.settings, self.found, phone_id, pin
        )
        del pin
        if outcome.problem is not None:
            problem = outcome.problem
            self._status(error_markup(problem.title, problem.fix, message=problem.detail or ""))
            return
        state.changes.append(f"Registered phone number id {phone_id} for the Cloud API at Meta.")
        self.registered |= {phone_id}
        self._status(f"[$success]✓ Phone number id {phone_id} is registered.[/]")
        await self._recheck()

    # -- test the endpoint -----------------------------------------------------------------------

    @work(exclusive=True, group="ready")
    async def test_endpoint(self) -> None:
        """`webhook-test`: the URL (and the secrets set nowhere, hidden), then the four calls."""
        from wizard.core.variables import APP_SECRET_VAR
        from wizard.core.webhook_test import (
            VERIFY_TOKEN_VAR,
            WEBHOOK_URL_VAR,
            WebhookSecrets,
            check_verify_token,
            run_webhook_test,
            stored_secrets,
        )
        from wizard.ui.ready_modals import EndpointModal

        state = self.state
        stored = await asyncio.to_thread(stored_secrets, state.settings, state.environ)
        profile = state.settings.profile
        answer = await self.app.push_screen_wait(
            EndpointModal(
                stored.url or "",
                ask_verify=stored.verify_token is None,
                ask_secret=stored.app_secret is None,
                verify_var=profile.var(VERIFY_TOKEN_VAR),
                secret_var=profile.var(APP_SECRET_VAR),
                url_var=profile.var(WEBHOOK_URL_VAR),
            )
        )
        if answer is None:
            self._status("Not tested: nothing was called.")
            return
        verify = stored.verify_token or answer.verify_token
        secret = stored.app_secret or answer.app_secret
        assert verify is not None and secret is not None
        self._status("[dim]Calling your endpoint as Meta will…[/dim]")
        try:
            keys = WebhookSecrets(check_verify_token(verify, profile.var(VERIFY_TOKEN_VAR)), secret)
        except SettingsError as err:  # its words never repeat the token
            self._status(error_markup(err.message, err.fix))
            return
        self.endpoint = await asyncio.to_thread(
            run_webhook_test,
            answer.url,
            keys,
            timeout=state.settings.timeout,
            phone_number_id=state.settings.phone_number_id,
            business_account_id=state.settings.business_account_id,
        )
        self._status("")
        self._show(ready_list(self.report, self.endpoint, self.registered))


async def show_rechecked(screen: Screen[Any], report: CheckReport | None) -> None:
    """The list closed: the screen it was opened from shows the check it ran again, if any."""
    if report is None:
        return
    for panel in screen.query(DiagnosisPanel).results(DiagnosisPanel):
        await panel.show_report(report)


def _account(name: str | None, account_id: str) -> str:
    """An account as it may be shown (its name is Graph text: cleaned, bounded)."""
    from wizard.core.diagnose import graph_text

    return f"{graph_text(name or '(no name)')} ({account_id})"
