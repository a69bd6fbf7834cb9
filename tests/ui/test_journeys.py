"""The wizard's three journeys, walked with Pilot against the fake Graph server, keyboard only."""

from __future__ import annotations

from pathlib import Path

import keyring
import pytest
from textual.widgets import Button, Input, RadioButton, Static

from tests.support.files import write_env as support_write_env
from tests.support.pilot import extend_refused, to_paste_step
from tests.ui.conftest import AppFactory, AtHub, StartAt, env_mode, screen_text
from wizard.core.diagnose import SYSTEM_USERS_URL
from wizard.core.flow import (
    ONBOARD_STEPS,
    PERMANENT_ROUTE,
    TEMPORARY_ROUTE,
    Step,
    step_number,
)
from wizard.core.stores.keyring_store import keyring_service
from wizard.testing.fake_graph import TOKENS
from wizard.ui.modals import ConfirmModal
from wizard.ui.scenes.walks import (
    check,
    checked,
    next_to_store,
    on_extend,
    open_send_test,
    paste,
    to_extend,
    wait_for,
    wait_for_screen,
)
from wizard.ui.steps.check import CheckStep
from wizard.ui.steps.done import DoneStep
from wizard.ui.steps.hubs import ExpiredStep, HubScreen, MenuStep, TroubleshootStep
from wizard.ui.steps.instructions import InstructionStep
from wizard.ui.steps.paste import PasteStep
from wizard.ui.steps.store import StoreStep

VALID = TOKENS["valid"]
pytestmark = pytest.mark.usefixtures("no_keyring")


def step_label(route: tuple[Step, ...], step: Step) -> str:
    """The "Step n of N" label the wizard shows, counted from core/flow.py's route."""
    n, total = step_number(route, step)
    return f"Step {n} of {total}"


def problem_codes(screen: CheckStep) -> list[str]:
    assert screen.state.report is not None
    return [p.code for p in screen.state.report.diagnosis.problems]


# -- onboarding ----------------------------------------------------------------------------------


async def test_onboarding_saves_a_checked_token_to_a_new_private_env(
    wizard_app: AppFactory, isolated: Path
) -> None:
    app = wizard_app()
    async with app.run_test(size=(80, 24)) as pilot:
        first = await wait_for_screen(pilot, InstructionStep)
        assert first.step is Step.WHY and step_label(ONBOARD_STEPS, Step.WHY) in screen_text(pilot)
        await to_paste_step(pilot)
        await paste(pilot, f"Bearer {VALID}")
        status = str(app.screen.query_one("#paste-status", Static).render())
        assert "Looks like a token" in status and "Bearer" in status
        step = await check(pilot, f"Bearer {VALID}")
        assert problem_codes(step) == []
        assert step_label(ONBOARD_STEPS, Step.CHECK) in screen_text(pilot)
        await next_to_store(pilot)
        await pilot.press("enter")
        await wait_for_screen(pilot, DoneStep)
        text = screen_text(pilot)
        assert "Restart your backend server" in text and "cd /srv/my-app && wa-token check" in text
        await pilot.press("enter")
    env_file = isolated / ".env"
    assert env_file.read_text() == f"WHATSAPP_CLOUD_API_TOKEN={VALID}\n"
    assert env_mode(env_file) == 0o600
    assert app.return_value is not None and app.return_value.exit_code == 0
    assert "Saved to .env" in app.return_value.lines[0]


async def test_invalid_paste_shows_the_reason_and_blocks_next(at_step: StartAt) -> None:
    app = at_step(Step.PASTE)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await wait_for_screen(pilot, PasteStep)
        await paste(pilot, "hello world")
        status = str(screen.query_one("#paste-status", Static).render())
        assert "cannot be a token" in status and "hello" not in status
        assert screen.query_one("#next", Button).disabled
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PasteStep)


@pytest.mark.parametrize(
    ("scenario", "problem", "fix_step"),
    [
        ("missing_messaging", "missing_permission", Step.GENERATE),
        ("no_account", "no_whatsapp_account", Step.ASSIGN),
        ("expired", "token_expired", Step.GENERATE),
    ],
)
async def test_failed_check_explains_and_goes_to_the_step_that_fixes_it(
    at_step: StartAt, isolated: Path, scenario: str, problem: str, fix_step: Step
) -> None:
    app = at_step(Step.CHECK, TOKENS[scenario])
    async with app.run_test(size=(80, 24)) as pilot:
        step = await checked(pilot)
        assert problem_codes(step) == [problem]
        assert step.query_one("#next", Button).disabled
        await pilot.press("g")
        step = await wait_for_screen(pilot, InstructionStep)
        assert step.step is fix_step
    assert not (isolated / ".env").exists()


