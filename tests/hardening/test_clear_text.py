"""A secret never crosses the network in clear text: http:// only to loopback, never via a proxy."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from tests.conftest import Cli
from wizard.core.errors import SettingsError
from wizard.core.graph import GraphClient
from wizard.core.untrusted import require_secure_url
from wizard.testing.fake_graph import TOKENS

VALID = TOKENS["valid"]
HTTPS_ONLY = "must use https://"


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A loopback port that only counts connections (a proxy or a host that must see nothing)."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        server.setblocking(False)
        yield server


def connections(server: socket.socket) -> int:
    """How many connections reached `server` (the clients have exited: all are queued)."""
    count = 0
    while True:
        try:
            accepted, _ = server.accept()
        except BlockingIOError:
            return count
        accepted.close()
        count += 1


def proxy_env(server: socket.socket) -> dict[str, str]:
    url = f"http://127.0.0.1:{server.getsockname()[1]}"
    return {"HTTP_PROXY": url, "http_proxy": url, "ALL_PROXY": url, "NO_PROXY": ""}


@pytest.mark.parametrize(
    "url",
    [
        "https://graph.facebook.com",
        "https://graph.test:8443/base",
        "http://127.0.0.1:8080",
        "http://127.9.9.9",
        "http://localhost:1",
        "HTTP://LOCALHOST:1",
        "http://[::1]:3",
        "http://[::ffff:127.0.0.1]:3",
    ],
)
def test_https_and_loopback_http_are_accepted(url: str) -> None:
    assert require_secure_url(url, "The URL") == url


@pytest.mark.parametrize(
    "url",
    [
        "http://graph.example.com",
        "http://graph.facebook.com",
        "http://localhost.evil.example",
        "http://127.0.0.1.nip.io",
        "http://0.0.0.0:8080",
        "http://10.0.0.1",
        "http://evil.example#@127.0.0.1",
        "http://evil.example?@127.0.0.1",
        "http://127.0.0.1\\@evil.example",
        "http:127.0.0.1",
        "ftp://127.0.0.1",
        "ws://127.0.0.1",
        "graph.facebook.com",
        "",
    ],
)
def test_clear_text_to_another_host_is_refused(url: str) -> None:
    with pytest.raises(SettingsError) as refused:
        require_secure_url(url, "The webhook URL (--url)")
    assert (
        HTTPS_ONLY in refused.value.message and "The webhook URL (--url)" in refused.value.message
    )
    if url:
        assert url not in refused.value.message + refused.value.fix


def test_the_graph_client_itself_refuses_clear_text() -> None:
    with pytest.raises(SettingsError):
        GraphClient("http://graph.example.com")


@pytest.mark.parametrize("where", ["flag", "environment"])
def test_check_refuses_http_to_a_foreign_host_before_sending(
    cli: Cli, listener: socket.socket, where: str
) -> None:
    """Failed before: the token went to the proxy (and on to the host) in clear text."""
    url = "http://graph.example.com"
    args = ("--graph-url", url) if where == "flag" else ()
    env = {**proxy_env(listener), "WHATSAPP_GRAPH_URL": url}
    run = cli("check", *args, stdin=VALID, env=env)
    assert run.code == 2, run.err
    assert HTTPS_ONLY in run.flat_err and "WHATSAPP_GRAPH_URL" in run.err
    assert connections(listener) == 0
    assert "unexpected" not in run.err and VALID not in run.text


def test_plain_loopback_graph_never_goes_through_a_proxy(cli: Cli, listener: socket.socket) -> None:
    """Failed before: an HTTP_PROXY in the environment received the token in clear text."""
    run = cli("check", "--timeout", "5", stdin=VALID, env=proxy_env(listener))
    assert run.code == 0, run.err
    assert connections(listener) == 0
