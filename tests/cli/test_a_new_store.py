"""A store registered by a test alone (a 0600 file in XDG_CONFIG_HOME) is read, saved to, shown
by `status`, printed by `token` and emptied by `forget`, with no production code knowing it."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Mapping
from pathlib import Path

import pytest

from wizard.cli.main import main
from wizard.core.profiles import Profile, profiles_in
from wizard.core.stores import registry
from wizard.core.stores.atomic import write_bytes_atomically
from wizard.core.stores.base import SourceReading
from wizard.core.stores.outcome import Reach, SaveOutcome
from wizard.core.stores.save import store_token
from wizard.core.token import SecretToken
from wizard.testing.fake_graph import TOKENS, FakeGraphServer

VALID = TOKENS["valid"]


class VaultStore:
    """One `KEY=value` line per profile in $XDG_CONFIG_HOME/wa-token-vault, mode 0600."""

    source = "vault"
    target = "vault"
    short_name = "vault"
    label = "test vault"
    letter = "v"
    footer = "Vault"
    in_chosen_file = False
    probing = ""
    cron_reaches = True

    @staticmethod
    def path() -> Path:
        return Path(os.environ["XDG_CONFIG_HOME"], "wa-token-vault")

    def _lines(self) -> dict[str, str]:
        if not self.path().exists():
            return {}
        pairs = (line.split("=", 1) for line in self.path().read_text().splitlines())
        return {key: value for key, value in pairs}

    def _keep(self, lines: Mapping[str, str]) -> None:
        self.path().parent.mkdir(parents=True, exist_ok=True)
        text = "".join(f"{key}={value}\n" for key, value in lines.items())
        write_bytes_atomically(self.path(), text.encode())

    def read(self, environ: Mapping[str, str], env_file: Path, key: str) -> SourceReading:
        value = self._lines().get(key)
        return SourceReading(self.source, str(self.path()), SecretToken(value) if value else None)  # type: ignore[arg-type]

    def describe(self, location: str) -> str:
        return f"the test vault {location}"

    def profile_names(
        self, environ: Mapping[str, str], env_file: Path, readings: object
    ) -> tuple[str, ...]:
        return profiles_in(self._lines())

    def named(self, env_file: Path) -> str:
        return "the test vault"

    def location(self, env_file: Path, key: str) -> str:
        return str(self.path())

    def stored(self, env_file: Path, key: str) -> SecretToken | None:
        value = self._lines().get(key)
        return SecretToken(value) if value else None

    def write(self, token: SecretToken, env_file: Path, profile: Profile) -> SaveOutcome:
        lines = self._lines()
        previous = lines.get(profile.token_key)
        self._keep({**lines, profile.token_key: token.reveal()})
        return SaveOutcome(
            self.target,  # type: ignore[arg-type]
            f"the test vault as {profile.token_key}",
            replaced=bool(previous) and previous != token.reveal(),
            unchanged=previous == token.reveal(),
            place="the test vault",
        )

    def remove(self, env_file: Path, profile: Profile) -> bool:
        lines = self._lines()
        if lines.pop(profile.token_key, None) is None:
            return False
        self._keep(lines)
        return True

    def reach(self, env_file: Path) -> Reach:
        return Reach(True, "The vault can be written", str(self.path().parent))

    def help(self, profile: Profile) -> str:
        return "A 0600 file in your config folder."

    def server_reads(self, env_file: Path, key: str) -> str:
        return "Your server reads it through wa-token: start it with"

    def export_line(self, key: str) -> str:
        return f'export {key}="$(wa-token token)"'

    def keep_it_safe(self, env_file: Path) -> str:
        return "Never copy the vault file."


VAULT = VaultStore()


@pytest.fixture
def vault(isolated: Path, no_keyring: None, monkeypatch: pytest.MonkeyPatch) -> VaultStore:
    """The test vault, registered below the keyring."""
    monkeypatch.setattr(registry, "STORES", (*registry.STORES, VAULT))
    return VAULT


def run(argv: list[str], environ: dict[str, str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, environ=environ, stdin=io.StringIO(""), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_save_token_status_and_forget_route_through_a_new_store(
    vault: VaultStore, fake_graph: FakeGraphServer, isolated: Path
) -> None:
    environ = {"WHATSAPP_GRAPH_URL": fake_graph.url}
    saved = store_token(vault.target, SecretToken(VALID), isolated / ".env")  # type: ignore[arg-type]
    assert saved.summary == "Saved to the test vault as WHATSAPP_CLOUD_API_TOKEN (added)"
    assert vault.path().stat().st_mode & 0o777 == 0o600

    code, out, _ = run(["token"], environ)
    assert (code, out) == (0, VALID + "\n")

    code, out, _ = run(["status", "--json"], environ)
    body = json.loads(out)
    assert code == 0 and body["active"]["token"]["source"] == "vault"
    assert [s["source"] for s in body["sources"]] == ["environment", "dotenv", "keyring", "vault"]

    code, _, err = run(["forget", "--yes"], environ)
    assert code == 0 and "Removed the token from the test vault." in err
    assert vault.stored(isolated / ".env", "WHATSAPP_CLOUD_API_TOKEN") is None

    code, _, err = run(["token"], environ)
    assert code == 3 and "No token found (environment, .env, keyring, vault)" in err


def test_a_store_above_wins(vault: VaultStore, isolated: Path) -> None:
    """The registry's order is the precedence: the `.env` token wins over the vault's."""
    (isolated / ".env").write_text(f"WHATSAPP_CLOUD_API_TOKEN={VALID}\n")
    store_token(vault.target, SecretToken(TOKENS["expired"]), isolated / ".env")  # type: ignore[arg-type]
    code, out, _ = run(["token"], {})
    assert (code, out) == (0, VALID + "\n")


def test_status_names_the_new_store_in_words(
    vault: VaultStore, fake_graph: FakeGraphServer, isolated: Path
) -> None:
    store_token(vault.target, SecretToken(VALID), isolated / ".env")  # type: ignore[arg-type]
    code, out, _ = run(["status", "--verbose"], {"WHATSAPP_GRAPH_URL": fake_graph.url})
    assert code == 0 and f"from the test vault {vault.path()}" in out, out


def test_a_different_token_in_the_new_store_is_shadowed(
    vault: VaultStore, fake_graph: FakeGraphServer, isolated: Path
) -> None:
    (isolated / ".env").write_text(f"WHATSAPP_CLOUD_API_TOKEN={VALID}\n")
    store_token(vault.target, SecretToken(TOKENS["expired"]), isolated / ".env")  # type: ignore[arg-type]
    code, out, _ = run(["check", "--json"], {"WHATSAPP_GRAPH_URL": fake_graph.url})
    [shadowed] = [w for w in json.loads(out)["warnings"] if w["code"] == "shadowed"]
    assert code == 0 and f"the test vault {vault.path()}" in shadowed["title"]


def test_status_lists_the_profiles_of_the_new_store(
    vault: VaultStore, fake_graph: FakeGraphServer, isolated: Path
) -> None:
    """Failed before: the profile list knew the environment, `.env` and the keyring index only."""
    store_token(vault.target, SecretToken(VALID), isolated / ".env", Profile("shop"))  # type: ignore[arg-type]
    code, out, _ = run(["status", "--json"], {"WHATSAPP_GRAPH_URL": fake_graph.url})
    assert code == 3  # the default profile holds no token
    assert {"name": "shop", "stores": ["vault"], "active": False} in json.loads(out)["profiles"]
