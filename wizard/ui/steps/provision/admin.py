"""The admin token, the app id and the app secret, all hidden, for "Do it for me"."""

from __future__ import annotations

from typing import Any, NamedTuple

from textual import on
from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import Button, Input, Markdown, Static

from wizard.core.errors import TokenFormatError
from wizard.core.token import MAX_TOKEN_LENGTH, SecretToken, clean_pasted
from wizard.ui.navigation import NEXT
from wizard.ui.safe import literal as escape
from wizard.ui.state import WizardState
from wizard.ui.steps.base import StepScreen

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


class DigitsInput(Input):
    """A field that takes digits only: a paste that holds anything else (an app secret pasted
    here by mistake) is refused whole and never shown; spaces around digits are dropped."""

    class Refused(Message):
        """Text that is not digits was typed or pasted, and not taken."""

    def __init__(self, value: str = "", **options: Any) -> None:
        super().__init__(value, restrict=r"[0-9]*", **options)

    def replace(self, text: str, start: int, end: int) -> None:
        super().replace(text.strip(), start, end)

    def restricted(self) -> None:
        self.post_message(self.Refused())


class AdminEntry(NamedTuple):
    """What was entered on the admin step, kept in memory only, so that Back from a later
    screen of the route (the plan, "Meta refused") finds the fields as they were."""

    admin: SecretToken
    app_id: str
    secret: SecretToken | None


class AdminTokenStep(StepScreen):
    """The admin token, the app id and (unless configured) the app secret, all hidden."""

    title_text = "Do it for me: a business admin's token"
    next_label = "Show the plan →"

    def __init__(self, state: WizardState, entered: AdminEntry | None = None) -> None:
        super().__init__(state)
        self.entered = entered
        """The fields as they were when the user last went on (None: the first time)."""
        self.admin: SecretToken | None = None
        """The cleaned admin token, once it can be one."""

    def compose_body(self) -> ComposeResult:
        entered = self.entered
        yield Markdown(EXPLORER_STEPS, classes="instructions", open_links=False)
        yield Input(
            entered.admin.reveal() if entered else "",  # into its own hidden field only
            placeholder="Admin token (hidden)",
            password=True,
            id="admin-token",
            max_length=MAX_TOKEN_LENGTH + 1,
        )
        yield DigitsInput(
            entered.app_id if entered else self.state.settings.app_id or "",
            placeholder="App id (digits)",
            id="app-id",
        )
        if self.state.settings.app_secret is None:
            secret = entered.secret.reveal() if entered and entered.secret else ""
            yield Input(secret, placeholder="App secret (hidden)", password=True, id="app-secret")
        else:
            yield Static("[dim]App secret: from WHATSAPP_APP_SECRET.[/dim]")
        yield Static(id="admin-status")

    def can_go_next(self) -> bool:
        return False

    def setup(self) -> None:
        self.query_one("#admin-token", Input).focus()

    @on(DigitsInput.Refused)
    def _not_digits(self) -> None:
        self.query_one("#admin-status", Static).update(
            "[$error]✗ The app id is digits only:[/] that text was not taken (it is not shown). "
            "The app secret goes in the field below."
        )

    @on(Input.Submitted)
    async def _submitted(self, event: Input.Submitted) -> None:
        """Enter in any field: show the plan when everything is there, else go to what is not."""
        event.stop()
        if not self.query_one("#next", Button).disabled:
            await self.go_next()
            return
        for field in self.query(Input).results(Input):
            if not field.value.strip():
                field.focus()
                return

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
            f"[$success]✓ Admin token:[/] {escape(self.admin.masked)}"
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

    def entry(self) -> AdminEntry | None:
        """What was entered, when the admin token can be one."""
        if self.admin is None:
            return None
        secret = None if self.state.settings.app_secret is not None else self.secret
        return AdminEntry(self.admin, self.app_id, secret)

    async def go_next(self) -> None:
        self.dismiss(NEXT)
