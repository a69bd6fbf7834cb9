"""Names and messages from Graph are shown literally on every wizard screen, never read as markup.

A hostile (or merely odd) Graph answer puts Textual markup into the app name, the user name, the
account name and id, the number's names and the error texts: `[bold red]`, `[@click=app.quit]`,
`[$error]`, `[/]` and a trailing backslash. The wizard must neither crash nor style nor act on them.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import RadioButton

from tests.hardening.hostile_graph import ACCOUNT, DEBUG_DATA, HostileGraph, named, serve
from tests.ui.conftest import AppFactory, AtHub, StartAt, screen_text
from wizard.core.flow import Step
from wizard.ui.modals import ConfirmModal
from wizard.ui.scenes.walks import check, checked, open_send_test, wait_for, wait_for_screen
from wizard.ui.steps.hubs import HubScreen

TOKEN = "EAAGuard0Markup0" + "c" * 100 + "wxyz"
APP_NAME = "[bold red]App[/]"
USER_NAME = "[@click=app.quit]bot[/]"
ACCOUNT_NAME = "Acme [/] \\"
ACCOUNT_ID = "102290129340398[/]"
VERIFIED = "[$error]Shop"
DISPLAY = "+1 [link=x]555[/link]"
ERROR_TEXT = "[@click=app.quit]Click[/] [b]here"
pytestmark = pytest.mark.usefixtures("no_keyring")


@pytest.fixture
def graph() -> Iterator[HostileGraph]:
    account = {"id": ACCOUNT_ID, "name": ACCOUNT_NAME}
    number = {"verified_name": VERIFIED, "display_phone_number": DISPLAY, "quality_rating": "[/]"}
    yield from serve(named(APP_NAME, USER_NAME, account, number))


async def test_the_check_screen_shows_hostile_names_literally(
    at_step: StartAt, graph: HostileGraph
) -> None:
    app = at_step(Step.CHECK, TOKEN, graph_url=graph.url)
    async with app.run_test(size=(160, 60)) as pilot:
        step = await checked(pilot)
        assert step.state.report is not None and step.state.report.ok
        text = screen_text(pilot)
        for shown in (APP_NAME, USER_NAME, "Acme [/] \\", ACCOUNT_ID, VERIFIED, DISPLAY):
            assert shown in text, shown
        assert app.is_running and app.crashed is None


async def test_error_texts_from_graph_are_shown_literally(
    at_step: StartAt, graph: HostileGraph
) -> None:
    graph.answers["debug_token"] = {
        "error": {"message": ERROR_TEXT, "type": "OAuthException", "code": 190}
    }
    app = at_step(Step.CHECK, TOKEN, graph_url=graph.url)
    async with app.run_test(size=(160, 60)) as pilot:
        step = await checked(pilot)
        assert step.state.report is not None and not step.state.report.ok
        assert ERROR_TEXT in screen_text(pilot)
        assert app.is_running and app.crashed is None


async def test_the_send_test_screen_and_its_question_show_names_literally(
    at_step: StartAt, graph: HostileGraph
) -> None:
    graph.answers["account"] = {**ACCOUNT, "name": ACCOUNT_NAME}
    app = at_step(Step.CHECK, TOKEN, graph_url=graph.url)
    async with app.run_test(size=(160, 60)) as pilot:
        await checked(pilot)
        screen = await open_send_test(pilot)
        label = str(screen.query_one(RadioButton).label)
        assert VERIFIED in label and DISPLAY in label
        await pilot.press(*"+1 555 123 4567", "enter")
        await wait_for_screen(pilot, ConfirmModal)
        text = screen_text(pilot)
        assert VERIFIED in text and DISPLAY in text
        await pilot.press("n")
        assert app.crashed is None


async def test_the_hub_for_a_stored_token_shows_graph_text_literally(
    at_hub: AtHub, graph: HostileGraph, isolated: Path
) -> None:
    """A stored token of another app: the hub's first line quotes the app's (hostile) name."""
    data = copy.deepcopy(DEBUG_DATA)
    data["application"] = APP_NAME
    graph.answers["debug_token"] = {"data": data}
    app = at_hub(
        graph_url=graph.url,
        env={"WHATSAPP_CLOUD_API_TOKEN": TOKEN, "WHATSAPP_APP_ID": "111111111111111"},
    )
    async with app.run_test(size=(160, 60)) as pilot:
        await wait_for_screen(pilot, HubScreen)
        assert APP_NAME in screen_text(pilot)
        assert app.crashed is None


async def test_a_stored_token_with_markup_in_its_ends_is_masked_literally(
    at_hub: AtHub, graph: HostileGraph, isolated: Path
) -> None:
    """A hostile .env or environment: the mask shows the token's first and last four
    characters, here `[/b]` and `x[/]`. Failed before: the hub read them as markup and the
    wizard ended on a MarkupError."""
    stored = "[/b]EAAGuard0Markup0" + "c" * 60 + "x[/]"
    app = at_hub(graph_url=graph.url, env={"WHATSAPP_CLOUD_API_TOKEN": stored})
    async with app.run_test(size=(160, 60)) as pilot:
        await wait_for_screen(pilot, HubScreen)
        assert "[/b]…x[/]" in screen_text(pilot)
        assert app.is_running and app.crashed is None


async def test_a_pasted_token_with_markup_in_its_ends_is_masked_literally(
    at_step: StartAt, graph: HostileGraph
) -> None:
    """The paste step's "Looks like a token" line and the check's Token row show the mask as
    text. Failed before: a MarkupError ended the wizard."""
    pasted = "[/b]EAAGuard0Markup0" + "c" * 60 + "x[/]"
    app = at_step(Step.PASTE, graph_url=graph.url)
    async with app.run_test(size=(160, 60)) as pilot:
        step = await check(pilot, pasted)
        assert step.state.report is not None and step.state.report.ok
        assert "[/b]…x[/]" in screen_text(pilot)
        assert app.is_running and app.crashed is None


async def test_an_admin_token_with_markup_in_its_ends_is_masked_literally(
    wizard_app: AppFactory,
) -> None:
    """ "Do it for me"'s admin step. Failed before: a MarkupError ended the wizard."""
    from textual import events
    from textual.widgets import Input

    from wizard.ui.steps.provision import AdminTokenStep, WhyStep

    app = wizard_app(mode="onboard")
    async with app.run_test(size=(160, 60)) as pilot:
        await wait_for_screen(pilot, WhyStep)
        await pilot.press("d")
        screen = await wait_for_screen(pilot, AdminTokenStep)
        field = screen.query_one("#admin-token", Input)
        field.focus()
        field.post_message(events.Paste("[/b]EAAGuard0Markup0" + "c" * 60 + "x[/]"))
        await pilot.pause()
        await pilot.pause()
        assert "Admin token: [/b]…x[/]" in screen_text(pilot)
        assert app.is_running and app.crashed is None


