"""The real `wa-token` entry point, run as a subprocess against the fake Graph server."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest

from tests.conftest import WA_TOKEN, Cli, Run
from tests.support.files import git
from tests.support.findings import codes
from tests.support.sends import PHONE as PHONE_A1
from tests.support.waiting import wait_until
from wizard.testing.fake_graph import APP_ID, APP_SECRET, TOKENS, WABA_A, WABA_B, FakeGraphServer

VALID = TOKENS["valid"]
PHONE_A2 = "113402916702233"
"""WABA A's second (test) number in the fake Graph."""


def check_json(
    cli: Cli, token: str, *args: str, env: dict[str, str] | None = None
) -> tuple[Run, dict]:
    run = cli("check", "--json", *args, stdin=token, env=env)
    assert run.out, run.err
    return run, json.loads(run.out)


def assert_no_secret(run: Run, *secrets: str) -> None:
    for secret in secrets:
        assert secret not in run.out and secret not in run.err


# -- check: success and the contract's JSON ------------------------------------------------------


def test_check_valid_system_user_token(cli: Cli) -> None:
    run, body = check_json(cli, VALID)
    assert run.code == 0, run.err
    assert body["ok"] is True and body["problems"] == []
    token = body["token"]
    assert token["source"] == "stdin" and token["type"] == "SYSTEM_USER"
    assert token["expires_at"] is None and token["app_id"] == APP_ID
    assert token["masked"] == f"{VALID[:4]}…{VALID[-4:]}"
    assert token["issued_at"].endswith("Z")
    assert token["scopes"] == ["whatsapp_business_management", "whatsapp_business_messaging"]
    accounts = body["whatsapp_business_accounts"]
    assert [a["id"] for a in accounts] == ["102290129340398", "102290129340399"]
    assert sum(len(a["phone_numbers"]) for a in accounts) == 3
    number = accounts[0]["phone_numbers"][0]
    assert set(number) == {
        "id",
        "display_phone_number",
        "verified_name",
        "quality_rating",
        "health",
        "messaging_limit",
        "webhook_configuration",
    }
    assert number["health"] == {"can_send_message": "AVAILABLE", "errors": []}
    assert accounts[0]["subscribed_apps"][0]["id"] == APP_ID
    assert "works" in run.err
    assert_no_secret(run, VALID)


def test_check_human_output_names_accounts_numbers_and_permissions(cli: Cli) -> None:
    run = cli("check", stdin=VALID)
    assert run.code == 0
    for expected in (
        "The token works",
        "System User token",
        "Expires      never",
        "whatsapp_business_messaging",
        "Acme Support (102290129340398)",
        "+1 555-010-4477",
        "quality GREEN",
    ):
        assert expected in run.out, expected
    assert_no_secret(run, VALID)


def test_token_goes_only_in_the_authorization_header(cli: Cli, fake_graph: FakeGraphServer) -> None:
    cli("check", stdin=VALID)
    assert fake_graph.requests
    for request in fake_graph.requests:
        assert request.headers.get("authorization") == f"Bearer {VALID}"
        if not request.path.endswith("debug_token"):
            assert VALID not in json.dumps(request.query)


def test_admin_token_finds_accounts_through_the_business(cli: Cli) -> None:
    run, body = check_json(cli, TOKENS["admin"])
    assert run.code == 0
    assert len(body["whatsapp_business_accounts"]) == 2


def test_paging_is_followed(cli: Cli) -> None:
    run, body = check_json(cli, TOKENS["paging"])
    assert run.code == 0
    assert len(body["whatsapp_business_accounts"][0]["phone_numbers"]) == 5


def test_paging_loop_ends(cli: Cli, fake_graph: FakeGraphServer) -> None:
    run, body = check_json(cli, TOKENS["paging_loop"])
    assert run.code == 0, run.err
    [account] = body["whatsapp_business_accounts"]
    assert sorted(n["id"] for n in account["phone_numbers"]) == sorted([PHONE_A1, PHONE_A2])
    pages = [r for r in fake_graph.requests if r.path.endswith("/phone_numbers")]
    assert len(pages) == 1  # the next link came back: not followed twice


