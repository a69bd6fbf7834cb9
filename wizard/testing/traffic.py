"""The fake Graph server, counting the requests it answers and the TCP connections it accepts."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from wizard.testing.fake_graph import FakeGraphServer, Reply


@dataclass(frozen=True)
class Traffic:
    """What clients sent since the last reset."""

    requests: int
    connections: int


class CountingFakeGraphServer(FakeGraphServer):
    """A FakeGraphServer that also counts requests and accepted TCP connections (for benchmarks).

    Requests are counted where the fake answers them; connections where the HTTP server accepts
    one (its `process_request`), so a client that reuses a keep-alive connection counts once.
    """

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._count_lock = threading.Lock()
        self._requests = 0
        self._connections = 0

    def start(self) -> CountingFakeGraphServer:
        super().start()
        httpd = self._httpd
        assert httpd is not None
        accept = httpd.process_request

        def counted(request: Any, client_address: Any) -> None:
            with self._count_lock:
                self._connections += 1
            accept(request, client_address)

        httpd.process_request = counted  # type: ignore[method-assign]
        return self

    def answer(
        self, method: str, raw_path: str, headers: dict[str, str], body: bytes
    ) -> Reply | None:
        with self._count_lock:
            self._requests += 1
        return super().answer(method, raw_path, headers, body)

    @property
    def traffic(self) -> Traffic:
        """Requests answered and connections accepted since the start or the last reset."""
        with self._count_lock:
            return Traffic(self._requests, self._connections)

    def reset(self) -> None:
        """Forget recorded requests (see FakeGraphServer.reset) and zero the counters."""
        super().reset()
        with self._count_lock:
            self._requests = self._connections = 0
