"""send-test, extend, refresh, schedule, fix and --profile through the real entry point."""

from __future__ import annotations

import fcntl
import io
import json
import logging
import os
import pty
import select
import shutil
import subprocess
import termios
import time
from pathlib import Path

import pytest

from tests.conftest import WA_TOKEN, Cli, Run
from tests.support.diagnosis import ROTATION_STEPS
from tests.support.files import git, new_repo, write_text_env
from tests.support.sends import FAILING_RECIPIENTS, PHONE, RECIPIENT
from wizard.cli.main import main
from wizard.testing.fake_graph import APP_ID, APP_SECRET, TOKENS, FakeGraphServer

VALID, TEMPORARY, EXCHANGED = TOKENS["valid"], TOKENS["temporary"], TOKENS["exchanged"]
APP = {"WHATSAPP_APP_ID": APP_ID, "WHATSAPP_APP_SECRET": APP_SECRET}
SECRETS = (*TOKENS.values(), APP_SECRET)


def flat(text: str) -> str:
    """Text with its line wrapping undone, to look for phrases."""
    return " ".join(text.split())


def assert_clean(run: Run) -> None:
    """No token, no app secret and no traceback in anything a command printed."""
    for secret in SECRETS:
        assert secret not in run.text, "a secret reached the output"
    assert "Traceback" not in run.err


def write_env(cli: Cli, text: str, name: str = ".env") -> Path:
    return write_text_env(cli.cwd, text, name)


def leftovers(folder: Path) -> list[str]:
    """Temporary files an interrupted or failed write would leave behind."""
    return [p.name for p in folder.iterdir() if ".tmp" in p.name]


def sends(fake: FakeGraphServer) -> list:
    return [r for r in fake.requests if r.method == "POST" and r.path.endswith("/messages")]


def exchanges(fake: FakeGraphServer) -> list:
    return [r for r in fake.requests if r.path.endswith("oauth/access_token")]


# -- send-test -----------------------------------------------------------------------------------


def test_send_test_sends_hello_world_and_prints_the_message_id(
    cli: Cli, fake_graph: FakeGraphServer
) -> None:
    write_env(cli, f"WHATSAPP_CLOUD_API_TOKEN={VALID}\n")
    run = cli("send-test", "--to", "+1 555 123-4567", "--phone-number-id", PHONE, "--yes")
    assert run.code == 0, run.err
    assert run.out.startswith("wamid.") and "accepted" in flat(run.err)
    [request] = sends(fake_graph)
    assert request.path.endswith(f"/{PHONE}/messages")
    assert request.headers["authorization"] == f"Bearer {VALID}"
    assert json.loads(request.body) == {
        "messaging_product": "whatsapp",
        "to": "15551234567",
        "type": "template",
        "template": {"name": "hello_world", "language": {"code": "en_US"}},
    }
    assert_clean(run)


@pytest.mark.parametrize(
    ("recipient", "token", "problem", "words"),
    [
        *((r.number, VALID, r.problem, r.words) for r in FAILING_RECIPIENTS),
        (
            "15551234567",
            TOKENS["missing_messaging"],
            "missing_permission",
            "tick whatsapp_business_messaging",
        ),
        ("15551234567", TOKENS["expired"], "token_expired", "permanent"),
    ],
)
def test_send_test_failures_explain_the_fix(
    cli: Cli, recipient: str, token: str, problem: str, words: str
) -> None:
    write_env(cli, f"WHATSAPP_CLOUD_API_TOKEN={token}\n")
    run = cli("send-test", "--to", f"+{recipient}", "--phone-number-id", PHONE, "--yes")
    assert run.code == 1, run.err
    assert f"[{problem}]" in flat(run.err) and words in flat(run.err)
    assert "Nothing was sent" in flat(run.err) and run.out == ""
    assert_clean(run)


