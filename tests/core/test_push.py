"""The push destinations: hooks (token on stdin only, bounded), GitHub (real sealed boxes against
the loopback fake), the https rule, target names, and the remembered destinations file."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from wizard.core.codes import DestinationKind, ExitCode, PushState
from wizard.core.errors import PushError, SettingsError, StoreError
from wizard.core.profiles import DEFAULT, profile_named
from wizard.core.push import remembered
from wizard.core.push.deliver import destination_named, push_token
from wizard.core.push.destination import Delivery
from wizard.core.push.github import (
    GitHubDestination,
    check_secret_name,
    github_credentials,
    parse_github_target,
)
from wizard.core.push.hook import HookDestination, run_hook
from wizard.core.push.urls import secret_url
from wizard.core.token import SecretToken
from wizard.testing.fake_github import EXPIRED, GOOD, READ_ONLY, FakeGitHub

TOKEN = SecretToken("EAAPushTest0Token0" + "a1" * 40)
SHOP = profile_named("shop-2")


def delivery(environ: dict[str, str] | None = None, timeout: float = 5.0) -> Delivery:
    base = {"PATH": os.environ["PATH"], "HOME": os.environ["HOME"]}
    return Delivery(TOKEN, SHOP, {**base, **(environ or {})}, timeout)


@pytest.fixture(scope="module")
def github_server() -> Iterator[FakeGitHub]:
    with FakeGitHub() as fake:
        yield fake


@pytest.fixture
def github(github_server: FakeGitHub) -> FakeGitHub:
    github_server.reset()
    return github_server


def to_github(github: FakeGitHub, credentials: str = GOOD, **more: str) -> Delivery:
    return delivery({"GITHUB_API_URL": github.url, "GH_TOKEN": credentials, **more}, timeout=2.0)


# -- hooks ---------------------------------------------------------------------------------------


def test_a_hook_gets_the_token_on_stdin_only(tmp_path: Path) -> None:
    """Not in its arguments, not in its environment (even under another name), and the
    variable's name and the profile in WA_TOKEN_VARIABLE and WA_TOKEN_PROFILE."""
    script = (
        f"cat > {tmp_path}/stdin; tr '\\0' ' ' < /proc/$$/cmdline > {tmp_path}/args; "
        f"env > {tmp_path}/env"
    )
    leaky = {
        "WHATSAPP_CLOUD_API_TOKEN_SHOP_2": TOKEN.reveal(),
        "WHATSAPP_CLOUD_API_TOKEN": "EAAother",
        "WHATSAPP_APP_SECRET_SHOP_2": "s3cret0app0secret0value",
        "SOMETHING_ELSE": f"prefix{TOKEN.reveal()}",
        "KEPT": "yes",
    }
    detail = HookDestination(script).send(delivery(leaky))
    assert "exit code 0" in detail
    assert (tmp_path / "stdin").read_text() == TOKEN.reveal()  # no newline added
    env = (tmp_path / "env").read_text()
    assert TOKEN.reveal() not in env and TOKEN.reveal() not in (tmp_path / "args").read_text()
    assert "s3cret0app0secret0value" not in env and "EAAother" not in env
    assert "WA_TOKEN_VARIABLE=WHATSAPP_CLOUD_API_TOKEN_SHOP_2\n" in env
    assert "WA_TOKEN_PROFILE=shop-2\n" in env and "KEPT=yes\n" in env


def test_a_failing_hook_says_its_exit_code_and_its_stderr_without_the_token() -> None:
    script = (
        "t=$(cat); echo 'line one' >&2; "
        "printf 'bad token %s\\033[31m red\\033]0;title\\007\\n' \"$t\" >&2; exit 7"
    )
    with pytest.raises(PushError) as caught:
        HookDestination(script).send(delivery())
    message = caught.value.message
    assert "exit code 7" in message and "line one" in message and "bad token" in message
    assert TOKEN.reveal() not in message and TOKEN.masked in message
    assert "\x1b" not in message and "\x07" not in message
    assert caught.value.exit_code == ExitCode.STORE


def test_a_token_the_hook_echoes_in_pieces_of_stderr_is_still_masked() -> None:
    ran = run_hook(f"cat; cat >&2 <<'E'\n{TOKEN.reveal()}\nE\nexit 1", delivery())
    assert ran.exit_code == 1 and TOKEN.reveal() not in ran.stderr and TOKEN.masked in ran.stderr