def test_flaky_graph_is_retried_once(cli: Cli, fake_graph: FakeGraphServer) -> None:
    run, body = check_json(cli, TOKENS["flaky"])
    assert run.code == 0, body["problems"]
    assert [a["id"] for a in body["whatsapp_business_accounts"]] == [WABA_A, WABA_B]
    asked = Counter(r.path for r in fake_graph.requests)
    assert asked and set(asked.values()) == {2}, asked  # each call failed once, then once more


# -- every problem code and its exit code --------------------------------------------------------


@pytest.mark.parametrize(
    ("scenario", "problem", "exit_code", "words"),
    [
        ("malformed", "token_invalid", 1, "Invalid OAuth access token"),
        ("expired", "token_expired", 1, "wa-token setup"),
        ("revoked", "token_revoked", 1, "password"),
        ("missing_messaging", "missing_permission", 1, "tick whatsapp_business_messaging"),
        ("no_account", "no_whatsapp_account", 1, "Assign Assets"),
        ("no_phone", "no_phone_number", 1, "WhatsApp Manager"),
        ("rate_limited", "rate_limited", 4, "Try again"),
        ("rate_limited_waba", "rate_limited", 4, "in 15 minutes"),
        ("server_error", "graph_error", 4, "try again"),
        ("bad_gateway", "graph_error", 4, "HTTP 502"),
        ("truncated_json", "graph_error", 4, "not Graph's JSON"),
    ],
)
def test_problem_codes(cli: Cli, scenario: str, problem: str, exit_code: int, words: str) -> None:
    run, body = check_json(cli, TOKENS[scenario])
    assert run.code == exit_code, run.err
    assert body["ok"] is False
    assert codes(body["problems"]) == [problem]
    finding = body["problems"][0]
    assert words.lower() in (finding["title"] + finding["fix"] + finding.get("detail", "")).lower()
    assert_no_secret(run, TOKENS[scenario])


def test_expired_token_explained_by_the_app_token(cli: Cli, fake_graph: FakeGraphServer) -> None:
    env = {"WHATSAPP_APP_ID": APP_ID, "WHATSAPP_APP_SECRET": APP_SECRET}
    run, body = check_json(cli, TOKENS["expired"], env=env)
    assert run.code == 1 and codes(body["problems"]) == ["token_expired"]
    debug = [r for r in fake_graph.requests if r.path.endswith("debug_token")]
    assert debug and debug[0].headers["authorization"] == f"Bearer {APP_ID}|{APP_SECRET}"
    assert_no_secret(run, APP_SECRET, TOKENS["expired"])


def test_wrong_app(cli: Cli) -> None:
    run, body = check_json(cli, VALID, env={"WHATSAPP_APP_ID": "999"})
    assert run.code == 1 and codes(body["problems"]) == ["wrong_app"]


def test_expected_account_and_number_are_verified(cli: Cli) -> None:
    good = {
        "WHATSAPP_BUSINESS_ACCOUNT_ID": "102290129340399",
        "WHATSAPP_PHONE_NUMBER_ID": "106540352242923",
    }
    assert cli("check", stdin=VALID, env=good).code == 0
    run, body = check_json(cli, VALID, env={"WHATSAPP_BUSINESS_ACCOUNT_ID": "555"})
    assert run.code == 1 and codes(body["problems"]) == ["no_whatsapp_account"]
    run, body = check_json(cli, VALID, env={"WHATSAPP_PHONE_NUMBER_ID": "555"})
    assert run.code == 1 and codes(body["problems"]) == ["no_phone_number"]


def test_context_comes_from_dotenv_too(cli: Cli) -> None:
    (cli.cwd / ".env").write_text("WHATSAPP_APP_ID=999\n")
    _run, body = check_json(cli, VALID)
    assert codes(body["problems"]) == ["wrong_app"]


