"""A bug in any wizard worker ends the wizard as every wa-token bug ends: the quit summary (what
was changed), then the one unexpected-error line and exit 70; never a screen left "Saving…" or
"Checking…" for good, never the token or a traceback in what is printed.

Each test runs the real CLI (`wa-token setup`, in this process) with the wizard drawn headless,
and makes the core call one kind of worker makes raise a RuntimeError that names the token."""

from __future__ import annotations

import asyncio
import io
import re
import subprocess
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.worker import WorkerFailed

from wizard.cli import run
from wizard.core.codes import ExitCode
from wizard.core.flow import Step
from wizard.core.outcome import Outcome
from wizard.core.stores.env_file import EnvFileStore
from wizard.core.stores.keyring_token import KeyringStore
from wizard.testing.fake_graph import APP_ID, APP_SECRET, TOKENS, FakeGraphServer
from wizard.ui.app import WizardApp
from wizard.ui.scenes.walks import (
    Start,
    begin,
    checked,
    open_send_test,
    settle,
    store_ready,
    to_extend,
    wait_for,
    wait_for_screen,
)
from wizard.ui.steps.hubs import TroubleshootStep

pytestmark = pytest.mark.usefixtures("no_keyring")
Script = Callable[[Pilot[Any]], Awaitable[None]]
TOKEN = TOKENS["valid"]
EXITED_WITHIN = 20.0
"""Seconds the test waits for the wizard to end by itself (it never did: the screen hung)."""


class Terminal(io.StringIO):
    """A standard stream that says it is a terminal (the wizard starts only on one)."""

    def isatty(self) -> bool:
        return True


def bug(*args: object, **kwargs: object) -> Any:
    """A core call with a bug: its message names the token, as a careless f-string would."""
    raise RuntimeError(f"a bug while handling {TOKEN}")


async def drive(app: WizardApp, script: Script) -> Outcome | None:
    """What `app.run()` does on a terminal, headless: the keys of `script`, then wait for the
    wizard to end by itself."""
    try:
        async with app.run_test(size=(100, 40)) as pilot:
            await script(pilot)
            loop = asyncio.get_running_loop()
            deadline = loop.time() + EXITED_WITHIN
            while app.return_code is None:
                assert loop.time() < deadline, f"the wizard hung on {type(app.screen).__name__}"
                await asyncio.sleep(0.05)
    except WorkerFailed:  # the test harness raises what a real run turns into a return code
        pass
    return app.return_value


def run_wizard(
    monkeypatch: pytest.MonkeyPatch,
    graph: FakeGraphServer,
    script: Script,
    *,
    start: Start | None = None,
    mode: str = "onboard",
    env: dict[str, str] | None = None,
) -> tuple[int, str, WizardApp]:
    """`wa-token setup --mode MODE` through the CLI's own main; its exit code, all it wrote
    on stderr and stdout, and the app."""
    apps: list[WizardApp] = []
    hangs: list[AssertionError] = []

    def headless(app: WizardApp) -> Outcome | None:
        app.open_links = False
        apps.append(begin(app, start) if start else app)
        try:
            return asyncio.run(drive(app, script))
        except AssertionError as hung:  # not for main() to report as a bug of wa-token
            hangs.append(hung)
            return None

    monkeypatch.setattr(WizardApp, "run", headless)
    out, err = Terminal(), Terminal()
    environ = {"WHATSAPP_GRAPH_URL": graph.url, **(env or {})}
    code = run.main(
        ["setup", "--mode", mode], environ=environ, stdin=Terminal(), stdout=out, stderr=err
    )
    if hangs:
        raise hangs[0]
    return code, out.getvalue() + err.getvalue(), apps[0]


def assert_ended_on_the_bug(code: int, printed: str, app: WizardApp) -> None:
    assert isinstance(app.crashed, RuntimeError), app.crashed
    assert code == ExitCode.INTERNAL == 70, printed
    assert "wa-token hit an unexpected error (RuntimeError). Set WA_TOKEN_DEBUG=1" in printed
    assert "Traceback" not in printed and "a bug while" not in printed, printed
    assert TOKEN not in printed and TOKEN[-12:] not in printed, printed


async def nothing(pilot: Pilot[Any]) -> None:
    """The worker starts by itself when its screen opens."""


async def save(pilot: Pilot[Any]) -> None:
    await store_ready(pilot)
    await pilot.press("enter")


