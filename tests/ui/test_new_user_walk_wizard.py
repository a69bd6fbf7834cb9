"""Issue 24 walked with Pilot, keyboard and bracketed paste only: where a paste lands, what
`g` clears, the wrapped token, Ctrl+V, the quit summaries and the wizard's exit codes."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.pilot import Pilot
from textual.widgets import Input, Static

from tests.support.files import write_env
from tests.ui.conftest import AppFactory, AtHub, StartAt, screen_text
from wizard.core.flow import Step
from wizard.testing import fake_business
from wizard.testing.fake_admins import ADMIN_TOKENS
from wizard.testing.fake_business import BusinessState
from wizard.testing.fake_graph import APP_ID, APP_SECRET, TOKENS, FakeGraphServer
from wizard.ui.modals import ConfirmModal
from wizard.ui.scenes.provision import carrying_out
from wizard.ui.scenes.walks import (
    checked,
    on_extend,
    paste,
    store_ready,
    wait_for,
    wait_for_screen,
)
from wizard.ui.steps.done import DoneStep
from wizard.ui.steps.hubs import TroubleshootStep
from wizard.ui.steps.instructions import InstructionStep
from wizard.ui.steps.paste import PasteStep
from wizard.ui.steps.provision import FailureStep
from wizard.ui.steps.store import StoreStep

VALID = TOKENS["valid"]
pytestmark = pytest.mark.usefixtures("no_keyring")


def status_of(screen: PasteStep) -> str:
    return str(screen.query_one("#paste-status", Static).render())


async def on_step(pilot: Pilot[Any], step: Step) -> InstructionStep:
    """The instruction step the wizard was begun at (at_step), once on screen."""
    screen = await wait_for_screen(pilot, InstructionStep)
    assert isinstance(screen, InstructionStep) and screen.step is step
    return screen


# -- item 2: a paste anywhere in the onboarding lands in the token field -------------------------


@pytest.mark.parametrize("step", [Step.WHY, Step.GENERATE])
async def test_a_paste_on_an_instruction_step_lands_in_the_token_field(
    at_step: StartAt, step: Step
) -> None:
    """Failed before: the paste was dropped; the user came to an empty Paste step."""
    app = at_step(step)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_step(pilot, step)
        app.post_message(events.Paste(f"{VALID}\n"))
        screen = await wait_for_screen(pilot, PasteStep)
        assert isinstance(screen, PasteStep)
        await wait_for(pilot, lambda: screen.state.token is not None, "the token")
        assert screen.state.token is not None and screen.state.token.reveal() == VALID
        assert isinstance(screen.focused, Input) and "Looks like a token" in status_of(screen)


async def test_g_from_a_failed_check_clears_the_token_that_failed(at_step: StartAt) -> None:
    """Failed before: the Paste step still held the broken token; one Enter re-checked it."""
    app = at_step(Step.CHECK, TOKENS["missing_messaging"])
    async with app.run_test(size=(80, 24)) as pilot:
        await checked(pilot)
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


async def test_a_paste_on_a_failed_check_replaces_the_token(at_step: StartAt) -> None:
    app = at_step(Step.CHECK, TOKENS["missing_messaging"])
    async with app.run_test(size=(80, 24)) as pilot:
        await checked(pilot)
        app.post_message(events.Paste(VALID))
        screen = await wait_for_screen(pilot, PasteStep)
        await wait_for(pilot, lambda: app.state.token is not None, "the new token")
        assert app.state.token is not None and app.state.token.reveal() == VALID
        assert app.state.report is None and isinstance(screen.focused, Input)


# -- items 3 and 4: the wrapped token, the wording, Ctrl+V ---------------------------------------


async def test_a_token_wrapped_onto_two_lines_is_refused_as_the_cli_refuses_it(
    at_step: StartAt,
) -> None:
    """Failed before: cut to its first line, "✓ Looks like a token", then refused by Graph."""
    app = at_step(Step.PASTE)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await wait_for_screen(pilot, PasteStep)
        await paste(pilot, f"{VALID[:30]}\n{VALID[30:]}\n")
        await pilot.pause()
        status = status_of(screen)
        assert "cannot be a token" in status and "wrapped onto two lines" in status
        assert app.state.token is None


async def test_graph_refusing_a_pasted_token_says_you_pasted_it(at_step: StartAt) -> None:
    """Failed before: "Graph rejects the token from given"."""
    app = at_step(Step.CHECK, "EAAFake0NotKnownToTheFakeGraph0000000000000abcd")
    async with app.run_test(size=(80, 24)) as pilot:
        step = await checked(pilot)
        assert step.state.report is not None
        [problem] = step.state.report.diagnosis.problems
        assert problem.code == "token_invalid"
        assert "the token you pasted" in problem.title and "given" not in problem.title


async def test_ctrl_v_never_pastes_the_wizards_own_clipboard(at_step: StartAt) -> None:
    """Failed before: Ctrl+V pasted the last copied link into the token field."""
    app = at_step(Step.PASTE)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await wait_for_screen(pilot, PasteStep)
        app.copy_to_clipboard("https://business.facebook.com/settings/system-users")
        await pilot.press("ctrl+v")
        await pilot.pause()
        assert screen.query_one("#token-input", Input).value == ""
        assert "Ctrl+V" not in screen_text(pilot)
        assert any("terminal's paste" in str(n.message) for n in app._notifications)


async def test_removed_bearer_prefix_reads_with_one_space(at_step: StartAt) -> None:
    app = at_step(Step.PASTE)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await wait_for_screen(pilot, PasteStep)
        await paste(pilot, f"Bearer {VALID}")
        assert "Removed a Bearer prefix" in screen_text(pilot)
        assert "Bearer  " not in status_of(screen)


# -- item 1: the quit summary says exactly what changed, here and at Meta ------------------------


@pytest.mark.parametrize("key", ["ctrl+q", "ctrl+c"])
async def test_quit_after_extend_says_the_token_was_replaced(
    at_hub: AtHub, isolated: Path, key: str
) -> None:
    """Failed before: "Extended …", then "No token was saved." and "The stored token … works"."""
    write_env(isolated, TOKENS["temporary"])
    app = at_hub("x", env={"WHATSAPP_APP_ID": APP_ID, "WHATSAPP_APP_SECRET": APP_SECRET})
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await on_extend(pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.done is not None, "the exchange")
        await pilot.press(key)
        await wait_for(pilot, lambda: app.return_value is not None, "the wizard to end")
    outcome = app.return_value
    assert outcome is not None and outcome.exit_code == 0
    text = "\n".join(outcome.lines)
    assert outcome.lines[0].startswith("Extended:") and "replacing the old one" in text
    assert "No token was saved" not in text and "The stored token" not in text
    assert "Restart your backend server" in text and "wa-token schedule --print" in text


@pytest.fixture
def business(frozen_graph: FakeGraphServer) -> BusinessState:
    return fake_business.reset(frozen_graph)


async def test_quit_after_meta_refused_says_what_was_made_at_meta(
    wizard_app: AppFactory, business: BusinessState, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Failed before: "Nothing was changed" although a System User was created at Meta."""
    monkeypatch.setenv("WA_TOKEN_KEYRING_SERVICE", "wa-token")
    app = wizard_app(
        mode="onboard", env={"WHATSAPP_APP_ID": APP_ID, "WHATSAPP_APP_SECRET": APP_SECRET}
    )
    async with app.run_test(size=(100, 40)) as pilot:
        await carrying_out(ADMIN_TOKENS["app_not_installable"])(pilot)
        await wait_for_screen(pilot, FailureStep)
        assert business.writes  # the System User was created before Meta refused
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: app.return_value is not None, "the wizard to end")
    outcome = app.return_value
    assert outcome is not None
    text = "\n".join(outcome.lines)
    assert "Nothing was changed" not in text
    assert "Changed at Meta: create System User 'wa-token'" in text
    assert "No token was saved." in text


