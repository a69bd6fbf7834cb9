"""Store precedence is written once (`registry.STORES`); every reader follows it."""

from __future__ import annotations

from pathlib import Path

import pytest

from wizard.core.codes import Source
from wizard.core.stores import registry, sources
from wizard.core.stores.env_file import ENV_FILE
from wizard.core.variables import TOKEN_KEY

ENV_TOKEN = "EAAB" + "e" * 40
FILE_TOKEN = "EAAB" + "f" * 40


@pytest.fixture
def both(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """An environment and a `.env` that each hold a different token."""
    env_file = tmp_path / ".env"
    env_file.write_text(f"{TOKEN_KEY}={FILE_TOKEN}\n", encoding="utf-8")
    return {TOKEN_KEY: ENV_TOKEN}, env_file


def test_the_contract_order() -> None:
    assert registry.stored_order() == (Source.ENVIRONMENT, Source.DOTENV, Source.KEYRING)


def test_every_reader_follows_the_one_order(
    monkeypatch: pytest.MonkeyPatch, both: tuple[dict[str, str], Path]
) -> None:
    environ, env_file = both
    monkeypatch.setattr(registry, "STORES", (ENV_FILE,))  # the keyring left out
    stored = sources.read_stored(environ, env_file)
    assert [r.source for r in stored] == [Source.ENVIRONMENT, Source.DOTENV]
    below = sources.read_below(Source.ENVIRONMENT, environ, env_file)
    assert [r.source for r in below] == [Source.DOTENV]
    winner, error = sources.find_winner({}, env_file)
    assert error is None and winner is not None
    assert winner.source == Source.DOTENV
