"""--then, --push, `wa-token push`, `status`'s destinations and `schedule --github-actions`,
through the real entry point against the fake Graph and the fake GitHub (real sealed boxes)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Cli, Run
from tests.support.files import write_text_env
from wizard.testing.fake_github import EXPIRED, GOOD, FakeGitHub
from wizard.testing.fake_graph import APP_ID, APP_SECRET, TOKENS

VALID, TEMPORARY, EXCHANGED = TOKENS["valid"], TOKENS["temporary"], TOKENS["exchanged"]
APP = {"WHATSAPP_APP_ID": APP_ID, "WHATSAPP_APP_SECRET": APP_SECRET}
KEY = "WHATSAPP_CLOUD_API_TOKEN"


@pytest.fixture(scope="module")
def github_server() -> Iterator[FakeGitHub]:
    with FakeGitHub() as fake:
        yield fake


@pytest.fixture
def github(github_server: FakeGitHub, cli: Cli) -> FakeGitHub:
    github_server.reset()
    cli.env.update({"GITHUB_API_URL": github_server.url, "GH_TOKEN": GOOD})
    cli.env.pop("GITHUB_TOKEN", None)
    return github_server


def flat(text: str) -> str:
    return " ".join(text.split())


def assert_clean(run: Run) -> None:
    for secret in (*TOKENS.values(), APP_SECRET, GOOD, EXPIRED):
        assert secret not in run.text, "a secret reached the output"
    assert "Traceback" not in run.err


def env_text(cli: Cli) -> str:
    path = cli.cwd / ".env"
    return path.read_text() if path.exists() else ""


def test_save_pushes_to_github_and_runs_the_hook(cli: Cli, github: FakeGitHub) -> None:
    run = cli(
        "save",
        "--push",
        "github:acme/shop",
        "--push",
        "github:acme/shop/production",
        "--then",
        "cat > got.txt",
        stdin=VALID,
    )
    assert run.code == 0, run.err
    assert github.secrets == {
        ("acme/shop", None, KEY): VALID,
        ("acme/shop", "production", KEY): VALID,
    }
    assert (cli.cwd / "got.txt").read_text() == VALID
    assert f"{KEY}={VALID}" in env_text(cli)
    assert "Actions secret WHATSAPP_CLOUD_API_TOKEN created in github:acme/shop" in run.err
    assert_clean(run)


def test_a_failing_hook_is_exit_5_and_the_local_store_is_kept(cli: Cli, github: FakeGitHub) -> None:
    run = cli(
        "save",
        "--then",
        't=$(cat); echo "refused $t" >&2; exit 9',
        "--push",
        "github:acme/shop",
        stdin=VALID,
    )
    assert run.code == 5
    assert f"{KEY}={VALID}" in env_text(cli), "the local store is kept"
    assert ("acme/shop", None, KEY) in github.secrets, "the other destination still ran"
    text = flat(run.err)
    assert "failed (exit code 9)" in text and "refused EAAF…" in text
    assert "keeps working until its own expiry" in text and "wa-token push" in text
    assert_clean(run)


def test_refused_github_credentials_exit_5_and_are_never_printed(
    cli: Cli, github: FakeGitHub
) -> None:
    run = cli("save", "--push", "github:acme/shop", stdin=VALID, env={"GH_TOKEN": EXPIRED})
    assert run.code == 5 and "(401: invalid or expired)" in flat(run.err)
    assert f"{KEY}={VALID}" in env_text(cli) and github.secrets == {}
    assert_clean(run)


@pytest.mark.parametrize(
    "args",
    [
        ("--push", "github:acme"),
        ("--push", "gitlab:acme/shop"),
        ("--then", ""),
    ],
)
def test_a_bad_destination_is_exit_2_before_anything_is_stored(
    cli: Cli, args: tuple[str, ...]
) -> None:
    run = cli("save", *args, stdin=VALID)
    assert run.code == 2 and env_text(cli) == ""
    assert_clean(run)


def test_a_save_that_fails_the_check_sends_nothing(cli: Cli, github: FakeGitHub) -> None:
    run = cli("save", "--force", "--then", "cat > got.txt", stdin=TOKENS["expired"])
    assert run.code == 0 and not (cli.cwd / "got.txt").exists()
    assert "did not pass the check" in run.err


def test_refresh_runs_its_hooks_only_when_a_new_token_was_made(cli: Cli) -> None:
    write_text_env(cli.cwd, f"{KEY}={VALID}\n")
    nothing = cli("refresh", "--then", "cat > got.txt", env=APP)
    assert nothing.code == 0 and not (cli.cwd / "got.txt").exists()
    write_text_env(cli.cwd, f"{KEY}={TEMPORARY}\n")
    renewed = cli("refresh", "--then", "cat > got.txt", env=APP)
    assert renewed.code == 0, renewed.err
    assert (cli.cwd / "got.txt").read_text() == EXCHANGED
    assert_clean(renewed)


def test_refresh_pushes_to_the_remembered_destinations(cli: Cli, github: FakeGitHub) -> None:
    assert cli("push", "add", "github:acme/bot").code == 0
    write_text_env(cli.cwd, f"{KEY}={TEMPORARY}\n")
    run = cli("refresh", env=APP)
    assert run.code == 0, run.err
    assert github.secrets == {("acme/bot", None, KEY): EXCHANGED}
    status = cli("status", "--json", env=APP)
    [entry] = json.loads(status.out)["destinations"]
    assert entry["destination"] == "github:acme/bot" and entry["last_push"]["result"] == "ok"


def test_extend_sends_the_new_token(cli: Cli) -> None:
    write_text_env(cli.cwd, f"{KEY}={TEMPORARY}\n")
    run = cli("extend", "--then", "cat > got.txt", env=APP)
    assert run.code == 0, run.err
    assert (cli.cwd / "got.txt").read_text() == EXCHANGED


def test_push_add_list_remove_and_push_now(cli: Cli, github: FakeGitHub) -> None:
    assert cli("push").code == 2  # nothing remembered yet
    assert cli("push", "add", "github:acme/shop").code == 0
    assert cli("push", "add", "--then", "cat > got.txt").code == 0
    assert "already remembered" in cli("push", "add", "github:acme/shop").err
    config = Path(cli.env["XDG_CONFIG_HOME"]) / "wa-token" / "destinations.json"
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    listed = cli("push", "list")
    assert (
        "    github:acme/shop: never pushed yet" in listed.out
        and "then:cat > got.txt" in listed.out
    )
    write_text_env(cli.cwd, f"{KEY}={VALID}\n")
    pushed = cli("push")
    assert pushed.code == 0, pushed.err
    assert github.secrets == {("acme/shop", None, KEY): VALID}
    assert (cli.cwd / "got.txt").read_text() == VALID
    status = cli("status")
    assert "✓ github:acme/shop: ok at" in status.out and "✓ then:cat > got.txt: ok at" in status.out
    assert cli("push", "remove", "github:acme/shop").code == 0
    assert cli("push", "remove", "github:acme/shop").code == 2
    assert [d["destination"] for d in json.loads(cli("push", "list", "--json").out)] == [
        "then:cat > got.txt"
    ]
    assert_clean(pushed)


def test_push_now_refuses_a_token_that_fails_the_check(cli: Cli, github: FakeGitHub) -> None:
    assert cli("push", "add", "github:acme/shop").code == 0
    write_text_env(cli.cwd, f"{KEY}={TOKENS['expired']}\n")
    run = cli("push")
    assert run.code == 1 and github.secrets == {} and "Nothing was sent" in run.err


def test_a_failed_push_shows_in_status_and_push_finishes_it(cli: Cli, github: FakeGitHub) -> None:
    assert cli("push", "add", "github:acme/shop").code == 0
    write_text_env(cli.cwd, f"{KEY}={VALID}\n")
    assert cli("push", env={"GH_TOKEN": EXPIRED}).code == 5
    assert "✗ github:acme/shop: failed at" in cli("status").out
    assert cli("push").code == 0 and github.secrets == {("acme/shop", None, KEY): VALID}
    assert "✓ github:acme/shop: ok at" in cli("status").out


def test_a_project_can_never_add_a_destination(cli: Cli, github: FakeGitHub) -> None:
    """A cloned project's .env (even one that sets XDG_CONFIG_HOME) or files in it add nothing:
    no command of a stranger runs, no secret goes to a stranger's repository."""
    planted = cli.cwd / "cfg" / "wa-token" / "destinations.json"
    planted.parent.mkdir(parents=True)
    body = {"version": 1, "profiles": {"default": [{"destination": "then:touch pwned"}]}}
    planted.write_text(json.dumps(body))
    (cli.cwd / "destinations.json").write_text(json.dumps(body))
    (cli.cwd / ".wa-token").mkdir()
    (cli.cwd / ".wa-token" / "destinations.json").write_text(json.dumps(body))
    write_text_env(
        cli.cwd,
        f"{KEY}={VALID}\nXDG_CONFIG_HOME={cli.cwd / 'cfg'}\nWA_TOKEN_THEN=touch pwned\n"
        "WA_TOKEN_PUSH=github:acme/shop\n",
    )
    assert cli("push").code == 2
    assert cli("refresh", "--if-expiring-within", "0", env=APP).code == 0
    assert cli("save", stdin=VALID).code == 0
    assert not (cli.cwd / "pwned").exists() and github.received == []


