"""`wa-token provision` through the real entry point, against the fake Graph server's business."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import Cli, Run
from wizard.testing import fake_business
from wizard.testing.fake_admins import ADMIN_TOKENS
from wizard.testing.fake_business import BusinessState
from wizard.testing.fake_graph import APP_ID, APP_SECRET, WABA_A, WABA_B, FakeGraphServer

ADMIN = ADMIN_TOKENS["admin"]
CONTEXT = {"WHATSAPP_APP_ID": APP_ID, "WHATSAPP_APP_SECRET": APP_SECRET}


@pytest.fixture
def business(fake_graph: FakeGraphServer) -> BusinessState:
    """The fake server's business, empty: no System Users, no writes."""
    return fake_business.reset(fake_graph)


def provision(cli: Cli, *args: str, admin: str = ADMIN, env: dict[str, str] | None = None) -> Run:
    return cli("provision", *args, stdin=admin, env={**CONTEXT, **(env or {})})


def stored(cli: Cli) -> str:
    env = cli.cwd / ".env"
    return env.read_text() if env.exists() else ""


def assert_secrets_hidden(run: Run, cli: Cli, admin: str = ADMIN) -> None:
    for secret in (admin, APP_SECRET):
        assert secret not in run.out and secret not in run.err
        assert secret not in stored(cli)


# -- the happy path and the re-run ------------------------------------------------------------------


def test_provision_stores_a_token_that_passes_check(cli: Cli, business: BusinessState) -> None:
    run = provision(cli, "--yes")
    assert run.code == 0, run.err
    assert "create System User 'wa-token' (Employee) in Acme Inc" in run.err
    assert "install app 'Acme WhatsApp' for it" in run.err
    assert "give it MANAGE on WhatsApp account 'Acme Support' (1022…)" in run.err
    assert "expiry Never" in run.err
    assert "it was not stored anywhere" in run.err
    assert "4 call(s) will change something at Meta." in run.err
    assert "4 change(s) made at Meta." in run.err
    assert len(business.writes) == 4
    assert business.minted and business.minted[-1] in stored(cli)
    check = cli("check", "--json", env={"WHATSAPP_APP_ID": APP_ID})
    assert check.code == 0, check.err
    body = json.loads(check.out)
    assert body["token"]["type"] == "SYSTEM_USER"
    assert [a["id"] for a in body["whatsapp_business_accounts"]] == [WABA_A]
    assert_secrets_hidden(run, cli)


def test_second_run_changes_nothing_at_meta_and_says_so(cli: Cli, business: BusinessState) -> None:
    assert provision(cli, "--yes").code == 0
    before, token = list(business.writes), stored(cli)
    run = provision(cli, "--yes")
    assert run.code == 0, run.err
    assert business.writes == before
    assert stored(cli) == token
    assert "Nothing to change at Meta: everything is already in place." in run.err
    assert "Nothing was changed at Meta" in run.err
    assert "[already done: reused]" in run.err


def test_rerun_with_a_new_account_assigns_it_and_generates_a_new_token(
    cli: Cli, business: BusinessState
) -> None:
    admin = ADMIN_TOKENS["two_accounts"]
    assert provision(cli, "--yes", "--waba-id", WABA_A, admin=admin).code == 0
    first = stored(cli)
    run = provision(cli, "--yes", "--waba-id", "all", admin=admin)
    assert run.code == 0, run.err
    assert "2 call(s) will change something at Meta." in run.err  # assign B, a new token
    assert "2 change(s) made at Meta." in run.err
    assert [w.split("/")[1] for w in business.writes[-2:]] == [
        WABA_B,
        business.writes[-1].split("/")[1],
    ]
    assert stored(cli) != first  # the old token lacks the account assigned after it was made
    check = json.loads(cli("check", "--json").out)
    assert sorted(a["id"] for a in check["whatsapp_business_accounts"]) == [WABA_A, WABA_B]


