"""The frame every step shares: "Step n of N", the body, Back and Next, the footer."""

from __future__ import annotations

from typing import ClassVar, TypeVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Static

from wizard.core.flow import Step
from wizard.ui.navigation import BACK, NEXT, Nav, StepResult
from wizard.ui.state import WizardState

ResultT = TypeVar("ResultT")


class StepFrame(Screen[ResultT]):
    """The frame itself: the heading, a scrolling body, Back · hint · forward, the footer."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="back"),
        Binding("ctrl+q", "app.quit", "Quit", id="quit", priority=True),
    ]

    title_text = ""
    """The step's title."""
    title_note = ""
    """Plain words after the title in the heading, such as " (optional)"."""
    next_label = "Next →"
    """The label of the forward button."""
    back_id = "back"
    """The Back button's id."""
    next_id = "next"
    """The forward button's id."""
    body_id = "step-body"
    """The scrolling body's id."""
    position: tuple[int, int] | None = None
    """(n, N) for "Step n of N", or None for screens outside a numbered route."""
    show_back = True
    """False where there is no way back."""

    def compose(self) -> ComposeResult:
        yield Static(self._heading(), id="step-heading")
        with VerticalScroll(id=self.body_id):
            yield from self.compose_body()
        yield from self.compose_nav()
        yield Footer()

    def compose_body(self) -> ComposeResult:
        """The step's own content."""
        yield from ()

    def compose_nav(self) -> ComposeResult:
        """Back, a hint between, and the forward button."""
        with Horizontal(id="step-nav"):
            yield Button("← Back", id=self.back_id)
            yield Static(id="nav-hint")
            yield Button(
                self.next_label, id=self.next_id, variant="primary", disabled=not self.can_go_next()
            )

    def _heading(self) -> str:
        step = f"Step {self.position[0]} of {self.position[1]}  ·  " if self.position else ""
        title = f"[b]{self.title_text}[/b]" if self.title_text else ""
        return f"[b]wa-token[/b]  ·  {step}{title}{self.title_note}"

    def can_go_next(self) -> bool:
        """Whether the forward button is enabled when the screen appears."""
        return True

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide Back from the footer where there is no way back."""
        return self.show_back if action == "back" else True


class StepScreen(StepFrame[StepResult]):
    """A wizard step: subclasses fill `compose_body` and decide when Next is allowed."""

    def __init__(self, state: WizardState, position: tuple[int, int] | None = None) -> None:
        super().__init__()
        self.state = state
        """The app's wizard state."""
        self.position = position
        """(n, N) for "Step n of N", or None for screens outside a numbered route."""

    def on_mount(self) -> None:
        self.query_one("#back", Button).display = self.show_back
        self.setup()

    def setup(self) -> None:
        """Runs once the step is on screen; by default Next takes the focus."""
        self.query_one("#next", Button).focus()

    def allow_next(self, allowed: bool) -> None:
        """Enable or disable Next; an enabled Next takes the focus if nothing else has it."""
        from textual.widgets import RadioSet  # only the steps with a choice have one

        button = self.query_one("#next", Button)
        button.disabled = not allowed
        typing = isinstance(self.focused, (Input, RadioSet))
        if allowed and not typing:
            button.focus()

    def hint(self, text: str) -> None:
        """A short line between Back and Next."""
        self.query_one("#nav-hint", Static).update(text)

    @on(Button.Pressed, "#back")
    def action_back(self) -> None:
        """Go to the previous step; what was entered stays in the state."""
        if self.show_back:
            self.dismiss(BACK)

    @on(Button.Pressed, "#next")
    async def action_next(self) -> None:
        """Go on, if this step allows it."""
        if not self.query_one("#next", Button).disabled:
            await self.go_next()

    async def go_next(self) -> None:
        """What Next does; steps that work before leaving override it."""
        self.dismiss(NEXT)

    def paste_to_token_field(self, event: events.Paste) -> None:
        """A token pasted on a step without a field of its own goes to the Paste step's field."""
        event.stop()
        if event.text.strip():
            from wizard.core.token import MAX_TOKEN_LENGTH  # the one limit; a paste may be huge

            self.state.forget_paste()
            self.state.pasted_text = event.text[: MAX_TOKEN_LENGTH + 1]
            self.dismiss(StepResult(Nav.GOTO, step=Step.PASTE))