def test_send_test_without_a_terminal_needs_yes(cli: Cli, fake_graph: FakeGraphServer) -> None:
    write_env(cli, f"WHATSAPP_CLOUD_API_TOKEN={VALID}\n")
    run = cli("send-test", "--to", RECIPIENT, "--phone-number-id", PHONE)
    assert run.code == 2 and "--yes" in flat(run.err)
    assert fake_graph.requests == []


def test_send_test_asks_which_number_when_there_are_several(
    cli: Cli, fake_graph: FakeGraphServer
) -> None:
    write_env(cli, f"WHATSAPP_CLOUD_API_TOKEN={VALID}\n")
    run = cli("send-test", "--to", RECIPIENT, "--yes")
    assert run.code == 2 and f"--phone-number-id {PHONE}" in flat(run.err)
    assert sends(fake_graph) == []
    write_env(cli, f"WHATSAPP_CLOUD_API_TOKEN={VALID}\nWHATSAPP_PHONE_NUMBER_ID={PHONE}\n")
    assert cli("send-test", "--to", RECIPIENT, "--yes").code == 0


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("--to", "15"), 2),
        (("--to", "+0049151"), 2),
        (("--to", RECIPIENT, "--phone-number-id", "../me"), 2),
    ],
)
def test_send_test_usage_errors(cli: Cli, args: tuple[str, ...], code: int) -> None:
    write_env(cli, f"WHATSAPP_CLOUD_API_TOKEN={VALID}\n")
    run = cli("send-test", *args, "--yes")
    assert run.code == code and "Traceback" not in run.err


def test_send_test_without_a_token_exits_3(cli: Cli, fake_graph: FakeGraphServer) -> None:
    run = cli("send-test", "--to", RECIPIENT, "--yes")
    assert run.code == 3 and run.out == ""
    assert "No token found (environment, .env, keyring)" in run.err
    assert "`wa-token setup` or `wa-token save`" in run.err
    assert fake_graph.requests == []


def run_on_terminal(cli: Cli, answer: bytes, *args: str, prompt: bytes = b"[y/N]") -> Run:
    """Run wa-token on a pseudo-terminal (its controlling one) and type `answer` at `prompt`."""
    controller, terminal = pty.openpty()
    proc = subprocess.Popen(
        [str(WA_TOKEN), *args],
        stdin=terminal,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=cli.cwd,
        env=cli.env,
        start_new_session=True,
        preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0),  # noqa: PLW1509
    )
    try:
        assert proc.stderr is not None
        shown = b""
        deadline = time.monotonic() + 20
        while prompt not in shown and time.monotonic() < deadline:
            ready, _, _ = select.select([proc.stderr], [], [], 0.1)
            if ready:
                chunk = os.read(proc.stderr.fileno(), 4096)
                if not chunk:
                    break
                shown += chunk
        os.write(controller, answer)
        out, err = proc.communicate(timeout=20)
    finally:
        proc.kill()
        os.close(terminal)
        os.close(controller)
    return Run(proc.returncode, out.decode(), (shown + err).decode())


@pytest.mark.parametrize(
    ("answer", "code", "sent"), [(b"y\n", 0, 1), (b"n\n", 2, 0), (b"\n", 2, 0)]
)
def test_send_test_asks_on_a_terminal(
    cli: Cli, fake_graph: FakeGraphServer, answer: bytes, code: int, sent: int
) -> None:
    write_env(cli, f"WHATSAPP_CLOUD_API_TOKEN={VALID}\n")
    run = run_on_terminal(cli, answer, "send-test", "--to", RECIPIENT, "--phone-number-id", PHONE)
    assert "[y/N]" in flat(run.err) and run.code == code, run.err
    assert len(sends(fake_graph)) == sent


# -- extend --------------------------------------------------------------------------------------