def test_existing_system_user_is_reused_not_duplicated(cli: Cli, business: BusinessState) -> None:
    assert provision(cli, "--yes").code == 0
    (cli.cwd / ".env").unlink()  # the token is lost locally: a new one is needed, no new user
    run = provision(cli, "--yes")
    assert run.code == 0, run.err
    assert len(business.system_users) == 1
    assert [w.rsplit("/", 1)[1] for w in business.writes].count("system_users") == 1
    assert "reuse System User 'wa-token'" in run.err


def test_role_is_employee_unless_admin_is_asked(cli: Cli, business: BusinessState) -> None:
    assert provision(cli, "--yes").code == 0
    assert (
        provision(
            cli,
            "--yes",
            "--system-user",
            "ops",
            "--role",
            "admin",
            env={"WHATSAPP_CLOUD_API_TOKEN": ""},
        ).code
        == 0
    )
    roles = {u["name"]: u["role"] for u in business.system_users.values()}
    assert roles == {"wa-token": "EMPLOYEE", "ops": "ADMIN"}


def test_sixty_day_expiry(cli: Cli, business: BusinessState, fake_graph: FakeGraphServer) -> None:
    run = provision(cli, "--yes", "--expires", "60d")
    assert run.code == 0, run.err
    generate = [r for r in fake_graph.requests if r.path.endswith("/access_tokens")]
    assert b"set_token_expires_in_60_days=true" in generate[0].body
    token = json.loads(cli("check", "--json").out)["token"]
    lifetime = datetime.fromisoformat(token["expires_at"]) - datetime.fromisoformat(
        token["issued_at"]
    )
    assert lifetime == timedelta(days=60)


def test_json_has_the_plan_each_outcome_and_the_check(cli: Cli, business: BusinessState) -> None:
    run = provision(cli, "--yes", "--json")
    assert run.code == 0, run.err
    body = json.loads(run.out)
    assert [s["kind"] for s in body["plan"]] == [
        "create_system_user",
        "install_app",
        "assign_account",
        "generate_token",
        "check_token",
        "store_token",
    ]
    assert all(s["state"] == "done" for s in body["steps"])
    assert body["check"]["ok"] is True and body["problem"] is None
    assert body["admin_token_stored"] is False
    assert_secrets_hidden(run, cli)


# -- nothing is written before a yes ----------------------------------------------------------------


def test_plan_only_writes_nothing_and_needs_no_secret(cli: Cli, business: BusinessState) -> None:
    run = cli("provision", "--plan", stdin=ADMIN, env={"WHATSAPP_APP_ID": APP_ID})
    assert run.code == 0, run.err
    assert business.writes == [] and not stored(cli)
    assert "create System User 'wa-token' (Employee)" in run.err


def test_without_a_terminal_and_without_yes_nothing_is_written(
    cli: Cli, business: BusinessState
) -> None:
    run = provision(cli)
    assert run.code == 2
    assert business.writes == [] and not stored(cli)
    assert "--yes" in run.err


@pytest.mark.parametrize(
    ("admin", "flag"), [("two_accounts", "--waba-id"), ("two_businesses", "--business-id")]
)
def test_several_accounts_or_businesses_without_a_terminal_name_the_flag(
    cli: Cli, business: BusinessState, admin: str, flag: str
) -> None:
    run = provision(cli, "--yes", admin=ADMIN_TOKENS[admin])
    assert run.code == 2, run.err
    assert "The admin token sees 2 of them" in run.flat_err and f"with {flag} ID." in run.flat_err
    assert business.writes == []


@pytest.mark.parametrize("flag", ["--business-id", "--waba-id"])
def test_ids_are_validated_before_a_url(
    cli: Cli, business: BusinessState, fake_graph: FakeGraphServer, flag: str
) -> None:
    run = provision(cli, "--yes", flag, "1/../../me")
    assert run.code == 2
    assert not any(".." in r.path for r in fake_graph.requests)


