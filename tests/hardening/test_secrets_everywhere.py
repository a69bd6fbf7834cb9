"""The token and the app secret, through every CLI command, reach no output, log, error or child.

tests/cli/test_no_secret_leaks.py checks the outputs, the wa-token loggers and the fake server's request
log for the token scenarios. This file widens the net: every logger (root included, with exception
text), every WaTokenError ever built and its formatted traceback, the argv and environment of every
child process (wa-token runs `git`), the real Secret Service, the transport faults (hang, drop,
refused, flaky, 5xx, rate limits), the environment variable as the source, and an unexpected bug.
"""

from __future__ import annotations

import io
import logging
import os
import subprocess
import traceback
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.keyring_session import SecretServiceSession
from wizard.cli import run as cli
from wizard.cli.commands import tokens
from wizard.core.codes import ExitCode
from wizard.core.errors import WaTokenError
from wizard.core.graph import GraphClient
from wizard.testing.fake_graph import APP_ID, APP_SECRET, TOKENS, FakeGraphServer

UNKNOWN = "EAAFakeSentinelUnknownToTheFakeGraph0000000000000Snt1"
"""A well-formed token the fake does not know (Graph answers 190, cannot parse)."""

# scenario -> (token, extra global flags)
SCENARIOS: dict[str, tuple[str, tuple[str, ...]]] = {
    "valid": (TOKENS["valid"], ()),
    "expired": (TOKENS["expired"], ()),
    "unknown": (UNKNOWN, ()),
    "hang": (TOKENS["hang"], ("--timeout", "0.15")),
    "drop": (TOKENS["drop"], ()),
    "refused": (TOKENS["valid"], ("--graph-url", "http://127.0.0.1:9")),
    "flaky": (TOKENS["flaky"], ()),
    "server_error": (TOKENS["server_error"], ()),
    "rate_limited": (TOKENS["rate_limited"], ()),
    "paging_loop": (TOKENS["paging_loop"], ()),
}

# (argv, where the token is before the command: stdin, dotenv, environment, keyring)
COMMANDS: list[tuple[list[str], str]] = [
    (["check"], "stdin"),
    (["check", "--json", "-"], "stdin"),
    (["save", "--force"], "stdin"),
    (["check"], "dotenv"),  # runs git on the .env file
    (["status", "--json"], "dotenv"),
    (["status"], "environment"),
    (["check", "--json"], "environment"),
    (["save", "--to", "keyring", "--force"], "stdin"),
    (["check", "--json"], "keyring"),
    (["status"], "keyring"),
    (["token"], "keyring"),
    (["forget", "--from", "keyring"], "keyring"),
    (["forget"], "dotenv"),
    (["setup"], "dotenv"),
]
KNOWN_COMMANDS = {argv[0] for argv, _ in COMMANDS}


@dataclass
class Spy:
    """Everything a command leaves behind that someone other than the user could see."""

    records: list[logging.LogRecord] = field(default_factory=list)
    errors: list[WaTokenError] = field(default_factory=list)
    children: list[tuple[list[str], Mapping[str, str]]] = field(default_factory=list)

    def leaks(self, *secrets: str) -> list[str]:
        """Where any of the secrets shows up, as short descriptions (empty: nowhere)."""
        found = []
        for record in self.records:
            text = record.getMessage() + _exc_text(record)
            found += [f"log {record.name}" for s in secrets if s in text]
        for error in self.errors:
            text = "\n".join(
                (
                    str(error),
                    repr(error),
                    error.message,
                    error.fix,
                    error.title,
                    "".join(traceback.format_exception(error)),
                )
            )
            found += [f"error {type(error).__name__}" for s in secrets if s in text]
        for argv, env in self.children:
            found += [f"child argv {argv[:2]}" for s in secrets if any(s in a for a in argv)]
            found += [
                f"child env {argv[:2]}"
                for s in secrets
                if any(s in f"{k}={v}" for k, v in env.items())
            ]
        return found


def _exc_text(record: logging.LogRecord) -> str:
    parts = []
    if record.exc_info and record.exc_info[1] is not None:
        parts.append("".join(traceback.format_exception(record.exc_info[1])))
    if record.exc_text:
        parts.append(record.exc_text)
    if record.stack_info:
        parts.append(record.stack_info)
    return "".join(parts)