def test_token_missing_exits_3(cli: Cli) -> None:
    run = cli("check", "--json")
    assert run.code == 3
    body = json.loads(run.out)
    assert codes(body["problems"]) == ["token_missing"] and body["token"] is None
    assert "wa-token setup" in body["problems"][0]["fix"]


@pytest.mark.parametrize(
    "stored", [f"Bearer {VALID}", f"{VALID} x", f"'{VALID}'", "EAAsh\u00f6rt\u200b"]
)
def test_malformed_stored_token(cli: Cli, stored: str) -> None:
    run = cli("check", "--json", env={"WHATSAPP_CLOUD_API_TOKEN": stored})
    assert run.code == 1
    body = json.loads(run.out)
    assert codes(body["problems"]) == ["token_malformed"]
    assert body["token"]["source"] == "environment"
    assert_no_secret(run, stored)


def test_a_short_stored_token_is_judged_by_graph(cli: Cli) -> None:
    """Tokens are opaque (issue 23): 24 characters is Graph's to refuse, not its shape's; only
    the contract's "far too short" (under 20) is refused as malformed."""
    run = cli("check", "--json", env={"WHATSAPP_CLOUD_API_TOKEN": "EAAshort0opaque0token000"})
    assert run.code == 1 and codes(json.loads(run.out)["problems"]) == ["token_invalid"]
    run = cli("check", "--json", env={"WHATSAPP_CLOUD_API_TOKEN": "EAAshort"})
    assert run.code == 1 and codes(json.loads(run.out)["problems"]) == ["token_malformed"]


@pytest.mark.parametrize(
    "garbage",
    [
        b"\xff\xfe\x00garbage",
        b"not a token at all",
        b"\x1b[31mEAA\x1b[0m" * 20,
        b"E" * 100_000,
        "EAA\u00e9\u200btoken0000000000000000000000000000000".encode(),
    ],
)
def test_garbage_on_stdin_is_a_clear_error(cli: Cli, garbage: bytes) -> None:
    run = cli("check", stdin=garbage)
    assert run.code == 1
    assert "Traceback" not in run.err and "not an access token" in run.err


def test_pasted_wrapping_is_cleaned(cli: Cli, fake_graph: FakeGraphServer) -> None:
    run = cli("check", "-", stdin=f'  WHATSAPP_CLOUD_API_TOKEN="Bearer {VALID}"\n')
    assert run.code == 0, run.text
    assert "The token works." in run.out and "from standard input" in run.out
    sent = {r.headers.get("authorization") for r in fake_graph.requests}
    assert sent == {f"Bearer {VALID}"}  # the token alone: no name, quotes, "Bearer" or spaces


def test_unreachable_graph_exits_4(cli: Cli) -> None:
    run, body = check_json(cli, VALID, "--graph-url", "http://127.0.0.1:9")
    assert run.code == 4 and codes(body["problems"]) == ["graph_unreachable"]


def test_hanging_graph_times_out(cli: Cli) -> None:
    started = time.monotonic()
    run, body = check_json(cli, TOKENS["hang"], "--timeout", "1")
    assert run.code == 4 and codes(body["problems"]) == ["graph_unreachable"]
    assert "1 second." in body["problems"][0]["title"]
    assert time.monotonic() - started < 10


def test_slow_graph_within_the_timeout_is_fine(cli: Cli) -> None:
    run, body = check_json(cli, TOKENS["slow"], "--timeout", "8")
    assert run.code == 0, run.err
    assert body["problems"] == [] and body["token"]["type"] == "SYSTEM_USER"
    assert [a["id"] for a in body["whatsapp_business_accounts"]] == [WABA_A, WABA_B]