def test_no_app_secret_without_a_terminal_is_a_usage_error(
    cli: Cli, business: BusinessState
) -> None:
    run = cli("provision", "--yes", stdin=ADMIN, env={"WHATSAPP_APP_ID": APP_ID})
    assert run.code == 2 and "WHATSAPP_APP_SECRET" in run.err
    assert business.writes == []


def test_a_profile_s_missing_app_secret_names_the_profile_s_variable(
    cli: Cli, business: BusinessState
) -> None:
    """Failed before: under --profile the message named WHATSAPP_APP_SECRET, which that profile
    never reads."""
    env = {"WHATSAPP_APP_ID_SHOP": APP_ID}
    run = cli("provision", "--yes", "--profile", "shop", stdin=ADMIN, env=env)
    assert run.code == 2, run.err
    assert "WHATSAPP_APP_SECRET_SHOP is not set" in run.err
    assert business.writes == []


def test_app_secret_from_dotenv(cli: Cli, business: BusinessState) -> None:
    (cli.cwd / ".env").write_text(f"WHATSAPP_APP_SECRET={APP_SECRET}\n")
    run = cli("provision", "--yes", "--app-id", APP_ID, stdin=ADMIN)
    assert run.code == 0, run.err
    assert APP_SECRET not in run.err + run.out


# -- secrets ----------------------------------------------------------------------------------------


def test_app_secret_only_travels_as_its_proof(
    cli: Cli, business: BusinessState, fake_graph: FakeGraphServer
) -> None:
    assert provision(cli, "--yes").code == 0
    proof = hmac.new(APP_SECRET.encode(), ADMIN.encode(), hashlib.sha256).hexdigest()
    generate = [r for r in fake_graph.requests if r.path.endswith("/access_tokens")]
    assert generate and f"appsecret_proof={proof}".encode() in generate[0].body
    for request in fake_graph.requests:
        raw = request.path + json.dumps(request.query) + request.body.decode()
        assert APP_SECRET not in raw and APP_SECRET not in json.dumps(request.headers)
        assert ADMIN not in raw  # the admin token only in the Authorization header, no URL


def test_wrong_app_secret_is_refused_by_meta_and_nothing_stored(
    cli: Cli, business: BusinessState
) -> None:
    run = provision(cli, "--yes", env={"WHATSAPP_APP_SECRET": "not0the0right0secret"})
    assert run.code == 1
    assert "appsecret_proof" in run.err and "Generate the token" in run.err
    assert not stored(cli)
    assert "not0the0right0secret" not in run.err + run.out


# -- every refusal becomes the manual step ----------------------------------------------------------

REFUSALS = [
    (
        "employee",
        "not an admin of the business",
        "POST /506914307656634/system_users",
        "Create a System User",
        False,
    ),
    (
        "no_business_management",
        "lacks business_management",
        "GET /me/permissions",
        "Create a System User",
        False,
    ),
    (
        "two_factor",
        "two-factor authentication",
        "POST /506914307656634/system_users",
        "Create a System User",
        False,
    ),
    (
        "user_limit",
        "limit of System Users",
        "POST /506914307656634/system_users",
        "Create a System User",
        False,
    ),
    (
        "app_not_installable",
        "not allow this app to be installed",
        "/applications",
        "Assign your app and WhatsApp account",
        True,
    ),
    (
        "not_app_owner",
        "does not own this app",
        "/applications",
        "Assign your app and WhatsApp account",
        True,
    ),
    ("expired", "admin token has expired", "GET /me/permissions", "Create a System User", False),
]