async def test_unreachable_graph_is_a_diagnosis_and_can_be_retried(at_step: StartAt) -> None:
    app = at_step(Step.CHECK, VALID, graph_url="http://127.0.0.1:9")
    async with app.run_test(size=(80, 24)) as pilot:
        step = await checked(pilot)
        assert problem_codes(step) == ["graph_unreachable"]
        assert (
            "could not be reached" in screen_text(pilot).lower()
            or "could not talk" in screen_text(pilot).lower()
        )
        await pilot.press("r")
        await wait_for(pilot, lambda: not step.has_class("-checking"), "the retry")


async def test_back_keeps_what_was_entered(at_step: StartAt) -> None:
    """Begun at Paste: what Back shows is what was pasted there, not what the harness filled."""
    app = at_step(Step.PASTE)
    async with app.run_test(size=(80, 24)) as pilot:
        await check(pilot, VALID)
        await pilot.press("escape")
        screen = await wait_for_screen(pilot, PasteStep)
        assert screen.query_one("#token-input", Input).value == VALID
        assert screen.query_one("#token-input", Input).password
        await pilot.press("escape")
        step = await wait_for_screen(pilot, InstructionStep)
        assert step.step is Step.GENERATE


async def test_links_open_and_are_shown_as_text(wizard_app: AppFactory) -> None:
    app = wizard_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_screen(pilot, InstructionStep)
        await pilot.press("enter")
        step = await wait_for_screen(pilot, InstructionStep)
        assert step.step is Step.CREATE
        text = screen_text(pilot)
        assert "business.facebook.com/…/system-users" in text
        assert all(line.count("facebook.com") <= 1 for line in text.splitlines())
        await pilot.press("o")
        assert app.opened_urls == [SYSTEM_USERS_URL]
        await pilot.press("c")
        assert app.clipboard == SYSTEM_USERS_URL


async def test_keyring_unavailable_is_said_and_env_offered(
    at_step: StartAt, isolated: Path
) -> None:
    app = at_step(Step.STORE, VALID)
    async with app.run_test(size=(80, 24)) as pilot:
        store = await wait_for_screen(pilot, StoreStep)
        keyring_button = store.query_one("#store-keyring", RadioButton)
        await wait_for(pilot, lambda: keyring_button.disabled, "the keyring probe")
        assert "No usable OS keyring" in str(store.query_one("#keyring-status", Static).render())
        await pilot.press("k")
        assert app.state.target == "env" and not keyring_button.value


async def test_overwrite_is_asked_and_refusal_keeps_the_old_token(
    at_step: StartAt, isolated: Path
) -> None:
    env_file = isolated / ".env"
    original = f"# app\nWHATSAPP_CLOUD_API_TOKEN={TOKENS['old']}\nPORT=1\n"
    env_file.write_text(original)
    app = at_step(Step.STORE, VALID, mode="onboard")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_screen(pilot, StoreStep)
        await pilot.press("enter")
        await wait_for_screen(pilot, ConfirmModal)
        assert "EAAF…Ol14" in screen_text(pilot)
        await pilot.press("n")
        store = await wait_for_screen(pilot, StoreStep)
        assert "Not saved" in str(store.query_one("#save-status", Static).render())
        assert env_file.read_text() == original
        await pilot.press("enter")
        await wait_for_screen(pilot, ConfirmModal)
        await pilot.press("y")
        await wait_for_screen(pilot, DoneStep)
    assert env_file.read_text() == f"# app\nWHATSAPP_CLOUD_API_TOKEN={VALID}\nPORT=1\n"


async def test_quit_early_says_nothing_changed(wizard_app: AppFactory, isolated: Path) -> None:
    app = wizard_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_screen(pilot, InstructionStep)
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_value is not None
    assert app.return_value.lines[0] == "Nothing was changed: no token was saved."
    assert app.return_value.exit_code == 3
    assert not (isolated / ".env").exists()


