"""Results that step screens return to the app's flow."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from wizard.core.flow import Choice, Step


class Nav(StrEnum):
    """Where the user wants to go from a step."""

    NEXT = "next"
    BACK = "back"
    QUIT = "quit"
    GOTO = "goto"
    CHOOSE = "choose"


@dataclass(frozen=True)
class StepResult:
    """A step's answer: a direction, and the step or choice it names."""

    nav: Nav
    step: Step | None = None
    """For GOTO: the step to jump to."""
    choice: Choice | None = None
    """For CHOOSE: which option of a menu was picked."""


NEXT = StepResult(Nav.NEXT)
BACK = StepResult(Nav.BACK)
QUIT = StepResult(Nav.QUIT)
