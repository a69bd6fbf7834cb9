"""Whatever a hostile or echoing Graph sends back, neither the token nor the app secret is shown.

A proxy or a fake "Graph" that echoes the request puts the token (or the app secret) into its
error texts and names; and a Graph URL may carry a password. Each is run through the real
`wa-token` and every byte of stdout and stderr (text and --json) is searched.
"""

from __future__ import annotations

import copy
import time
from pathlib import Path

import pytest

from tests.conftest import Cli, Run
from tests.hardening.hostile_graph import ACCOUNT, DEBUG_DATA, NUMBER, HostileGraph
from tests.support.sends import send_test

TOKEN = "EAAGuard0Echo0" + "b" * 100 + "wxyz"
APP_ID = DEBUG_DATA["app_id"]
APP_SECRET = "0123456789abcdef0123456789abcdef"


def echo_error(secret: str, code: int = 100) -> dict:
    """Graph's error envelope with the secret in every text field."""
    return {
        "error": {
            "message": f"Invalid parameter: got {secret}",
            "type": "OAuthException",
            "code": code,
            "error_subcode": 2494010,
            "error_user_title": f"Bad {secret}",
            "error_user_msg": f"You sent {secret} and {secret.replace('|', '%7C')}",
            "error_data": {"details": f"token={secret}"},
            "fbtrace_id": f"A{secret}",
        }
    }


def assert_hidden(run: Run, *secrets: str) -> None:
    for secret in secrets:
        assert secret not in run.out and secret not in run.err, run.text


@pytest.mark.parametrize("route", ["debug_token", "me", "account", "phone_numbers"])
@pytest.mark.parametrize("json_flag", [(), ("--json",)])
def test_check_never_shows_a_token_that_graph_echoes(
    hostile_cli: Cli, graph: HostileGraph, route: str, json_flag: tuple[str, ...]
) -> None:
    graph.answers[route] = echo_error(TOKEN)
    run = hostile_cli("check", *json_flag, stdin=TOKEN)
    assert run.code == (0 if route == "me" else 4), run.text  # /me is optional; others: exit 4
    assert_hidden(run, TOKEN)


def test_check_never_shows_a_token_echoed_in_debug_token_data(
    hostile_cli: Cli, graph: HostileGraph
) -> None:
    data = {
        **DEBUG_DATA,
        "is_valid": False,
        "application": f"App {TOKEN}",
        "error": {"code": 190, "subcode": 463, "message": f"Session of {TOKEN} expired"},
    }
    graph.answers["debug_token"] = {"data": data}
    for flags in ((), ("--json",)):
        run = hostile_cli("check", *flags, stdin=TOKEN)
        assert run.code == 1, run.text
        assert_hidden(run, TOKEN)


def test_names_that_echo_the_token_are_redacted(hostile_cli: Cli, graph: HostileGraph) -> None:
    graph.answers["me"] = {"id": "61570785020842", "name": TOKEN}
    graph.answers["account"] = {**ACCOUNT, "name": f"Acme {TOKEN}"}
    graph.answers["phone_numbers"] = {
        "data": [{**NUMBER, "verified_name": TOKEN, "display_phone_number": TOKEN}]
    }
    for flags in ((), ("--json",)):
        run = hostile_cli("check", *flags, stdin=TOKEN)
        assert run.code == 0, run.text
        assert_hidden(run, TOKEN)
        masked = f"{TOKEN[:4]}…{TOKEN[-4:]}"  # the mask stands where the token was
        assert masked in run.out or masked.replace("…", "\\u2026") in run.out
    run = hostile_cli("status", env={"WHATSAPP_CLOUD_API_TOKEN": TOKEN})
    assert run.code == 0 and TOKEN not in run.text


def test_the_app_secret_echoed_by_debug_token_is_redacted(
    hostile_cli: Cli, graph: HostileGraph
) -> None:
    """With WHATSAPP_APP_ID and _SECRET, debug_token is asked with `APP_ID|APP_SECRET`."""
    graph.answers["debug_token"] = echo_error(f"{APP_ID}|{APP_SECRET} {APP_SECRET}", code=190)
    env = {"WHATSAPP_APP_ID": APP_ID, "WHATSAPP_APP_SECRET": APP_SECRET}
    for flags in ((), ("--json",)):
        run = hostile_cli("check", *flags, stdin=TOKEN, env=env)
        assert run.code == 1, run.text  # a 190 on debug_token: the token does not work
        assert_hidden(run, TOKEN, APP_SECRET)


def test_send_test_never_shows_an_echoed_token(hostile_cli: Cli, graph: HostileGraph) -> None:
    graph.answers["messages"] = echo_error(TOKEN, code=131030)
    run = send_test(hostile_cli, TOKEN, NUMBER["id"])
    assert run.code == 1 and "Nothing was sent" in run.err, run.text
    assert_hidden(run, TOKEN)


@pytest.mark.parametrize("command", ["extend", "refresh"])
def test_extend_and_refresh_never_show_the_echoed_token_or_app_secret(
    hostile_cli: Cli, graph: HostileGraph, isolated: Path, command: str
) -> None:
    user_token = copy.deepcopy(DEBUG_DATA)
    user_token.update(type="USER", expires_at=int(time.time()) + 3600)
    graph.answers["debug_token"] = {"data": user_token}
    graph.answers["exchange"] = echo_error(f"{TOKEN} {APP_SECRET}", code=101)
    (isolated / ".env").write_text(
        f"WHATSAPP_CLOUD_API_TOKEN={TOKEN}\nWHATSAPP_APP_ID={APP_ID}\n"
        f"WHATSAPP_APP_SECRET={APP_SECRET}\n"
    )
    run = hostile_cli(command)
    assert any(r.path.endswith("oauth/access_token") for r in graph.requests)
    assert run.code == 1, run.text
    assert_hidden(run, TOKEN, APP_SECRET)


# -- a Graph URL with credentials ----------------------------------------------------------------


@pytest.mark.parametrize("command", [("check",), ("schedule", "--print"), ("status",)])
@pytest.mark.parametrize("via", ["flag", "environment"])
def test_a_graph_url_with_a_password_is_refused_without_printing_it(
    hostile_cli: Cli, graph: HostileGraph, command: tuple[str, ...], via: str
) -> None:
    url = graph.url.replace("http://", "http://admin:hunter2pass@")
    flags = ("--graph-url", url) if via == "flag" else ()
    env = {"WHATSAPP_GRAPH_URL": url, "WHATSAPP_CLOUD_API_TOKEN": TOKEN}
    run = hostile_cli(*command, *flags, env=env)
    assert run.code == 2, run.text
    assert "must not contain a user name or password" in run.flat_err
    assert "hunter2pass" not in run.text
    assert graph.requests == []


def test_could_not_talk_to_masks_url_credentials() -> None:
    """Settings refuse such URLs; the client masks them anyway (a GraphClient built directly)."""
    import socket

    from wizard.core.errors import GraphUnreachable
    from wizard.core.graph import GraphClient
    from wizard.core.token import SecretToken

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    with (
        GraphClient(f"http://admin:hunter2pass@127.0.0.1:{port}", retries=0) as client,
        pytest.raises(GraphUnreachable) as caught,
    ):
        client.me(SecretToken(TOKEN))
    err = caught.value
    assert "hunter2pass" not in err.message and "***@127.0.0.1" in err.message
