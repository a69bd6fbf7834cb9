"""The wizard's troubleshooting shows the readiness findings of the one check both doors call."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.files import write_env
from tests.ui.conftest import AtHub, screen_text
from wizard.core.codes import WarningCode
from wizard.testing.fake_graph import TOKENS
from wizard.ui.scenes.walks import wait_for_screen
from wizard.ui.steps.hubs import TroubleshootStep

pytestmark = pytest.mark.usefixtures("no_keyring")


@pytest.mark.parametrize(
    ("scenario", "code", "words"),
    [
        ("webhooks_unsubscribed", WarningCode.APP_NOT_SUBSCRIBED, "is not subscribed to the"),
        ("number_unregistered", WarningCode.NUMBER_UNREGISTERED, "not registered for the Cloud"),
        ("health_limited", WarningCode.NUMBER_LIMITED, "health verdict"),
    ],
)
async def test_troubleshooting_shows_the_readiness_warning(
    at_hub: AtHub, isolated: Path, scenario: str, code: WarningCode, words: str
) -> None:
    write_env(isolated, TOKENS[scenario], around=True)
    app = at_hub(mode="troubleshoot")
    async with app.run_test(size=(80, 24)) as pilot:
        hub = await wait_for_screen(pilot, TroubleshootStep)
        await pilot.pause()
        report = hub.state.initial
        assert report is not None and report.ok
        assert code in [w.code for w in report.diagnosis.warnings]
        assert words in " ".join(screen_text(pilot).split())
