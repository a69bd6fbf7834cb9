"""The "ready to go live" list: reached from the menu, troubleshooting and Done; its actions."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Input, Static

from tests.support.files import write_env
from tests.ui.conftest import AtHub, StartAt, screen_text
from wizard.core.codes import WarningCode
from wizard.core.diagnose.findings import Finding
from wizard.core.flow import Step
from wizard.core.golive import ReadyItem, ReadyMark
from wizard.testing.fake_graph import TOKENS, FakeGraphServer
from wizard.testing.fake_register import REGISTER_PIN
from wizard.testing.fake_webhook import APP_SECRET, VERIFY_TOKEN, FakeWebhook
from wizard.ui.modals import ConfirmModal
from wizard.ui.ready_modals import EndpointModal, PinModal
from wizard.ui.scenes.walks import settled, store_ready, stored_then, wait_for, wait_for_screen
from wizard.ui.steps.done import DoneStep
from wizard.ui.steps.hubs import MenuStep, TroubleshootStep
from wizard.ui.steps.ready import ReadyScreen

pytestmark = pytest.mark.usefixtures("no_keyring")


@pytest.fixture(autouse=True)
def fresh_graph(frozen_graph: FakeGraphServer) -> Iterator[None]:
    """Subscriptions and registration attempts made here do not leak into other tests."""
    frozen_graph.reset()
    yield
    frozen_graph.reset()


def marks(screen: ReadyScreen) -> dict[ReadyItem, ReadyMark]:
    return {line.item: line.mark for line in screen.lines}


async def on_the_list(pilot) -> ReadyScreen:  # type: ignore[no-untyped-def]
    """Begun on the list (`at_hub("g")`): the list, once it is drawn. The walk there from the
    first screen, through the menu or troubleshooting: test_journeys.py."""
    return await wait_for_screen(pilot, ReadyScreen)  # type: ignore[return-value]


@pytest.mark.parametrize(
    ("scenario", "item", "mark"),
    [
        ("valid", ReadyItem.SENDING, ReadyMark.OK),
        ("health_limited", ReadyItem.SENDING, ReadyMark.WARN),
        ("health_blocked", ReadyItem.SENDING, ReadyMark.BAD),
        ("number_unregistered", ReadyItem.REGISTERED, ReadyMark.WARN),
        ("webhooks_unsubscribed", ReadyItem.SUBSCRIBED, ReadyMark.WARN),
        ("valid", ReadyItem.SUBSCRIBED, ReadyMark.OK),
        ("valid", ReadyItem.ENDPOINT, ReadyMark.WARN),
    ],
)
async def test_the_list_shows_meta_s_verdicts(
    at_hub: AtHub, isolated: Path, scenario: str, item: ReadyItem, mark: ReadyMark
) -> None:
    write_env(isolated, TOKENS[scenario])
    app = at_hub("g", mode="troubleshoot")
    async with app.run_test(size=(80, 24)) as pilot:
        ready = await on_the_list(pilot)
        assert marks(ready)[item] is mark
        await pilot.press("escape")
        await wait_for_screen(pilot, TroubleshootStep)


async def test_subscribe_after_a_yes_updates_the_line_and_the_quit_summary(
    at_hub: AtHub, isolated: Path, frozen_graph: FakeGraphServer
) -> None:
    write_env(isolated, TOKENS["webhooks_unsubscribed"])
    app = at_hub("g")
    async with app.run_test(size=(80, 24)) as pilot:
        ready = await on_the_list(pilot)
        assert marks(ready)[ReadyItem.SUBSCRIBED] is ReadyMark.WARN
        await pilot.press("s")
        await wait_for_screen(pilot, ConfirmModal)
        await pilot.press("y")
        await wait_for(
            pilot, lambda: marks(ready)[ReadyItem.SUBSCRIBED] is ReadyMark.OK, "the subscription"
        )
        assert "Subscribed" in screen_text(pilot)
        await pilot.press("ctrl+q")
    posts = [r for r in frozen_graph.requests if r.method == "POST"]
    assert posts and all(r.path.endswith("/subscribed_apps") for r in posts)
    assert app.return_value is not None
    assert any("Subscribed the app" in line for line in app.return_value.lines)


async def test_subscribe_without_a_yes_changes_nothing(
    at_hub: AtHub, isolated: Path, frozen_graph: FakeGraphServer
) -> None:
    write_env(isolated, TOKENS["webhooks_unsubscribed"])
    app = at_hub("g")
    async with app.run_test(size=(80, 24)) as pilot:
        ready = await on_the_list(pilot)
        await pilot.press("s")
        await wait_for_screen(pilot, ConfirmModal)
        await pilot.press("n")
        status = ready.query_one("#ready-status", Static)
        await wait_for(pilot, lambda: "Not changed" in str(status.render()), "the refusal")
    assert not [r for r in frozen_graph.requests if r.method == "POST"]
    assert marks(ready)[ReadyItem.SUBSCRIBED] is ReadyMark.WARN


async def _type_pin(pilot, pin: str) -> PinModal:  # type: ignore[no-untyped-def]
    modal: PinModal = await wait_for_screen(pilot, PinModal)  # type: ignore[assignment]
    modal.query_one("#pin-input", Input).value = pin
    await pilot.press("enter")
    await pilot.pause()
    return modal


async def test_register_sends_the_hidden_pin_once_and_never_shows_it(
    at_hub: AtHub,
    isolated: Path,
    frozen_graph: FakeGraphServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    write_env(isolated, TOKENS["number_unregistered"])
    app = at_hub("g")
    async with app.run_test(size=(80, 24)) as pilot:
        ready = await on_the_list(pilot)
        await pilot.press("r")
        modal: PinModal = await wait_for_screen(pilot, PinModal)  # type: ignore[assignment]
        modal.query_one("#pin-input", Input).value = REGISTER_PIN
        seen = screen_text(pilot)
        assert "10 registration attempts" in " ".join(seen.split())
        assert REGISTER_PIN not in seen
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: marks(ready)[ReadyItem.REGISTERED] is ReadyMark.OK, "registration"
        )
        assert REGISTER_PIN not in screen_text(pilot)
        noticed = [str(n.message) for n in app._notifications]
        await pilot.press("ctrl+q")
    logged = [r.getMessage() for r in caplog.records]
    assert all(REGISTER_PIN not in text for text in noticed + logged)
    registers = [r for r in frozen_graph.requests if r.path.endswith("/register")]
    assert len(registers) == 1
    assert app.return_value is not None
    assert any("Registered phone number id" in line for line in app.return_value.lines)
    assert not any(REGISTER_PIN in line for line in app.return_value.lines)


@pytest.mark.parametrize("typed", ["12345", "1234567", "12a456", "", "١٢٣٤٥٦"])
async def test_a_pin_of_the_wrong_shape_is_refused_before_anything_is_sent(
    at_hub: AtHub, isolated: Path, frozen_graph: FakeGraphServer, typed: str
) -> None:
    write_env(isolated, TOKENS["number_unregistered"])
    app = at_hub("g")
    async with app.run_test(size=(80, 24)) as pilot:
        await on_the_list(pilot)
        await pilot.press("r")
        modal = await _type_pin(pilot, typed)
        error = modal.query_one("#pin-error", Static)
        await wait_for(pilot, lambda: "6 digits" in str(error.render()), "the refusal")
        assert isinstance(app.screen, PinModal)
        if typed:
            assert typed not in screen_text(pilot)
    assert not [r for r in frozen_graph.requests if r.path.endswith("/register")]


async def test_a_refused_pin_says_how_to_reset_it_and_is_not_retried(
    at_hub: AtHub, isolated: Path, frozen_graph: FakeGraphServer
) -> None:
    write_env(isolated, TOKENS["number_unregistered"])
    app = at_hub("g")
    async with app.run_test(size=(80, 24)) as pilot:
        ready = await on_the_list(pilot)
        await pilot.press("r")
        await _type_pin(pilot, "135791")
        status = ready.query_one("#ready-status", Static)
        await wait_for(pilot, lambda: "PIN" in str(status.render()), "Meta's refusal")
        assert "Change PIN" in " ".join(screen_text(pilot).split()) or "PIN" in str(status.render())
        assert "135791" not in screen_text(pilot)
    assert len([r for r in frozen_graph.requests if r.path.endswith("/register")]) == 1
    assert marks(ready)[ReadyItem.REGISTERED] is ReadyMark.WARN


@pytest.mark.parametrize(
    ("mode", "mark"),
    [
        ("correct", ReadyMark.OK),
        ("accepts_anything", ReadyMark.WARN),
        ("not_found", ReadyMark.BAD),
        ("redirect", ReadyMark.BAD),
        ("hang", ReadyMark.BAD),
        ("huge", ReadyMark.BAD),
    ],
)
async def test_the_endpoint_test_asks_for_the_url_and_the_missing_secrets_hidden(
    at_hub: AtHub,
    isolated: Path,
    mode: str,
    mark: ReadyMark,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    write_env(isolated, TOKENS["valid"])
    with FakeWebhook(mode) as endpoint:
        app = at_hub("g", mode="menu")
        async with app.run_test(size=(80, 24)) as pilot:
            ready = await on_the_list(pilot)
            await pilot.press("w")
            modal: EndpointModal = await wait_for_screen(pilot, EndpointModal)  # type: ignore[assignment]
            modal.query_one("#endpoint-url", Input).value = endpoint.url
            modal.query_one("#endpoint-verify", Input).value = VERIFY_TOKEN
            modal.query_one("#endpoint-secret", Input).value = APP_SECRET
            typed = screen_text(pilot)
            await pilot.click("#modal-yes")
            await wait_for(pilot, lambda: ready.endpoint is not None, "the endpoint test", 20)
            await pilot.pause()
            after = screen_text(pilot)
            assert marks(ready)[ReadyItem.ENDPOINT] is mark
            noticed = [str(n.message) for n in app._notifications]
    logged = [r.getMessage() for r in caplog.records]
    for text in (typed, after, *noticed, *logged):
        assert VERIFY_TOKEN not in text and APP_SECRET not in text


async def test_the_endpoint_test_uses_the_stored_url_and_secrets_without_asking_or_showing_them(
    at_hub: AtHub, isolated: Path
) -> None:
    env = write_env(isolated, TOKENS["valid"])
    with env.open("a") as lines:
        lines.write(f"WHATSAPP_WEBHOOK_VERIFY_TOKEN={VERIFY_TOKEN}\n")
    with FakeWebhook("correct") as endpoint:
        environ = {"WHATSAPP_WEBHOOK_URL": endpoint.url, "WHATSAPP_APP_SECRET": APP_SECRET}
        app = at_hub("g", mode="menu", env=environ)
        async with app.run_test(size=(80, 24)) as pilot:
            ready = await on_the_list(pilot)
            await pilot.press("w")
            modal = await wait_for_screen(pilot, EndpointModal)
            assert not list(modal.query("#endpoint-verify"))
            assert not list(modal.query("#endpoint-secret"))
            assert endpoint.url not in screen_text(pilot)  # a URL from .env may hold a secret
            await pilot.press("enter")
            await wait_for(pilot, lambda: ready.endpoint is not None, "the endpoint test", 20)
            assert marks(ready)[ReadyItem.ENDPOINT] is ReadyMark.OK
        assert len(endpoint.received) == 4


async def test_an_http_url_to_another_host_is_refused_before_any_call(
    at_hub: AtHub, isolated: Path
) -> None:
    write_env(isolated, TOKENS["valid"])
    app = at_hub("g", mode="menu")
    async with app.run_test(size=(80, 24)) as pilot:
        ready = await on_the_list(pilot)
        await pilot.press("w")
        modal = await wait_for_screen(pilot, EndpointModal)
        modal.query_one("#endpoint-url", Input).value = "http://user:hunter22@example.com/hook"
        await pilot.press("enter")
        error = modal.query_one("#endpoint-error", Static)
        await wait_for(pilot, lambda: str(error.render()) != "", "the refusal")
        assert "hunter22" not in str(error.render())
        assert ready.endpoint is None


async def test_done_opens_the_list_for_the_token_just_saved(
    at_step: StartAt, isolated: Path
) -> None:
    app = at_step(Step.STORE, TOKENS["valid"], mode="onboard")
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(stored_then("enter"))(pilot)
        await wait_for_screen(pilot, DoneStep)
        await pilot.press("g")
        ready: ReadyScreen = await wait_for_screen(pilot, ReadyScreen)  # type: ignore[assignment]
        assert marks(ready)[ReadyItem.TOKEN] is ReadyMark.OK
        await pilot.press("escape")
        await wait_for_screen(pilot, DoneStep)


async def test_hostile_health_text_is_shown_literally(at_hub: AtHub, isolated: Path) -> None:
    from wizard.core.codes import WarningCode
    from wizard.core.golive import ready_list

    write_env(isolated, TOKENS["health_limited"])
    app = at_hub("g", mode="menu")
    async with app.run_test(size=(80, 24)) as pilot:
        ready = await on_the_list(pilot)
        report = ready.report
        hostile = Finding(
            WarningCode.NUMBER_LIMITED,
            "Meta's verdict: [bold red]LIMITED[/] [@click=app.quit]quit[/]\\",
            "[$error]fix[/]",
            "BUSINESS 1: [141006] " + "[b]x[/b]" * 20_000,
        )
        warnings = (hostile, *report.diagnosis.warnings)
        report = report._replace(diagnosis=report.diagnosis._replace(warnings=warnings))
        ready._show(ready_list(report))
        await pilot.pause()
        text = screen_text(pilot)
        assert "[bold red]LIMITED[/]" in text and "[@click=app.quit]quit" in text
        shown = str(ready.query_one("#ready-sending-text", Static).render())
        assert "Meta says: BUSINESS 1: [141006] [b]x[/b]" in shown
        await pilot.click("#ready-sending-text")
        assert app.is_running


async def test_the_menu_s_button_opens_the_list_by_keyboard(at_hub: AtHub, isolated: Path) -> None:
    write_env(isolated, TOKENS["valid"])
    app = at_hub()
    async with app.run_test(size=(80, 24)) as pilot:
        menu = await wait_for_screen(pilot, MenuStep)
        menu.query_one("#go-live").focus()
        await pilot.press("enter")
        await wait_for_screen(pilot, ReadyScreen)


@pytest.mark.parametrize(
    ("scenario", "mode"), [("no_account", "troubleshoot"), ("temporary", None)]
)
async def test_no_list_where_the_token_must_be_fixed_first(
    at_hub: AtHub, isolated: Path, scenario: str, mode: str | None
) -> None:
    write_env(isolated, TOKENS[scenario])
    app = at_hub(mode=mode)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.state.initial is not None, "the check")
        await pilot.pause()
        hub = app.screen
        assert not list(hub.query("#go-live"))
        await pilot.press("g")
        await pilot.pause()
        assert not isinstance(app.screen, ReadyScreen)


async def test_subscribe_with_graph_unreachable_says_so_and_changes_nothing(
    at_hub: AtHub, isolated: Path
) -> None:
    from dataclasses import replace

    write_env(isolated, TOKENS["webhooks_unsubscribed"])
    app = at_hub("g")
    async with app.run_test(size=(80, 24)) as pilot:
        ready = await on_the_list(pilot)
        app.state.settings = replace(app.state.settings, graph_url="http://127.0.0.1:9")
        await pilot.press("s")
        status = ready.query_one("#ready-status", Static)
        await wait_for(pilot, lambda: "Nothing was changed" in str(status.render()), "the error")
        assert "every account is subscribed" not in str(status.render())
        assert not app.state.changes


async def test_a_second_action_waits_for_the_one_under_way(at_hub: AtHub, isolated: Path) -> None:
    write_env(isolated, TOKENS["number_unregistered"])
    app = at_hub("g")
    async with app.run_test(size=(80, 24)) as pilot:
        ready = await on_the_list(pilot)
        await pilot.press("r")
        modal = await wait_for_screen(pilot, PinModal)
        ready.action_act("test")  # as if w reached the list while the PIN is being asked for
        await pilot.pause()
        assert app.screen is modal
        assert "One thing at a time" in str(ready.query_one("#ready-status", Static).render())
        assert [w for w in app.workers if w.group == "ready" and w.is_running]


# -- after an action, the check runs again: the list, Done and the hubs show the current verdict


def warning_codes(report: object) -> list[WarningCode]:
    return [w.code for w in report.diagnosis.warnings]  # type: ignore[attr-defined]


def panel(screen: object) -> str:
    """What the screen's diagnosis panel says (scrolled into view or not)."""
    views = screen.query("#diagnosis FindingView")  # type: ignore[attr-defined]
    return " ".join(str(view.render()) for view in views)


