""" "Do it for me" in the wizard: Pilot walks against the fake business, and SVG snapshots."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual import events
from textual.widgets import Input

from tests.ui.conftest import AppFactory, screen_text, wait_for_screen
from wizard.core.flow import Step
from wizard.testing import fake_admins, fake_business, fake_graph
from wizard.testing.fake_admins import ADMIN_TOKENS
from wizard.testing.fake_business import BusinessState
from wizard.testing.fake_graph import APP_ID, APP_SECRET, FakeGraphServer
from wizard.ui.scenes.provision import PROVISION_SCENES, carrying_out, planning
from wizard.ui.steps.done import DoneStep
from wizard.ui.steps.instructions import InstructionStep
from wizard.ui.steps.provision import (
    AdminTokenStep,
    FailureStep,
    PlanStep,
    ProgressStep,
    WhyStep,
)

CREDENTIALS = {"WHATSAPP_APP_ID": APP_ID, "WHATSAPP_APP_SECRET": APP_SECRET}
SNAPSHOTS = Path(__file__).parent / "__snapshots__"
Compare = Callable[..., bool]
pytestmark = pytest.mark.usefixtures("no_keyring")


@pytest.fixture
def business(frozen_graph: FakeGraphServer) -> BusinessState:
    return fake_business.reset(frozen_graph)


@pytest.fixture(autouse=True)
def fixed_keyring_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WA_TOKEN_KEYRING_SERVICE", "wa-token")


async def test_do_it_for_me_stores_a_checked_token(
    wizard_app: AppFactory, isolated: Path, business: BusinessState
) -> None:
    app = wizard_app(mode="onboard", env=CREDENTIALS)
    async with app.run_test(size=(100, 40)) as pilot:
        await planning()(pilot)
        plan_text = screen_text(pilot)
        assert "create System User 'wa-token' (Employee) in Acme Inc" in plan_text
        assert business.writes == []  # nothing at Meta before Do it
        await pilot.click("#next")
        progress = await wait_for_screen(pilot, ProgressStep)
        await pilot.pause()
        while progress.outcome is None:  # type: ignore[attr-defined]
            await pilot.pause(0.05)
        await pilot.pause()
        await pilot.click("#next")
        await wait_for_screen(pilot, DoneStep)
        assert "Saved to" in screen_text(pilot)
        await pilot.click("#next")  # Finish
        await pilot.pause()
    assert len(business.writes) == 4
    assert business.minted[-1] in (isolated / ".env").read_text()
    assert app.return_value is not None and app.return_value.exit_code == 0
    assert ADMIN_TOKENS["admin"] not in (isolated / ".env").read_text()


async def test_a_refusal_opens_the_instructions_of_that_step(
    wizard_app: AppFactory, business: BusinessState
) -> None:
    app = wizard_app(mode="onboard", env=CREDENTIALS)
    async with app.run_test(size=(100, 40)) as pilot:
        await carrying_out(ADMIN_TOKENS["two_factor"])(pilot)
        failure = await wait_for_screen(pilot, FailureStep)
        text = screen_text(pilot)
        assert "two-factor" in text and "415/2859009" in text
        assert "Nothing was done at Meta" in text
        assert failure.refusal.manual_step is Step.CREATE  # type: ignore[attr-defined]
        await pilot.click("#next")
        step = await wait_for_screen(pilot, InstructionStep)
        assert step.step is Step.CREATE  # type: ignore[attr-defined]
    assert business.writes == []


async def test_back_from_the_plan_changes_nothing(
    wizard_app: AppFactory, business: BusinessState
) -> None:
    """Back from the plan is the admin step as it was (failed before: the fields came back
    empty, a step further back); Back from there leaves the route."""
    app = wizard_app(mode="onboard", env=CREDENTIALS)
    async with app.run_test(size=(100, 40)) as pilot:
        await planning()(pilot)
        assert isinstance(pilot.app.screen, PlanStep)
        await pilot.press("escape")
        admin = await wait_for_screen(pilot, AdminTokenStep)
        assert admin.query_one("#admin-token", Input).value == ADMIN_TOKENS["admin"]
        assert admin.query_one("#app-id", Input).value == CREDENTIALS["WHATSAPP_APP_ID"]
        await pilot.press("escape")
        step = await wait_for_screen(pilot, InstructionStep)
        assert step.step is Step.WHY  # type: ignore[attr-defined]
    assert business.writes == []


async def test_back_from_meta_refused_keeps_the_three_admin_fields(
    wizard_app: AppFactory, business: BusinessState
) -> None:
    """Issue 24: Back from "Meta refused" emptied the admin token, app id and app secret."""
    app = wizard_app(mode="onboard")  # no app credentials: all three fields are typed
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_for_screen(pilot, WhyStep)
        await pilot.press("d")
        entry = await wait_for_screen(pilot, AdminTokenStep)
        for field, text in (
            ("#admin-token", ADMIN_TOKENS["two_factor"]),
            ("#app-id", CREDENTIALS["WHATSAPP_APP_ID"]),
            ("#app-secret", CREDENTIALS["WHATSAPP_APP_SECRET"]),
        ):
            entry.query_one(field, Input).focus()
            entry.query_one(field, Input).post_message(events.Paste(text))
            await pilot.pause()
        await pilot.click("#next")
        await wait_for_screen(pilot, PlanStep)
        await pilot.click("#next")
        await wait_for_screen(pilot, FailureStep)
        await pilot.press("escape")
        admin = await wait_for_screen(pilot, AdminTokenStep)
        assert admin.query_one("#admin-token", Input).value == ADMIN_TOKENS["two_factor"]
        assert admin.query_one("#app-id", Input).value == CREDENTIALS["WHATSAPP_APP_ID"]
        secret = admin.query_one("#app-secret", Input)
        assert secret.value == CREDENTIALS["WHATSAPP_APP_SECRET"] and secret.password
        assert CREDENTIALS["WHATSAPP_APP_SECRET"] not in screen_text(pilot)
        assert ADMIN_TOKENS["two_factor"] not in screen_text(pilot)
    assert business.writes == []


@pytest.mark.parametrize("name", sorted(PROVISION_SCENES))
def test_provision_scene(
    name: str, snap_compare: Compare, wizard_app: AppFactory, business: BusinessState
) -> None:
    scene = PROVISION_SCENES[name]
    app = wizard_app(mode="onboard", env=CREDENTIALS)
    assert snap_compare(app, run_before=scene.script)


def test_no_provision_snapshot_shows_a_secret() -> None:
    svgs = sorted(SNAPSHOTS.rglob("*provision*.svg"))
    assert len(svgs) == len(PROVISION_SCENES), "run with --snapshot-update once"
    for svg in svgs:
        text = svg.read_text()
        assert APP_SECRET not in text
        for token in ADMIN_TOKENS.values():
            assert token not in text
        assert fake_admins.MINTED_PREFIX not in text


async def test_the_plan_shows_a_hostile_business_name_literally(
    wizard_app: AppFactory, business: BusinessState, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Failed before: Textual's own escape leaves `[$error]` to be read as markup."""
    hostile = "[$error]Acme[/] [b]Inc\\"
    monkeypatch.setattr(fake_graph, "BUSINESS_NAME", hostile)
    app = wizard_app(mode="onboard", env=CREDENTIALS)
    async with app.run_test(size=(120, 40)) as pilot:
        await planning()(pilot)
        assert hostile in screen_text(pilot)
        assert app.is_running and app.crashed is None