def test_a_bug_in_the_check_ends_the_wizard(
    monkeypatch: pytest.MonkeyPatch, fake_graph: FakeGraphServer
) -> None:
    """Failed before: "The check failed unexpectedly", and the wizard stayed open."""
    monkeypatch.setattr("wizard.ui.steps.check.check_found_token", bug)
    code, printed, app = run_wizard(
        monkeypatch, fake_graph, nothing, start=Start(Step.CHECK, TOKEN)
    )
    assert_ended_on_the_bug(code, printed, app)
    assert "No token was saved before the error" in printed


def test_a_bug_in_the_save_ends_the_wizard(
    monkeypatch: pytest.MonkeyPatch, fake_graph: FakeGraphServer
) -> None:
    """Failed before: "Saving…" on screen for good."""
    monkeypatch.setattr(EnvFileStore, "write", bug)
    code, printed, app = run_wizard(monkeypatch, fake_graph, save, start=Start(Step.STORE, TOKEN))
    assert_ended_on_the_bug(code, printed, app)
    assert not Path(".env").exists()
    assert "No token was saved before the error: `wa-token status` shows what is stored" in printed


def test_a_bug_in_the_keyring_probe_thread_ends_the_wizard(
    monkeypatch: pytest.MonkeyPatch, fake_graph: FakeGraphServer
) -> None:
    """A thread worker. Failed before: the keyring line said "Checking…" for good."""
    monkeypatch.setattr(KeyringStore, "reach", bug)
    code, printed, app = run_wizard(
        monkeypatch, fake_graph, nothing, start=Start(Step.STORE, TOKEN)
    )
    assert_ended_on_the_bug(code, printed, app)


def test_a_bug_after_the_save_still_says_the_token_was_saved(
    monkeypatch: pytest.MonkeyPatch, fake_graph: FakeGraphServer
) -> None:
    """Done's look at where it is stored. Failed before: "Could not look…", wizard open."""
    monkeypatch.setattr("wizard.ui.steps.done.recheck_storage", bug)
    code, printed, app = run_wizard(monkeypatch, fake_graph, save, start=Start(Step.STORE, TOKEN))
    assert_ended_on_the_bug(code, printed, app)
    assert TOKEN in Path(".env").read_text()
    saved = re.search(r"Saved[^\n]*\.env[^\n]*: EAA[^\n]*…", printed)
    assert saved is not None, printed
    assert "Restart your backend server" in printed


def test_a_bug_in_the_troubleshoot_recheck_ends_the_wizard(
    monkeypatch: pytest.MonkeyPatch, fake_graph: FakeGraphServer
) -> None:
    """Failed before: "Checking with the Graph API…" for good."""

    async def recheck(pilot: Pilot[Any]) -> None:
        await wait_for_screen(pilot, TroubleshootStep)
        await pilot.press("r")

    monkeypatch.setattr("wizard.ui.steps.hubs.check_the_winner", bug)
    code, printed, app = run_wizard(
        monkeypatch,
        fake_graph,
        recheck,
        mode="troubleshoot",
        env={"WHATSAPP_CLOUD_API_TOKEN": TOKEN},
    )
    assert_ended_on_the_bug(code, printed, app)


def test_a_bug_in_the_send_test_ends_the_wizard(
    monkeypatch: pytest.MonkeyPatch, fake_graph: FakeGraphServer
) -> None:
    """Failed before: "Sending…" for good."""

    async def send(pilot: Pilot[Any]) -> None:
        await checked(pilot)
        await open_send_test(pilot)
        await pilot.press(*"+1 555 123 4567", "enter", "y")

    monkeypatch.setattr("wizard.ui.steps.send_test.send_hello_world", bug)
    code, printed, app = run_wizard(monkeypatch, fake_graph, send, start=Start(Step.CHECK, TOKEN))
    assert_ended_on_the_bug(code, printed, app)