def test_a_hook_that_hangs_is_stopped_at_the_timeout_with_what_it_started(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    script = f"cat >/dev/null; sleep 300 & echo $! > {pid_file}; wait"
    started = time.monotonic()
    with pytest.raises(PushError) as caught:
        HookDestination(script).send(delivery(timeout=1.0))
    assert time.monotonic() - started < 10
    assert "did not finish within 1 seconds" in caught.value.message
    assert "--timeout" in caught.value.fix
    child = int(pid_file.read_text())
    assert not _alive(child), "the hook's background child outlived it"


def test_a_hook_that_leaves_a_child_holding_its_output_does_not_hold_wa_token() -> None:
    started = time.monotonic()
    ran = run_hook("cat >/dev/null; (sleep 300 &) ; exit 0", delivery(timeout=1.0))
    assert ran.exit_code == 0 and time.monotonic() - started < 10


def test_a_hook_that_reads_nothing_from_stdin_fails() -> None:
    with pytest.raises(PushError) as caught:
        HookDestination("echo not reading").send(delivery())
    assert "without reading the token" in caught.value.message


@pytest.mark.parametrize("command", ["", "  ", "a\nb", "x" * 5000])
def test_a_hook_command_must_be_one_line(command: str) -> None:
    with pytest.raises(SettingsError):
        destination_named("then:" + command)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = (
        Path(f"/proc/{pid}/stat").read_text().split()[2] if Path(f"/proc/{pid}").exists() else "X"
    )
    return status not in ("Z", "X")


# -- GitHub --------------------------------------------------------------------------------------


def test_github_gets_a_sealed_box_that_its_private_key_opens(github: FakeGitHub) -> None:
    repo = GitHubDestination(parse_github_target("github:acme/shop"))
    environment = GitHubDestination(parse_github_target("github:acme/shop/production"))
    assert "created" in repo.send(to_github(github))
    assert "updated" in repo.send(to_github(github))
    assert "Environment secret" in environment.send(to_github(github))
    name = "WHATSAPP_CLOUD_API_TOKEN_SHOP_2"
    assert github.secrets == {
        ("acme/shop", None, name): TOKEN.reveal(),
        ("acme/shop", "production", name): TOKEN.reveal(),
    }
    for request in github.received:
        assert request.authorization == f"Bearer {GOOD}"
        assert TOKEN.reveal().encode() not in request.body and TOKEN.reveal() not in request.path
    assert [r.method for r in github.received] == ["GET", "PUT"] * 3


@pytest.mark.parametrize(
    ("credentials", "target", "words", "fix"),
    [
        (EXPIRED, "github:acme/shop", "(401: invalid or expired)", "GH_TOKEN"),
        (READ_ONLY, "github:acme/shop", "(403)", "Secrets: Read and write"),
        (GOOD, "github:acme/missing", "404", "does not exist"),
        (GOOD, "github:acme/shop/nope", "the environment 'nope'", "Settings → Environments"),
    ],
)
def test_github_refusals_say_what_to_fix(
    github: FakeGitHub, credentials: str, target: str, words: str, fix: str
) -> None:
    with pytest.raises(PushError) as caught:
        GitHubDestination(parse_github_target(target)).send(to_github(github, credentials))
    text = caught.value.message + caught.value.fix
    assert words in text and (fix in text)
    assert credentials not in text and TOKEN.reveal() not in text
    assert github.secrets == {}


@pytest.mark.parametrize(
    ("mode", "words"),
    [
        ("redirect", "does not follow it"),
        ("hang", "did not answer within 2 seconds"),
        ("trickle", "did not answer within 2 seconds"),
        ("huge", "far too large"),
        ("garbage", "not what it documents"),
        ("500", "HTTP 502"),
    ],
)
def test_a_hostile_github_endpoint_is_bounded(github: FakeGitHub, mode: str, words: str) -> None:
    github.mode = mode
    started = time.monotonic()
    with pytest.raises(PushError) as caught:
        GitHubDestination(parse_github_target("github:acme/shop")).send(to_github(github))
    assert time.monotonic() - started < 8
    assert words in caught.value.message
    assert len(github.received) == 1, "a redirect is never followed, nothing is retried"


def test_github_words_are_cleaned_and_the_credentials_masked(github: FakeGitHub) -> None:
    github.mode = "hostile-message"  # escape codes, markup and the Authorization header echoed
    with pytest.raises(PushError) as caught:
        GitHubDestination(parse_github_target("github:acme/shop")).send(to_github(github))
    assert "\x1b" not in caught.value.message and "\x07" not in caught.value.message
    assert GOOD not in caught.value.message and "ghp_…" in caught.value.message


def test_github_credentials_come_from_the_environment_then_gh(tmp_path: Path) -> None:
    both = {"GITHUB_TOKEN": "ghp_first", "GH_TOKEN": "ghp_second", "PATH": str(tmp_path)}
    assert github_credentials(both, "https://api.github.com", 2).token.reveal() == "ghp_first"
    assert github_credentials(both, "https://api.github.com", 2).source == "GITHUB_TOKEN"
    gh = tmp_path / "gh"
    gh.write_text(f'#!/bin/sh\necho "$@" > {tmp_path}/gh-args\necho ghp_from_gh\n')
    gh.chmod(0o755)
    only_gh = {"PATH": str(tmp_path), "WHATSAPP_CLOUD_API_TOKEN": TOKEN.reveal()}
    found = github_credentials(only_gh, "https://github.example.com/api/v3", 2)
    assert found.token.reveal() == "ghp_from_gh" and found.source == "`gh auth token`"
    assert (tmp_path / "gh-args").read_text() == "auth token --hostname github.example.com\n"
    gh.write_text("#!/bin/sh\nexit 1\n")
    with pytest.raises(PushError) as caught:
        github_credentials(only_gh, "https://api.github.com", 2)
    assert "gh auth login" in caught.value.fix


def test_a_missing_github_credential_is_a_failure_not_a_request(github: FakeGitHub) -> None:
    empty = delivery({"GITHUB_API_URL": github.url, "PATH": "/nonexistent"})
    with pytest.raises(PushError):
        GitHubDestination(parse_github_target("github:acme/shop")).send(empty)
    assert github.received == []


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://api.github.com", True),
        ("https://ghe.example.com/api/v3/", True),
        ("http://127.0.0.1:8080", True),
        ("http://localhost:1", True),
        ("http://[::1]:9", True),
        ("http://api.github.com", False),
        ("http://127.0.0.1.evil.com", False),
        ("https://user:pw@api.github.com", False),
        ("ftp://api.github.com", False),
        ("https://", False),
        ("https://host:99999", False),
    ],
)
def test_a_url_that_receives_a_secret_is_https_except_loopback(url: str, ok: bool) -> None:
    if ok:
        assert secret_url(url, "GITHUB_API_URL") == url.rstrip("/")
        return
    with pytest.raises(SettingsError) as caught:
        secret_url(url, "GITHUB_API_URL")
    assert "pw" not in caught.value.message