def test_extend_replaces_the_dotenv_token_and_says_it_is_not_permanent(
    cli: Cli, fake_graph: FakeGraphServer
) -> None:
    env_file = write_env(
        cli,
        f"# app\r\nexport PORT=1\r\nWHATSAPP_CLOUD_API_TOKEN={TEMPORARY}"
        f"  # temp\r\nWHATSAPP_APP_ID={APP_ID}\r\n"
        f"WHATSAPP_APP_SECRET={APP_SECRET}\r\n",
    )
    run = cli("extend")
    assert run.code == 0, run.err
    assert (
        env_file.read_bytes()
        == (
            f"# app\r\nexport PORT=1\r\nWHATSAPP_CLOUD_API_TOKEN={EXCHANGED}  # temp\r\n"
            f"WHATSAPP_APP_ID={APP_ID}\r\nWHATSAPP_APP_SECRET={APP_SECRET}\r\n"
        ).encode()
    )
    assert "not permanent" in flat(run.err) and "Restart your backend" in flat(run.err)
    [exchange] = exchanges(fake_graph)
    assert exchange.method == "POST" and exchange.query == {}
    assert "authorization" not in exchange.headers
    assert APP_SECRET.encode() in exchange.body and TEMPORARY.encode() in exchange.body
    for request in fake_graph.requests:
        assert APP_SECRET not in request.path + json.dumps(request.query)
    assert_clean(run)
    assert leftovers(cli.cwd) == []


@pytest.mark.parametrize(
    ("token", "env", "problem", "requests_exchange"),
    [
        (
            TEMPORARY,
            {**APP, "WHATSAPP_APP_SECRET": "not0the0secret0of0this0app000000"},
            "wrong_app_secret",
            1,
        ),
        (TOKENS["exchange_refused"], APP, "exchange_refused", 1),
        (TOKENS["expired"], APP, "token_expired", 0),
        (TEMPORARY, {**APP, "WHATSAPP_APP_ID": "999"}, "wrong_app", 0),
    ],
)
def test_extend_failures_change_nothing(
    cli: Cli,
    fake_graph: FakeGraphServer,
    token: str,
    env: dict[str, str],
    problem: str,
    requests_exchange: int,
) -> None:
    env_file = write_env(cli, f"A=1\nWHATSAPP_CLOUD_API_TOKEN={token}\n")
    before = env_file.read_bytes()
    run = cli("extend", env=env)
    assert run.code == 1, run.err
    assert f"[{problem}]" in flat(run.err)
    assert env_file.read_bytes() == before and leftovers(cli.cwd) == []
    assert len(exchanges(fake_graph)) == requests_exchange  # a wrong secret is never retried
    assert_clean(run)


def test_extend_cannot_replace_the_environment_variable(
    cli: Cli, fake_graph: FakeGraphServer
) -> None:
    run = cli("extend", env={**APP, "WHATSAPP_CLOUD_API_TOKEN": TEMPORARY})
    assert run.code == 5
    assert "cannot be replaced there" in flat(run.err)
    assert "unset WHATSAPP_CLOUD_API_TOKEN" in flat(run.err)
    assert fake_graph.requests == []
    assert_clean(run)


def test_extend_without_a_secret_and_no_terminal_exits_2(cli: Cli) -> None:
    write_env(cli, f"WHATSAPP_CLOUD_API_TOKEN={TEMPORARY}\n")
    run = cli("extend", "--app-id", APP_ID)
    assert run.code == 2 and "WHATSAPP_APP_SECRET" in flat(run.err)
    assert "never taken as an argument" in flat(run.err)


def test_extend_reads_the_secret_at_a_hidden_prompt(cli: Cli) -> None:
    env_file = write_env(cli, f"WHATSAPP_CLOUD_API_TOKEN={TEMPORARY}\n")
    run = run_on_terminal(cli, APP_SECRET.encode() + b"\n", "extend", prompt=b"hidden): ")
    assert run.code == 0, run.err
    assert "input is hidden" in flat(run.err) and EXCHANGED in env_file.read_text()
    assert APP_SECRET not in run.text


def test_extend_a_permanent_token_does_nothing(cli: Cli, fake_graph: FakeGraphServer) -> None:
    write_env(cli, f"WHATSAPP_CLOUD_API_TOKEN={VALID}\n")
    run = cli("extend")
    assert run.code == 0 and "never expires" in run.out
    assert exchanges(fake_graph) == []