async def register_from_the_list(pilot) -> ReadyScreen:  # type: ignore[no-untyped-def]
    ready: ReadyScreen = await wait_for_screen(pilot, ReadyScreen)  # type: ignore[assignment]
    await pilot.press("r")
    modal = await wait_for_screen(pilot, PinModal)
    modal.query_one("#pin-input", Input).value = REGISTER_PIN
    await pilot.press("enter")
    await wait_for(
        pilot,
        lambda: WarningCode.NUMBER_UNREGISTERED not in warning_codes(ready.report),
        "the check after the registration",
    )
    return ready


async def save_and_reach_done(pilot) -> DoneStep:  # type: ignore[no-untyped-def]
    """From the Save step (begun there), save to .env and wait for Done's look."""
    await store_ready(pilot)
    await pilot.press("enter")
    done: DoneStep = await wait_for_screen(pilot, DoneStep)  # type: ignore[assignment]
    await wait_for(pilot, lambda: done.state.saved_report is not None, "Done's look")
    await wait_for(pilot, lambda: list(done.query("#diagnosis")), "Done's warnings")
    return done


async def test_done_shows_the_number_registered_after_registering_from_the_list(
    at_step: StartAt, isolated: Path
) -> None:
    app = at_step(Step.STORE, TOKENS["number_unregistered"], mode="onboard")
    async with app.run_test(size=(80, 40)) as pilot:
        done = await save_and_reach_done(pilot)
        assert WarningCode.NUMBER_UNREGISTERED in panel(done)
        await pilot.press("g")
        ready = await register_from_the_list(pilot)
        assert {line.item: line.mark for line in ready.lines}[ReadyItem.SENDING] is ReadyMark.OK
        assert ready.lines[2].mark is ReadyMark.OK
        await pilot.press("escape")
        await wait_for_screen(pilot, DoneStep)
        await wait_for(
            pilot,
            lambda: WarningCode.NUMBER_UNREGISTERED not in panel(done),
            "Done's panel after the registration",
        )
        assert done.state.saved_report is not None
        assert WarningCode.NUMBER_UNREGISTERED not in warning_codes(done.state.saved_report)