def test_the_hook_never_sees_the_token_in_its_environment(cli: Cli) -> None:
    run = cli(
        "save",
        "--then",
        "cat >/dev/null; env > env.txt; tr '\\0' ' ' < /proc/$$/cmdline > args.txt",
        stdin=VALID,
        env={KEY: VALID, "OTHER_COPY": VALID},
    )
    assert run.code == 0, run.err
    env = (cli.cwd / "env.txt").read_text()
    assert VALID not in env and VALID not in (cli.cwd / "args.txt").read_text()
    assert f"WA_TOKEN_VARIABLE={KEY}\n" in env and "WA_TOKEN_PROFILE=default\n" in env


def test_a_hook_that_hangs_is_bounded_by_timeout(cli: Cli) -> None:
    run = cli(
        "save", "--timeout", "1", "--then", "cat >/dev/null; sleep 60", stdin=VALID, timeout=20
    )
    assert run.code == 5 and "did not finish within 1 seconds" in run.err
    assert f"{KEY}={VALID}" in env_text(cli)


README = Path(__file__).resolve().parents[2] / "README.md"


def readme_recipes() -> list[str]:
    """The `--then` commands of README's recipe table, as a user would copy them."""
    text = README.read_text()
    table = text[text.index("**Recipes**") :].split("\n\n")[1]
    rows = [line for line in table.splitlines() if line.startswith("| ") and "`" in line]
    return [row.split("`")[1].replace("\\|", "|") for row in rows[1:]]


