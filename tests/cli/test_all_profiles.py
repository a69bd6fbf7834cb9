"""`check --all-profiles` and `status --all-profiles`: every profile found, side by side; JSON
`{"profiles": [...]}`, the worst exit code, one block per profile then the failing ones' details."""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path

from tests.conftest import Cli
from tests.support.processes import start
from tests.support.waiting import wait_until
from wizard.testing.fake_graph import TOKENS, FakeGraphServer

FLEET_ENV = (
    f"WHATSAPP_CLOUD_API_TOKEN={TOKENS['valid']}\n"
    f"WHATSAPP_CLOUD_API_TOKEN_ACME={TOKENS['expired']}\n"
    f"WHATSAPP_CLOUD_API_TOKEN_SHOP_2={TOKENS['valid']}\n"
    "WHATSAPP_BUSINESS_ACCOUNT_ID_SHOP_2=12ab\n"
    f"WHATSAPP_CLOUD_API_TOKEN_BUSY={TOKENS['rate_limited']}\n"
)
"""Four profiles in one .env: one works, one expired, one with a broken setting, one rate limited."""


def _write_env(cli: Cli, text: str) -> None:
    env_file = Path(cli.cwd) / ".env"
    env_file.write_text(text, encoding="utf-8")
    env_file.chmod(0o600)


def test_check_all_profiles_json_has_every_profile_and_the_worst_exit_code(
    cli: Cli, fake_graph: FakeGraphServer
) -> None:
    _write_env(cli, FLEET_ENV)
    run = cli("check", "--all-profiles", "--json")
    body = json.loads(run.out)
    entries = {e["profile"]: e for e in body["profiles"]}
    assert list(body) == ["profiles"] and list(entries) == ["default", "acme", "busy", "shop_2"]
    assert run.code == 1  # the expired token is worse than the broken setting and Graph's limit
    assert entries["default"]["ok"] is True and entries["default"]["exit_code"] == 0
    assert entries["acme"]["problems"][0]["code"] == "token_expired"
    assert entries["acme"]["exit_code"] == 1 and entries["acme"]["token"]["masked"]
    broken = entries["shop_2"]
    assert broken["exit_code"] == 2 and broken["token"] is None
    assert broken["problems"][0]["code"] == "setting_invalid"
    assert "WHATSAPP_BUSINESS_ACCOUNT_ID_SHOP_2" in broken["problems"][0]["title"]
    assert entries["busy"]["problems"][0]["code"] == "rate_limited"
    assert entries["busy"]["exit_code"] == 4
    busy = [r for r in fake_graph.requests if TOKENS["rate_limited"] in str(r.headers)]
    assert 0 < len(busy) <= 2 * 2  # debug_token and /me, each tried at most twice: no loop
    assert TOKENS["valid"] not in run.out + run.err and "12ab" not in run.out
    assert not [r for r in fake_graph.requests if "12ab" in r.path + str(r.query)]  # unsent


def test_a_broken_setting_of_the_chosen_profile_stops_only_that_profile(cli: Cli) -> None:
    _write_env(
        cli,
        f"WHATSAPP_CLOUD_API_TOKEN={TOKENS['valid']}\nWHATSAPP_PHONE_NUMBER_ID=+1555\n"
        f"WHATSAPP_CLOUD_API_TOKEN_ACME={TOKENS['valid']}\n",
    )
    run = cli("check", "--all-profiles", "--json")
    entries = {e["profile"]: e for e in json.loads(run.out)["profiles"]}
    assert run.code == 2  # alone, `wa-token check` exits 2 before any request
    assert entries["default"]["problems"][0]["code"] == "setting_invalid"
    assert entries["acme"]["ok"] is True


def test_the_text_is_one_block_per_profile_then_the_failing_ones_in_full(cli: Cli) -> None:
    _write_env(cli, FLEET_ENV)
    run = cli("check", "--all-profiles")
    blocks, _, details = run.out.partition("Details of the failing profiles:")
    assert run.code == 1 and details
    for name in ("default", "acme", "shop_2", "busy"):
        assert f"  {name} " in blocks
    assert "== acme (exit 1) ==" in details and "[token_expired]" in details
    assert "== shop_2 (exit 2) ==" in details and "== busy (exit 4) ==" in details
    assert "== default" not in details  # a working profile has no details
    assert run.out.splitlines()[0].endswith("(exit 1).")


def test_every_profile_working_exits_0(cli: Cli) -> None:
    _write_env(
        cli,
        f"WHATSAPP_CLOUD_API_TOKEN_A={TOKENS['valid']}\n"
        f"WHATSAPP_CLOUD_API_TOKEN_B={TOKENS['valid']}\n",
    )
    run = cli("check", "--all-profiles", env={"WHATSAPP_BUSINESS_ACCOUNT_ID_B": "102290129340398"})
    assert run.code == 0, run.text
    assert "Details" not in run.out and "2 profiles" in run.out


