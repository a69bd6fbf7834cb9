"""`wa-token provision --plan` on a narrow terminal: a long step wraps under its own text."""

from __future__ import annotations

import re

import pytest

from tests.conftest import Cli
from wizard.testing import fake_business
from wizard.testing.fake_admins import ADMIN_TOKENS
from wizard.testing.fake_graph import APP_ID, APP_SECRET, FakeGraphServer

CONTEXT = {"WHATSAPP_APP_ID": APP_ID, "WHATSAPP_APP_SECRET": APP_SECRET}


@pytest.mark.parametrize("columns", ["50", "64"])
def test_wrapped_plan_lines_keep_their_indent(
    cli: Cli, fake_graph: FakeGraphServer, columns: str
) -> None:
    """Failed before: step 4 was one line, which the terminal wrapped to column 0."""
    fake_business.reset(fake_graph)
    run = cli(
        "provision", "--plan", stdin=ADMIN_TOKENS["admin"], env={**CONTEXT, "COLUMNS": columns}
    )
    assert run.code == 0, run.err
    lines = run.err.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("  1. "))
    last = next(i for i, line in enumerate(lines) if line.startswith("  Token expiry"))
    steps = lines[first:last]
    assert all(len(line) < int(columns) for line in steps), steps
    assert all(re.match(r"  \d\. |     \S", line) for line in steps), steps
    assert len(steps) > 6  # something did wrap
    words = " ".join(" ".join(steps).split())
    assert "whatsapp_business_messaging and whatsapp_business_management, expiry Never" in words