def test_the_readme_recipes_compose_with_tools_that_read_stdin(cli: Cli, tmp_path: Path) -> None:
    """Each README recipe as written, with a stand-in for gh, fly, vault, aws, kubectl and docker
    (none is installed here): a script that records its arguments and what it read."""
    recipes = readme_recipes()
    assert len(recipes) == 6 and recipes[0] == 'gh secret set "$WA_TOKEN_VARIABLE"'
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("gh", "fly", "vault", "aws", "kubectl", "docker"):
        script = bin_dir / tool
        script.write_text(
            "#!/bin/sh\n"
            f'out="{tmp_path}/{tool}.$$"\n'
            'printf "%s\\n" "$*" > "$out.args"\n'
            'case "$*" in *dev/stdin*) cat /dev/stdin > "$out.in";; *) cat > "$out.in";; esac\n'
        )
        script.chmod(0o755)
    args = [word for recipe in recipes for word in ("--then", recipe)]
    path = f"{bin_dir}{os.pathsep}{cli.env['PATH']}"
    run = cli("save", *args, stdin=VALID, env={"PATH": path})
    assert run.code == 0, run.err
    got: dict[str, list[str]] = {}
    for found in tmp_path.glob("*.in"):
        got.setdefault(found.name.split(".")[0], []).append(found.read_text())
    expected = {tool: VALID for tool in ("gh", "vault", "aws", "kubectl", "docker")}
    expected["fly"] = f"{KEY}={VALID}\n"
    for tool, value in expected.items():
        assert value in got[tool], tool
    for args_file in tmp_path.glob("*.args"):
        assert VALID not in args_file.read_text()


