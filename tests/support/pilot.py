"""Pilot walks the wizard's tests start from: the paste step, a refused extend."""

from __future__ import annotations

from typing import Any, cast

from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Static

from wizard.ui.scenes.walks import INSTRUCTION_STEPS, wait_for, wait_for_screen
from wizard.ui.steps.extend import ExtendScreen
from wizard.ui.steps.instructions import InstructionStep
from wizard.ui.steps.paste import PasteStep


async def to_paste_step(pilot: Pilot[Any]) -> PasteStep:
    """From the first onboarding screen, Enter through why/create/assign/generate."""
    left: Screen[Any] | None = None
    for _ in range(INSTRUCTION_STEPS):
        left = await wait_for_screen(pilot, InstructionStep, after=left)
        await pilot.press("enter")
    return cast(PasteStep, await wait_for_screen(pilot, PasteStep))


async def extend_refused(pilot: Pilot[Any], screen: ExtendScreen) -> None:
    """Click Extend, and wait for the refusal that says nothing was changed."""
    await pilot.click("#extend")
    await wait_for(
        pilot,
        lambda: "Nothing was changed" in str(screen.query_one("#extend-result", Static).render()),
        "the refusal",
    )