class _Collect(logging.Handler):
    def __init__(self, spy: Spy) -> None:
        super().__init__(logging.DEBUG)
        self.spy = spy

    def emit(self, record: logging.LogRecord) -> None:
        self.spy.records.append(record)


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> Iterator[Spy]:
    """Every log record (all loggers, DEBUG), every WaTokenError built, every child process."""
    seen = Spy()
    handler = _Collect(seen)
    names = [
        "",
        "httpx",
        "httpcore",
        "asyncio",
        "dotenv",
        "keyring",
        "secretstorage",
        "jeepney",
        "wizard",
        *logging.root.manager.loggerDict,
    ]
    saved = {
        name: (logging.getLogger(name).level, logging.getLogger(name).disabled) for name in names
    }
    for name in names:
        logger = logging.getLogger(name)
        logger.setLevel(logging.DEBUG)
        logger.disabled = False
        if not logger.propagate or name == "":
            logger.addHandler(handler)

    real_init = WaTokenError.__init__

    def record_error(self: WaTokenError, *args: object, **kwargs: object) -> None:
        real_init(self, *args, **kwargs)  # type: ignore[arg-type]
        seen.errors.append(self)

    real_popen_init = subprocess.Popen.__init__

    def record_child(self: subprocess.Popen, args: object, *rest: object, **kwargs: object) -> None:
        argv = [str(a) for a in args] if isinstance(args, (list, tuple)) else [str(args)]
        env = kwargs.get("env")
        inherited = os.environ if env is None else env
        seen.children.append((argv, dict(inherited)))  # type: ignore[arg-type]
        real_popen_init(self, args, *rest, **kwargs)  # type: ignore[arg-type]

    def record_system(command: str) -> int:
        seen.children.append(([command], dict(os.environ)))
        raise AssertionError("wa-token must not run a shell")

    monkeypatch.setattr(WaTokenError, "__init__", record_error)
    monkeypatch.setattr(subprocess.Popen, "__init__", record_child)
    monkeypatch.setattr(os, "system", record_system)
    # The single retry waits 1-1.5 s in real life; here it would only make the test slow.
    monkeypatch.setitem(GraphClient.__init__.__kwdefaults__, "retry_backoff", 0.0)
    try:
        yield seen
    finally:
        for name, (level, disabled) in saved.items():
            logger = logging.getLogger(name)
            logger.setLevel(level)
            logger.disabled = disabled
            logger.removeHandler(handler)


@dataclass
class Ran:
    code: int
    out: str
    err: str


def run(argv: list[str], stdin: str = "", environ: Mapping[str, str] | None = None) -> Ran:
    out, err = io.StringIO(), io.StringIO()
    try:
        code = cli.main(argv, environ=environ, stdin=io.StringIO(stdin), stdout=out, stderr=err)
    except SystemExit as exit_:  # argparse, for a command that needs more arguments
        code = int(exit_.code or 0)
    return Ran(code, out.getvalue(), err.getvalue())


def _git_repo(folder: Path) -> None:
    subprocess.run(["git", "init", "-q", str(folder)], check=True, capture_output=True)


