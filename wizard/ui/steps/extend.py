"""Meta's Method 2 in the wizard: exchange a live temporary token for a ~60-day one, in place."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.widgets import Button, Input, Static

from wizard.core import lifecycle
from wizard.core.errors import SettingsError, StoreError
from wizard.core.extend import extend
from wizard.core.stores.sources import FoundToken
from wizard.core.token import SecretToken
from wizard.ui.background import in_background
from wizard.ui.safe import literal as escape
from wizard.ui.state import WizardState
from wizard.ui.steps.base import StepFrame
from wizard.ui.widgets.command import CommandLine
from wizard.ui.widgets.text import error_markup, inline

INTRO = (
    "Exchanges the stored temporary token for one that lasts about [b]60 days[/b] (Meta's "
    "Method 2), checks the new one, and only then replaces the old one where it is.\n"
    f"[$warning]![/] {inline(lifecycle.NOT_PERMANENT)}"
)


class ExtendScreen(StepFrame[str | None]):
    """App id and app secret (hidden), then the exchange; returns what was done, or None."""

    title_text = "Extend the token to 60 days"
    next_label = "Extend"
    back_id = "extend-back"
    next_id = "extend"

    def __init__(self, state: WizardState) -> None:
        super().__init__()
        self.state = state
        """The wizard state, holding the stored token found at start."""
        self.done: str | None = None
        """What was stored, once the exchange succeeded."""

    def compose_body(self) -> ComposeResult:
        settings, report = self.state.settings, self.state.initial
        info = report.graph.token_info if report else None
        app_id = settings.app_id or (info.app_id if info else None) or ""
        yield Static(INTRO)
        yield Static("App ID (App Dashboard → your app → App settings → Basic):")
        yield Input(app_id, placeholder="App ID", id="app-id", compact=True, restrict=r"\d*")
        if settings.app_secret is not None:
            yield Static(
                "App secret: [$success]taken from WHATSAPP_APP_SECRET[/] (environment or .env).",
                id="secret-source",
            )
        else:
            yield Static("App secret (same page, Show; it is never stored or shown):")
            yield Input(placeholder="App secret", password=True, id="app-secret", compact=True)
        yield Static(id="extend-result")

    def on_mount(self) -> None:
        """The focus goes where the user has to type: the first empty field, else Extend."""
        empty = [field for field in self.query(Input).results(Input) if not field.value.strip()]
        (empty[0] if empty else self.query_one("#extend", Button)).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        """Enter in a field: on to the next empty field, or extend when all are filled."""
        event.stop()
        empty = [field for field in self.query(Input).results(Input) if not field.value.strip()]
        if empty:
            empty[0].focus()
            missing = self._missing(self.query_one("#app-id", Input).value.strip(), self._secret())
            self.query_one("#extend-result", Static).update(f"[$error]✗[/] {missing}")
        else:
            self._extend()

    def _missing(self, app_id: str, secret: SecretToken | None) -> str | None:
        """What is missing before the exchange can run, in words; None when nothing is."""
        if self.state.stored is None:
            return "No stored token was found to extend."
        names = [
            name
            for name, ok in (("the app ID", bool(app_id)), ("the app secret", secret is not None))
            if not ok
        ]
        if not names:
            return None
        return f"Type {' and '.join(names)} above, then press Enter."

    @on(Button.Pressed, "#extend-back")
    def action_back(self) -> None:
        """Back to the choice, with whatever was done."""
        self.dismiss(self.done)

    @on(Button.Pressed, "#extend")
    def _extend(self) -> None:
        if self.done is not None:
            self.dismiss(self.done)
            return
        self.exchange()

    def _secret(self) -> SecretToken | None:
        if self.state.settings.app_secret is not None:
            return self.state.settings.app_secret
        value = self.query_one("#app-secret", Input).value.strip()
        return SecretToken(value) if value else None

    @work(exclusive=True, group="extend")
    async def exchange(self) -> None:
        """Exchange, check and store; the old token stays when anything fails."""
        result = self.query_one("#extend-result", Static)
        app_id = self.query_one("#app-id", Input).value.strip()
        secret, found = self._secret(), self.state.stored
        missing = self._missing(app_id, secret)
        if missing is not None or found is None or secret is None:
            result.update(f"[$error]✗[/] {missing}")
            return
        result.update("[dim]Exchanging the token with the Graph API…[/dim]")
        button = self.query_one("#extend", Button)
        button.disabled = True  # one exchange at a time
        try:
            await self._exchange(result, app_id, secret, found)
        finally:
            button.disabled = False
            button.focus()
            self.query_one("#step-body").scroll_end(animate=False)

    async def _exchange(
        self, result: Static, app_id: str, secret: SecretToken, found: FoundToken
    ) -> None:
        """`wa-token extend`'s use case: the same plan, app check, exchange and store."""
        try:
            done = await in_background(
                extend,
                self.state.settings,
                found,
                self.state.clock(),
                app_id=app_id,
                app_secret=lambda: secret,
            )
        except (StoreError, SettingsError) as err:
            result.update(
                error_markup(
                    err.title, err.fix, message=err.message, outcome="Nothing was changed."
                )
            )
            return
        if done.plan.action == lifecycle.NOTHING:
            result.update(f"[$success]✓[/] {inline(done.plan.summary)}")
            return
        if done.problem is not None or done.renewal is None:
            problem = done.problem
            assert problem is not None
            result.update(error_markup(problem.title, problem.fix, outcome="Nothing was changed."))
            return
        renewal = done.renewal
        assert renewal.new_token is not None
        until = f", valid until {renewal.expires_at:%Y-%m-%d}" if renewal.expires_at else ""
        self.done = (
            f"Extended: {renewal.new_token.masked}{until}, stored in "
            f"{renewal.stored_in}, replacing the old one."
        )
        self.state.changes.append(self.done)
        self.state.extended = True
        result.update(
            f"[$success]✓ {escape(self.done)}[/]\nRestart your backend server so it "
            "reads the new token. To renew it before day 60 without thinking about it, "
            "run this in a shell after the wizard: it prints a cron line and a systemd "
            "timer that run [b]wa-token refresh[/b]."
        )
        await self.query_one("#step-body").mount(
            CommandLine("wa-token schedule --print", id="extend-schedule")
        )
        self.query_one("#extend", Button).label = "Finish"
