"""The environment's proxy and TLS variables: SOCKS works, a variable httpx cannot use is named
(exit 4, never its value), and a bug exits 70, never 1 ("the token is bad")."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import Cli
from tests.support.socks import CERT, TlsSocksProxy
from wizard.core.codes import ExitCode
from wizard.testing.fake_graph import TOKENS, FakeGraphServer

VALID = TOKENS["valid"]
NOWHERE = "https://127.0.0.1:9"
"""An https Graph URL (loopback http never uses a proxy); nothing listens there."""
PASSWORD = "pr0xyPassw0rdSentinel"
REFUSED = b"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n"
NETWORK_VARIABLES = {
    name
    for base in (
        "HTTPS_PROXY",
        "HTTP_PROXY",
        "ALL_PROXY",
        "NO_PROXY",
        "SSL_CERT_FILE",
        "SSL_CERT_DIR",
    )
    for name in (base, base.lower())
}
"""Removed from the test's environment: an empty one would count too (urllib drops a proxy
whose other spelling is empty)."""


def run(cli: Cli, env: dict[str, str], url: str = NOWHERE, timeout: str = "3") -> tuple[int, str]:
    cli.env = {name: value for name, value in cli.env.items() if name not in NETWORK_VARIABLES}
    done = cli("check", "--graph-url", url, "--timeout", timeout, stdin=VALID, env=env)
    assert "unexpected error" not in done.err and "Traceback" not in done.err, done.err
    assert VALID not in done.text and PASSWORD not in done.text
    return done.code, " ".join(done.text.split())


@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({"HTTPS_PROXY": "http://[::1"}, "HTTPS_PROXY is not a URL"),
        ({"HTTPS_PROXY": f"http://me:{PASSWORD}@[::1"}, "HTTPS_PROXY is not a URL"),
        ({"https_proxy": "ftp://proxy.example"}, "https_proxy uses a scheme a proxy cannot have"),
        ({"ALL_PROXY": "gopher://x:70"}, "ALL_PROXY uses a scheme"),
        ({"HTTP_PROXY": "http://[zz::1]:80"}, "HTTP_PROXY is not a URL"),
        ({"NO_PROXY": "[::1"}, "NO_PROXY holds an entry"),
        ({"no_proxy": "::1,*.x,,, ,::ffff:zz"}, "no_proxy holds an entry"),
        ({"SSL_CERT_FILE": "/etc/hostname"}, "SSL_CERT_FILE names no readable file"),
        ({"SSL_CERT_FILE": "/nonexistent/ca.pem"}, "SSL_CERT_FILE names no readable file"),
        ({"SSL_CERT_FILE": "/"}, "SSL_CERT_FILE names no readable file"),
    ],
)
def test_a_variable_httpx_cannot_use_is_named_exit_4(
    cli: Cli, env: dict[str, str], words: str
) -> None:
    """Failed before: "unexpected error (ImportError/InvalidURL/ValueError/SSLError...)", exit 1."""
    code, err = run(cli, env)
    assert code == ExitCode.GRAPH, err
    assert words in err


def test_socks_without_its_package_says_so(cli: Cli, tmp_path: Path) -> None:
    """Failed before: exit 1 with "unexpected error (ImportError)"."""
    hook = tmp_path / "no-socksio"
    hook.mkdir()
    (hook / "socksio.py").write_text("raise ImportError('socksio is not installed here')\n")
    code, err = run(cli, {"ALL_PROXY": "socks5://127.0.0.1:1080", "PYTHONPATH": str(hook)})
    assert code == ExitCode.GRAPH, err
    assert "ALL_PROXY is a SOCKS proxy and the socksio package is not installed" in err


@pytest.mark.parametrize("scheme", ["socks5", "socks5h"])
def test_a_socks_proxy_carries_the_check(
    cli: Cli, fake_graph: FakeGraphServer, scheme: str
) -> None:
    """Failed before: ALL_PROXY=socks5://… crashed every command (ImportError, exit 1)."""
    backend = urlsplit(fake_graph.url)
    with TlsSocksProxy((backend.hostname or "", backend.port or 0)) as proxy:
        env = {"ALL_PROXY": proxy.url.replace("socks5", scheme), "SSL_CERT_FILE": str(CERT)}
        code, err = run(cli, env, url="https://graph.test", timeout="10")
    assert code == ExitCode.OK, err
    assert ("graph.test", 443) in proxy.connects