def test_schedule_prints_a_github_actions_workflow(cli: Cli) -> None:
    run = cli("schedule", "--github-actions", "--profile", "shop-2")
    assert run.code == 0
    workflow = run.out
    assert 'cron: "17 4 * * *"' in workflow and "workflow_dispatch:" in workflow
    assert "CURRENT_TOKEN: ${{ secrets.WHATSAPP_CLOUD_API_TOKEN_SHOP_2 }}" in workflow
    assert "GH_TOKEN: ${{ secrets.WA_TOKEN_GITHUB_TOKEN }}" in workflow
    assert "WHATSAPP_APP_SECRET_SHOP_2: ${{ secrets.WHATSAPP_APP_SECRET_SHOP_2 }}" in workflow
    assert "--profile shop-2" in workflow and '--push "github:$GITHUB_REPOSITORY"' in workflow
    assert "umask 077" in workflow and "unset CURRENT_TOKEN" in workflow
    assert ".github/workflows/wa-token-refresh.yml" in run.err


def test_a_push_killed_half_way_shows_pending_and_push_finishes_it(cli: Cli) -> None:
    import signal
    import time

    from tests.support.processes import start

    assert cli("push", "add", "--then", "cat > got.txt; echo $$ > hook.pid; sleep 30").code == 0
    write_text_env(cli.cwd, f"{KEY}={VALID}\n")
    proc = start(cli, "push", "--timeout", "60", stdin=subprocess.DEVNULL)
    pid_file = cli.cwd / "hook.pid"
    deadline = time.monotonic() + 30
    while not (pid_file.exists() and pid_file.read_text().strip()) and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.kill()
    proc.wait()
    os.killpg(int(pid_file.read_text()), signal.SIGKILL)
    for stream in (proc.stdout, proc.stderr):
        assert stream is not None
        stream.close()
    status = cli("status").out
    assert "! then:cat > got.txt; echo $$ > hook.pid; sleep 30: pending at" in status
    assert "(`wa-token push` sends it again)" in flat(status)


def test_a_token_in_a_then_command_is_refused_and_never_echoed(cli: Cli) -> None:
    run = cli("save", "--then", f"echo {VALID} | gh secret set X", stdin=VALID)
    assert run.code == 2 and env_text(cli) == ""
    assert_clean(run)


def test_github_settings_in_dotenv_are_not_read(cli: Cli, github: FakeGitHub) -> None:
    """GITHUB_API_URL and GitHub credentials come from the environment only: a project's .env
    cannot send your token (or your GitHub credentials) to another server."""
    write_text_env(cli.cwd, "GITHUB_API_URL=http://203.0.113.9\nGITHUB_TOKEN=ghp_planted\n")
    run = cli("save", "--push", "github:acme/shop", stdin=VALID)
    assert run.code == 0, run.err
    assert github.secrets == {("acme/shop", None, KEY): VALID}
    assert {r.authorization for r in github.received} == {f"Bearer {GOOD}"}