async def test_troubleshooting_shows_the_app_subscribed_after_subscribing_from_the_list(
    at_hub: AtHub, isolated: Path
) -> None:
    write_env(isolated, TOKENS["webhooks_unsubscribed"])
    app = at_hub(mode="troubleshoot")
    async with app.run_test(size=(80, 40)) as pilot:
        hub = await wait_for_screen(pilot, TroubleshootStep)
        await wait_for(pilot, lambda: WarningCode.APP_NOT_SUBSCRIBED in panel(hub), "the warning")
        await pilot.press("g")
        ready: ReadyScreen = await wait_for_screen(pilot, ReadyScreen)  # type: ignore[assignment]
        await pilot.press("s")
        await wait_for_screen(pilot, ConfirmModal)
        await pilot.press("y")
        await wait_for(
            pilot,
            lambda: WarningCode.APP_NOT_SUBSCRIBED not in warning_codes(ready.report),
            "the check after the subscription",
        )
        await pilot.press("escape")
        await wait_for_screen(pilot, TroubleshootStep)
        await wait_for(
            pilot,
            lambda: WarningCode.APP_NOT_SUBSCRIBED not in panel(hub),
            "troubleshooting's panel after the subscription",
        )
        assert hub.state.initial is not None
        assert WarningCode.APP_NOT_SUBSCRIBED not in warning_codes(hub.state.initial)


async def test_a_recheck_that_cannot_reach_graph_keeps_the_lines_and_says_so(
    at_hub: AtHub, isolated: Path, frozen_graph: FakeGraphServer
) -> None:
    from dataclasses import replace

    write_env(isolated, TOKENS["number_unregistered"])
    app = at_hub("g", mode="troubleshoot")
    async with app.run_test(size=(80, 40)) as pilot:
        ready = await on_the_list(pilot)
        before = ready.report
        app.state.settings = replace(app.state.settings, graph_url="http://127.0.0.1:9")
        await ready._recheck()
        status = str(ready.query_one("#ready-status", Static).render())
        assert "Could not check again" in status
        assert ready.report is before
        assert {line.item: line.mark for line in ready.lines}[ReadyItem.TOKEN] is ReadyMark.OK
