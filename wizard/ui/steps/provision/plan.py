"""The choice of business or WhatsApp account, and the plan in words before anything is written."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import RadioButton, RadioSet, Static

from wizard.core import provision as pv
from wizard.core.business_api import NamedNode
from wizard.ui.safe import literal as escape
from wizard.ui.state import WizardState
from wizard.ui.steps.base import StepScreen
from wizard.ui.widgets.text import inline


class StepLine(Horizontal):
    """A plan line: its number or mark, then its words in a column of their own, so that
    wrapped lines keep their indent instead of starting at column 0."""

    DEFAULT_CSS = """
    StepLine { height: auto; }
    StepLine > .step-marker { width: auto; }
    StepLine > .step-words { width: 1fr; }
    """

    def __init__(self, marker: str, words: str, **options: Any) -> None:
        super().__init__(**options)
        self.marker, self.words = marker, words

    def compose(self) -> ComposeResult:
        yield Static(self.marker, classes="step-marker")
        yield Static(self.words, classes="step-words")

    def update(self, marker: str, words: str) -> None:
        """Show another mark and words (markup: escape what is not ours)."""
        self.query_one(".step-marker", Static).update(marker)
        self.query_one(".step-words", Static).update(words)


class PickStep(StepScreen):
    """Choose one of several businesses or WhatsApp accounts."""

    next_label = "Use this →"

    def __init__(
        self,
        state: WizardState,
        title: str,
        nodes: tuple[NamedNode, ...],
        *,
        allow_all: bool = False,
    ) -> None:
        super().__init__(state)
        self.title_text = title
        self.nodes = nodes
        self.allow_all = allow_all
        self.chosen: tuple[NamedNode, ...] = nodes[:1]

    def compose_body(self) -> ComposeResult:
        with RadioSet(id="pick"):
            for index, node in enumerate(self.nodes):
                yield RadioButton(f"{pv.describe(node)} ({node.id})", value=index == 0)
            if self.allow_all:
                yield RadioButton("All of them")

    @on(RadioSet.Changed)
    def _picked(self, event: RadioSet.Changed) -> None:
        index = event.radio_set.pressed_index
        self.chosen = self.nodes if index >= len(self.nodes) else (self.nodes[index],)


class PlanStep(StepScreen):
    """The plan in words; nothing is written at Meta before Do it."""

    title_text = "Do it for me: the plan"
    next_label = "Do it at Meta →"

    def __init__(self, state: WizardState, plan: pv.Plan) -> None:
        super().__init__(state)
        self.plan = plan

    def compose_body(self) -> ComposeResult:
        plan = self.plan
        yield Static(
            f"In [b]{escape(pv.describe(plan.business))}[/b] ({plan.business.id}), wa-token will:",
            id="plan-intro",
        )
        for number, step in enumerate(plan.steps, 1):
            done = (
                "  [dim](already done: reused)[/dim]"
                if step.state is pv.StepState.ALREADY_DONE
                else ""
            )
            yield StepLine(f"  {number}. ", f"{inline(step.words)}{done}", classes="plan-step")
        yield Static(f"\nToken expiry: {escape(pv.EXPIRY_WORDS[plan.request.expires])}.")
        writes = plan.writes_at_meta
        yield Static(
            "[$success]Nothing to change at Meta: everything is in place.[/]"
            if not writes
            else f"[b]{writes}[/b] call(s) will change something at Meta. "
            "Nothing is sent before you press Do it.",
            id="plan-writes",
        )
        yield Static(f"[dim]{pv.ADMIN_NOT_STORED}[/dim]")