def test_all_profiles_reads_no_token_from_stdin(cli: Cli) -> None:
    run = cli("check", "--all-profiles", "-", stdin=TOKENS["valid"])
    assert run.code == 2 and "--all-profiles" in run.err
    assert TOKENS["valid"] not in run.text


def test_status_all_profiles_json_gives_each_profiles_sources_and_check(cli: Cli) -> None:
    _write_env(cli, FLEET_ENV)
    run = cli("status", "--all-profiles", "--json", env={"WHATSAPP_CLOUD_API_TOKEN_ACME": "x"})
    entries = {e["profile"]: e for e in json.loads(run.out)["profiles"]}
    assert run.code == 1
    acme = entries["acme"]
    assert [s["source"] for s in acme["sources"]] == ["environment", "dotenv", "keyring"]
    assert acme["active"]["problems"][0]["code"] == "token_malformed"  # "x" wins over .env
    assert entries["default"]["active"]["ok"] is True and entries["default"]["exit_code"] == 0
    assert entries["shop_2"]["problems"][0]["code"] == "setting_invalid"


def test_a_hanging_a_garbled_and_a_malformed_profile_leave_the_others_checked(cli: Cli) -> None:
    _write_env(
        cli,
        f"WHATSAPP_CLOUD_API_TOKEN={TOKENS['valid']}\n"
        f"WHATSAPP_CLOUD_API_TOKEN_STUCK={TOKENS['hang']}\n"
        f"WHATSAPP_CLOUD_API_TOKEN_GARBLED={TOKENS['truncated_json']}\n"
        f'WHATSAPP_CLOUD_API_TOKEN_PASTED="Bearer {TOKENS["valid"]}"\n'
        f"WHATSAPP_CLOUD_API_TOKEN_LAST={TOKENS['valid']}\n",
    )
    run = cli("--timeout", "1", "check", "--all-profiles", "--json")
    entries = {e["profile"]: e for e in json.loads(run.out)["profiles"]}
    codes = {
        name: e["problems"][0]["code"] if e["problems"] else "ok" for name, e in entries.items()
    }
    assert codes == {
        "default": "ok",
        "garbled": "graph_error",
        "last": "ok",
        "pasted": "token_malformed",
        "stuck": "graph_unreachable",
    }
    assert run.code == 1  # the malformed one; Graph's side alone would be 4
    assert TOKENS["valid"] not in run.text


def test_ctrl_c_ends_a_fleet_waiting_on_a_hanging_graph_at_once(cli: Cli) -> None:
    _write_env(cli, "".join(f"WHATSAPP_CLOUD_API_TOKEN_P{i}={TOKENS['hang']}\n" for i in range(30)))
    with FakeGraphServer() as graph:  # its own: stopping it wakes the answers left hanging
        env = {**cli.env, "WHATSAPP_GRAPH_URL": graph.url}
        args = ("--timeout", "60", "check", "--all-profiles")
        proc = start(cli, *args, stdin=subprocess.DEVNULL, env=env)
        try:
            # ready: ten profiles (the workers' bound) are waiting for answers that never come
            wait_until(
                lambda: len(graph.requests) >= 10 or proc.poll() is not None,
                "wa-token asking the fake Graph for ten profiles",
            )
            proc.send_signal(signal.SIGINT)
            # at once: well within the 60 s each profile would otherwise wait (a loaded machine
            # can take a few seconds to schedule it)
            _out, err = proc.communicate(timeout=30)
        finally:
            proc.kill()
            proc.communicate()  # closes its pipes, also after a timeout
        asked = list(graph.requests)
    assert proc.returncode == 130, err.decode()
    assert b"Traceback" not in err
    assert len({r.headers.get("authorization") for r in asked}) == 1  # one token in all
    assert len(asked) <= 3 * 10  # the other twenty profiles never started


def test_profiles_in_a_real_keyring_are_checked_side_by_side(keyring_cli: Cli) -> None:
    names = [f"k{i}" for i in range(6)]
    for name in names:
        assert (
            keyring_cli("--profile", name, "save", "--to", "keyring", stdin=TOKENS["valid"]).code
            == 0
        )
    run = keyring_cli("check", "--all-profiles", "--json")
    entries = json.loads(run.out)["profiles"]
    assert run.code == 0, run.err
    assert [e["profile"] for e in entries] == names  # found through the keyring index
    assert all(e["token"]["source"] == "keyring" and e["ok"] for e in entries)