def test_an_untrusted_certificate_is_named_with_the_ca_variable(
    cli: Cli, fake_graph: FakeGraphServer, tmp_path: Path
) -> None:
    """SSL_CERT_DIR pointing at garbage: the certificate is not trusted, and the message says
    which variable chose the CA certificates (was: "Could not talk to … (ConnectError)")."""
    backend = urlsplit(fake_graph.url)
    with TlsSocksProxy((backend.hostname or "", backend.port or 0)) as proxy:
        env = {"ALL_PROXY": proxy.url, "SSL_CERT_DIR": str(tmp_path)}
        code, err = run(cli, env, url="https://graph.test")
    assert code == ExitCode.GRAPH, err
    assert "certificate of https://graph.test is not trusted" in err and "SSL_CERT_DIR" in err


def test_a_proxy_that_refuses_is_named(cli: Cli) -> None:
    """Was "Could not talk to https://… (ConnectError)", without a word of the proxy."""
    code, err = run(cli, {"HTTPS_PROXY": "http://127.0.0.1:9"})
    assert code == ExitCode.GRAPH, err
    assert "through the proxy in HTTPS_PROXY" in err and "[graph_unreachable]" in err
    code, err = run(cli, {"ALL_PROXY": "socks5://127.0.0.1:9", "NO_PROXY": "127.0.0.1"})
    assert code == ExitCode.GRAPH, err
    assert "Could not talk to https://127.0.0.1:9 (ConnectError)" in err  # NO_PROXY: direct


def test_a_proxy_that_refuses_the_tunnel_is_named(cli: Cli) -> None:
    """A proxy answering CONNECT with 407: the message says the proxy failed (was: "Could not
    talk to … (ProxyError)"), exit 4, and the proxy's password is never printed."""
    import socket
    import threading

    with socket.create_server(("127.0.0.1", 0)) as server:

        def refuse() -> None:
            while True:  # a retry connects again
                try:
                    client, _ = server.accept()
                except OSError:
                    return
                with client:
                    client.recv(65536)
                    client.sendall(REFUSED)

        threading.Thread(target=refuse, daemon=True).start()
        port = server.getsockname()[1]
        code, err = run(cli, {"HTTPS_PROXY": f"http://me:{PASSWORD}@127.0.0.1:{port}"})
    assert code == ExitCode.GRAPH, err
    assert "The proxy of this environment" in err and "failed to reach" in err


def _fifo(tmp_path: Path, name: str = "ca.pem") -> Path:
    import os

    path = tmp_path / name
    os.mkfifo(path)
    return path


def _hashed_dir_with_a_fifo(tmp_path: Path) -> Path:
    folder = tmp_path / "certs"
    folder.mkdir()
    _fifo(folder, "5ad8a5d6.0")  # the name OpenSSL opens for a CA's subject hash
    return folder


def _link_to_a_fifo(tmp_path: Path) -> Path:
    link = tmp_path / "bundle.pem"
    link.symlink_to(_fifo(tmp_path))
    return link


@pytest.mark.parametrize(
    ("variable", "where"),
    [
        ("SSL_CERT_FILE", _fifo),
        ("SSL_CERT_FILE", _link_to_a_fifo),
        ("SSL_CERT_FILE", lambda _: Path("/dev/zero")),
        ("SSL_CERT_DIR", _fifo),
        ("SSL_CERT_DIR", _hashed_dir_with_a_fifo),
        ("SSL_CERT_DIR", lambda tmp: Path(f"{tmp}:/dev/null")),
    ],
    ids=["file-fifo", "file-link", "file-device", "dir-fifo", "dir-entry-fifo", "dir-list-device"],
)
def test_a_ca_variable_naming_a_fifo_or_a_device_is_refused_before_it_is_opened(
    cli: Cli, tmp_path: Path, variable: str, where: object
) -> None:
    """Failed before: wa-token blocked forever opening the FIFO (or reading /dev/zero)."""
    path = str(where(tmp_path))  # type: ignore[operator]
    cli.env = {name: value for name, value in cli.env.items() if name not in NETWORK_VARIABLES}
    done = cli("check", "--graph-url", NOWHERE, stdin=VALID, env={variable: path}, timeout=15)
    assert done.code == ExitCode.GRAPH, done.err
    text = " ".join(done.text.split())
    assert f"{variable} names a" in text and "only from a regular file" in text
    assert path not in done.text and str(tmp_path) not in done.text