@pytest.mark.parametrize("quit_key", ["ctrl+q", "ctrl+c"])
async def test_quit_with_a_checked_unsaved_token_asks_first(
    at_step: StartAt, quit_key: str
) -> None:
    """ctrl+c too (issue 12, item 5: it only said "press ctrl+q to quit")."""
    app = at_step(Step.CHECK, VALID)
    async with app.run_test(size=(80, 24)) as pilot:
        await checked(pilot)
        await pilot.press(quit_key)
        await wait_for_screen(pilot, ConfirmModal)
        await pilot.press("n")
        await wait_for_screen(pilot, CheckStep)
        await pilot.press(quit_key)
        await wait_for_screen(pilot, ConfirmModal)
        await pilot.press("y")
        await pilot.pause()
    assert app.return_value is not None and "Nothing was changed" in app.return_value.lines[0]


# -- the expired journey -------------------------------------------------------------------------


def write_env(folder: Path, token: str) -> Path:
    return support_write_env(folder, token, around=True)


async def test_expired_token_replaced_in_place_by_a_temporary_one(
    wizard_app: AppFactory, isolated: Path
) -> None:
    env_file = write_env(isolated, TOKENS["expired"])
    app = wizard_app()
    async with app.run_test(size=(80, 24)) as pilot:
        hub = await wait_for_screen(pilot, ExpiredStep)
        assert [p.code for p in hub.state.initial.diagnosis.problems] == ["token_expired"]
        assert ".env" in screen_text(pilot)
        await pilot.press("t")
        paste_step = await wait_for_screen(pilot, PasteStep)
        assert "expires about 24 hours" in screen_text(pilot)
        assert step_label(TEMPORARY_ROUTE, Step.PASTE) in screen_text(pilot)
        step = await check(pilot, TOKENS["expired"])
        assert problem_codes(step) == ["token_expired"]
        assert step.query_one("#next", Button).disabled
        assert env_file.read_text().count(TOKENS["expired"]) == 1, "not replaced before a pass"
        await pilot.press("escape")
        paste_step = await wait_for_screen(pilot, PasteStep)
        step = await check(pilot, TOKENS["temporary"])
        assert problem_codes(step) == []
        assert [w.code for w in step.state.report.diagnosis.warnings] == ["temporary_token"]
        await pilot.press("enter")
        store = await wait_for_screen(pilot, StoreStep)
        assert store.query_one("#env-path", Input).value == ".env"
        await pilot.press("enter")
        await wait_for_screen(pilot, ConfirmModal)
        await pilot.press("y")
        await wait_for_screen(pilot, DoneStep)
        assert paste_step is not None
    assert env_file.read_text() == (
        f"export PORT=8080\nWHATSAPP_CLOUD_API_TOKEN={TOKENS['temporary']}\n# end\n"
    )


async def test_expired_permanent_route_and_back_to_the_choice(
    wizard_app: AppFactory, isolated: Path
) -> None:
    write_env(isolated, TOKENS["revoked"])
    app = wizard_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_screen(pilot, ExpiredStep)
        assert "password" in screen_text(pilot)
        await pilot.press("p")
        step = await wait_for_screen(pilot, InstructionStep)
        assert step.step is Step.CREATE and step_label(PERMANENT_ROUTE, Step.CREATE) in screen_text(
            pilot
        )
        assert "No Add button?" in screen_text(pilot)
        await pilot.press("escape")
        await wait_for_screen(pilot, ExpiredStep)


@pytest.mark.parametrize(
    ("stored", "hub", "shown"),
    [
        ("temporary", ExpiredStep, "temporary_token"),
        ("no_account", TroubleshootStep, "no_whatsapp_account"),
    ],
)
async def test_the_stored_tokens_finding_chooses_the_journey(
    wizard_app: AppFactory, isolated: Path, stored: str, hub: type[HubScreen], shown: str
) -> None:
    """A temporary token: the expired journey; a problem other than expiry: troubleshooting."""
    write_env(isolated, TOKENS[stored])
    app = wizard_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_screen(pilot, hub)
        assert shown in screen_text(pilot)


# -- troubleshooting and the menu ----------------------------------------------------------------