# -- warnings ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scenario", "warning"),
    [
        ("temporary", "temporary_token"),
        ("expiring_soon", "expires_soon"),
        ("extra_permissions", "extra_permissions"),
        ("old", "rotation_due"),
    ],
)
def test_token_warnings(cli: Cli, scenario: str, warning: str) -> None:
    run, body = check_json(cli, TOKENS[scenario])
    assert run.code == 0 and body["ok"] is True
    assert codes(body["warnings"]) == [warning]


def test_warn_days(cli: Cli) -> None:
    _, body = check_json(cli, TOKENS["expiring_soon"], "--warn-days", "3")
    assert body["warnings"] == []


def test_env_not_gitignored_and_world_readable(cli: Cli) -> None:
    git(cli.cwd, "init", "-q")
    env_file = cli.cwd / ".env"
    env_file.write_text(f"WHATSAPP_CLOUD_API_TOKEN={VALID}\n")
    env_file.chmod(0o644)
    run = cli("check", "--json")
    assert run.code == 0
    body = json.loads(run.out)
    assert body["token"]["source"] == "dotenv"
    assert codes(body["warnings"]) == ["env_not_gitignored", "env_world_readable"]
    (cli.cwd / ".gitignore").write_text(".env\n")
    env_file.chmod(0o600)
    assert json.loads(cli("check", "--json").out)["warnings"] == []


def test_env_tracked_by_git(cli: Cli) -> None:
    git(cli.cwd, "init", "-q")
    (cli.cwd / ".env").write_text(f"WHATSAPP_CLOUD_API_TOKEN={VALID}\n")
    (cli.cwd / ".env").chmod(0o600)
    git(cli.cwd, "add", ".env")
    body = json.loads(cli("check", "--json").out)
    assert codes(body["warnings"]) == ["env_tracked_by_git"]
    assert "git rm --cached" in body["warnings"][0]["fix"]


def test_shadowed(cli: Cli) -> None:
    (cli.cwd / ".env").write_text(f"WHATSAPP_CLOUD_API_TOKEN={TOKENS['temporary']}\n")
    (cli.cwd / ".env").chmod(0o600)
    run = cli("status", "--json", env={"WHATSAPP_CLOUD_API_TOKEN": VALID})
    body = json.loads(run.out)
    assert run.code == 0
    assert codes(body["active"]["warnings"]) == ["shadowed"]
    assert [s["active"] for s in body["sources"]] == [True, False, False]
    check = json.loads(cli("check", "--json", env={"WHATSAPP_CLOUD_API_TOKEN": VALID}).out)
    assert codes(check["warnings"]) == ["shadowed"]


# -- precedence ----------------------------------------------------------------------------------


def test_precedence_stdin_env_dotenv(cli: Cli) -> None:
    (cli.cwd / ".env").write_text(f"WHATSAPP_CLOUD_API_TOKEN={TOKENS['old']}\n")
    env = {"WHATSAPP_CLOUD_API_TOKEN": TOKENS["temporary"]}
    assert check_json(cli, VALID, env=env)[1]["token"]["source"] == "stdin"
    body = json.loads(cli("check", "--json", env=env).out)
    assert body["token"]["source"] == "environment"
    body = json.loads(cli("check", "--json").out)
    assert body["token"]["source"] == "dotenv" and body["token"]["location"] == ".env"


def test_env_file_option(cli: Cli) -> None:
    (cli.cwd / "config").mkdir()
    (cli.cwd / "config" / "prod.env").write_text(f"WHATSAPP_CLOUD_API_TOKEN={VALID}\n")
    body = json.loads(cli("check", "--json", "--env-file", "config/prod.env").out)
    assert body["token"]["location"] == "config/prod.env"


# -- save, token, forget, status -----------------------------------------------------------------


def test_save_checks_then_stores_in_dotenv(cli: Cli) -> None:
    env_file = cli.cwd / ".env"
    env_file.write_text("# my app\nexport PORT=8080\nWHATSAPP_CLOUD_API_TOKEN=old\n")
    run = cli("save", stdin=VALID)
    assert run.code == 0, run.err
    assert env_file.read_text() == f"# my app\nexport PORT=8080\nWHATSAPP_CLOUD_API_TOKEN={VALID}\n"
    assert "replaced the previous token" in run.err and "Restart your backend" in run.err
    assert_no_secret(run, VALID)


