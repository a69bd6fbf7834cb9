"""`status` where no keyring can exist asks the keyring once, not once more for the profile index."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from wizard.cli import run as cli
from wizard.core.stores import keyring_store
from wizard.testing.fake_graph import TOKENS, FakeGraphServer


def test_status_without_a_keyring_asks_it_once(
    fake_graph: FakeGraphServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    asked: list[tuple[Any, ...]] = []
    read = keyring_store.read_keyring_token

    def counted(*args: Any, **kwargs: Any) -> str | None:
        asked.append(args)
        return read(*args, **kwargs)

    monkeypatch.setattr(keyring_store, "read_keyring_token", counted)
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(
        ["status", "--json"],
        environ={"WHATSAPP_GRAPH_URL": fake_graph.url, "WHATSAPP_CLOUD_API_TOKEN": TOKENS["valid"]},
        stdin=io.StringIO(""),
        stdout=out,
        stderr=err,
    )
    assert code == 0, err.getvalue()
    body = json.loads(out.getvalue())
    assert [row["source"] for row in body["sources"]][-1] == "keyring"
    assert body["profiles"] == [{"name": "default", "stores": ["environment"], "active": True}]
    assert len(asked) == 1  # the token's entry; the index of profiles was not asked for again
