"""The security warnings name the `wa-token fix ...` command, with the flags that matter."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from tests.support.diagnosis import GOOD, INFO, LOCAL, NOW, ROTATION_STEPS
from wizard.core.diagnose import GraphFindings, command, diagnose
from wizard.core.profiles import Profile


@pytest.mark.parametrize(
    ("facts", "code", "words"),
    [
        ({"env_in_git_work_tree": True}, "env_not_gitignored", "wa-token fix gitignore"),
        ({"env_world_readable": True}, "env_world_readable", "wa-token fix permissions"),
        ({"keyring_available": True}, "plaintext_storage", "wa-token fix keyring"),
        ({"env_tracked_by_git": True}, "env_tracked_by_git", "wa-token fix tracked"),
    ],
)
def test_security_warnings_name_the_fix_command(facts: dict, code: str, words: str) -> None:
    [warning] = diagnose(GOOD, replace(LOCAL, **facts)).warnings
    assert warning.code == code and f"`{words}`" in warning.fix


def test_fix_commands_carry_the_profile_and_the_env_file() -> None:
    local = replace(
        LOCAL,
        location="config/my app.env",
        profile=Profile("acme"),
        env_world_readable=True,
        env_tracked_by_git=True,
    )
    fixes = " ".join(w.fix for w in diagnose(GOOD, local).warnings)
    assert "`wa-token fix permissions --profile acme --env-file 'config/my app.env'`" in fixes
    assert "git rm --cached 'config/my app.env'" in fixes
    assert command(replace(LOCAL, source="keyring"), "token") == "wa-token token"


def test_rotation_due_lists_the_rotation_steps() -> None:
    old = replace(GOOD, token_info=replace(INFO, issued_at=NOW - timedelta(days=200)))
    [warning] = diagnose(old, LOCAL).warnings
    assert warning.code == "rotation_due"
    for step in ROTATION_STEPS:
        assert step in warning.fix


def test_profile_names_appear_in_the_texts() -> None:
    local = replace(
        LOCAL,
        source="environment",
        location="WHATSAPP_CLOUD_API_TOKEN_ACME",
        profile=Profile("acme"),
        shadowed=(".env",),
        expected_app_id="9",
    )
    found = diagnose(GOOD, local)
    assert "WHATSAPP_APP_ID_ACME" in found.problems[0].title
    assert "unset WHATSAPP_CLOUD_API_TOKEN_ACME" in found.warnings[0].fix
    missing = diagnose(GraphFindings(), replace(local, token_found=False)).problems[0]
    assert "WHATSAPP_CLOUD_API_TOKEN_ACME" in missing.title and "--profile acme" in missing.fix
