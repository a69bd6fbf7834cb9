""" "Do it for me" or by hand: the first onboarding screen, with the choice."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Button

from wizard.core.flow import Choice
from wizard.ui.navigation import Nav, StepResult
from wizard.ui.steps.instructions import InstructionStep


class WhyStep(InstructionStep):
    """The first onboarding screen, with the choice: "Do it for me" or click through by hand."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "do_it_for_me", "Do it for me", id="do-it-for-me")
    ]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.next_label = "I'll click through Business Settings myself →"

    def compose_body(self) -> ComposeResult:
        yield from super().compose_body()
        with Horizontal(id="provision-choice"):
            yield Button(
                "Do it for me (by API, with an admin's token)", id="do-it-for-me", variant="success"
            )

    @on(Button.Pressed, "#do-it-for-me")
    def action_do_it_for_me(self) -> None:
        """Start "Do it for me"."""
        self.dismiss(StepResult(Nav.CHOOSE, choice=Choice.PROVISION))
