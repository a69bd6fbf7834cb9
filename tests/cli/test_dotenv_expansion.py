"""`${VAR}` in `.env`: the token is read as python-dotenv's load_dotenv gives it to the app, and
what it expands to is used (sent to Graph, shown masked) only when it is shaped like a token."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest
from dotenv.main import DotEnv

from tests.conftest import Cli
from wizard.core.stores.env_expand import expand
from wizard.core.stores.env_parse import parse_text
from wizard.testing.fake_graph import TOKENS, FakeGraphServer

VALID = TOKENS["valid"]
KEY = "WHATSAPP_CLOUD_API_TOKEN"
AWS_SECRET = "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEYsentinel"
"""Another secret a cloned `.env` may point at: it must never be sent or printed."""
TOKEN_LIKE_SECRET = "EAA" + "x" * 10 + "q8Z"
"""Starts like a token but is far too short to be one (under MIN_TOKEN_LENGTH)."""


def write_env(folder: Path, text: str) -> Path:
    path = folder / ".env"
    path.write_text(text)
    path.chmod(0o600)
    return path


def test_a_token_behind_a_variable_is_read_as_the_app_reads_it(
    cli: Cli, isolated: Path, fake_graph: FakeGraphServer
) -> None:
    """Failed before: `${META_TOKEN}` was judged "not a token" while the app got the real one."""
    write_env(isolated, f"{KEY}=${{META_TOKEN}}\n")
    run = cli("check", env={"META_TOKEN": VALID})
    assert run.code == 0, run.text
    assert "expanded from ${META_TOKEN}" in run.out and VALID not in run.text
    report = json.loads(cli("check", "--json", env={"META_TOKEN": VALID}).out)
    assert report["token"]["expanded_from"] == ["META_TOKEN"] and report["ok"] is True


@pytest.mark.parametrize("secret", [AWS_SECRET, TOKEN_LIKE_SECRET, f"{VALID} extra"])
@pytest.mark.parametrize("command", [("check",), ("check", "--json"), ("status",), ("token",)])
def test_another_secret_behind_a_variable_is_never_sent_or_shown(
    cli: Cli, isolated: Path, fake_graph: FakeGraphServer, secret: str, command: tuple[str, ...]
) -> None:
    """A cloned `.env` saying `${AWS_SECRET_ACCESS_KEY}` must not ship that secret anywhere."""
    write_env(isolated, f"{KEY}=${{AWS_SECRET_ACCESS_KEY}}\n")
    run = cli(*command, env={"AWS_SECRET_ACCESS_KEY": secret})
    assert secret not in run.text and secret[:12] not in run.text
    assert fake_graph.requests == []
    if command[0] != "token":
        assert run.code == 1, run.text
        assert "cannot be an access token" in " ".join(run.text.split())


SECRET_TAIL = "q7RsentinelTailOfAnotherSecret" * 3


@pytest.mark.parametrize(
    "text",
    [
        f"{KEY}=EAA${{OTHER_SECRET}}\n",
        f"A=EAA${{OTHER_SECRET}}\n{KEY}=${{A}}\n",
        f"A=EAA${{OTHER_SECRET}}\nB=${{A}}\n{KEY}='${{B}}'\n",
        f"{KEY}=${{PREFIX}}${{OTHER_SECRET}}\n",
    ],
)
def test_a_token_joined_around_another_secret_is_never_sent(
    cli: Cli, isolated: Path, fake_graph: FakeGraphServer, text: str
) -> None:
    """`EAA${OTHER_SECRET}` would pass a token's shape with another secret inside it."""
    write_env(isolated, text)
    run = cli("check", env={"OTHER_SECRET": SECRET_TAIL, "PREFIX": "EAA"})
    assert run.code == 1, run.text
    assert fake_graph.requests == []
    assert SECRET_TAIL[:12] not in run.text
    assert "whole value" in " ".join(run.text.split())


def test_a_variable_that_is_not_set_says_so(cli: Cli, isolated: Path) -> None:
    write_env(isolated, f"{KEY}=${{META_TOKEN}}\n")
    run = cli("check")
    assert run.code == 1
    assert "${META_TOKEN}, which is not set here" in " ".join(run.text.split())


def test_the_environment_wins_over_the_file_as_in_load_dotenv(
    cli: Cli, isolated: Path, fake_graph: FakeGraphServer
) -> None:
    write_env(isolated, f"META_TOKEN=not-a-token\n{KEY}=${{META_TOKEN}}\n")
    assert cli("check", env={"META_TOKEN": VALID}).code == 0
    write_env(isolated, f'META_TOKEN={VALID}\n{KEY}="${{META_TOKEN}}"\n')
    assert cli("check").code == 0


def test_saving_keeps_every_other_byte(
    cli: Cli, isolated: Path, fake_graph: FakeGraphServer
) -> None:
    before = (
        f"# app\nHOME_DIR=${{HOME}}\nexport URL='${{BASE:-x}}/v1'\n{KEY}=${{META_TOKEN}}\nLAST=1\n"
    )
    path = write_env(isolated, before)
    assert cli("save", stdin=VALID).code == 0
    assert path.read_text() == before.replace(f"{KEY}=${{META_TOKEN}}", f"{KEY}={VALID}")


FILES = [
    f"{KEY}=${{A}}\n",
    f"A=EAA1\n{KEY}=${{A}}${{B:-EAAdefault}}\n",
    f"B=1\n{KEY}='${{B}}${{A}}'\nB=2\n{KEY}=${{B}}\n",
    f'{KEY}="${{A:-}}${{}}x"\n',
    f"A=${{HOME}}\n{KEY}=${{A}}/${{UNSET}}$A\n",
    f"{KEY}\n{KEY}=${{A}}\n",
]


@pytest.mark.parametrize("text", FILES)
@pytest.mark.parametrize("environ", [{}, {"A": "EAAenv", "HOME": "/home/x"}])
def test_expansion_is_python_dotenvs_own(
    text: str, environ: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The value load_dotenv(override=False) would give the app, for the same environment."""
    for name in ("A", "B", "HOME", "UNSET"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    theirs = DotEnv(None, stream=io.StringIO(text), override=False).dict().get(KEY)
    bindings = [(b.key, b.value) for b in parse_text(text)]
    ours = _resolved(bindings, dict(os.environ))
    assert ours == theirs


def _resolved(bindings: list[tuple[str | None, str | None]], environ: dict[str, str]) -> str | None:
    """expand's value before the token-shape rule (which may keep the raw text instead)."""
    value, expansion = expand(bindings, KEY, environ)
    if expansion is None or expansion.used:
        return value
    from dotenv.variables import parse_variables

    resolved: dict[str, str | None] = {}
    for name, raw in bindings:
        if name is not None:
            context = {**resolved, **environ}
            resolved[name] = (
                None if raw is None else "".join(a.resolve(context) for a in parse_variables(raw))
            )
    return resolved.get(KEY)


def test_fix_keyring_never_moves_a_reference(keyring_cli: Cli, isolated: Path) -> None:
    """Failed before: the keyring got the text `${META_TOKEN}` and the .env line was removed."""
    before = f"A=1\n{KEY}=${{META_TOKEN}}\n"
    path = write_env(isolated, before)
    run = keyring_cli("fix", "keyring", env={"META_TOKEN": VALID})
    assert run.code != 0 and "refers to another variable" in " ".join(run.err.split())
    assert path.read_text() == before
    token = keyring_cli("token", env={"META_TOKEN": VALID})
    assert token.code == 0 and token.out.strip() == VALID  # still the .env's, as the app reads it