def test_github_api_url_in_clear_text_to_another_host_sends_nothing(github: FakeGitHub) -> None:
    remote = delivery({"GITHUB_API_URL": "http://api.github.com", "GH_TOKEN": GOOD})
    with pytest.raises(SettingsError):
        GitHubDestination(parse_github_target("github:acme/shop")).send(remote)


@pytest.mark.parametrize(
    "text",
    [
        "github:acme",
        "github:acme/",
        "github:/shop",
        "github:acme/shop/prod/extra",
        "github:-acme/shop",
        "github:acme/..",
        "github:acme/shop/..",
        "github:ac me/shop",
        "github:acme/sh%2fop",
        "gitlab:acme/shop",
        "github:acme/shop/\x1b[31m",
    ],
)
def test_github_targets_are_checked(text: str) -> None:
    with pytest.raises(SettingsError):
        destination_named(text) if text.startswith("github:") else parse_github_target(text)


def test_github_targets_that_are_fine() -> None:
    assert parse_github_target("github:acme-1/shop.site_2").label == "github:acme-1/shop.site_2"
    assert parse_github_target("github:acme/shop/prod 1").environment == "prod 1"


@pytest.mark.parametrize("name", ["GITHUB_TOKEN_X", "1ABC", "lower", "A-B"])
def test_secret_names_github_refuses(name: str) -> None:
    with pytest.raises(PushError):
        check_secret_name(name)
    assert check_secret_name("WHATSAPP_CLOUD_API_TOKEN_SHOP_2")


# -- the use case --------------------------------------------------------------------------------


