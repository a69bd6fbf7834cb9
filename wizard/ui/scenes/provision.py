"""Scripted walks through "Do it for me" (plan, progress, failure), for Pilot[Any] tests and screenshots.

python -m wizard.ui.scenes.provision [--out screenshots]
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from textual import events
from textual.pilot import Pilot
from textual.widgets import Input

from wizard.testing.fake_admins import ADMIN_TOKENS
from wizard.ui.scenes.walks import Scene, Script, settle, wait_for, wait_for_screen


async def enter_admin_token(pilot: Pilot[Any], admin: str) -> None:
    """From the first onboarding screen: Do it for me, paste the admin token, show the plan."""
    from wizard.ui.steps.provision import AdminTokenStep, WhyStep

    await wait_for_screen(pilot, WhyStep)
    await pilot.press("d")
    screen = await wait_for_screen(pilot, AdminTokenStep)
    field = screen.query_one("#admin-token", Input)
    field.focus()
    field.post_message(events.Paste(admin))
    await pilot.pause()
    await wait_for(pilot, lambda: screen.admin is not None, "the admin token")  # type: ignore[attr-defined]
    await pilot.click("#next")


def planning(admin: str = ADMIN_TOKENS["admin"]) -> Script:
    """Up to the plan."""
    from wizard.ui.steps.provision import PlanStep

    async def run(pilot: Pilot[Any]) -> None:
        await enter_admin_token(pilot, admin)
        await wait_for_screen(pilot, PlanStep)
        await settle(pilot)

    return run


def carrying_out(admin: str = ADMIN_TOKENS["admin"]) -> Script:
    """Through the plan and its progress, to the end of the work (or the failure screen)."""
    from wizard.ui.steps.provision import FailureStep, PlanStep, ProgressStep

    async def run(pilot: Pilot[Any]) -> None:
        await enter_admin_token(pilot, admin)
        await wait_for_screen(pilot, PlanStep)
        await pilot.click("#next")
        await wait_for(
            pilot,
            lambda: (
                isinstance(pilot.app.screen, FailureStep)
                or (
                    isinstance(pilot.app.screen, ProgressStep)
                    and pilot.app.screen.outcome is not None
                )
            ),
            "the work",
        )
        await settle(pilot)

    return run


PROVISION_SCENES: dict[str, Scene] = {
    "provision_plan": Scene(planning(), app_credentials=True),
    "provision_progress": Scene(carrying_out(), app_credentials=True),
    "provision_failure": Scene(carrying_out(ADMIN_TOKENS["two_factor"]), app_credentials=True),
}
"""The "Do it for me" pictures, by name."""


async def shoot_all(out: Path) -> list[Path]:
    """Each scene at 80×24 against a fresh fake business; SVG and PNG into `out`."""
    from wizard.testing import fake_business
    from wizard.ui.scenes import screenshots

    written: list[Path] = []
    with screenshots.studio() as (server, workdir):
        for name, scene in PROVISION_SCENES.items():
            fake_business.reset(server)
            svg = out / f"{name}-80x24.svg"
            picture = await screenshots.shoot(scene, server.url, screenshots.SMALL, workdir)
            written += screenshots.keep(svg, picture)
    return written


def main(argv: list[str] | None = None) -> int:
    from wizard.ui.scenes.screenshots import shoot_into

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("screenshots"))
    args = parser.parse_args(argv)
    for path in shoot_into(args.out, shoot_all):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
