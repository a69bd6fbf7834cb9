"""The troubleshoot hub's "Where a token is stored" says why a store could not be read or asked,
in the words `wa-token status --verbose` uses: never "(none)" for a keyring nobody could ask."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Static

from tests.ui.conftest import AppFactory
from wizard.cli.render import source_state
from wizard.core.codes import Source
from wizard.ui.scenes.walks import wait_for, wait_for_screen
from wizard.ui.steps.hubs import TroubleshootStep


@pytest.fixture
def keyring_without_d_bus(monkeypatch: pytest.MonkeyPatch) -> None:
    """As a fresh process started where there is no D-Bus session (cron, ssh): the keyring
    library picks its backend again, and finds none it can use."""
    import keyring.core

    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    monkeypatch.setattr(keyring.core, "_keyring_backend", None)


async def sources_line(app_factory: AppFactory, source: Source) -> tuple[str, str]:
    """The hub's line for `source`, as plain text, and what `status` says of the same reading."""
    app = app_factory(mode="troubleshoot")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.looked, "the look for a stored token")
        hub = await wait_for_screen(pilot, TroubleshootStep)
        text = str(hub.query_one("#sources", Static).render())
    reading = next(r for r in app.state.readings if r.source == source)
    line = next(line for line in text.splitlines() if line.strip().startswith(source))
    return line, source_state(reading)


@pytest.mark.usefixtures("keyring_without_d_bus")
async def test_a_keyring_that_could_not_be_asked_says_so_and_why(wizard_app: AppFactory) -> None:
    """Failed before: the keyring line said "(none)", as if it had been asked and held nothing."""
    line, status_says = await sources_line(wizard_app, Source.KEYRING)
    assert "(none)" not in line, line
    assert status_says.startswith("unavailable: No usable OS keyring"), status_says
    assert line.endswith(status_says), (line, status_says)


@pytest.mark.usefixtures("no_keyring")
async def test_an_unreadable_env_file_says_so_and_why(
    wizard_app: AppFactory, isolated: Path
) -> None:
    (isolated / ".env").mkdir()
    line, status_says = await sources_line(wizard_app, Source.DOTENV)
    assert status_says == "unreadable: .env is a directory, not a file.", status_says
    assert line.endswith(status_says), (line, status_says)