def _place(where: str, token: str, project: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Put the token where the command will find it; returns what to pipe on stdin."""
    env_file = project / ".env"
    env_file.write_text(f"# app\nPORT=8080\nWHATSAPP_APP_SECRET={APP_SECRET}\n", encoding="utf-8")
    env_file.chmod(0o600)
    if where == "dotenv":
        with env_file.open("a", encoding="utf-8") as stream:
            stream.write(f"WHATSAPP_CLOUD_API_TOKEN={token}\n")
    if where == "environment":
        monkeypatch.setenv("WHATSAPP_CLOUD_API_TOKEN", token)
    if where == "keyring":
        from wizard.core.stores.keyring_store import write_keyring_token

        write_keyring_token(token)
    return token if where == "stdin" else ""


@pytest.mark.filterwarnings("ignore::ResourceWarning")  # keyring leaks a bus when it raises
@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_every_command_keeps_token_and_app_secret_private(
    scenario: str,
    spy: Spy,
    fake_graph: FakeGraphServer,
    real_keyring: SecretServiceSession,
    isolated: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    token, flags = SCENARIOS[scenario]
    _git_repo(isolated)  # so `git` really runs on the .env file (not ignored: it warns)
    # The secrets live in the real process environment, where a child would inherit them.
    monkeypatch.setenv("WHATSAPP_GRAPH_URL", fake_graph.url)
    monkeypatch.setenv("WHATSAPP_APP_ID", APP_ID)
    monkeypatch.setenv("WHATSAPP_APP_SECRET", APP_SECRET)
    for argv, where in COMMANDS:
        monkeypatch.delenv("WHATSAPP_CLOUD_API_TOKEN", raising=False)
        stdin = _place(where, token, isolated, monkeypatch)
        result = run([*argv, *flags], stdin)
        assert result.code in (0, 1, 2, 3, 4, 5), (argv, result.err)
        if argv == ["token"]:  # the one door: raw on stdout, nothing else anywhere
            assert result.out == token + "\n"
            assert token not in result.err and APP_SECRET not in result.err
        else:
            assert token not in result.out + result.err, argv
            assert APP_SECRET not in result.out + result.err, argv
        assert spy.leaks(token, APP_SECRET) == [], argv
        from wizard.core.stores.keyring_store import remove_keyring_token

        remove_keyring_token()
    assert spy.records, "the loggers were not captured"
    if scenario not in ("refused", "hang"):  # httpx logs a request once it has an answer
        assert any(record.name == "httpx" for record in spy.records)
    assert spy.errors or scenario in ("valid", "flaky", "paging_loop")
    assert any(argv[:1] == ["git"] for argv, _ in spy.children), "git never ran"


def test_logged_request_urls_are_redacted(spy: Spy, fake_graph: FakeGraphServer) -> None:
    """debug_token puts the token in its query string (Meta's API); the logged URL hides it."""
    token = TOKENS["valid"]
    result = run(
        ["check"],
        token,
        {
            "WHATSAPP_GRAPH_URL": fake_graph.url,
            "WHATSAPP_APP_ID": APP_ID,
            "WHATSAPP_APP_SECRET": APP_SECRET,
        },
    )
    assert result.code == 0, result.err
    urls = [r.getMessage() for r in spy.records if "debug_token" in r.getMessage()]
    assert urls and all("input_token=REDACTED" in url for url in urls)
    assert spy.leaks(token, APP_SECRET) == []
    sent = [r for r in fake_graph.requests if r.path.endswith("debug_token")]
    assert sent[0].query["input_token"] == [token]  # ... while Meta still gets it, by design
    assert sent[0].headers["authorization"] == f"Bearer {APP_ID}|{APP_SECRET}"


def test_git_children_never_inherit_the_secrets(
    spy: Spy, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A token or app secret exported in the shell must not be passed on to `git`."""
    from wizard.core.stores.env_store import inspect_env_file

    _git_repo(isolated)
    (isolated / ".env").write_text("PORT=1\n", encoding="utf-8")
    monkeypatch.setenv("WHATSAPP_CLOUD_API_TOKEN", UNKNOWN)
    monkeypatch.setenv("WHATSAPP_APP_SECRET", APP_SECRET)
    monkeypatch.setenv("WHATSAPP_APP_SECRET_ACME", APP_SECRET + "acme")  # a profile's secret
    monkeypatch.setenv("WHATSAPP_CLOUD_API_TOKEN_ACME", UNKNOWN + "acme")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(isolated.parent))
    spy.children.clear()

    risks = inspect_env_file(isolated / ".env")

    assert risks.in_git_work_tree
    assert len(spy.children) == 3
    assert spy.leaks(UNKNOWN, APP_SECRET) == []
    env = spy.children[0][1]
    assert env["GIT_CEILING_DIRECTORIES"] == str(isolated.parent)  # the rest is passed on
    assert not any(
        name.startswith(("WHATSAPP_CLOUD_API_TOKEN", "WHATSAPP_APP_SECRET")) for name in env
    )


def test_an_unexpected_bug_does_not_print_its_message(
    spy: Spy, fake_graph: FakeGraphServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = TOKENS["valid"]

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError(f"bug while checking {token} with {APP_SECRET}")

    monkeypatch.setattr(tokens, "check_found_token", broken)
    for argv in (["check"], ["save"], ["status"]):
        result = run(
            argv, token, {"WHATSAPP_GRAPH_URL": fake_graph.url, "WHATSAPP_CLOUD_API_TOKEN": token}
        )
        assert result.code == ExitCode.INTERNAL and "RuntimeError" in result.err
        assert token not in result.out + result.err and APP_SECRET not in result.err
        assert "Traceback" not in result.err
    assert spy.leaks(token, APP_SECRET) == []


def test_the_unexpected_error_line_wraps_between_words(
    fake_graph: FakeGraphServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Failed before: one 120-character line, which an 80-column terminal cut inside a word."""

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(tokens, "check_found_token", broken)
    monkeypatch.setenv("COLUMNS", "60")
    result = run(["check"], TOKENS["valid"], {"WHATSAPP_GRAPH_URL": fake_graph.url})
    assert result.code == ExitCode.INTERNAL
    lines = result.err.splitlines()
    assert len(lines) > 1 and all(len(line) <= 60 for line in lines), lines
    assert " ".join(line.strip() for line in lines).endswith("and please report it.")


def test_commands_added_later_are_covered_too(
    spy: Spy, fake_graph: FakeGraphServer, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every command in cli.COMMANDS, bare, with the secrets around it: no leak anywhere."""
    token = TOKENS["valid"]
    (isolated / ".env").write_text(f"WHATSAPP_CLOUD_API_TOKEN={token}\n", encoding="utf-8")
    environ = {
        "WHATSAPP_GRAPH_URL": fake_graph.url,
        "WHATSAPP_APP_ID": APP_ID,
        "WHATSAPP_APP_SECRET": APP_SECRET,
        "PATH": os.environ["PATH"],
    }
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    for name in sorted(cli.COMMANDS):
        result = run([name], token, environ)
        if name == "token":
            assert token not in result.err
            continue
        assert token not in result.out + result.err, name
        assert APP_SECRET not in result.out + result.err, name
    assert spy.leaks(token, APP_SECRET) == []


def test_a_dotenv_file_cannot_send_the_token_elsewhere() -> None:
    """A cloned project's `.env` may set anything: the Graph URL comes from flags or env only."""
    from wizard.core.graph import DEFAULT_GRAPH_URL
    from wizard.core.settings import load_settings

    planted = {"WHATSAPP_GRAPH_URL": "http://attacker.example", "WHATSAPP_APP_ID": "1"}
    assert load_settings({}, planted).graph_url == DEFAULT_GRAPH_URL