# -- refresh -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "words"), [(VALID, "never expires"), (EXCHANGED, "more than 10 days away")]
)
def test_refresh_does_nothing_for_a_permanent_or_distant_token(
    cli: Cli, fake_graph: FakeGraphServer, token: str, words: str
) -> None:
    env_file = write_env(cli, f"WHATSAPP_CLOUD_API_TOKEN={token}\n")
    run = cli("refresh")  # no app secret needed when nothing is to do
    assert run.code == 0 and words in run.out
    assert len(run.out.splitlines()) == 1 and run.err == ""
    assert exchanges(fake_graph) == [] and token in env_file.read_text()


def test_refresh_exchanges_a_token_that_expires_soon(cli: Cli) -> None:
    env_file = write_env(cli, f"WHATSAPP_CLOUD_API_TOKEN={TEMPORARY}\n")
    run = cli("refresh", env=APP)
    assert run.code == 0, run.err
    assert env_file.read_text() == f"WHATSAPP_CLOUD_API_TOKEN={EXCHANGED}\n"
    assert cli("refresh", "--if-expiring-within", "0", env=APP).code == 0
    assert_clean(run)


def test_refresh_within_days_decides(cli: Cli, fake_graph: FakeGraphServer) -> None:
    env_file = write_env(cli, f"WHATSAPP_CLOUD_API_TOKEN={EXCHANGED}\n")
    run = cli("refresh", "--if-expiring-within", "61", env=APP)
    assert run.code == 0 and len(exchanges(fake_graph)) == 1
    assert EXCHANGED in env_file.read_text()


def test_refresh_renews_an_expiring_system_user_token_in_place(
    cli: Cli, fake_graph: FakeGraphServer
) -> None:
    env_file = write_env(cli, f"A=1\nWHATSAPP_CLOUD_API_TOKEN={TOKENS['expiring_soon']}\nB=2\n")
    run = cli("refresh", env=APP)
    assert run.code == 0, run.err
    assert env_file.read_text() == f"A=1\nWHATSAPP_CLOUD_API_TOKEN={TOKENS['expiring']}\nB=2\n"
    [renewal] = exchanges(fake_graph)
    form = renewal.body.decode()
    assert renewal.method == "POST" and renewal.query == {}
    assert "set_token_expires_in_60_days=true" in form and "grant_type=fb_exchange_token" in form
    assert "schedule" in flat(run.err) and "it is a user token" not in flat(run.err)
    assert leftovers(cli.cwd) == []
    assert_clean(run)


def test_refresh_of_a_system_user_token_says_what_failed(
    cli: Cli, fake_graph: FakeGraphServer
) -> None:
    env_file = write_env(cli, f"WHATSAPP_CLOUD_API_TOKEN={TOKENS['expiring_soon']}\n")
    before = env_file.read_bytes()
    run = cli("refresh", env={**APP, "WHATSAPP_APP_SECRET": "not0the0secret0of0this0app000000"})
    assert run.code == 1
    assert "[wrong_app_secret]" in flat(run.err) and "App secret" in flat(run.err)
    assert env_file.read_bytes() == before and leftovers(cli.cwd) == []
    assert_clean(run)


def test_refresh_usage_and_missing_token(cli: Cli) -> None:
    assert cli("refresh", "--if-expiring-within", "-1").code == 2
    write_env(cli, "OTHER=1\n")
    run = cli("refresh")  # no token, and no keyring to ask: "no token found", like check
    assert run.code == 3 and "could not be asked" in flat(run.err)