async def test_a_stored_token_with_markup_is_literal_in_the_replace_question(
    at_step: StartAt, graph: HostileGraph, isolated: Path
) -> None:
    """A hostile .env's token reaches "Replace the token already stored?" beside the pasted one:
    both masks are text. Failed before: the question read `[/b]` as markup and the wizard ended.
    Then the pasted token, which a .env line cannot keep, is refused with the way out. Failed
    before: a ValueError left "Saving…" on screen for ever."""
    from wizard.ui.scenes.walks import next_to_store

    stored = "[/b]EAAGuard0Stored00" + "c" * 60 + "x[/]"
    pasted = "[/i]EAAGuard0Pasted00" + "d" * 60 + "y[/]"
    (isolated / ".env").write_text(f"WHATSAPP_CLOUD_API_TOKEN={stored}\n", encoding="utf-8")
    app = at_step(Step.PASTE, mode="onboard", graph_url=graph.url)
    async with app.run_test(size=(160, 60)) as pilot:
        await check(pilot, pasted)
        store = await next_to_store(pilot)
        await pilot.press("enter")  # the .env file, where the stored one is
        await wait_for_screen(pilot, ConfirmModal)
        assert "[/b]…x[/]" in screen_text(pilot) and "[/i]…y[/]" in screen_text(pilot)
        await pilot.press("y")
        await wait_for(pilot, lambda: "Nothing was written" in screen_text(pilot), "the refusal")
        assert "cannot keep" in screen_text(pilot) and "keyring" in screen_text(pilot)
        assert app.screen is store and app.is_running and app.crashed is None
    assert (isolated / ".env").read_text(encoding="utf-8").count(stored) == 1


async def test_a_pasted_token_with_markup_is_literal_on_done(
    at_step: StartAt, graph: HostileGraph, real_keyring: object
) -> None:
    """Done's first line shows the saved token's mask as text (saved to the keyring, which
    keeps any token). Failed before: a MarkupError ended the wizard on Done."""
    from wizard.ui.scenes.walks import next_to_store
    from wizard.ui.steps.done import DoneStep

    pasted = "[/i]EAAGuard0Pasted00" + "d" * 60 + "y[/]"
    app = at_step(Step.PASTE, mode="onboard", graph_url=graph.url)
    async with app.run_test(size=(160, 60)) as pilot:
        await check(pilot, pasted)
        await next_to_store(pilot)
        await pilot.press("down", "enter")  # ↓ chooses the keyring
        await wait_for_screen(pilot, DoneStep)
        assert "[/i]…y[/]" in screen_text(pilot)
        assert app.is_running and app.crashed is None
