"""The wizard's first screen comes first: what it does not need is imported, read and checked later."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import cast

import pytest

from tests.conftest import NO_KEYRING
from tests.ui.conftest import AppFactory, screen_text
from wizard.core.stores import sources
from wizard.core.stores.sources import SourceReading
from wizard.testing.fake_graph import TOKENS
from wizard.ui.app import StartScreen, WizardApp
from wizard.ui.scenes.walks import wait_for, wait_for_screen
from wizard.ui.steps.instructions import InstructionStep
from wizard.ui.steps.paste import PasteStep

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.usefixtures("no_keyring")

LATER = (
    "wizard.core.check",  # the check: it runs after the first screen is drawn
    "wizard.ui.modals",
    "wizard.ui.steps.check",
    "wizard.ui.steps.done",
    "wizard.ui.steps.extend",
    "wizard.ui.steps.hubs",
    "wizard.ui.steps.instructions",
    "wizard.ui.steps.paste",
    "wizard.ui.steps.provision",
    "wizard.ui.steps.send_test",
    "wizard.ui.steps.store",
    "wizard.ui.widgets.fixes",
    "wizard.ui.widgets.report",
    "textual.widgets._markdown",  # Markdown: only "Do it for me"'s admin step uses it
    "markdown_it",
)
"""Modules that `import wizard.ui.app` must leave for the screens that use them."""


def test_importing_the_app_leaves_the_other_screens_and_the_check_for_later() -> None:
    """Failed before: wizard.ui.app imported every screen, the check and Markdown at its top."""
    script = "import sys, json, wizard.ui.app; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT
    )
    loaded = set(json.loads(out.stdout))
    assert "wizard.ui.app" in loaded and "textual.app" in loaded
    assert [name for name in LATER if name in loaded] == []


FIRST_STEP = """if True:
    import json, os, sys
    from wizard.core.settings import load_settings
    from wizard.ui.app import WizardApp, make_app

    drawn = {}

    def start_detection(app):  # called once the first step is drawn: record, then leave
        drawn.update(screen=type(app.screen).__name__, modules=sorted(sys.modules))
        app.exit(None)
        return app.run_worker(lambda: None, thread=True)

    WizardApp.start_detection = start_detection
    environ = {"WHATSAPP_GRAPH_URL": "http://127.0.0.1:9"}
    make_app(load_settings(environ), environ, mode="onboard", open_links=False).run(
        headless=True, size=(80, 24)
    )
    print(json.dumps(drawn))
"""
"""Forced onboarding until its first step is drawn; prints that step and the modules loaded."""
NOT_FOR_THE_FIRST_STEP = ("textual.widgets._markdown", "markdown_it", "wizard.core.check")
NETWORK = ("wizard.core.graph.client", "httpx")
"""The Graph client and httpx: the first step says why, it talks to nobody."""


def loaded_by(script: str, cwd: Path) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHON_KEYRING_BACKEND": NO_KEYRING},
        timeout=60,
    )
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def test_the_first_step_is_drawn_without_markdown_or_the_check(tmp_path: Path) -> None:
    """Failed before: the first step was drawn by Textual's Markdown widget (markdown_it,
    pygments, ~60 widget classes), imported with the whole "Do it for me" package."""
    drawn = loaded_by(FIRST_STEP, tmp_path)
    assert drawn["screen"] == "WhyStep"
    modules = set(cast(list[str], drawn["modules"]))
    assert [name for name in NOT_FOR_THE_FIRST_STEP if name in modules] == []
    assert "wizard.ui.steps.provision.admin" not in modules


def test_the_first_step_is_drawn_without_the_graph_client_or_httpx(tmp_path: Path) -> None:
    """Failed before: the settings' URL check imported httpx, the first step's links imported
    the diagnosis, and the core's package __init__s imported every submodule."""
    drawn = loaded_by(FIRST_STEP, tmp_path)
    assert drawn["screen"] == "WhyStep"
    modules = set(cast(list[str], drawn["modules"]))
    assert [name for name in NETWORK if name in modules] == []


@pytest.fixture
def held_sources(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """Reading the stored sources waits until the test sets the event (a slow keyring)."""
    release = threading.Event()
    read_stored = sources.read_stored

    def held(environ: Mapping[str, str], env_file: Path, key: str) -> list[SourceReading]:
        release.wait(30)
        return read_stored(environ, env_file, key)

    monkeypatch.setattr(sources, "read_stored", held)
    yield release
    release.set()


def onboarding(wizard_app: AppFactory, folder: Path, stored: str) -> WizardApp:
    """Forced onboarding, with the token of a fake Graph scenario in `.env`."""
    (folder / ".env").write_text(f"WHATSAPP_CLOUD_API_TOKEN={TOKENS[stored]}\n")
    return wizard_app(mode="onboard")


async def test_forced_onboarding_draws_its_first_step_before_reading_the_sources(
    wizard_app: AppFactory, isolated: Path, held_sources: threading.Event
) -> None:
    """Failed before: the first step waited for the sources (the keyring) and the check."""
    app = onboarding(wizard_app, isolated, "valid")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_screen(pilot, InstructionStep)
        assert "Why a System User token" in screen_text(pilot)
        assert app.state.initial is None  # still looking, behind the screen
        held_sources.set()
        await wait_for(pilot, lambda: app.state.initial is not None, "the stored token's check")
        assert app.state.initial.ok and app.state.stored is not None
        assert app.state.stored.token.reveal() == TOKENS["valid"]


async def test_the_paste_step_waits_for_the_look_on_the_start_screen(
    wizard_app: AppFactory, isolated: Path, held_sources: threading.Event
) -> None:
    """Saving depends on what is stored: from Paste on, the steps wait for the look."""
    app = onboarding(wizard_app, isolated, "expired")
    async with app.run_test(size=(80, 24)) as pilot:
        left = None
        for _ in range(4):
            left = await wait_for_screen(pilot, InstructionStep, after=left)
            await pilot.press("enter")
        await wait_for_screen(pilot, StartScreen)
        assert "Looking for your token" in screen_text(pilot)
        held_sources.set()
        await wait_for_screen(pilot, PasteStep)
        assert app.state.initial is not None and not app.state.initial.ok


async def test_quitting_before_the_look_ends_does_not_say_no_token_is_stored(
    wizard_app: AppFactory, isolated: Path, held_sources: threading.Event
) -> None:
    """Failed before: a quit on the first step said "No token is stored yet" (exit 3) although
    `.env` held one; the look had simply not finished."""
    app = onboarding(wizard_app, isolated, "valid")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_screen(pilot, InstructionStep)
        await pilot.press("ctrl+q")
        await pilot.pause()
    outcome = app.return_value
    assert outcome is not None
    assert outcome.lines == (
        "Nothing was changed: no token was saved.",
        "You quit before the stored token was checked: `wa-token status` shows it.",
    )
    assert outcome.exit_code == 0
