"""Environments that used to reach the CLI's "unexpected error" line: each now ends with its
own message and exit code (an unexpected error exits 70, never 1, "the token is bad")."""

from __future__ import annotations

import pytest

from tests.conftest import Cli
from wizard.core.codes import ExitCode
from wizard.testing.fake_graph import TOKENS

VALID = TOKENS["valid"]


@pytest.mark.parametrize("command", ["check", "status"])
def test_an_ascii_only_output_gets_question_marks_not_a_crash(cli: Cli, command: str) -> None:
    """Failed before: "unexpected error (UnicodeEncodeError)" (the mask's `…`), exit 1."""
    run = cli(command, env={"PYTHONIOENCODING": "ascii", "WHATSAPP_CLOUD_API_TOKEN": VALID})
    assert run.code == ExitCode.OK, run.err
    assert "unexpected" not in run.err and "EAAF?" in run.text