# -- item 6: the wizard's exit codes are the CLI's -----------------------------------------------


async def test_graph_unreachable_ends_the_wizard_with_4_not_blaming_the_token(
    wizard_app: AppFactory, isolated: Path
) -> None:
    """Failed before: exit 1 and "still does not work", where `wa-token check` exits 4."""
    write_env(isolated, VALID)
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{closed.getsockname()[1]}"
    app = wizard_app(graph_url=dead)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_screen(pilot, TroubleshootStep, timeout=20)
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: app.return_value is not None, "the wizard to end")
    outcome = app.return_value
    assert outcome is not None and outcome.exit_code == 4
    assert "could not be checked" in outcome.lines[-1]
    assert "still does not work" not in outcome.lines[-1]


# -- item 7: Ctrl+C in "Quit without saving?" ----------------------------------------------------


async def test_ctrl_c_in_the_quit_question_quits_instead_of_stacking_a_second(
    at_step: StartAt,
) -> None:
    """Failed before: a second "Quit without saving?" opened on top of the first."""
    app = at_step(Step.CHECK, VALID)
    async with app.run_test(size=(80, 24)) as pilot:
        await checked(pilot)
        await pilot.press("ctrl+c")
        await wait_for_screen(pilot, ConfirmModal)
        await pilot.press("ctrl+c")
        await wait_for(pilot, lambda: app.return_value is not None, "the wizard to end")
        assert sum(isinstance(s, ConfirmModal) for s in app.screen_stack) <= 1
    outcome = app.return_value
    assert outcome is not None and "no token was saved" in " ".join(outcome.lines).lower()


