"""The hostile Graph on loopback and the real `wa-token` pointed at it (a module may override `graph`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.hardening.hostile_graph import HostileGraph, serve


@pytest.fixture
def graph() -> Iterator[HostileGraph]:
    yield from serve(HostileGraph())


@pytest.fixture
def hostile_cli(isolated: Path, graph: HostileGraph) -> Cli:
    return Cli(isolated, graph.url)
