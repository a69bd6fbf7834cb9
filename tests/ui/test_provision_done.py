""" "Do it for me" ends like the manual route: Done looks at where the token is stored and
offers each fix; the entry screen submits with Enter and takes only digits as the app id."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.pilot import Pilot
from textual.widgets import Input
from textual.worker import WorkerFailed

from tests.ui.conftest import AppFactory, screen_text, wait_for_screen
from wizard.testing import fake_business
from wizard.testing.fake_admins import ADMIN_TOKENS
from wizard.testing.fake_business import BusinessState
from wizard.testing.fake_graph import APP_ID, APP_SECRET, FakeGraphServer
from wizard.ui.scenes.provision import carrying_out
from wizard.ui.scenes.walks import wait_for
from wizard.ui.steps.done import DoneStep
from wizard.ui.steps.provision import AdminTokenStep, PlanStep, WhyStep

CREDENTIALS = {"WHATSAPP_APP_ID": APP_ID, "WHATSAPP_APP_SECRET": APP_SECRET}
pytestmark = pytest.mark.usefixtures("no_keyring")


@pytest.fixture
def business(frozen_graph: FakeGraphServer) -> BusinessState:
    return fake_business.reset(frozen_graph)


@pytest.fixture
def git_work_tree(isolated: Path) -> Path:
    subprocess.run(["git", "init", "-q", str(isolated)], check=True)
    return isolated


async def test_done_after_do_it_for_me_shows_the_git_warning_and_its_fix(
    wizard_app: AppFactory, git_work_tree: Path, business: BusinessState
) -> None:
    """Failed before: Done stayed on "Looking at where it is stored…" for good."""
    app = wizard_app(mode="onboard", env=CREDENTIALS)
    async with app.run_test(size=(100, 40)) as pilot:
        await carrying_out()(pilot)
        await pilot.click("#next")
        done = await wait_for_screen(pilot, DoneStep)
        await wait_for(pilot, lambda: bool(done.query("#diagnosis")), "the security look")
        text = screen_text(pilot)
        assert ".env is inside a git work tree and not ignored" in text, text
        assert "Looking at where it is stored" not in text
        buttons = list(done.query("#diagnosis Button"))
        assert buttons
        await pilot.click(buttons[0])
        await wait_for(pilot, lambda: (git_work_tree / ".gitignore").exists(), "the fix")
        await wait_for(pilot, lambda: "not ignored" not in screen_text(pilot), "the warning gone")
    assert "/.env" in (git_work_tree / ".gitignore").read_text().splitlines()


async def test_a_bug_in_the_security_look_ends_the_wizard_saying_what_was_done(
    wizard_app: AppFactory,
    git_work_tree: Path,
    business: BusinessState,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Failed before: any failure of the look left "Looking at where it is stored…" for good.
    A bug there now ends the wizard (exit 70), its summary saying what was stored."""
    from wizard.ui.steps import done as done_module

    def broken(*args: object) -> None:
        raise RuntimeError("the look failed")

    monkeypatch.setattr(done_module, "recheck_storage", broken)
    app = wizard_app(mode="onboard", env=CREDENTIALS)
    with pytest.raises(WorkerFailed):
        async with app.run_test(size=(100, 40)) as pilot:
            await carrying_out()(pilot)
            await pilot.click("#next")
            await wait_for(pilot, lambda: app.return_code is not None, "the wizard to end")
    assert isinstance(app.crashed, RuntimeError)
    assert any(line.startswith("Saved") for line in app.crash_lines()), app.crash_lines()


async def open_admin_step(pilot: Pilot[Any]) -> AdminTokenStep:
    await wait_for_screen(pilot, WhyStep)
    await pilot.press("d")
    screen = await wait_for_screen(pilot, AdminTokenStep)
    field = screen.query_one("#admin-token", Input)
    field.focus()
    field.post_message(events.Paste(ADMIN_TOKENS["admin"]))
    await wait_for(pilot, lambda: screen.admin is not None, "the admin token")  # type: ignore[attr-defined]
    return screen  # type: ignore[return-value]


async def test_enter_in_the_app_secret_field_shows_the_plan(
    wizard_app: AppFactory, business: BusinessState
) -> None:
    """Failed before: Enter in the app secret field did nothing (only Tab to the button)."""
    app = wizard_app(mode="onboard")
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_admin_step(pilot)
        screen.query_one("#app-id", Input).focus()
        await pilot.press(*APP_ID)
        screen.query_one("#app-secret", Input).focus()
        await pilot.press(*APP_SECRET, "enter")
        await wait_for_screen(pilot, PlanStep)
    assert business.writes == []


async def test_enter_with_a_field_missing_goes_to_it(
    wizard_app: AppFactory, business: BusinessState
) -> None:
    app = wizard_app(mode="onboard")
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_admin_step(pilot)
        screen.query_one("#admin-token", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert pilot.app.focused is screen.query_one("#app-id", Input)
        assert isinstance(pilot.app.screen, AdminTokenStep)


async def test_a_secret_pasted_into_the_app_id_is_refused_and_never_shown(
    wizard_app: AppFactory, business: BusinessState
) -> None:
    """Failed before: the app id field showed the pasted app secret in clear text."""
    app = wizard_app(mode="onboard")
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_admin_step(pilot)
        app_id = screen.query_one("#app-id", Input)
        app_id.focus()
        app_id.post_message(events.Paste(APP_SECRET))
        await pilot.pause()
        await pilot.press("x", "y")
        await pilot.pause()
        assert app_id.value == ""
        text = screen_text(pilot)
        assert APP_SECRET not in text and APP_SECRET[:12] not in text
        assert "The app id is digits only" in text
        app_id.post_message(events.Paste(f"  {APP_ID}\n"))
        await pilot.pause()
        assert app_id.value == APP_ID


async def test_a_long_plan_step_wraps_under_its_own_text(
    wizard_app: AppFactory, business: BusinessState
) -> None:
    """Failed before: step 4 wrapped to column 0, under its number."""
    from wizard.ui.scenes.provision import planning

    app = wizard_app(mode="onboard", env=CREDENTIALS)
    async with app.run_test(size=(60, 30)) as pilot:
        await planning()(pilot)
        steps = list(pilot.app.screen.query(".plan-step"))
        wrapped = [s for s in steps if s.region.height > 1]
        assert wrapped, [s.region for s in steps]
        for step in wrapped:
            words = step.query_one(".step-words")
            assert words.region.x >= step.region.x + len("  4. ")
            assert words.region.height == step.region.height
