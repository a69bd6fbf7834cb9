"""Fixtures for driving the wizard with Pilot against the fake Graph server."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import pytest
from textual.pilot import Pilot

from tests.support.clock import FIXED_NOW
from wizard.core.flow import Step
from wizard.core.settings import load_settings
from wizard.testing import fake_business
from wizard.testing.fake_graph import FakeGraphServer
from wizard.ui.app import WizardApp, make_app
from wizard.ui.scenes.walks import Start, begin, wait_for, wait_for_screen  # noqa: F401 (re-exported)

if TYPE_CHECKING:
    from wizard.core.check import CheckReport


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


class StartAt(Protocol):
    """Builds the wizard as `wizard_app` does, its first route begun at a step."""

    def __call__(
        self,
        step: Step,
        pasted: str | None = None,
        *,
        report: CheckReport | None = None,
        mode: str | None = None,
        env: dict[str, str] | None = None,
        graph_url: str | None = None,
    ) -> WizardApp: ...


@pytest.fixture
def at_step(wizard_app: AppFactory) -> StartAt:
    """The wizard begun at the screen a test is about (walks.begin): the real app, CSS, keys,
    flow and quit, with what the steps before would have left (`pasted`, then its check)."""

    def build(
        step: Step,
        pasted: str | None = None,
        *,
        report: CheckReport | None = None,
        mode: str | None = None,
        env: dict[str, str] | None = None,
        graph_url: str | None = None,
    ) -> WizardApp:
        app = wizard_app(mode=mode, env=env, graph_url=graph_url)
        return begin(app, Start(step, pasted), report)

    return build


class AtHub(Protocol):
    """Builds the wizard as `wizard_app` does, begun on its hub (the stored token checked)."""

    def __call__(
        self,
        key: str | None = None,
        *,
        step: Step | None = None,
        pasted: str | None = None,
        mode: str | None = None,
        env: dict[str, str] | None = None,
        graph_url: str | None = None,
    ) -> WizardApp: ...


@pytest.fixture
def at_hub(wizard_app: AppFactory) -> AtHub:
    """The wizard begun on the hub the stored token leads to (walks.begin, `Start.hub`): the
    app's own look done before it starts, then `key` pressed there once the hub is drawn (g:
    the go-live list, x: extend, t: the temporary route, begun at `step` with `pasted`)."""

    def build(
        key: str | None = None,
        *,
        step: Step | None = None,
        pasted: str | None = None,
        mode: str | None = None,
        env: dict[str, str] | None = None,
        graph_url: str | None = None,
    ) -> WizardApp:
        app = wizard_app(mode=mode, env=env, graph_url=graph_url)
        return begin(app, Start(step, pasted, hub=True, hub_key=key))

    return build


def screen_text(pilot: Pilot) -> str:
    """Everything the current screen shows, as plain text (from the SVG export)."""
    import re
    from html import unescape

    svg = pilot.app.export_screenshot()
    return unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")


def env_mode(path: Path) -> int:
    return os.stat(path).st_mode & 0o777
