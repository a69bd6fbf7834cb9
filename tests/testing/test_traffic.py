"""The counting fake server: requests answered and TCP connections accepted, for the benchmark."""

from __future__ import annotations

import httpx

from wizard.testing.fake_graph import TOKENS
from wizard.testing.traffic import CountingFakeGraphServer, Traffic


def _me(client: httpx.Client, url: str) -> int:
    headers = {"Authorization": f"Bearer {TOKENS['valid']}"}
    return client.get(f"{url}/v26.0/me", headers=headers).status_code


def test_counts_requests_and_connections() -> None:
    with CountingFakeGraphServer() as server:
        assert server.traffic == Traffic(0, 0)
        with httpx.Client() as client:  # keep-alive: one connection for both requests
            assert _me(client, server.url) == _me(client, server.url) == 200
        assert server.traffic == Traffic(requests=2, connections=1)
        for _ in range(2):
            with httpx.Client() as client:
                _me(client, server.url)
        assert server.traffic == Traffic(requests=4, connections=3)
        assert len(server.requests) == 4  # the fake's own log is kept as before
        server.reset()
        assert server.traffic == Traffic(0, 0) and server.requests == []
