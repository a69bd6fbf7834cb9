"""The instruction steps of Meta's System User route: why, create, assign, generate."""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType

from wizard.core.flow import Step, StepText
from wizard.ui.state import WizardState
from wizard.ui.steps.base import StepScreen
from wizard.ui.widgets.links import LinkRow
from wizard.ui.widgets.prose import Prose


class InstructionStep(StepScreen):
    """Text and links for one step done in Meta Business Settings."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("o", "open_link", "Open link", id="open-link"),
        Binding("c", "copy_link", "Copy link", id="copy-link"),
    ]

    def __init__(
        self,
        state: WizardState,
        step: Step,
        text: StepText,
        position: tuple[int, int] | None = None,
        *,
        first: bool = False,
    ) -> None:
        super().__init__(state, position)
        self.step = step
        """Which instruction this is."""
        self.text = text
        """What it says."""
        self.title_text = text.title
        self.show_back = not first
        self.next_label = "I've done this →" if step is not Step.WHY else "Start →"

    def compose_body(self) -> ComposeResult:
        yield Prose(self.text.body, classes="instructions")
        for index, link in enumerate(self.text.links):
            yield LinkRow(link, id=f"link-{index}")

    def on_paste(self, event: events.Paste) -> None:
        """A token pasted here (say, right after copying it) lands in the token field."""
        self.paste_to_token_field(event)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("open_link", "copy_link"):
            return bool(self.text.links)
        return super().check_action(action, parameters)

    def action_open_link(self) -> None:
        """Open the step's first link in the browser."""
        if self.text.links:
            self.app.open_url(self.text.links[0].url)

    def action_copy_link(self) -> None:
        """Copy the step's first link (for a browser on another machine)."""
        rows = list(self.query(LinkRow).results(LinkRow))
        if rows:
            rows[0].copy()