async def test_troubleshoot_shows_every_source_and_compares_a_pasted_token(
    at_hub: AtHub, isolated: Path
) -> None:
    env_file = write_env(isolated, TOKENS["missing_messaging"])
    app = at_hub(mode="troubleshoot")
    async with app.run_test(size=(100, 40)) as pilot:
        hub = await wait_for_screen(pilot, TroubleshootStep)
        text = screen_text(pilot)
        for expected in ("environment", "dotenv", "keyring", "(used)", "lacks"):
            assert expected in text, expected
        cases = " ".join(str(case.render()) for case in hub.query(".case").results(Static))
        for expected in ("Token expired?", "Invalid OAuth access token", "Can't create a System"):
            assert expected in cases, expected
        await pilot.press("r")
        await wait_for(pilot, lambda: hub.query("#troubleshoot-summary"), "the re-check")
        await pilot.press("a")
        await wait_for_screen(pilot, PasteStep)
        await check(pilot, VALID)
        await pilot.press("enter")
        await wait_for_screen(pilot, StoreStep)
        await pilot.press("enter")
        await wait_for_screen(pilot, ConfirmModal)
        await pilot.press("y")
        await wait_for_screen(pilot, DoneStep)
    assert f"WHATSAPP_CLOUD_API_TOKEN={VALID}" in env_file.read_text()


async def test_working_token_gets_the_menu(wizard_app: AppFactory, isolated: Path) -> None:
    write_env(isolated, VALID)
    app = wizard_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_screen(pilot, MenuStep)
        assert "System User token" in screen_text(pilot)
        await pilot.press("t")
        await wait_for_screen(pilot, TroubleshootStep)
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_value is not None and app.return_value.exit_code == 0
    assert "works" in app.return_value.lines[-1]


async def test_menu_replace_starts_onboarding(wizard_app: AppFactory, isolated: Path) -> None:
    write_env(isolated, VALID)
    app = wizard_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_screen(pilot, MenuStep)
        await pilot.press("n")
        step = await wait_for_screen(pilot, InstructionStep)
        assert step.step is Step.WHY


@pytest.mark.parametrize(
    ("stored", "mode", "hub"),
    [
        ("number_unregistered", None, MenuStep),
        ("webhooks_unsubscribed", "troubleshoot", TroubleshootStep),
    ],
)
async def test_g_on_a_hub_opens_the_list_of_its_check_and_escape_comes_back(
    wizard_app: AppFactory, isolated: Path, stored: str, mode: str | None, hub: type[HubScreen]
) -> None:
    """The whole route to the "ready to go live" list, walked from the first screen: the look
    for the stored token, its hub, g. The list's own tests begin on it (`at_hub("g")`)."""
    from wizard.ui.steps.ready import ReadyScreen

    write_env(isolated, TOKENS[stored])
    app = wizard_app(mode=mode)
    async with app.run_test(size=(80, 24)) as pilot:
        shown = await wait_for_screen(pilot, hub)
        await pilot.press("g")
        ready: ReadyScreen = await wait_for_screen(pilot, ReadyScreen)  # type: ignore[assignment]
        assert ready.report is app.state.initial and ready.found is app.state.stored
        await pilot.press("escape")
        assert await wait_for_screen(pilot, hub) is shown


# -- the real keyring ----------------------------------------------------------------------------


async def test_save_to_the_real_keyring(
    at_step: StartAt, isolated: Path, real_keyring: None
) -> None:
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
        await wait_for_screen(pilot, DoneStep)
        assert "wa-token token" in screen_text(pilot)
    assert keyring.get_password(keyring_service(), "WHATSAPP_CLOUD_API_TOKEN") == VALID
    assert not (isolated / ".env").exists()


# -- proof and Method 2 (send a test message, extend to 60 days) ---------------------------------


async def test_send_test_needs_a_yes_and_shows_the_message_id(
    at_step: StartAt, frozen_graph
) -> None:  # type: ignore[no-untyped-def]
    from wizard.ui.steps.send_test import SendTestScreen

    app = at_step(Step.CHECK, VALID)
    async with app.run_test(size=(80, 24)) as pilot:
        await checked(pilot)
        screen = await open_send_test(pilot)
        assert [b.label for b in screen.query("RadioButton").results(RadioButton)]
        await pilot.press(*"+1 555 123 4567")
        frozen_graph.reset()
        await pilot.press("enter")
        await wait_for_screen(pilot, ConfirmModal)
        await pilot.press("n")
        await wait_for_screen(pilot, SendTestScreen)
        assert "Not sent" in str(screen.query_one("#send-result", Static).render())
        assert not [r for r in frozen_graph.requests if r.path.endswith("/messages")]
        await pilot.press("enter")
        await wait_for_screen(pilot, ConfirmModal)
        await pilot.press("y")
        await wait_for(
            pilot,
            lambda: "wamid." in str(screen.query_one("#send-result", Static).render()),
            "the send",
        )
        sends = [r for r in frozen_graph.requests if r.path.endswith("/messages")]
        assert len(sends) == 1 and b"15551234567" in sends[0].body
        await pilot.press("escape")
        await wait_for_screen(pilot, CheckStep)