def test_save_creates_a_private_env_file(cli: Cli) -> None:
    assert cli("save", "--to", "env", stdin=VALID).code == 0
    env_file = cli.cwd / ".env"
    assert env_file.read_text() == f"WHATSAPP_CLOUD_API_TOKEN={VALID}\n"
    assert env_file.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize(
    ("scenario", "exit_code"),
    [
        ("expired", 1),
        ("missing_messaging", 1),
        ("server_error", 4),
    ],
)
def test_save_refuses_a_token_that_fails(cli: Cli, scenario: str, exit_code: int) -> None:
    run = cli("save", stdin=TOKENS[scenario])
    assert run.code == exit_code
    assert "Not saved" in run.err
    assert not (cli.cwd / ".env").exists()


def test_save_force_stores_anyway(cli: Cli) -> None:
    run = cli("save", "--force", stdin=TOKENS["expired"])
    assert run.code == 0 and "anyway" in run.err
    assert TOKENS["expired"] in (cli.cwd / ".env").read_text()


def test_save_force_of_a_token_a_dotenv_line_cannot_keep_says_why(cli: Cli) -> None:
    """Tokens are opaque (Graph judges them), but a .env line keeps only a safe alphabet.
    Failed before: exit 70, "unexpected error (ValueError)"."""
    token = "EAAGuard0Odd0Chars0" + "d" * 40 + "[x]y"
    run = cli("save", "--force", stdin=token)
    assert run.code == 5 and "cannot keep" in run.err and "--to keyring" in run.err
    assert token not in run.err + run.out and not (cli.cwd / ".env").exists()


def test_save_garbage_exits_1_and_writes_nothing(cli: Cli) -> None:
    run = cli("save", stdin="hello world")
    assert run.code == 1 and not (cli.cwd / ".env").exists()
    assert "Traceback" not in run.err


def test_save_empty_stdin(cli: Cli) -> None:
    run = cli("save", stdin="")
    assert run.code == 1 and "Nothing was read" in run.err


def test_save_to_keyring_without_backend_exits_5(cli: Cli) -> None:
    run = cli("save", "--to", "keyring", stdin=VALID)
    assert run.code == 5, run.err
    assert "keyring" in run.err.lower() and "Traceback" not in run.err
    assert not (cli.cwd / ".env").exists()


def test_save_to_a_directory_env_file_exits_5(cli: Cli) -> None:
    (cli.cwd / ".env").mkdir()
    run = cli("save", stdin=VALID)
    assert run.code == 5 and "Traceback" not in run.err


def test_unreadable_env_file_exits_5(cli: Cli) -> None:
    (cli.cwd / ".env").mkdir()
    run = cli("check")
    assert run.code == 5 and "Traceback" not in run.err
    run = cli("token")
    assert run.code == 5


def test_not_utf8_env_file_exits_5(cli: Cli) -> None:
    (cli.cwd / ".env").write_bytes(b"WHATSAPP_CLOUD_API_TOKEN=\xff\xfe\n")
    run = cli("check")
    assert run.code == 5, run.err
    assert ".env is not UTF-8 text (the first bad byte is at position 25)" in run.flat_err
    assert "iconv -f latin1 -t utf-8 .env > .env.utf8" in run.flat_err


def test_token_prints_the_winner_raw(cli: Cli) -> None:
    (cli.cwd / ".env").write_text(f"WHATSAPP_CLOUD_API_TOKEN={VALID}\n")
    run = cli("token")
    assert run.code == 0 and run.out == VALID + "\n" and run.err == ""
    run = cli("token", env={"WHATSAPP_CLOUD_API_TOKEN": TOKENS["old"]})
    assert run.out == TOKENS["old"] + "\n"


