"""SVG snapshots of every wizard step and error state (pytest-textual-snapshot, Textual pinned).

Update after an intended change with `pytest tests/ui/test_snapshots.py --snapshot-update`, then
look at the SVGs (tests/ui/__snapshots__/) before committing them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.files import write_env as support_write_env
from tests.ui.conftest import AppFactory
from wizard.core.flow import Step
from wizard.testing.fake_graph import APP_ID, APP_SECRET, TOKENS
from wizard.ui.scenes.walks import SCENES, VALID_START, begin, checked_then

SNAPSHOTS = Path(__file__).parent / "__snapshots__"
Compare = Callable[..., bool]
pytestmark = pytest.mark.usefixtures("no_keyring")


@pytest.fixture(autouse=True)
def fixed_keyring_name(monkeypatch: pytest.MonkeyPatch) -> None:
    """The keyring location is on screen: give it a name that is the same every run."""
    monkeypatch.setenv("WA_TOKEN_KEYRING_SERVICE", "wa-token")


def write_env(folder: Path, scenario: str) -> None:
    support_write_env(folder, TOKENS[scenario])


@pytest.mark.parametrize("name", sorted(SCENES))
def test_scene(name: str, snap_compare: Compare, wizard_app: AppFactory, isolated: Path) -> None:
    scene = SCENES[name]
    if scene.stored:
        write_env(isolated, scene.stored)
    env = (
        {"WHATSAPP_APP_ID": APP_ID, "WHATSAPP_APP_SECRET": APP_SECRET}
        if scene.app_credentials
        else None
    )
    app = wizard_app(mode=scene.mode, env=env)
    if scene.start is not None:
        begin(app, scene.start)
    assert snap_compare(app, run_before=scene.script)


def test_check_graph_unreachable(snap_compare: Compare, wizard_app: AppFactory) -> None:
    app = begin(wizard_app(graph_url="http://127.0.0.1:9"), VALID_START[Step.CHECK])
    assert snap_compare(app, run_before=checked_then())


def test_check_ok_wide(snap_compare: Compare, wizard_app: AppFactory) -> None:
    assert snap_compare(
        begin(wizard_app(), VALID_START[Step.CHECK]),
        run_before=checked_then(),
        terminal_size=(120, 36),
    )


def test_no_snapshot_shows_a_token() -> None:
    svgs = sorted(SNAPSHOTS.rglob("*.svg"))
    assert len(svgs) >= len(SCENES), "snapshots missing: run with --snapshot-update once"
    for svg in svgs:
        text = svg.read_text()
        for name, token in TOKENS.items():
            assert token not in text, f"{svg.name} shows the {name} token"