def test_one_failing_destination_stops_none_of_the_others(github: FakeGitHub) -> None:
    destinations = [
        destination_named("then:cat >/dev/null; exit 3"),
        destination_named("github:acme/shop"),
    ]
    report = push_token(to_github(github), destinations)
    assert [r.state for r in report.results] == [PushState.FAILED, PushState.OK]
    assert report.exit_code == ExitCode.STORE and not report.ok
    assert [r.kind for r in report.results] == [DestinationKind.HOOK, DestinationKind.GITHUB]
    assert ("acme/shop", None, SHOP.token_key) in github.secrets


# -- remembered destinations ---------------------------------------------------------------------


def test_remembered_destinations_live_in_the_config_dir_with_mode_600(tmp_path: Path) -> None:
    environ = {"XDG_CONFIG_HOME": str(tmp_path / "cfg"), "HOME": str(tmp_path)}
    assert remembered.add(environ, DEFAULT, "github:acme/shop")
    assert not remembered.add(environ, DEFAULT, "github:acme/shop")
    assert remembered.add(environ, SHOP, "then:cat")
    path = tmp_path / "cfg" / "wa-token" / "destinations.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [e.label for e in remembered.remembered(environ, DEFAULT)] == ["github:acme/shop"]
    assert remembered.remove(environ, DEFAULT, "github:acme/shop")
    assert remembered.remembered(environ, DEFAULT) == ()
    assert [e.label for e in remembered.remembered(environ, SHOP)] == ["then:cat"]
    relative = {"XDG_CONFIG_HOME": "cfg", "HOME": str(tmp_path)}
    assert (
        remembered.config_file(relative) == tmp_path / ".config" / "wa-token" / "destinations.json"
    )


def test_a_broken_destinations_file_is_an_error_never_replaced(tmp_path: Path) -> None:
    environ = {"XDG_CONFIG_HOME": str(tmp_path)}
    path = remembered.config_file(environ)
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    with pytest.raises(StoreError):
        remembered.add(environ, DEFAULT, "github:acme/shop")
    assert path.read_text() == "{not json"


ADD_MANY = """
import sys
from wizard.core.profiles import DEFAULT
from wizard.core.push import remembered
environ = {"XDG_CONFIG_HOME": sys.argv[1]}
for n in range(int(sys.argv[3])):
    remembered.add(environ, DEFAULT, f"github:{sys.argv[2]}/repo{n}")
"""


def test_two_processes_adding_at_once_lose_nothing(tmp_path: Path) -> None:
    procs = [
        subprocess.Popen([sys.executable, "-c", ADD_MANY, str(tmp_path), owner, "25"])
        for owner in ("alice", "bob")
    ]
    assert [p.wait(timeout=60) for p in procs] == [0, 0]
    labels = {e.label for e in remembered.remembered({"XDG_CONFIG_HOME": str(tmp_path)}, DEFAULT)}
    assert len(labels) == 50
    data = json.loads(remembered.config_file({"XDG_CONFIG_HOME": str(tmp_path)}).read_text())
    assert "GH_TOKEN" not in json.dumps(data) and GOOD not in json.dumps(data)


def test_a_push_records_the_last_result_of_remembered_destinations(github: FakeGitHub) -> None:
    work = to_github(github)
    environ = dict(work.environ)
    remembered.add(environ, SHOP, "github:acme/shop")
    push_token(work, [destination_named("github:acme/shop"), destination_named("github:acme/bot")])
    [entry] = remembered.remembered(environ, SHOP)
    assert entry.last is not None and entry.last.state is PushState.OK
    assert entry.last.at.endswith("Z") and GOOD not in entry.last.detail


def test_the_local_stores_fit_the_same_interface(tmp_path: Path) -> None:
    from wizard.core.push.stores import StoreDestination
    from wizard.core.stores.env_file import ENV_FILE

    env_file = tmp_path / "app.env"
    env_file.write_text("A=1\n")
    report = push_token(delivery(), [StoreDestination(ENV_FILE, env_file)])
    assert report.ok and report.results[0].kind is DestinationKind.ENV
    assert env_file.read_text() == f"A=1\n{SHOP.token_key}={TOKEN.reveal()}\n"


@pytest.mark.parametrize("value", ["ghp_a\nX-Evil: 1", "ghp a", "ghp_\x1b[31m", "ghp_é"])
def test_github_credentials_that_are_no_token_are_refused_before_any_request(
    github: FakeGitHub, value: str
) -> None:
    with pytest.raises(PushError) as caught:
        GitHubDestination(parse_github_target("github:acme/shop")).send(
            to_github(github, credentials=value)
        )
    assert "GH_TOKEN does not hold a GitHub token" in caught.value.message
    assert github.received == []