def test_a_hook_that_floods_its_output_is_read_and_bounded(cli: Cli) -> None:
    flood = (
        "cat >/dev/null; head -c 30000000 /dev/zero | tr '\\0' x >&2; echo last words >&2; exit 1"
    )
    run = cli("save", "--then", flood, stdin=VALID)
    assert run.code == 5 and "last words" in run.err and len(run.err) < 20000


def test_provision_sends_the_token_it_made(cli: Cli, fake_graph: object) -> None:
    from wizard.testing import fake_business
    from wizard.testing.fake_admins import ADMIN_TOKENS

    business = fake_business.reset(fake_graph)  # type: ignore[arg-type]
    bad = cli("provision", "--yes", "--push", "github:", stdin=ADMIN_TOKENS["admin"], env=APP)
    assert bad.code == 2 and business.writes == [], "a bad destination stops it before Meta"
    run = cli("provision", "--yes", "--then", "cat > got.txt", stdin=ADMIN_TOKENS["admin"], env=APP)
    assert run.code == 0, run.err
    assert business.minted and (cli.cwd / "got.txt").read_text() == business.minted[-1]
    assert ADMIN_TOKENS["admin"] not in run.text


def test_ctrl_c_during_a_hook_stops_the_hook_too(cli: Cli) -> None:
    import signal
    import time

    from tests.support.processes import start

    hook = "cat >/dev/null; echo $$ > hook.pid; sleep 60"
    write_text_env(cli.cwd, f"{KEY}={VALID}\n")
    proc = start(cli, "push", "--timeout", "60", "--then", hook, stdin=subprocess.DEVNULL)
    pid_file = cli.cwd / "hook.pid"
    deadline = time.monotonic() + 30
    while not (pid_file.exists() and pid_file.read_text().strip()) and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=20) == 130
    for stream in (proc.stdout, proc.stderr):
        assert stream is not None
        stream.close()
    hook_group = int(pid_file.read_text())
    alive = live_in_group(hook_group)
    if alive:
        os.killpg(hook_group, signal.SIGKILL)
    assert alive == [], "the hook outlived an interrupted wa-token"


def live_in_group(group: int) -> list[int]:
    """The processes of a process group that still run (zombies, killed and not yet reaped
    by a container's init, do not count)."""
    found = []
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_file.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group and fields[0] != "Z":
            found.append(int(stat_file.parent.name))
    return found


@pytest.mark.parametrize(("signame", "code"), [("SIGTERM", 143), ("SIGHUP", 129)])
def test_sigterm_or_sighup_during_a_hook_stops_the_hook_too(
    cli: Cli, signame: str, code: int
) -> None:
    """Failed before: wa-token died at once and the hook (its own process group) ran on."""
    import signal

    from tests.support.processes import start
    from tests.support.waiting import wait_until

    hook = "cat >/dev/null; echo $$ > hook.pid; sleep 60 & sleep 60"
    write_text_env(cli.cwd, f"{KEY}={VALID}\n")
    proc = start(cli, "push", "--timeout", "60", "--then", hook, stdin=subprocess.DEVNULL)
    pid_file = cli.cwd / "hook.pid"
    wait_until(lambda: pid_file.exists() and pid_file.read_text().strip() != "", "the hook")
    hook_group = int(pid_file.read_text())
    proc.send_signal(getattr(signal, signame))
    try:
        assert proc.wait(timeout=20) == code
        assert proc.stderr is not None
        err = proc.stderr.read().decode()
        assert signame in err and "stopped" in err and VALID not in err
    finally:
        for stream in (proc.stdout, proc.stderr):
            assert stream is not None
            stream.close()
        alive = live_in_group(hook_group)
        if alive:
            os.killpg(hook_group, signal.SIGKILL)
    assert alive == [], f"the hook outlived wa-token's {signame}"
