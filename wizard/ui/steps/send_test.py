"""Optional proof after the check: send the hello_world template to one number, after a yes."""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Button, Input, RadioButton, RadioSet, Static

from wizard.core.codes import Source
from wizard.core.errors import SettingsError
from wizard.core.graph import PhoneNumber
from wizard.core.messaging import (
    default_sender,
    describe_sender,
    recipient_digits,
    send_hello_world,
)
from wizard.core.stores.sources import FoundToken
from wizard.ui.background import in_background
from wizard.ui.modals import ConfirmModal
from wizard.ui.safe import literal as escape
from wizard.ui.state import WizardState
from wizard.ui.steps.base import StepFrame
from wizard.ui.widgets.text import error_markup

INTRO = (
    "Sends the [b]hello_world[/b] template, the one every new WhatsApp app has. Nothing is sent "
    "until you confirm. A test number only sends to the numbers in its allowed list "
    "(App Dashboard → WhatsApp → API Setup → To)."
)


class SendTestScreen(StepFrame[None]):
    """Choose the sending number, type the recipient, confirm, see the message id or the fix."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back to the check", id="back")
    ]

    title_text = "Send a test message"
    title_note = " (optional)"
    next_label = "Send"
    back_id = "send-back"
    next_id = "send"

    def __init__(self, state: WizardState, numbers: tuple[PhoneNumber, ...]) -> None:
        super().__init__()
        self.state = state
        """The wizard state, holding the checked token."""
        self.numbers = numbers
        """Every number the token reaches."""

    def compose_body(self) -> ComposeResult:
        yield Static(INTRO)
        chosen = self._chosen_sender()
        with RadioSet(id="sender", compact=True):
            for index, number in enumerate(self.numbers):
                yield RadioButton(
                    escape(describe_sender(number)),
                    value=number == chosen,
                    id=f"sender-{index}",
                )
        yield Static("Recipient (Enter sends, after a confirmation):", id="recipient-label")
        yield Input(
            self.state.recipient, placeholder="e.g. +15551234567", id="recipient", compact=True
        )
        yield Static(id="send-result")

    def can_go_next(self) -> bool:
        """Send waits for a recipient (on_mount enables it for one kept from before)."""
        return False

    def on_mount(self) -> None:
        self.query_one("#recipient", Input).focus()
        self.query_one("#send", Button).disabled = self._recipient() is None

    def _chosen_sender(self) -> PhoneNumber | None:
        """The sender chosen before Back, else the test number, else the first."""
        kept = next((n for n in self.numbers if n.id == self.state.sender_id), None)
        return kept or default_sender(self.numbers)

    @on(Input.Changed, "#recipient")
    def _typed(self, event: Input.Changed) -> None:
        self.state.recipient = event.value
        self.query_one("#send", Button).disabled = self._recipient() is None

    @on(RadioSet.Changed, "#sender")
    def _sender_chosen(self) -> None:
        self.state.sender_id = self._sender().id

    @on(Input.Submitted, "#recipient")
    @on(Button.Pressed, "#send")
    def _send_pressed(self) -> None:
        if self._recipient() is not None:
            self.confirm_and_send()

    @on(Button.Pressed, "#send-back")
    def action_back(self) -> None:
        """Back to the check."""
        self.app.pop_screen()

    def _recipient(self) -> str | None:
        try:
            return recipient_digits(self.query_one("#recipient", Input).value)
        except SettingsError:
            return None

    def _sender(self) -> PhoneNumber:
        pressed = self.query_one("#sender", RadioSet).pressed_index
        if pressed < 0:
            chosen = self._chosen_sender()
            assert chosen is not None
            return chosen
        return self.numbers[pressed]

    @work(exclusive=True, group="send")
    async def confirm_and_send(self) -> None:
        """Ask, then send once; the answer or the fix replaces the result line."""
        to, sender = self._recipient(), self._sender()
        assert to is not None and self.state.token is not None
        yes = await self.app.push_screen_wait(
            ConfirmModal(
                "Send a real WhatsApp message?",
                f"Send the hello_world template to +{to} from {escape(describe_sender(sender))}?",
                yes="Send",
                no="Don't send",
            )
        )
        result = self.query_one("#send-result", Static)
        if not yes:
            result.update("Not sent.")
            return
        result.update("[dim]Sending…[/dim]")
        found = FoundToken(Source.PASTED, "the wizard", self.state.token)
        outcome = await in_background(send_hello_world, self.state.settings, found, sender.id, to)
        if outcome.sent is not None:
            result.update(
                f"[$success]✓ Accepted by WhatsApp:[/] message id "
                f"{escape(outcome.sent.message_id)}\n[dim]Accepted is not delivered: "
                "delivery is reported to your webhook.[/dim]"
            )
        elif outcome.problem is not None:
            result.update(error_markup(outcome.problem.title, outcome.problem.fix))
