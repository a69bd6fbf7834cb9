"""Modals: a question with Yes and No that returns a bool; a GitHub repository to send to."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Static

from wizard.ui.widgets.text import error_markup


class ConfirmModal(ModalScreen[bool]):
    """Ask before something that cannot be undone; Escape means No."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", id="yes"),
        Binding("n,escape", "answer(False)", "No", id="no"),
        Binding("left", "app.focus_previous", "Previous", show=False),
        Binding("right", "app.focus_next", "Next", show=False),
    ]

    def __init__(
        self,
        title: str,
        message: str,
        *,
        yes: str = "Yes",
        no: str = "No",
        default_yes: bool = False,
    ) -> None:
        super().__init__()
        self.default_yes = default_yes
        """Whether Enter means Yes (the user already chose this), else No (the safe answer)."""
        self.title_text = title
        """The question."""
        self.message = message
        """What happens on Yes, and on No."""
        self.labels = (yes, no)
        """The button labels."""

    def compose(self) -> ComposeResult:
        with Vertical(id="modal-box"):
            yield Static(f"[b]{self.title_text}[/b]", id="modal-title")
            yield Static(self.message, id="modal-message")
            with Horizontal(id="modal-buttons"):
                yield Button(self.labels[0], id="modal-yes", variant="warning")
                yield Button(self.labels[1], id="modal-no", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#modal-yes" if self.default_yes else "#modal-no", Button).focus()

    @on(Button.Pressed, "#modal-yes")
    def _yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#modal-no")
    def _no(self) -> None:
        self.dismiss(False)

    def action_answer(self, answer: bool) -> None:
        """y or n."""
        self.dismiss(answer)


class GitHubTargetModal(ModalScreen["tuple[str, bool] | None"]):
    """Ask for a GitHub repository (and environment) to send the token to; Escape cancels.

    Returns (`github:OWNER/REPO[/ENVIRONMENT]`, remember it) or None."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="cancel"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="modal-box"):
            yield Static("[b]Also send it to a GitHub repository[/b]", id="modal-title")
            yield Static(
                "Sets its Actions secret named like the variable (credentials: GITHUB_TOKEN, "
                "GH_TOKEN or `gh auth token`).",
                id="modal-message",
            )
            yield Input(
                placeholder="OWNER/REPO or OWNER/REPO/ENVIRONMENT", id="github-target", compact=True
            )
            yield Checkbox(
                "Remember it: refresh keeps it fresh", True, id="github-remember", compact=True
            )
            yield Static(id="github-error")
            with Horizontal(id="modal-buttons"):
                yield Button("Send", id="modal-yes", variant="primary")
                yield Button("Cancel", id="modal-no")

    def on_mount(self) -> None:
        self.query_one("#github-target", Input).focus()

    @on(Input.Submitted, "#github-target")
    @on(Button.Pressed, "#modal-yes")
    def _send(self) -> None:
        from wizard.core.errors import SettingsError
        from wizard.core.push.github import GITHUB_PREFIX, parse_github_target

        text = self.query_one("#github-target", Input).value.strip().removeprefix(GITHUB_PREFIX)
        try:
            label = parse_github_target(GITHUB_PREFIX + text).label
        except SettingsError as err:
            self.query_one("#github-error", Static).update(
                error_markup(err.title, err.fix, message=err.message)
            )
            return
        self.dismiss((label, self.query_one("#github-remember", Checkbox).value))

    @on(Button.Pressed, "#modal-no")
    def action_cancel(self) -> None:
        """Escape or Cancel: nothing is sent."""
        self.dismiss(None)
