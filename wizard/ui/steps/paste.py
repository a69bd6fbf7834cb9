"""Paste the token: hidden input, pasted wrapping cleaned, the reason shown when it cannot be one."""

from __future__ import annotations

from textual import events, on
from textual.app import ComposeResult
from textual.widgets import Button, Input, Static

from wizard.core.errors import TokenFormatError
from wizard.core.token import MAX_TOKEN_LENGTH, clean_pasted
from wizard.ui.safe import literal
from wizard.ui.steps.base import StepScreen
from wizard.ui.widgets.text import inline

PASTE_HINT = (
    "Paste with your terminal's paste (Ctrl+Shift+V, Shift+Insert or the right-click menu; "
    "Cmd+V on a Mac): the wizard cannot read your clipboard itself."
)


class TokenInput(Input):
    """The hidden token field; a paste is handled by its step (it replaces, never inserts)."""

    def _on_paste(self, event: events.Paste) -> None:
        event.prevent_default()  # skip Input's insert-at-cursor; the event bubbles to the step

    def action_paste(self) -> None:
        """Ctrl+V reached the wizard as a key: the terminal did not paste, so say how to."""
        self.notify(PASTE_HINT, timeout=8)


class PasteStep(StepScreen):
    """A password-style input; Next only once the text can be a token."""

    title_text = "Paste the token"
    next_label = "Check it →"

    def compose_body(self) -> ComposeResult:
        if self.state.temporary_route:
            yield Static(
                "[$warning]![/] [b]A temporary token expires about 24 hours after it was "
                "made.[/b] You will be back here tomorrow. The System User route gives a token "
                "that never expires.",
                classes="warning-note",
            )
            yield Static(
                "Copy the token from App Dashboard → WhatsApp → API Setup, then paste it below."
            )
        else:
            yield Static(
                "Paste the token you copied from Generate New Token. It stays hidden; "
                "only its first and last four characters are ever shown."
            )
        yield TokenInput(
            self.state.pasted_text,
            placeholder="Paste here with your terminal's paste",
            password=True,
            id="token-input",
            max_length=MAX_TOKEN_LENGTH + 1,
        )
        yield Static(id="paste-status")

    def can_go_next(self) -> bool:
        return self.state.token is not None

    def setup(self) -> None:
        self.query_one("#token-input", Input).focus()
        self._judge(self.state.pasted_text)

    def allow_next(self, allowed: bool) -> None:
        """Enable Next, but leave the focus in the field: Enter there checks the token."""
        self.query_one("#next", Button).disabled = not allowed

    def on_paste(self, event: events.Paste) -> None:
        """A paste anywhere on this step replaces the token field, and the field takes the focus.

        The whole text is kept, line breaks too: the one cleaning function judges it, as the
        CLI does (a token wrapped onto two lines is refused with that reason, not cut short).
        """
        event.stop()
        field = self.query_one("#token-input", Input)
        field.value = event.text[: MAX_TOKEN_LENGTH + 1]
        field.cursor_position = len(field.value)
        field.focus()

    @on(Input.Changed, "#token-input")
    def _pasted(self, event: Input.Changed) -> None:
        self._judge(event.value)

    @on(Input.Submitted, "#token-input")
    async def _submitted(self) -> None:
        await self.action_next()

    def _judge(self, text: str) -> None:
        """Clean the text; show the mask and what was removed, or why it cannot be a token."""
        status = self.query_one("#paste-status", Static)
        self.state.pasted_text = text
        if not text.strip():
            self.state.token = None
            status.update("[dim]Waiting for a token…[/dim]")
            self.allow_next(False)
            return
        try:
            cleaned = clean_pasted(text)
        except TokenFormatError as err:
            self.state.token = None
            status.update(
                f"[$error]✗ That cannot be a token:[/] {inline(err.message)}.\n"
                f"[dim]{inline(err.fix)}[/dim]"
            )
            self.allow_next(False)
            return
        if self.state.token != cleaned.token:
            self.state.report = None  # a different token needs a new check
        self.state.token = cleaned.token
        removed = (
            f"\n[dim]Removed {inline(', '.join(cleaned.removed))}.[/dim]" if cleaned.removed else ""
        )
        status.update(
            f"[$success]✓ Looks like a token:[/] {literal(cleaned.token.masked)}{removed}"
        )
        self.allow_next(True)