# -- item 5: the keyring and cron ----------------------------------------------------------------


async def test_done_after_the_keyring_says_cron_cannot_reach_it(
    at_step: StartAt, isolated: Path, real_keyring: None
) -> None:
    """Failed before: Done offered a daily cron `check`, which exits 5 there every day."""
    app = at_step(Step.STORE, VALID)
    async with app.run_test(size=(80, 24)) as pilot:
        store = await wait_for_screen(pilot, StoreStep)
        await wait_for(
            pilot,
            lambda: "works here" in str(store.query_one("#keyring-status", Static).render()),
            "the keyring probe",
        )
        await pilot.press("down")  # the focus is in the path field: ↓ chooses the keyring
        await pilot.press("enter")
        done = await wait_for_screen(pilot, DoneStep)
        said = " ".join(str(done.query_one("#done-cron", Static).render()).split())
        assert "Cron cannot reach the OS keyring" in said and "systemd user timer" in said
        assert ".env" in said and not done.query("#done-cron-line")


async def test_the_wizard_exits_5_when_the_keyring_could_not_be_asked(
    wizard_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Failed before: exit 3 "No token is stored yet" (the token may be in that keyring)."""
    import keyring.core

    monkeypatch.delenv("PYTHON_KEYRING_BACKEND")
    monkeypatch.setattr(keyring.core, "_keyring_backend", None)  # as a fresh process: no D-Bus
    app = wizard_app(mode="troubleshoot")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.looked, "the look for a stored token")
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: app.return_value is not None, "the wizard to end")
    outcome = app.return_value
    assert outcome is not None and outcome.exit_code == 5
    assert "could not be asked" in outcome.lines[-1] and "systemd user timer" in outcome.lines[-1]


# -- item 7: the Save step's focus, the keyring's name, backticks -------------------------------


async def test_typing_a_path_on_the_save_step_edits_the_path(
    at_step: StartAt, isolated: Path
) -> None:
    """Failed before: the focus was on Save, so the `e`/`k` of a path switched the choice."""
    app = at_step(Step.STORE, VALID)
    async with app.run_test(size=(80, 24)) as pilot:
        store = await store_ready(pilot)
        field = store.query_one("#env-path", Input)
        assert store.focused is field
        await pilot.press("ctrl+u", *"keys.env")
        await pilot.pause()
        assert field.value.endswith("keys.env") and app.state.target == "env"
        await pilot.press("enter")
        await wait_for_screen(pilot, DoneStep)
    assert (isolated / "keys.env").exists()


async def test_the_save_step_names_the_keyring_not_its_class(
    at_step: StartAt, real_keyring: None
) -> None:
    app = at_step(Step.STORE, VALID)
    async with app.run_test(size=(80, 24)) as pilot:
        store = await store_ready(pilot)
        status = str(store.query_one("#keyring-status", Static).render())
        assert "Secret Service" in status and "keyring.backends" not in status


async def test_the_extend_screen_shows_no_raw_backticks(at_hub: AtHub, isolated: Path) -> None:
    write_env(isolated, TOKENS["temporary"])
    app = at_hub("x", env={"WHATSAPP_APP_ID": APP_ID, "WHATSAPP_APP_SECRET": APP_SECRET})
    async with app.run_test(size=(120, 36)) as pilot:
        await on_extend(pilot)
        assert "`" not in screen_text(pilot) and "wa-token refresh" in screen_text(pilot)


async def test_a_huge_paste_on_an_instruction_step_is_cut_and_refused(
    at_step: StartAt,
) -> None:
    """Attack: a whole log pasted by mistake is never kept whole, and is refused for its size."""
    app = at_step(Step.GENERATE)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_step(pilot, Step.GENERATE)
        app.post_message(events.Paste("EAA" + "x" * 5_000_000))
        screen = await wait_for_screen(pilot, PasteStep)
        assert isinstance(screen, PasteStep)
        assert len(app.state.pasted_text) <= 4097 and app.state.token is None
        assert "far longer" in status_of(screen)
