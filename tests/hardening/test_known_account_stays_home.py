"""The configured account, read beside debug_token, and `--all-profiles` send the token to the
Graph host only: a paging link or a profile's setting pointing elsewhere reaches nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.hardening.hostile_graph import DEBUG_DATA, NUMBER, HostileGraph, serve

TOKEN = "EAAGuard0Fleet0" + "b" * 100 + "wxyz"
WABA = DEBUG_DATA["granular_scopes"][0]["target_ids"][0]


@pytest.fixture
def evil() -> Iterator[HostileGraph]:
    yield from serve(HostileGraph())


def test_the_configured_accounts_first_level_read_follows_no_foreign_link(
    hostile_cli: Cli, graph: HostileGraph, evil: HostileGraph
) -> None:
    next_url = f"{evil.url}/v26.0/{WABA}/phone_numbers?access_token={TOKEN}&after=x"
    graph.answers["phone_numbers"] = {"data": [NUMBER], "paging": {"next": next_url}}
    run = hostile_cli("check", "--json", stdin=TOKEN, env={"WHATSAPP_BUSINESS_ACCOUNT_ID": WABA})
    assert run.code == 0, run.text
    assert evil.requests == []
    assert TOKEN not in run.text


def test_all_profiles_with_a_profiles_setting_pointing_elsewhere_reaches_nothing(
    hostile_cli: Cli, graph: HostileGraph, evil: HostileGraph, isolated: Path
) -> None:
    (isolated / ".env").write_text(
        f"WHATSAPP_CLOUD_API_TOKEN={TOKEN}\n"
        f"WHATSAPP_CLOUD_API_TOKEN_TRAP={TOKEN}\n"
        f"WHATSAPP_BUSINESS_ACCOUNT_ID_TRAP={evil.url}/x\n"
    )
    (isolated / ".env").chmod(0o600)
    run = hostile_cli("check", "--all-profiles")
    assert run.code == 2, run.text  # the trap profile: its setting is not digits
    assert "WHATSAPP_BUSINESS_ACCOUNT_ID_TRAP must be digits" in " ".join(run.out.split())
    assert evil.requests == []
    assert not [r for r in graph.requests if "evil" in r.path or "/x" in r.path]
    assert TOKEN not in run.text and evil.url not in run.text
