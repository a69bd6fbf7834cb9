"""Issue 24 walked with Pilot, keyboard and bracketed paste only: where a paste lands, what
`g` clears, the wrapped token, Ctrl+V, the quit summaries and the wizard's exit codes."""

from __future__ import annotations

from typing import Any

import pytest
from textual import events
from textual.pilot import Pilot
from textual.widgets import Input, Static

from tests.support.pilot import paste_and_check, to_paste_step
from tests.ui.conftest import AppFactory, screen_text
from wizard.core.flow import Step
from wizard.testing.fake_graph import TOKENS
from wizard.ui.scenes.walks import INSTRUCTION_STEPS, paste, wait_for, wait_for_screen
from wizard.ui.steps.instructions import InstructionStep
from wizard.ui.steps.paste import PasteStep

VALID = TOKENS["valid"]
pytestmark = pytest.mark.usefixtures("no_keyring")


def status_of(screen: PasteStep) -> str:
    return str(screen.query_one("#paste-status", Static).render())


async def to_step(pilot: Pilot[Any], step: Step) -> InstructionStep:
    """Enter through the instruction steps until `step` is on screen."""
    left = None
    for _ in range(INSTRUCTION_STEPS):
        screen = await wait_for_screen(pilot, InstructionStep, after=left)
        assert isinstance(screen, InstructionStep)
        if screen.step is step:
            return screen
        await pilot.press("enter")
        left = screen
    raise AssertionError(f"{step} never came")


# -- item 2: a paste anywhere in the onboarding lands in the token field -------------------------


@pytest.mark.parametrize("step", [Step.WHY, Step.GENERATE])
async def test_a_paste_on_an_instruction_step_lands_in_the_token_field(
    wizard_app: AppFactory, step: Step
) -> None:
    """Failed before: the paste was dropped; the user came to an empty Paste step."""
    app = wizard_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await to_step(pilot, step)
        app.post_message(events.Paste(f"{VALID}\n"))
        screen = await wait_for_screen(pilot, PasteStep)
        assert isinstance(screen, PasteStep)
        await wait_for(pilot, lambda: screen.state.token is not None, "the token")
        assert screen.state.token is not None and screen.state.token.reveal() == VALID
        assert isinstance(screen.focused, Input) and "Looks like a token" in status_of(screen)


async def test_g_from_a_failed_check_clears_the_token_that_failed(wizard_app: AppFactory) -> None:
    """Failed before: the Paste step still held the broken token; one Enter re-checked it."""
    app = wizard_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await paste_and_check(pilot, TOKENS["missing_messaging"])
        await pilot.press("g")
        generate = await wait_for_screen(pilot, InstructionStep)
        assert isinstance(generate, InstructionStep) and generate.step is Step.GENERATE
        await pilot.press("enter")
        screen = await wait_for_screen(pilot, PasteStep)
        assert screen.query_one("#token-input", Input).value == ""
        assert app.state.token is None and app.state.pasted_text == ""
        await pilot.press("enter")  # nothing to check: Enter does not re-check the old token
        await pilot.pause()
        assert app.screen is screen


async def test_a_paste_on_a_failed_check_replaces_the_token(wizard_app: AppFactory) -> None:
    app = wizard_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await paste_and_check(pilot, TOKENS["missing_messaging"])
        app.post_message(events.Paste(VALID))
        screen = await wait_for_screen(pilot, PasteStep)
        await wait_for(pilot, lambda: app.state.token is not None, "the new token")
        assert app.state.token is not None and app.state.token.reveal() == VALID
        assert app.state.report is None and isinstance(screen.focused, Input)


# -- items 3 and 4: the wrapped token, the wording, Ctrl+V ---------------------------------------


async def test_a_token_wrapped_onto_two_lines_is_refused_as_the_cli_refuses_it(
    wizard_app: AppFactory,
) -> None:
    """Failed before: cut to its first line, "✓ Looks like a token", then refused by Graph."""
    app = wizard_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await to_paste_step(pilot)
        await paste(pilot, f"{VALID[:30]}\n{VALID[30:]}\n")
        await pilot.pause()
        status = status_of(screen)
        assert "cannot be a token" in status and "wrapped onto two lines" in status
        assert app.state.token is None


async def test_graph_refusing_a_pasted_token_says_you_pasted_it(wizard_app: AppFactory) -> None:
    """Failed before: "Graph rejects the token from given"."""
    app = wizard_app()
    async with app.run_test(size=(80, 24)) as pilot:
        step = await paste_and_check(pilot, "EAAFake0NotKnownToTheFakeGraph0000000000000abcd")
        assert step.state.report is not None
        [problem] = step.state.report.diagnosis.problems
        assert problem.code == "token_invalid"
        assert "the token you pasted" in problem.title and "given" not in problem.title


async def test_ctrl_v_never_pastes_the_wizards_own_clipboard(wizard_app: AppFactory) -> None:
    """Failed before: Ctrl+V pasted the last copied link into the token field."""
    app = wizard_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await to_paste_step(pilot)
        app.copy_to_clipboard("https://business.facebook.com/settings/system-users")
        await pilot.press("ctrl+v")
        await pilot.pause()
        assert screen.query_one("#token-input", Input).value == ""
        assert "Ctrl+V" not in screen_text(pilot)
        assert any("terminal's paste" in str(n.message) for n in app._notifications)


async def test_removed_bearer_prefix_reads_with_one_space(wizard_app: AppFactory) -> None:
    app = wizard_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await to_paste_step(pilot)
        await paste(pilot, f"Bearer {VALID}")
        assert "Removed a Bearer prefix" in screen_text(pilot)
        assert "Bearer  " not in status_of(screen)