def test_token_without_a_token_exits_3(cli: Cli) -> None:
    run = cli("token")
    assert run.code == 3 and run.out == ""


def test_forget_removes_only_the_token_line(cli: Cli) -> None:
    env_file = cli.cwd / ".env"
    env_file.write_text(f"A=1\nWHATSAPP_CLOUD_API_TOKEN={VALID}\n# keep\n")
    run = cli("forget", "--from", "env")
    assert run.code == 0 and "does not revoke" in run.err
    assert env_file.read_text() == "A=1\n# keep\n"
    assert cli("token").code == 3


def test_forget_everywhere_tolerates_no_keyring(cli: Cli) -> None:
    (cli.cwd / ".env").write_text(f"WHATSAPP_CLOUD_API_TOKEN={VALID}\n")
    run = cli("forget")
    assert run.code == 0 and "not available" in run.err
    assert cli("forget", "--from", "keyring").code == 5


def test_status_lists_every_source(cli: Cli) -> None:
    (cli.cwd / ".env").write_text(f"WHATSAPP_CLOUD_API_TOKEN={VALID}\n")
    (cli.cwd / ".env").chmod(0o600)
    run = cli("status", "--json")
    assert run.code == 0
    body = json.loads(run.out)
    assert [s["source"] for s in body["sources"]] == ["environment", "dotenv", "keyring"]
    assert [s["active"] for s in body["sources"]] == [False, True, False]
    assert body["sources"][1]["masked"] == f"{VALID[:4]}…{VALID[-4:]}"
    assert body["active"]["ok"] is True
    human = cli("status", "--verbose")
    assert "(used)" in human.out and "The token works" in human.out
    assert_no_secret(human, VALID)


def test_status_without_any_token(cli: Cli) -> None:
    run = cli("status", "--json")
    assert run.code == 3 and json.loads(run.out)["active"] is None


# -- usage, the wizard without a terminal, interrupts --------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("check", "--bogus"),
        ("nonsense",),
        ("save", "--to", "s3"),
        ("check", "EAAFakeToken"),
        ("check", "--graph-version", "26"),
        ("check", "--graph-url", "ftp://x"),
        ("check", "--timeout", "0"),
    ],
)
def test_usage_errors_exit_2(cli: Cli, args: tuple[str, ...]) -> None:
    run = cli(*args, stdin=VALID)
    assert run.code == 2 and "Traceback" not in run.err


@pytest.mark.parametrize("args", [(), ("setup",), ("setup", "--mode", "troubleshoot")])
def test_wizard_without_a_terminal_exits_2(cli: Cli, args: tuple[str, ...]) -> None:
    run = cli(*args)
    assert run.code == 2 and "wa-token check" in run.err


def test_version_and_help(cli: Cli) -> None:
    assert cli("--version").out.startswith("wa-token ")
    help_text = cli("--help").out
    for command in ("setup", "check", "status", "save", "token", "forget"):
        assert command in help_text


def test_interrupt_exits_130(cli: Cli, fake_graph: FakeGraphServer) -> None:
    token_file = cli.cwd / "token.txt"
    token_file.write_text(TOKENS["hang"])
    with token_file.open("rb") as stdin:
        proc = subprocess.Popen(
            [str(WA_TOKEN), "check", "--timeout", "20"],
            cwd=cli.cwd,
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=cli.env,
        )
    # ready: the command is waiting for Graph's answer (the `hang` scenario never sends one)
    wait_until(
        lambda: bool(fake_graph.requests) or proc.poll() is not None,
        "wa-token asking the fake Graph",
    )
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=10)
    assert proc.returncode == 130, err.decode()
    assert b"Traceback" not in err


def test_python_dash_m_wizard_works(cli: Cli) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "wizard", "--version"],
        capture_output=True,
        text=True,
        cwd=cli.cwd,
        check=False,
    )
    assert proc.returncode == 0 and proc.stdout.startswith("wa-token ")