@pytest.mark.parametrize(("scenario", "title", "call", "manual", "created"), REFUSALS)
def test_refusal_names_the_call_what_was_done_and_the_manual_step(
    cli: Cli,
    business: BusinessState,
    scenario: str,
    title: str,
    call: str,
    manual: str,
    created: bool,
) -> None:
    admin = ADMIN_TOKENS[scenario]
    run = provision(cli, "--yes", admin=admin)
    assert run.code == 1, run.err
    flat = " ".join(run.err.split())
    assert title in flat
    assert f"Call: {call}" in flat or call in flat
    assert "Finish by hand from this step" in run.err and manual in run.err
    if created:
        assert "Already done" in run.err and "create System User 'wa-token'" in run.err
    else:
        assert "Nothing was done at Meta." in run.err
    assert not stored(cli)
    assert_secrets_hidden(run, cli, admin)


def test_two_factor_refusal_shows_metas_code(cli: Cli, business: BusinessState) -> None:
    run = provision(cli, "--yes", "--json", admin=ADMIN_TOKENS["two_factor"])
    body = json.loads(run.out)
    assert body["problem"]["code"] == "two_factor_required"
    assert "415/2859009" in body["problem"]["reason"]
    assert body["problem"]["manual_step"] == "create"
    assert body["steps"][0]["state"] == "failed"


def test_refusal_after_a_write_keeps_what_was_done_and_the_rerun_reuses_it(
    cli: Cli, business: BusinessState
) -> None:
    assert provision(cli, "--yes", admin=ADMIN_TOKENS["app_not_installable"]).code == 1
    assert len(business.system_users) == 1
    run = provision(cli, "--yes")
    assert run.code == 0, run.err
    assert len(business.system_users) == 1


def test_unreachable_graph_exits_4(cli: Cli, business: BusinessState) -> None:
    run = provision(
        cli, "--yes", "--timeout", "2", env={"WHATSAPP_GRAPH_URL": "http://127.0.0.1:9"}
    )
    assert run.code == 4, run.err
    assert "Nothing was done at Meta." in run.err


def test_admin_token_from_an_empty_pipe_is_refused(cli: Cli, business: BusinessState) -> None:
    run = provision(cli, "--yes", admin="")
    assert run.code == 1
    assert "Graph API Explorer" in run.err


def test_keyring_unavailable_is_found_before_any_write(cli: Cli, business: BusinessState) -> None:
    run = provision(cli, "--yes", "--to", "keyring")
    assert run.code == 5, run.err
    assert business.writes == []


def test_token_is_never_stored_with_the_admin_token(
    cli: Cli, business: BusinessState, tmp_path: Path
) -> None:
    assert provision(cli, "--yes").code == 0
    for path in (cli.cwd, tmp_path / "home"):
        for file in path.rglob("*"):
            if file.is_file():
                assert ADMIN not in file.read_text(errors="replace")


def test_json_has_the_result_of_each_push_and_hook(
    cli: Cli, business: BusinessState, tmp_path: Path
) -> None:
    got = tmp_path / "got.txt"
    run = provision(
        cli, "--yes", "--json", "--then", f"cat > {got}", "--then", "cat >/dev/null; exit 3"
    )
    assert run.code == 5, run.err
    body = json.loads(run.out)
    pushes = body["pushes"]
    assert [p["result"] for p in pushes] == ["ok", "failed"]
    assert set(pushes[0]) == {"destination", "kind", "result", "detail", "fix", "at"}
    assert pushes[0]["destination"] == f"then:cat > {got}" and pushes[0]["kind"] == "hook"
    assert pushes[1]["fix"] and "3" in pushes[1]["detail"]
    assert pushes[0]["at"].endswith("Z")
    assert got.read_text() == business.minted[-1]
    assert business.minted[-1] not in run.out
    assert_secrets_hidden(run, cli)


def test_json_without_a_destination_has_no_push(cli: Cli, business: BusinessState) -> None:
    body = json.loads(provision(cli, "--yes", "--json").out)
    assert body["pushes"] == []
    plan_only = json.loads(provision(cli, "--plan", "--json").out)
    assert plan_only["pushes"] == []
