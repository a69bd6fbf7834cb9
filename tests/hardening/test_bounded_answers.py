"""An answer is read up to MAX_ANSWER_BYTES and no further: an endless body is cut with a clear
message (exit 4, graph_error), not read until memory or the deadline runs out."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import Cli
from tests.hardening.hostile_graph import HostileGraph, endless_body, serve
from wizard.core.errors import GraphBadResponse
from wizard.core.graph import MAX_ANSWER_BYTES, GraphClient
from wizard.core.token import SecretToken

TOKEN = "EAAGuard0Bounded0" + "g" * 100 + "wxyz"


@pytest.fixture
def graph() -> Iterator[HostileGraph]:
    yield from serve(HostileGraph())


@pytest.mark.parametrize("route", ["debug_token", "phone_numbers"])
def test_check_cuts_an_endless_answer_with_a_clear_message(
    isolated: Path, graph: HostileGraph, route: str
) -> None:
    graph.answers[route] = endless_body
    run = Cli(isolated, graph.url)("check", "--json", "--timeout", "60", stdin=TOKEN, timeout=120)
    assert run.code == 4, run.text
    problem = json.loads(run.out)["problems"][0]
    assert problem["code"] == "graph_error"
    assert f"larger than {MAX_ANSWER_BYTES // 2**20:g} MB" in problem["title"]


PEAK = """
import resource, sys
from wizard.core.graph import GraphClient
from wizard.core.errors import GraphBadResponse
from wizard.core.token import SecretToken

def main():
    with GraphClient(sys.argv[1], timeout=60, retries=0) as client:
        try:
            client.phone_numbers(SecretToken("EAAG" + "h" * 100), "102290129340398")
        except GraphBadResponse as err:
            print(err.message, file=sys.stderr)

before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
main()
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(before, after)
"""


def test_memory_stays_bounded_while_an_endless_answer_is_refused(graph: HostileGraph) -> None:
    """Peak RSS growth of a fresh process reading an endless answer (reported, not timed)."""
    graph.answers["phone_numbers"] = endless_body
    proc = subprocess.run(
        [sys.executable, "-c", PEAK, graph.url],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "larger than 4 MB" in proc.stderr, proc.stderr
    before, after = (int(kib) for kib in proc.stdout.split())
    growth_kib = after - before
    print(
        f"peak RSS {before / 1024:.1f} MiB after imports, {after / 1024:.1f} MiB after "
        f"refusing an endless answer (growth {growth_kib / 1024:.1f} MiB)"
    )
    assert growth_kib < 64 * 1024  # a few times the 4 MiB cap, never the whole stream


def test_a_compressed_answer_is_bounded_after_inflating() -> None:
    packer = zlib.compressobj(wbits=31)  # gzip, built 1 MiB at a time: never 64 MiB at once
    body = b"".join(packer.compress(b" " * 2**20) for _ in range(64)) + packer.flush()

    class Streamed(httpx.BaseTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            return httpx.Response(
                200, headers={"content-encoding": "gzip"}, stream=httpx.ByteStream(body)
            )

    with GraphClient("https://graph.test", transport=Streamed(), retries=0) as client:
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        with pytest.raises(GraphBadResponse, match="larger than 4 MB"):
            client.me(SecretToken(TOKEN))
        growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert growth < 48 * 1024  # KiB: the 64 MiB it would inflate to is never held


def test_a_declared_length_over_the_cap_is_refused_before_reading() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            headers={"content-length": str(MAX_ANSWER_BYTES + 1)},
            stream=httpx.ByteStream(b"{}"),
        )

    with (
        GraphClient(
            "https://graph.test", transport=httpx.MockTransport(handler), retries=0
        ) as client,
        pytest.raises(GraphBadResponse, match="larger than"),
    ):
        client.me(SecretToken(TOKEN))


def test_an_answer_just_under_the_cap_is_read() -> None:
    padding = " " * (MAX_ANSWER_BYTES - 100)
    body = ('{"id": "1", "name": "x"' + padding + "}").encode()

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=httpx.ByteStream(body))

    with GraphClient("https://graph.test", transport=httpx.MockTransport(handler)) as client:
        assert client.me(SecretToken(TOKEN)).name == "x"