def test_a_bug_in_the_extend_ends_the_wizard(
    monkeypatch: pytest.MonkeyPatch, fake_graph: FakeGraphServer
) -> None:
    """Failed before: "Exchanging the token with the Graph API…" for good."""

    async def extend(pilot: Pilot[Any]) -> None:
        await to_extend(pilot)
        await pilot.press("enter")

    monkeypatch.setattr("wizard.ui.steps.extend.extend", bug)
    Path(".env").write_text(f"WHATSAPP_CLOUD_API_TOKEN={TOKENS['temporary']}\n")
    env = {"WHATSAPP_APP_ID": APP_ID, "WHATSAPP_APP_SECRET": APP_SECRET}
    code, printed, app = run_wizard(monkeypatch, fake_graph, extend, mode="expired", env=env)
    assert_ended_on_the_bug(code, printed, app)
    assert TOKENS["temporary"] not in printed and APP_SECRET not in printed


def test_no_wizard_worker_swallows_its_bugs() -> None:
    """Every worker ends the wizard on an error it does not handle (Textual's exit_on_error,
    reported by WizardApp as the bug it is): one that swallows them leaves a screen hanging."""
    ui = Path(__file__).parents[2] / "wizard" / "ui"
    swallowing = [
        str(path.relative_to(ui))
        for path in sorted(ui.rglob("*.py"))
        if "exit_on_error=False" in path.read_text().replace(" ", "")
    ]
    assert swallowing == []


def test_a_bug_in_a_ready_to_go_live_action_ends_the_wizard(
    monkeypatch: pytest.MonkeyPatch, fake_graph: FakeGraphServer
) -> None:
    """Failed before: "That did not finish", the wizard still open."""
    from wizard.ui.steps.ready import ReadyScreen

    async def subscribe(pilot: Pilot[Any]) -> None:
        await wait_for_screen(pilot, TroubleshootStep)
        await pilot.press("g")
        await wait_for_screen(pilot, ReadyScreen)
        await settle(pilot)
        await pilot.press("s")

    monkeypatch.setattr("wizard.core.webhooks.plan_webhooks", bug)
    env = {"WHATSAPP_CLOUD_API_TOKEN": TOKENS["webhooks_unsubscribed"]}
    code, printed, app = run_wizard(
        monkeypatch, fake_graph, subscribe, mode="troubleshoot", env=env
    )
    assert_ended_on_the_bug(code, printed, app)
    assert TOKENS["webhooks_unsubscribed"] not in printed


def test_a_bug_in_a_fix_button_thread_ends_the_wizard_saying_what_was_saved(
    monkeypatch: pytest.MonkeyPatch, fake_graph: FakeGraphServer, isolated: Path
) -> None:
    """Failed before: the button stayed disabled, its result line empty, for good."""
    from wizard.ui.steps.done import DoneStep
    from wizard.ui.widgets import fixes

    subprocess.run(["git", "init", "-q", str(isolated)], check=True)

    async def fix(pilot: Pilot[Any]) -> None:
        await save(pilot)
        done = await wait_for_screen(pilot, DoneStep)
        await wait_for(pilot, lambda: bool(done.query("#diagnosis Button")), "a fix button")
        await pilot.click(done.query("#diagnosis Button").first())

    monkeypatch.setitem(fixes.SIMPLE_REPAIRS, "env_not_gitignored", bug)
    code, printed, app = run_wizard(monkeypatch, fake_graph, fix, start=Start(Step.STORE, TOKEN))
    assert_ended_on_the_bug(code, printed, app)
    assert "Saved to .env" in printed and not (isolated / ".gitignore").exists()


def test_a_bug_in_do_it_for_me_ends_the_wizard(
    monkeypatch: pytest.MonkeyPatch, frozen_graph: FakeGraphServer
) -> None:
    """Failed before: "Do it for me" stayed on its progress screen for good."""
    from wizard.testing import fake_business
    from wizard.testing.fake_admins import ADMIN_TOKENS
    from wizard.ui.scenes.provision import enter_admin_token
    from wizard.ui.steps.provision import PlanStep

    fake_business.reset(frozen_graph)

    async def carry_out(pilot: Pilot[Any]) -> None:
        await enter_admin_token(pilot, ADMIN_TOKENS["admin"])
        await wait_for_screen(pilot, PlanStep)
        await pilot.click("#next")

    monkeypatch.setattr("wizard.core.provision.carry_out", bug)
    env = {"WHATSAPP_APP_ID": APP_ID, "WHATSAPP_APP_SECRET": APP_SECRET}
    code, printed, app = run_wizard(monkeypatch, frozen_graph, carry_out, env=env)
    assert_ended_on_the_bug(code, printed, app)
    assert ADMIN_TOKENS["admin"] not in printed and APP_SECRET not in printed