# A recipient not in the allowed list: test_rough_edges.py, test_send_test_refusal_says_no_cli_command.


async def test_extend_replaces_a_live_temporary_token_in_place(
    wizard_app: AppFactory, isolated: Path
) -> None:
    from wizard.testing.fake_graph import APP_ID, APP_SECRET

    env_file = write_env(isolated, TOKENS["temporary"])
    app = wizard_app(env={"WHATSAPP_APP_ID": APP_ID, "WHATSAPP_APP_SECRET": APP_SECRET})
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await to_extend(pilot)
        assert "not permanent" in screen_text(pilot)
        assert APP_SECRET not in screen_text(pilot)
        await pilot.press("enter")
        finish = screen.query_one("#extend", Button)
        await wait_for(
            pilot,
            lambda: screen.done is not None and not finish.disabled and app.focused is finish,
            "the exchange",
        )
        # Enter on Finish was missed twice in full parallel runs (never reproduced alone);
        # a click is the same Button.Pressed path.
        await pilot.click("#extend")
        await wait_for(pilot, lambda: app.return_value is not None, "the wizard to finish")
    assert env_file.read_text() == (
        f"export PORT=8080\nWHATSAPP_CLOUD_API_TOKEN={TOKENS['exchanged']}\n# end\n"
    )
    assert app.return_value is not None and app.return_value.lines[0].startswith("Extended")


async def test_extend_with_a_wrong_secret_changes_nothing(at_hub: AtHub, isolated: Path) -> None:
    env_file = write_env(isolated, TOKENS["temporary"])
    before = env_file.read_text()
    app = at_hub("x")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await on_extend(pilot)
        screen.query_one("#app-secret", Input).value = "wrong0secret"
        await extend_refused(pilot, screen)
        assert "wrong0secret" not in screen_text(pilot)
    assert env_file.read_text() == before


async def test_extend_is_not_offered_for_an_expired_token(at_hub: AtHub, isolated: Path) -> None:
    write_env(isolated, TOKENS["expired"])
    app = at_hub()
    async with app.run_test(size=(80, 24)) as pilot:
        hub = await wait_for_screen(pilot, ExpiredStep)
        assert not hub.query_one("#choose-extend", Button).display
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ExpiredStep)


async def test_security_warnings_have_buttons_that_fix_them(at_hub: AtHub, isolated: Path) -> None:
    import subprocess

    subprocess.run(["git", "init", "-q"], cwd=isolated, check=True)  # noqa: ASYNC221
    env_file = write_env(isolated, VALID)
    env_file.chmod(0o644)
    app = at_hub(mode="troubleshoot")
    async with app.run_test(size=(100, 40)) as pilot:
        hub = await wait_for_screen(pilot, TroubleshootStep)
        codes = [w.code for w in hub.state.initial.diagnosis.warnings]
        assert codes == ["env_not_gitignored", "env_world_readable"]
        for code in ("env_not_gitignored", "env_world_readable"):
            button = hub.query_one(f"#fix-{code.replace('_', '-')}", Button)
            button.scroll_visible(animate=False)
            await pilot.pause()
            button.press()
            await wait_for(
                pilot,
                lambda c=code: (
                    c
                    not in [  # a fixed warning disappears
                        w.code for w in hub.state.initial.diagnosis.warnings
                    ]
                ),
                code,
            )
            await wait_for(
                pilot,
                lambda c=code: not hub.query(f"#fix-{c.replace('_', '-')}"),
                "the button to go",
            )
        assert "✓" in " ".join(str(s.render()) for s in hub.query(".fix-done").results(Static))
        await pilot.press("ctrl+q")
    assert env_mode(env_file) == 0o600
    assert ".env" in (isolated / ".gitignore").read_text()
    lines = app.return_value.lines
    assert "Nothing was changed" not in " ".join(lines)
    assert any(".gitignore" in line for line in lines) and any("600" in line for line in lines)
