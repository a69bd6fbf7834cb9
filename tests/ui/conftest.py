"""Fixtures for driving the wizard with Pilot against the fake Graph server."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot

from tests.support.clock import FIXED_NOW
from wizard.core.settings import load_settings
from wizard.testing import fake_business
from wizard.testing.fake_graph import FakeGraphServer
from wizard.ui.app import WizardApp, make_app
from wizard.ui.scenes.walks import wait_for, wait_for_screen  # noqa: F401 (re-exported)


@pytest.fixture(scope="session")
def frozen_graph() -> FakeGraphServer:
    """A fake Graph whose clock and trace ids are fixed, so screens are the same every run."""
    server = FakeGraphServer(
        clock=FIXED_NOW.timestamp,
        trace_id="AFixedTraceIdForSnapshots",
        business=fake_business.answer,
    )
    server.start()
    yield server  # type: ignore[misc]
    server.stop()


AppFactory = Callable[..., WizardApp]


@pytest.fixture
def wizard_app(frozen_graph: FakeGraphServer, isolated: Path) -> AppFactory:
    """Build the wizard as the CLI does, pointed at the frozen fake Graph."""

    def build(
        mode: str | None = None, env: dict[str, str] | None = None, graph_url: str | None = None
    ) -> WizardApp:
        environ = {"WHATSAPP_GRAPH_URL": graph_url or frozen_graph.url, **(env or {})}
        settings = load_settings(environ, timeout=3)
        return make_app(
            settings,
            environ,
            mode=mode,
            open_links=False,
            clock=lambda: FIXED_NOW,
            workdir=Path("/srv/my-app"),
            command="wa-token",
        )

    return build


def screen_text(pilot: Pilot) -> str:
    """Everything the current screen shows, as plain text (from the SVG export)."""
    import re
    from html import unescape

    svg = pilot.app.export_screenshot()
    return unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")


def env_mode(path: Path) -> int:
    return os.stat(path).st_mode & 0o777
