"""A check never looks for sniffio: httpcore asked for it before each async lock (about ten times
a request, a failed sys.path search each time since anyio 4 no longer installs it); the
synchronous client sets up no async lock."""

from __future__ import annotations

import importlib.abc
import sys
from collections.abc import Iterator

import pytest

from wizard.core.check import check_found_token
from wizard.core.settings import Settings
from wizard.core.stores.sources import from_stdin
from wizard.testing.fake_graph import TOKENS, FakeGraphServer


class RecordingFinder(importlib.abc.MetaPathFinder):
    """Sees every import that reaches the path search (a module not in sys.modules)."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def find_spec(self, name: str, path: object, target: object = None) -> None:
        self.names.append(name)


@pytest.fixture
def finder() -> Iterator[RecordingFinder]:
    recording = RecordingFinder()
    sys.meta_path.insert(0, recording)
    yield recording
    sys.meta_path.remove(recording)


def test_a_check_never_searches_for_sniffio(finder: RecordingFinder, no_keyring: None) -> None:
    if sys.modules.get("sniffio") is not None:
        pytest.skip("sniffio is installed here: httpcore uses it, nothing is searched")
    with FakeGraphServer(accounts=5) as server:
        report = check_found_token(from_stdin(TOKENS["many"]), Settings(graph_url=server.url), {})
    assert len(report.graph.accounts) == 5
    assert finder.names.count("sniffio") == 0  # it was ~10 a request: 100+ for this check