def test_refresh_with_the_keyring_gone_exits_3_and_loses_nothing(keyring_cli: Cli) -> None:
    cli = keyring_cli
    assert cli("save", "--to", "keyring", "--force", stdin=TEMPORARY).code == 0
    gone = {**APP, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    run = cli("refresh", env=gone)
    assert run.code == 3 and "keyring could not be asked" in flat(run.err)
    assert_clean(run)
    assert cli("token").out == TEMPORARY + "\n"
    assert not (cli.cwd / ".env").exists(), "never a silent fallback to .env"


def test_refresh_replaces_the_token_in_the_keyring(keyring_cli: Cli) -> None:
    cli = keyring_cli
    assert cli("save", "--to", "keyring", "--force", stdin=TEMPORARY).code == 0
    run = cli("refresh", env=APP)
    assert run.code == 0, run.err
    assert "OS keyring" in flat(run.err) and cli("token").out == EXCHANGED + "\n"
    assert_clean(run)


# -- schedule ------------------------------------------------------------------------------------


def test_schedule_prints_cron_and_systemd_entries(cli: Cli) -> None:
    run = cli("schedule", "--print", "--profile", "acme", "--env-file", "conf/app.env")
    assert run.code == 0
    env_file = cli.cwd / "conf" / "app.env"
    command = f"{WA_TOKEN} refresh --if-expiring-within 10 --env-file {env_file} --profile acme"
    cron = [line for line in run.out.splitlines() if line.startswith("17 4 * * * ")]
    assert len(cron) == 1 and command in cron[0]
    assert f"ExecStart={command}" in run.out
    for expected in (
        "OnCalendar=daily",
        "Persistent=true",
        "wa-token-refresh-acme.timer",
        "systemctl --user enable --now",
    ):
        assert expected in run.out


# -- fix -----------------------------------------------------------------------------------------


def warnings_of(cli: Cli, *args: str) -> list[str]:
    return [w["code"] for w in json.loads(cli("check", "--json", *args).out)["warnings"]]


def test_fix_gitignore_adds_a_relative_line_once_and_keeps_other_bytes(cli: Cli) -> None:
    new_repo(cli.cwd)
    (cli.cwd / "config").mkdir()
    (cli.cwd / "config" / "app.env").write_text(f"WHATSAPP_CLOUD_API_TOKEN={VALID}\n")
    (cli.cwd / "config" / "app.env").chmod(0o600)
    (cli.cwd / ".gitignore").write_bytes(b"node_modules/\r\n*.log")
    assert warnings_of(cli, "--env-file", "config/app.env") == ["env_not_gitignored"]
    fix = json.loads(cli("check", "--json", "--env-file", "config/app.env").out)["warnings"][0]
    assert "wa-token fix gitignore --env-file config/app.env" in fix["fix"]
    run = cli("fix", "gitignore", "--env-file", "config/app.env")
    assert run.code == 0 and "/config/app.env" in flat(run.err)
    assert (cli.cwd / ".gitignore").read_bytes() == (
        b"node_modules/\r\n*.log\r\n/config/app.env\r\n/config/app.env.tmp-*\r\n"
    )
    again = cli("fix", "gitignore", "--env-file", "config/app.env")
    assert again.code == 0 and "already ignored" in flat(again.err)
    assert (cli.cwd / ".gitignore").read_bytes().count(b"app.env") == 2
    assert warnings_of(cli, "--env-file", "config/app.env") == []


def test_fix_gitignore_outside_git_does_nothing(cli: Cli) -> None:
    run = cli("fix", "gitignore")
    assert run.code == 0 and "not inside a git work tree" in flat(run.err)
    assert not (cli.cwd / ".gitignore").exists()


def test_fix_permissions(cli: Cli) -> None:
    env_file = write_env(cli, f"WHATSAPP_CLOUD_API_TOKEN={VALID}\n")
    env_file.chmod(0o644)
    assert warnings_of(cli) == ["env_world_readable"]
    run = cli("fix", "permissions")
    assert run.code == 0 and "644 → 600" in flat(run.err)
    assert env_file.stat().st_mode & 0o777 == 0o600 and warnings_of(cli) == []
    assert "already private" in cli("fix", "permissions").err


def test_fix_keyring_without_a_keyring_leaves_dotenv_untouched(cli: Cli) -> None:
    env_file = write_env(cli, f"A=1\nWHATSAPP_CLOUD_API_TOKEN={VALID}\n")
    before = env_file.read_bytes()
    run = cli("fix", "keyring")
    assert run.code == 5 and "keyring" in flat(run.err).lower()
    assert env_file.read_bytes() == before
    assert_clean(run)


def test_fix_keyring_moves_the_token(keyring_cli: Cli) -> None:
    cli = keyring_cli
    env_file = write_env(cli, f"A=1\nWHATSAPP_CLOUD_API_TOKEN={VALID}\n# end\n")
    assert warnings_of(cli) == ["plaintext_storage"]
    fix = json.loads(cli("check", "--json").out)["warnings"][0]["fix"]
    assert "wa-token fix keyring" in fix
    run = cli("fix", "keyring")
    assert run.code == 0, run.err
    assert env_file.read_text() == "A=1\n# end\n"
    assert "$(wa-token token)" in flat(run.err)
    body = json.loads(cli("check", "--json").out)
    assert body["ok"] and body["token"]["source"] == "keyring"
    assert "nothing to move" in cli("fix", "keyring").err
    assert_clean(run)


@pytest.fixture
def git_argv_log(cli: Cli, tmp_path: Path) -> Path:
    """Put a `git` first on PATH that logs its arguments, then runs the real git."""
    shim = tmp_path / "shim"
    shim.mkdir()
    log = tmp_path / "git-argv.log"
    (shim / "git").write_text(
        f'#!/bin/sh\nprintf "%s\\n" "$*" >> {log}\nexec {shutil.which("git")} "$@"\n'
    )
    (shim / "git").chmod(0o755)
    cli.env["PATH"] = f"{shim}{os.pathsep}{cli.env['PATH']}"
    return log


def test_fix_tracked_finds_the_token_in_history_without_putting_it_on_a_command_line(
    cli: Cli, git_argv_log: Path
) -> None:
    new_repo(cli.cwd)
    env_file = write_env(cli, f"WHATSAPP_CLOUD_API_TOKEN={VALID}\n")
    git(cli.cwd, "add", ".env")
    git(cli.cwd, "commit", "-qm", "add config")
    first = git(cli.cwd, "rev-parse", "HEAD").strip()
    env_file.write_text(f"WHATSAPP_CLOUD_API_TOKEN={VALID}\nPORT=1\n")
    git(cli.cwd, "commit", "-qam", "port")
    (cli.cwd / "README").write_text("hi\n")
    git(cli.cwd, "add", "README")
    git(cli.cwd, "commit", "-qm", "readme")
    assert warnings_of(cli) == ["env_tracked_by_git"]
    run = cli("fix", "tracked")
    assert run.code == 1
    assert "is in 3 commits" in run.err and f"{first[:12]}  .env" in run.err
    for expected in (
        "git rm --cached -- .env",
        "wa-token fix gitignore",
        "git commit",
        "Treat the token as leaked",
        "Revoke tokens",
        "Generate New Token",
    ):
        assert expected in flat(run.err), expected
    assert_clean(run)
    logged = git_argv_log.read_text()
    assert "grep" in logged and VALID not in logged


def test_fix_tracked_when_untracked(cli: Cli) -> None:
    new_repo(cli.cwd)
    write_env(cli, f"WHATSAPP_CLOUD_API_TOKEN={VALID}\n")
    run = cli("fix", "tracked")
    assert run.code == 0, run.err
    assert ".env is not tracked by git." in flat(run.err) and "git rm" not in run.err
    assert git(cli.cwd, "status", "--porcelain") == "?? .env\n"  # nothing staged or removed


def test_rotation_due_fix_lists_the_steps(cli: Cli) -> None:
    write_env(cli, f"WHATSAPP_CLOUD_API_TOKEN={TOKENS['old']}\n")
    [warning] = json.loads(cli("check", "--json").out)["warnings"]
    assert warning["code"] == "rotation_due"
    for step in ROTATION_STEPS:
        assert step in warning["fix"]


# -- profiles ------------------------------------------------------------------------------------


def test_profiles_keep_two_tokens_apart(cli: Cli) -> None:
    env_file = write_env(cli, f"WHATSAPP_CLOUD_API_TOKEN={VALID}\n")
    run = cli("save", "--profile", "acme-2", stdin=TOKENS["old"])
    assert run.code == 0, run.err
    assert env_file.read_text() == (
        f"WHATSAPP_CLOUD_API_TOKEN={VALID}\nWHATSAPP_CLOUD_API_TOKEN_ACME_2={TOKENS['old']}\n"
    )
    assert cli("token").out == VALID + "\n"
    assert cli("--profile", "acme-2", "token").out == TOKENS["old"] + "\n"
    assert cli("token", env={"WA_TOKEN_PROFILE": "acme-2"}).out == TOKENS["old"] + "\n"
    body = json.loads(cli("status", "--json", "--profile", "acme-2").out)
    assert body["profile"] == "acme-2"
    assert body["active"]["token"]["masked"].endswith(TOKENS["old"][-4:])
    assert {p["name"]: p["stores"] for p in body["profiles"]} == {
        "default": ["dotenv"],
        "acme_2": ["dotenv"],
    }
    assert cli("forget", "--from", "env", "--profile", "acme-2").code == 0
    assert env_file.read_text() == f"WHATSAPP_CLOUD_API_TOKEN={VALID}\n"


def test_profile_reads_its_own_app_context(cli: Cli) -> None:
    write_env(
        cli,
        f"WHATSAPP_CLOUD_API_TOKEN_ACME={VALID}\nWHATSAPP_APP_ID=999\n"
        f"WHATSAPP_APP_ID_ACME={APP_ID}\n",
    )
    run = cli("check", "--json", "--profile", "acme")
    assert run.code == 0, run.err
    body = json.loads(
        cli("check", "--json", "--profile", "acme", env={"WHATSAPP_APP_ID_ACME": "998"}).out
    )
    assert body["problems"][0]["code"] == "wrong_app"
    assert "WHATSAPP_APP_ID_ACME" in body["problems"][0]["title"]


@pytest.mark.parametrize("name", ["Acme", "a b", "x" * 33, "ünï", ""])
def test_bad_profile_names_are_usage_errors(cli: Cli, name: str) -> None:
    run = cli("--profile", name, "token")
    assert run.code == 2 and "profile" in flat(run.err).lower() and "Traceback" not in run.err


def test_status_lists_profiles_from_the_keyring_index(keyring_cli: Cli) -> None:
    cli = keyring_cli
    assert cli("save", "--to", "keyring", "--profile", "shop", stdin=VALID).code == 0
    body = json.loads(cli("status", "--json").out)
    assert {"name": "shop", "stores": ["keyring"], "active": False} in body["profiles"]
    human = cli("status", "--profile", "shop", "--verbose")
    assert "Profiles found" in human.out and "(this one)" in human.out
    assert cli("forget", "--from", "keyring", "--profile", "shop").code == 0
    assert json.loads(cli("status", "--json").out)["profiles"] == []


# -- nothing reaches a log either ----------------------------------------------------------------


def test_lifecycle_commands_log_no_secret(
    fake_graph: FakeGraphServer, isolated: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    (isolated / ".env").write_text(f"WHATSAPP_CLOUD_API_TOKEN={TEMPORARY}\n")
    environ = {
        "WHATSAPP_GRAPH_URL": fake_graph.url,
        **APP,
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }
    for argv in (
        ["refresh"],
        ["extend"],
        ["send-test", "--to", RECIPIENT, "--yes", "--phone-number-id", PHONE],
    ):
        out, err = io.StringIO(), io.StringIO()
        code = main(argv, environ=environ, stdin=io.StringIO(""), stdout=out, stderr=err)
        assert code == 0, err.getvalue()
        for secret in SECRETS:
            assert secret not in out.getvalue() + err.getvalue()
    assert caplog.records
    for record in caplog.records:
        for secret in SECRETS:
            assert secret not in record.getMessage()
