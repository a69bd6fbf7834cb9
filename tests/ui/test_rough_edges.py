"""What a new user tripped on (issue 12, items 1–7), each walked with Pilot, keyboard only."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual import events
from textual.widgets import Button, Input, RadioSet, Static

from tests.support.files import git, write_env
from tests.ui.conftest import AtHub, StartAt, screen_text
from wizard.core.flow import Step
from wizard.testing.fake_graph import APP_ID, TOKENS
from wizard.ui.modals import ConfirmModal
from wizard.ui.scenes.walks import (
    checked,
    on_extend,
    open_send_test,
    replace_question,
    store_ready,
    wait_for,
    wait_for_screen,
)
from wizard.ui.steps.check import CheckStep
from wizard.ui.steps.done import DoneStep
from wizard.ui.steps.hubs import TroubleshootStep
from wizard.ui.steps.instructions import InstructionStep
from wizard.ui.steps.paste import PasteStep
from wizard.ui.steps.send_test import SendTestScreen
from wizard.ui.steps.store import StoreStep
from wizard.ui.widgets.command import CommandLine

VALID = TOKENS["valid"]
pytestmark = pytest.mark.usefixtures("no_keyring")


async def to_done(pilot, path: str | None = None) -> DoneStep:  # type: ignore[no-untyped-def]
    """Begun at the save step (the valid token checked): save to .env (or `path`)."""
    store = await store_ready(pilot)
    if path is not None:
        field = store.query_one("#env-path", Input)
        field.focus()
        field.value = path
        await pilot.pause()
    await pilot.press("enter")
    done = await wait_for_screen(pilot, DoneStep)
    await wait_for(
        pilot,
        lambda: (
            done.state.saved_report is not None
            and len(done.query("#done-warnings #diagnosis, #done-warnings #done-no-warning"))
        ),
        "the local diagnosis",
    )
    await pilot.pause()
    return done  # type: ignore[return-value]


def git_init(folder: Path) -> None:
    git(folder, "init", "-q")


# -- 1. a paste always replaces ------------------------------------------------------------------


async def test_paste_after_going_to_the_fix_replaces_the_old_token(at_step: StartAt) -> None:
    """Failed before: the paste went to the focused button (ignored) or was appended."""
    app = at_step(Step.CHECK, TOKENS["missing_messaging"])
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await checked(pilot)
        await pilot.press("g")
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, InstructionStep) and app.screen.step is Step.GENERATE,
            "the generate step",
        )
        await pilot.press("enter")
        paste = await wait_for_screen(pilot, PasteStep)
        paste.query_one("#next", Button).focus()  # where the user found the focus
        await pilot.pause()
        app.post_message(events.Paste(VALID))  # a terminal's bracketed paste
        await wait_for(
            pilot,
            lambda: paste.state.token is not None and paste.state.token.reveal() == VALID,
            "the new token",
        )
        assert isinstance(paste.focused, Input)
        await pilot.press("enter")
        screen = await wait_for_screen(pilot, CheckStep)
        await wait_for(pilot, lambda: screen.state.report is not None, "the check")
        assert screen.state.report.ok


async def test_paste_into_a_filled_field_replaces_it(at_step: StartAt) -> None:
    """Failed before: Input inserted the paste at the cursor, after the old token."""
    app = at_step(Step.PASTE)
    async with app.run_test(size=(80, 24)) as pilot:
        paste = await wait_for_screen(pilot, PasteStep)
        app.post_message(events.Paste(TOKENS["missing_messaging"]))
        await pilot.pause()
        app.post_message(events.Paste(f"Bearer {VALID}\n"))
        await wait_for(
            pilot,
            lambda: paste.state.token is not None and paste.state.token.reveal() == VALID,
            "the new token",
        )
        status = str(paste.query_one("#paste-status", Static).render())
        assert "`" not in status and "Bearer" in status  # 7: no literal backticks


# -- 2 and 3. local warnings after the save, fixed, and in the quit summary -----------------------


async def test_done_in_a_git_repo_warns_and_fixes_and_the_summary_says_so(
    at_step: StartAt, isolated: Path
) -> None:
    """Failed before: no env_not_gitignored warning, and the summary said nothing changed."""
    git_init(isolated)
    app = at_step(Step.STORE, VALID)
    async with app.run_test(size=(80, 24)) as pilot:
        done = await to_done(pilot)
        codes = [w.code for w in done.state.saved_report.diagnosis.warnings]
        assert codes == ["env_not_gitignored"]
        button = done.query_one("#fix-env-not-gitignored", Button)
        assert "wa-token fix" not in screen_text(pilot)  # 7: the button, not a CLI command
        button.focus()  # keyboard only: Tab to the button, Enter
        await pilot.pause()
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: not done.state.saved_report.diagnosis.warnings, "the warning to go"
        )
        await wait_for(pilot, lambda: not done.query("#fix-env-not-gitignored"), "the button")
        await pilot.press("ctrl+c")
        await pilot.pause()
    lines = app.return_value.lines
    assert lines[0].startswith("Saved to .env")
    assert any("Added /.env to" in line or ".gitignore" in line for line in lines), lines
    assert ".env" in (isolated / ".gitignore").read_text()


async def test_done_says_an_environment_variable_overrides_the_saved_token(
    at_step: StartAt, isolated: Path
) -> None:
    app = at_step(
        Step.STORE, VALID, mode="onboard", env={"WHATSAPP_CLOUD_API_TOKEN": TOKENS["old"]}
    )
    async with app.run_test(size=(80, 24)) as pilot:
        done = await to_done(pilot)
        overrides = " ".join(str(s.render()) for s in done.query(".override").results(Static))
        assert "WHATSAPP_CLOUD_API_TOKEN" in overrides and "wins over" in overrides


async def test_fixed_warning_disappears_from_the_hub_and_is_in_the_summary(
    at_hub: AtHub, isolated: Path
) -> None:
    git_init(isolated)
    write_env(isolated, VALID)
    app = at_hub(mode="troubleshoot")
    async with app.run_test(size=(100, 40)) as pilot:
        hub = await wait_for_screen(pilot, TroubleshootStep)
        button = hub.query_one("#fix-env-not-gitignored", Button)
        button.scroll_visible(animate=False)
        await pilot.pause()
        button.press()
        await wait_for(pilot, lambda: not hub.state.initial.diagnosis.warnings, "the re-check")
        await pilot.press("ctrl+q")
        await pilot.pause()
    text = " ".join(app.return_value.lines)
    assert "Nothing was changed" not in text and ".gitignore" in text


# -- 4. text that can be copied ------------------------------------------------------------------


async def test_cron_line_stays_one_line_and_can_be_copied(at_step: StartAt, isolated: Path) -> None:
    """Failed before: the cron line wrapped at 80 columns (a broken crontab entry when copied);
    then it was cut (issue 24): now all of it shows, and Copy copies the one line."""
    app = at_step(Step.STORE, VALID)
    async with app.run_test(size=(80, 24)) as pilot:
        done = await to_done(pilot, path="production-settings.env")
        cron = done.query_one("#done-cron-line", CommandLine)
        expected = (
            "0 8 * * * cd /srv/my-app && wa-token check --env-file "
            "production-settings.env >/dev/null"
        )
        assert cron.command == expected
        cron.scroll_visible(animate=False)
        await pilot.pause()
        # Issue 24: all of it is on screen at 80 columns (folded at a space, never cut); the
        # Copy button copies the one line, and the text says it is one line.
        shown = " ".join(screen_text(pilot).split())
        assert "0 8 * * * cd /srv/my-app && wa-token check" in shown
        assert "production-settings.env >/dev/null" in shown and "one line" in shown
        cron.query_one(Button).press()
        await pilot.pause()
        assert app.clipboard == expected
        # 7: the advice names the file actually written
        assert "production-settings.env" in str(done.query_one("#done-safe", Static).render())
        assert "keep .env" not in str(done.query_one("#done-safe", Static).render())


# -- 5. keys and focus ---------------------------------------------------------------------------


# Ctrl+C asks about the unsaved token as ctrl+q does: test_journeys.py, quit_key "ctrl+c".


async def test_s_is_only_send_test(at_hub: AtHub, isolated: Path) -> None:
    """Failed before: `s` started the System User route on the troubleshoot screen."""
    env_file = isolated / ".env"
    env_file.write_text(f"WHATSAPP_CLOUD_API_TOKEN={TOKENS['no_account']}\n")
    app = at_hub(mode="troubleshoot")
    async with app.run_test(size=(100, 40)) as pilot:
        hub = await wait_for_screen(pilot, TroubleshootStep)
        await pilot.press("s")
        await pilot.pause()
        assert app.screen is hub
        await pilot.press("p")
        await wait_for(pilot, lambda: app.screen is not hub, "the System User route")


async def test_enter_in_the_env_path_field_saves(at_step: StartAt, isolated: Path) -> None:
    """Failed before: Enter did nothing in the .env path field; the field had no label."""
    app = at_step(Step.STORE, VALID)
    async with app.run_test(size=(80, 24)) as pilot:
        store = await wait_for_screen(pilot, StoreStep)
        assert "File to write" in screen_text(pilot)
        store.query_one("#env-path", Input).focus()
        await pilot.press("end", *"x", "enter")
        await wait_for_screen(pilot, DoneStep)
    assert (isolated / ".envx").exists()


async def test_extend_focuses_the_secret_and_enter_extends(at_hub: AtHub, isolated: Path) -> None:
    """Failed before: focus on Extend, typing went nowhere, and it said the app id was missing."""
    from wizard.testing.fake_graph import APP_SECRET

    env_file = write_env(isolated, TOKENS["temporary"])
    app = at_hub("x")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await on_extend(pilot)
        assert screen.query_one("#app-id", Input).value == APP_ID
        assert screen.focused is screen.query_one("#app-secret", Input)
        await pilot.press("enter")  # nothing typed yet: says what is missing, and only that
        result = screen.query_one("#extend-result", Static)
        await wait_for(pilot, lambda: "app secret" in str(result.render()), "the message")
        assert "app ID" not in str(result.render())
        await pilot.press(*APP_SECRET, "enter")
        await wait_for(pilot, lambda: screen.done is not None, "the exchange")
    assert TOKENS["temporary"] not in env_file.read_text()


async def test_replacing_an_expired_token_defaults_to_replace_and_arrows_move(
    at_hub: AtHub, isolated: Path
) -> None:
    """Failed before: the focus was on "Keep the old one", and Left/Right did nothing."""
    env_file = write_env(isolated, TOKENS["expired"])
    app = at_hub("t", step=Step.STORE, pasted=TOKENS["temporary"])
    async with app.run_test(size=(80, 24)) as pilot:
        modal = await replace_question(pilot)
        assert modal.focused is modal.query_one("#modal-yes", Button)
        await pilot.press("right")
        assert modal.focused is modal.query_one("#modal-no", Button)
        await pilot.press("left")
        assert modal.focused is modal.query_one("#modal-yes", Button)
        await pilot.press("enter")
        await wait_for_screen(pilot, DoneStep)
    assert TOKENS["temporary"] in env_file.read_text()


# -- 6. send-test --------------------------------------------------------------------------------


async def test_send_test_keeps_the_recipient_and_defaults_to_the_test_number(
    at_step: StartAt,
) -> None:
    """Failed before: Back then `s` lost the recipient; the first number was the default."""
    app = at_step(Step.CHECK, VALID)
    async with app.run_test(size=(80, 24)) as pilot:
        await checked(pilot)
        screen = await open_send_test(pilot)
        assert screen._sender().verified_name == "Test Number"  # type: ignore[attr-defined]
        await pilot.press(*"+1 555 123 4567", "escape")
        await wait_for_screen(pilot, CheckStep)
        await pilot.press("s")
        screen = await wait_for_screen(pilot, SendTestScreen)
        assert screen.query_one("#recipient", Input).value == "+1 555 123 4567"
        assert not screen.query_one("#send", Button).disabled
        assert screen.query_one("#sender", RadioSet).pressed_button is not None


async def test_send_test_refusal_says_no_cli_command(at_step: StartAt) -> None:
    """Failed before: "…of the test number" for any sender, and "run send-test again"."""
    app = at_step(Step.CHECK, VALID)
    async with app.run_test(size=(80, 24)) as pilot:
        await checked(pilot)
        screen = await open_send_test(pilot)
        await pilot.press(*"+15550000000", "enter")
        await wait_for_screen(pilot, ConfirmModal)
        await pilot.press("y")
        result = screen.query_one("#send-result", Static)
        await wait_for(pilot, lambda: "Fix" in str(result.render()), "the refusal")
        text = str(result.render())
        assert "allowed" in text  # the recipient is not in the test number's list
        assert "send-test" not in text and "`" not in text


# -- 7. words ------------------------------------------------------------------------------------


async def test_quality_is_named_and_no_backticks_on_the_check(at_step: StartAt) -> None:
    app = at_step(Step.CHECK, VALID)
    async with app.run_test(size=(120, 50)) as pilot:
        await checked(pilot)
        text = screen_text(pilot)
        assert "quality GREEN" in text and "`" not in text


async def test_a_failed_check_names_the_wizard_not_a_command(at_step: StartAt) -> None:
    """Failed before: "then `wa-token save` it" on the wizard's own check step."""
    app = at_step(Step.CHECK, TOKENS["missing_messaging"])
    async with app.run_test(size=(120, 50)) as pilot:
        await checked(pilot)
        text = screen_text(pilot)
        assert "wa-token save" not in text and "paste it into this wizard" in text
