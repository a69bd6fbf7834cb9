"""The Graph URL check refuses exactly what httpx refuses, without importing httpx."""

from __future__ import annotations

import itertools
import subprocess
import sys

import httpx
import pytest

from wizard.core.settings import check_graph_url, parse_like_httpx

SCHEMES = ("http://", "https://", "HTTPS://", "http:", "", "1http://")
HOSTS = (
    "graph.facebook.com",
    "127.0.0.1",
    "256.1.1.1",
    "1.2.3",
    "01.2.3.4",
    "[::1]",
    "[::1",
    "[::1]]",
    "[fe80::1%eth0]",
    "[zz::1]",
    "[1.2.3.4]",
    "[::1]x",
    "h]:80",
    "u:p@h",
    "a@b@256.0.0.1",
    "h:0",
    "h:99999",
    "h:+80",
    "h:8_0",
    "h: 80",
    "h:x",
    "h:",
    "h:-1",
    "ex ample.com",
    "ho\nst",
    "h\x7f",
    "héllo.com",
    "xn--hllo-bpa.com",
    "a_b.com",
    "",
)
PATHS = ("", "/", "/v1", "/a]b", "/x@256.1.1.1", "/p:q", "?q=1", "#f", "/[::1")


def httpx_accepts(url: str) -> bool:
    try:
        httpx.URL(url)
    except httpx.InvalidURL:
        return False
    return True


def stdlib_accepts(url: str) -> bool:
    try:
        parse_like_httpx(url)
    except ValueError:
        return False
    return True


def test_it_accepts_and_refuses_what_httpx_does() -> None:
    urls = ["".join(parts) for parts in itertools.product(SCHEMES, HOSTS, PATHS)]
    urls += ["http://h/" + "a" * 65536, "http://h/" + "a" * 65520]
    differ = [url for url in urls if httpx_accepts(url) != stdlib_accepts(url)]
    assert differ == []


@pytest.mark.parametrize("url", ["http://256.1.1.1", "http://[zz::1]", "http://[::1]x"])
def test_urls_httpx_refuses_and_urlsplit_lets_through_are_refused(url: str) -> None:
    assert not httpx_accepts(url)
    with pytest.raises(ValueError):
        parse_like_httpx(url)


def test_a_non_ascii_host_is_checked_by_httpx_itself() -> None:
    assert check_graph_url("https://héllo.example") == "https://héllo.example"
    assert not stdlib_accepts("https://a..b\u00e9")


SETTINGS_ALONE = """if True:
    import sys, types
    graph = types.ModuleType("wizard.core.graph")  # the settings' own imports, not the client's
    graph.DEFAULT_GRAPH_URL, graph.DEFAULT_TIMEOUT, graph.GRAPH_VERSION = "https://g.test", 10, "v1.0"
    sys.modules["wizard.core.graph"] = graph
    import wizard.core.settings as settings
    settings.check_graph_url("http://127.0.0.1:9")
    print("httpx" in sys.modules)
"""


def test_the_settings_do_not_import_httpx() -> None:
    """Failed before: the settings imported httpx for this check (the wizard's start-up)."""
    out = subprocess.run(
        [sys.executable, "-c", SETTINGS_ALONE], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"
