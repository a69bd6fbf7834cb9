"""The same case through both doors (the `wa-token` command and the wizard): the same outcome."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Input, Static

from tests.conftest import Cli
from tests.support.files import git, new_repo, write_env
from tests.support.pilot import extend_refused
from tests.ui.conftest import AtHub, screen_text
from wizard.cli.main import main
from wizard.core.codes import Source
from wizard.core.profiles import Profile
from wizard.core.stores.sources import FoundToken
from wizard.core.token import SecretToken
from wizard.testing.fake_graph import APP_ID, APP_SECRET, TOKENS
from wizard.ui.scenes.walks import on_extend, wait_for
from wizard.ui.widgets.fixes import FixButton

pytestmark = pytest.mark.usefixtures("no_keyring")

OTHER_APP = "111122223333"
"""An app id that is not the token's own app."""


def flat(text: str) -> str:
    return " ".join(text.split())


# -- extend: one plan, one app check, one exchange ---------------------------------------------------


async def test_extend_with_another_apps_id_is_refused_the_same_way_by_both_doors(
    cli: Cli, at_hub: AtHub, isolated: Path
) -> None:
    """The token belongs to APP_ID; the user gives another app's id: no exchange, same fix."""

    env_file = write_env(isolated, TOKENS["temporary"], around=True)
    before = env_file.read_text()
    settings_env = {"WHATSAPP_APP_SECRET": APP_SECRET}
    run = cli("extend", "--app-id", OTHER_APP, env=settings_env)
    assert env_file.read_text() == before
    wanted = f"The token belongs to app {APP_ID}, but the app id given is {OTHER_APP}."
    assert run.code == 1 and wanted in run.flat_err

    app = at_hub("x", env=settings_env)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await on_extend(pilot)
        screen.query_one("#app-id", Input).value = OTHER_APP
        await extend_refused(pilot, screen)
        shown = flat(screen_text(pilot))
    assert wanted in shown and f"to {APP_ID}" in shown
    assert env_file.read_text() == before, "the wizard exchanged with the wrong app"


async def test_extend_stores_the_same_token_through_both_doors(
    cli: Cli, at_hub: AtHub, isolated: Path
) -> None:
    """A live temporary token: both doors exchange it and leave the same .env behind."""

    settings_env = {"WHATSAPP_APP_ID": APP_ID, "WHATSAPP_APP_SECRET": APP_SECRET}
    env_file = write_env(isolated, TOKENS["temporary"], around=True)
    run = cli("extend", env=settings_env)
    assert run.code == 0, run.err
    by_cli = env_file.read_text()

    write_env(isolated, TOKENS["temporary"], around=True)
    app = at_hub("x", env=settings_env)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await on_extend(pilot)
        await pilot.click("#extend")
        await wait_for(pilot, lambda: screen.done is not None, "the exchange")
    assert env_file.read_text() == by_cli
    assert TOKENS["exchanged"] in by_cli and TOKENS["temporary"] not in by_cli


# -- fix tracked: the same steps, with --profile and --env-file ------------------------------------


class OneFix(App[None]):
    """The wizard's fix button for one warning, alone on a screen."""

    def __init__(self, button: FixButton) -> None:
        super().__init__()
        self.button = button

    def compose(self) -> ComposeResult:
        yield self.button


def tracked_repo(folder: Path, profile: Profile) -> tuple[Path, str]:
    """A repository where config/app.env (holding the profile's token) is committed."""
    new_repo(folder)
    write_env(folder, TOKENS["valid"], name="config/app.env", key=profile.token_key)
    git(folder, "add", "config/app.env")
    git(folder, "commit", "-qm", "config")
    return Path("config/app.env"), TOKENS["valid"]


def steps_after(text: str, heading: str) -> list[str]:
    """The untrack steps that follow `heading`, without numbering."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if heading in line) + 1
    steps = []
    for line in lines[start : start + 3]:
        body = line.strip()
        steps.append(body.split(". ", 1)[1] if body[:1].isdigit() else body)
    return steps


async def test_fix_tracked_names_the_profile_and_env_file_in_both_doors(isolated: Path) -> None:
    profile = Profile("shop")
    env_file, token = tracked_repo(isolated, profile)
    out, err = io.StringIO(), io.StringIO()
    code = main(
        ["fix", "tracked", "--profile", "shop", "--env-file", str(env_file)],
        environ={},
        stdout=out,
        stderr=err,
    )
    assert code == 1, err.getvalue()
    by_cli = steps_after(out.getvalue() + err.getvalue(), "is tracked by git. Untrack it:")

    found = FoundToken(Source.DOTENV, str(env_file), SecretToken(token))
    app = OneFix(FixButton("env_tracked_by_git", found, profile))
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.click("#fix-env-tracked-by-git")
        result = app.query_one(".fix-result", Static)
        await wait_for(pilot, lambda: "Untrack it" in str(result.render()), "the fix")
        by_wizard = steps_after(str(result.render()), "Untrack it (the file stays on disk):")
    assert by_wizard == by_cli
    assert any(
        "wa-token fix gitignore --profile shop --env-file config/app.env" in step for step in by_cli
    )


# -- save: the store screen names the profile's variable, as `save` and `fix keyring` do --------------


async def test_the_store_screen_names_the_profiles_key(isolated: Path) -> None:
    from wizard.core.stores.env_file import ENV_FILE
    from wizard.core.stores.keyring_token import KEYRING

    profile = Profile("shop")
    write_env(isolated, TOKENS["valid"], key=profile.token_key)
    out, err = io.StringIO(), io.StringIO()
    code = main(
        ["fix", "keyring", "--profile", "shop"],
        environ={"PYTHON_KEYRING_BACKEND": ""},
        stdout=out,
        stderr=err,
    )
    by_cli = flat(out.getvalue() + err.getvalue())
    assert profile.token_key in ENV_FILE.help(profile)
    wizard_line = KEYRING.help(profile)
    assert f'export {profile.token_key}="$(wa-token token --profile shop)"' in wizard_line
    if code == 0 and "can no longer read it" in by_cli:  # a keyring was there: same command
        assert f'export {profile.token_key}="$(wa-token token --profile shop)"' in by_cli
