"""The "ready to go live" modals: the two-step PIN (hidden) and the webhook endpoint's URL."""

from __future__ import annotations

from typing import ClassVar, NamedTuple

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from wizard.core.errors import SettingsError
from wizard.core.registration import ATTEMPTS_NOTE, Pin, read_pin
from wizard.core.token import SecretToken
from wizard.ui.safe import literal
from wizard.ui.widgets.text import error_markup


class PinModal(ModalScreen[Pin | None]):
    """Ask for a number's 6-digit two-step verification PIN, hidden; Escape cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="cancel")]

    def __init__(self, phone_label: str) -> None:
        super().__init__()
        self.phone_label = phone_label
        """The number to register, as it may be shown."""

    def compose(self) -> ComposeResult:
        with Vertical(id="modal-box"):
            yield Static(
                f"[b]Register {literal(self.phone_label)} for the Cloud API[/b]", id="modal-title"
            )
            yield Static(
                "Its 6-digit two-step verification PIN (hidden). " + literal(ATTEMPTS_NOTE),
                id="modal-message",
            )
            yield Input(password=True, max_length=6, id="pin-input", compact=True)
            yield Static(id="pin-error")
            with Horizontal(id="modal-buttons"):
                yield Button("Register", id="modal-yes", variant="primary")
                yield Button("Cancel", id="modal-no")

    def on_mount(self) -> None:
        self.query_one("#pin-input", Input).focus()

    @on(Input.Submitted, "#pin-input")
    @on(Button.Pressed, "#modal-yes")
    def _register(self) -> None:
        field = self.query_one("#pin-input", Input)
        try:
            pin = read_pin(field.value)
        except SettingsError as err:
            field.value = ""  # what was typed is never kept nor repeated
            self.query_one("#pin-error", Static).update(
                error_markup(err.message, "Type the six digits (0-9) of the number's PIN.")
            )
            return
        field.value = ""
        self.dismiss(pin)

    @on(Button.Pressed, "#modal-no")
    def action_cancel(self) -> None:
        """Escape or Cancel: nothing is sent."""
        self.dismiss(None)


class EndpointAnswer(NamedTuple):
    """The URL to test, and the secrets typed because they were set nowhere."""

    url: str
    verify_token: SecretToken | None
    app_secret: SecretToken | None


class EndpointModal(ModalScreen[EndpointAnswer | None]):
    """Ask for the Callback URL, and (hidden) the verify token and app secret not yet set."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="cancel")]

    def __init__(
        self,
        url: str,
        *,
        ask_verify: bool,
        ask_secret: bool,
        verify_var: str,
        secret_var: str,
        url_var: str,
    ) -> None:
        super().__init__()
        self.url = url
        """The URL found in the environment or .env (may be empty; never shown: it may hold a
        secret, as automation services' URLs do)."""
        self.asks = (ask_verify, ask_secret)
        """Which secrets are asked for (those set nowhere)."""
        self.names = (verify_var, secret_var, url_var)
        """The variables' names, for the placeholders."""

    def compose(self) -> ComposeResult:
        with Vertical(id="modal-box"):
            yield Static("[b]Test your webhook endpoint[/b]", id="modal-title")
            yield Static(
                "Calls it as Meta will: the verification GET (right and wrong verify token), "
                "a signed notification and a forged one. https only (http on loopback).",
                id="modal-message",
            )
            stored = f"empty: {self.names[2]}'s URL, or type another"
            yield Input(
                placeholder=stored if self.url else "https://example.com/webhook",
                id="endpoint-url",
                compact=True,
            )
            if self.asks[0]:
                yield Input(
                    placeholder=f"{self.names[0]} (hidden)",
                    password=True,
                    id="endpoint-verify",
                    compact=True,
                )
            if self.asks[1]:
                yield Input(
                    placeholder=f"{self.names[1]} (hidden)",
                    password=True,
                    id="endpoint-secret",
                    compact=True,
                )
            yield Static(id="endpoint-error")
            with Horizontal(id="modal-buttons"):
                yield Button("Test", id="modal-yes", variant="primary")
                yield Button("Cancel", id="modal-no")

    def on_mount(self) -> None:
        self.query_one("#endpoint-url", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#modal-yes")
    def _test(self) -> None:
        from wizard.core.webhook_test import require_secret_url

        url = self.query_one("#endpoint-url", Input).value.strip() or self.url
        try:
            require_secret_url(url)
        except SettingsError as err:
            self._error(err.message, err.fix)
            return
        verify, secret = self._typed("#endpoint-verify"), self._typed("#endpoint-secret")
        if (self.asks[0] and verify is None) or (self.asks[1] and secret is None):
            self._error("Both secrets are needed", "Type them above: they are never shown.")
            return
        self.dismiss(EndpointAnswer(url, verify, secret))

    def _typed(self, selector: str) -> SecretToken | None:
        found = self.query(selector).results(Input)
        field = next(found, None)
        value = field.value.strip() if field is not None else ""
        return SecretToken(value) if value else None

    def _error(self, title: str, fix: str) -> None:
        self.query_one("#endpoint-error", Static).update(error_markup(title, fix))

    @on(Button.Pressed, "#modal-no")
    def action_cancel(self) -> None:
        """Escape or Cancel: nothing is called."""
        self.dismiss(None)
