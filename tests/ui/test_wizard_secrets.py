"""The token never shows in the wizard: not on any screen, notification, or log record."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from textual.widgets import Input, Static

from tests.ui.conftest import StartAt, screen_text
from wizard.core.flow import Step
from wizard.testing.fake_graph import TOKENS
from wizard.ui.scenes.walks import check, paste, wait_for_screen
from wizard.ui.steps.done import DoneStep
from wizard.ui.steps.paste import PasteStep
from wizard.ui.steps.store import StoreStep

pytestmark = pytest.mark.usefixtures("no_keyring")


@pytest.mark.parametrize("scenario", ["valid", "expired", "missing_messaging", "server_error"])
async def test_token_on_no_screen_notification_or_log(
    scenario: str, at_step: StartAt, isolated: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    token = TOKENS[scenario]
    app = at_step(Step.PASTE)
    seen: list[str] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_screen(pilot, PasteStep)
        await paste(pilot, f"Bearer {token}")
        seen.append(screen_text(pilot))
        screen = await check(pilot, token)
        seen.append(screen_text(pilot))
        if screen.state.report and screen.state.report.ok:
            await pilot.press("enter")
            await wait_for_screen(pilot, StoreStep)
            seen.append(screen_text(pilot))
            await pilot.press("enter")
            await wait_for_screen(pilot, DoneStep)
            seen.append(screen_text(pilot))
        seen += [str(n.message) for n in app._notifications]
        seen += [str(w.render()) for w in app.screen.query(Static)]
    seen += [r.getMessage() for r in caplog.records]
    assert seen and all(token not in text for text in seen)
    assert app.return_value is None or all(token not in line for line in app.return_value.lines)


async def test_input_is_a_password_field(at_step: StartAt) -> None:
    app = at_step(Step.PASTE)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_screen(pilot, PasteStep)
        await paste(pilot, TOKENS["valid"])
        assert app.screen.query_one("#token-input", Input).password
        assert TOKENS["valid"] not in screen_text(pilot)


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    text=st.one_of(
        st.text(max_size=300),
        st.text(alphabet=st.characters(categories=("Cc", "So", "Zs", "Cf")), max_size=80),
    )
)
@example(text="\x1b[2J\x1b[31m" * 50)
@example(text="🙂" * 1000)
@example(text="E" * 20_000)
@example(text="Bearer EAAFake0 with spaces inside and more")
async def test_paste_screen_survives_any_text(text: str, at_step: StartAt) -> None:
    app = at_step(Step.PASTE, mode="onboard")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_screen(pilot, PasteStep)
        await paste(pilot, text)
        screen = await wait_for_screen(pilot, PasteStep)
        status = str(screen.query_one("#paste-status", Static).render())
        assert status
        stripped = text.strip()
        if len(stripped) >= 12 and app.state.token is None:
            assert stripped not in status
        assert isinstance(app.screen, PasteStep)
