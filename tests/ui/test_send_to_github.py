"""The done step's "Also send it to GitHub…" (p): the same push as `wa-token save --push`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from tests.ui.conftest import StartAt, screen_text, wait_for, wait_for_screen
from wizard.core.flow import Step
from wizard.core.profiles import DEFAULT
from wizard.core.push import remembered
from wizard.testing.fake_github import GOOD, READ_ONLY, FakeGitHub
from wizard.testing.fake_graph import TOKENS
from wizard.ui.modals import GitHubTargetModal
from wizard.ui.scenes.walks import settle, store_ready
from wizard.ui.steps.done import DoneStep

KEY = "WHATSAPP_CLOUD_API_TOKEN"


@pytest.fixture(scope="module")
def github_server() -> Iterator[FakeGitHub]:
    with FakeGitHub() as fake:
        yield fake


@pytest.fixture
def github(github_server: FakeGitHub) -> FakeGitHub:
    github_server.reset()
    return github_server


def environment(github: FakeGitHub, home: Path, credentials: str) -> dict[str, str]:
    return {
        "GITHUB_API_URL": github.url,
        "GH_TOKEN": credentials,
        "XDG_CONFIG_HOME": str(home / "cfg"),
        "PATH": "/usr/bin:/bin",
    }


async def saved(pilot: Pilot[Any]) -> DoneStep:
    """Begun at the save step (at_step): save, and let Done settle."""
    await store_ready(pilot)
    await pilot.press("enter")
    await settle(pilot)
    return cast(DoneStep, await wait_for_screen(pilot, DoneStep))


async def send_from_done(at_step: StartAt, env: dict[str, str], typed: str) -> str:
    app = at_step(Step.STORE, TOKENS["valid"], mode="onboard", env=env)
    async with app.run_test(size=(80, 24)) as pilot:
        done = await saved(pilot)
        await pilot.press("p")
        modal = await wait_for_screen(pilot, GitHubTargetModal)
        modal.query_one("#github-target", Input).value = typed
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: (
                "Sending" not in str(done.query_one("#done-push").render())
                and str(done.query_one("#done-push").render()) != ""
            ),
            "the push",
        )
        return screen_text(pilot)


async def test_p_sends_the_saved_token_to_github_and_remembers_it(
    github: FakeGitHub, at_step: StartAt, tmp_path: Path
) -> None:
    env = environment(github, tmp_path, GOOD)
    text = await send_from_done(at_step, env, "acme/shop")
    assert github.secrets == {("acme/shop", None, KEY): TOKENS["valid"]}
    assert "✓ Actions secret WHATSAPP_CLOUD_API_TOKEN created in github:acme/shop" in text
    assert [e.label for e in remembered.remembered(env, DEFAULT)] == ["github:acme/shop"]
    assert TOKENS["valid"] not in text and GOOD not in text


async def test_a_refusal_says_what_to_fix_and_keeps_the_saved_token(
    github: FakeGitHub, at_step: StartAt, tmp_path: Path
) -> None:
    text = await send_from_done(at_step, environment(github, tmp_path, READ_ONLY), "acme/shop")
    assert github.secrets == {}
    flat = " ".join(text.split())
    assert "✗ Not sent to github:acme/shop" in flat and "(403)" in flat
    assert "Secrets: Read and write" in flat and "saved here all the same" in flat
    assert remembered.remembered(environment(github, tmp_path, READ_ONLY), DEFAULT) == ()


async def test_a_name_that_is_not_a_repository_is_explained_in_the_modal(
    github: FakeGitHub, at_step: StartAt, tmp_path: Path
) -> None:
    app = at_step(
        Step.STORE, TOKENS["valid"], mode="onboard", env=environment(github, tmp_path, GOOD)
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await saved(pilot)
        await pilot.press("p")
        modal = await wait_for_screen(pilot, GitHubTargetModal)
        modal.query_one("#github-target", Input).value = "acme"
        await pilot.press("enter")
        error = modal.query_one("#github-error")
        await wait_for(pilot, lambda: "two or three parts" in str(error.render()), "the error")
        assert isinstance(app.screen, GitHubTargetModal)
        await pilot.press("escape")
        await wait_for_screen(pilot, DoneStep)
    assert github.received == []
