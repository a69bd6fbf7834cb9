"""The fake Graph's state: its options, the request log, who is calling and paging links."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeAlias
from urllib.parse import urlencode

from wizard.testing.fake_graph.calls import Call, _decode_cursor, _encode_cursor
from wizard.testing.fake_graph.checks import FOREIGN_HOST, _broken_numbers, _edge_page
from wizard.testing.fake_graph.data import (
    ACCOUNTS,
    APP_TOKEN,
    BENCHMARK_WABA_BASE,
    DEFAULT_MANY_ACCOUNTS,
    EXTRA_PAGED_NUMBERS,
    NUMBERS,
    WABA_A,
    WABA_B,
    _benchmark_account,
    _benchmark_numbers,
    benchmark_waba_ids,
)
from wizard.testing.fake_graph.readiness import DEFAULT_APP_SUBSCRIPTIONS
from wizard.testing.fake_graph.replies import RecordedRequest, dead_token_failure, fail
from wizard.testing.fake_graph.scenarios import APP_SCENARIO, Scenario, scenario_for

if TYPE_CHECKING:
    from wizard.testing.fake_graph.replies import Reply
    from wizard.testing.fake_graph.server import FakeGraphServer, _GraphHTTPServer

BusinessResponder: TypeAlias = "Callable[[FakeGraphServer, Call], Reply | None]"
"""Answers a call the business owns (System Users, admin tokens), or None to let Graph answer."""


class FakeGraphBase:
    """The state FakeGraphServer keeps and the lookups every endpoint makes."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        latency: float = 0.0,
        slow_delay: float = 12.0,
        accounts: int | None = None,
        clock: Callable[[], float] | None = None,
        trace_id: str | None = None,
        business: BusinessResponder | None = None,
    ) -> None:
        self.host, self.port = host, port
        self.business = business
        """The Business Management responder (`fake_business.answer`); None: no business."""
        self.minted: dict[str, Scenario] = {}
        """Tokens this server's business generated, with what they reach: this server's only."""
        self.clock = clock
        """Where "now" comes from (default: the real time); snapshot tests fix it."""
        self.trace_id = trace_id
        """A fixed fbtrace_id for every answer (default: a fresh random one each time)."""
        self.latency = latency
        self.slow_delay = slow_delay
        self.accounts = accounts
        self.requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self.webhook_subscriptions: dict[tuple[str, str], list[dict[str, Any]]] = {}
        """Apps subscribed to each (caller's token, WABA), once a call has read or changed them."""
        self.app_subscriptions: list[dict[str, Any]] = list(DEFAULT_APP_SUBSCRIPTIONS)
        """What `GET /{app-id}/subscriptions` answers (a test may change it)."""
        self.registered_numbers: set[tuple[str, str]] = set()
        """(caller's token, phone number id) registered with the right PIN since the reset."""
        self._visited: set[tuple[str, str]] = set()
        self._stopping = threading.Event()
        self._httpd: _GraphHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._url = ""

    @property
    def url(self) -> str:
        """`http://127.0.0.1:PORT`, without a trailing slash or a version."""
        if not self._url:
            raise RuntimeError("FakeGraphServer.start() has not been called")
        return self._url

    def reset(self) -> None:
        """Forget recorded requests and which paths `flaky` has already failed."""
        with self._lock:
            self.requests.clear()
            self._visited.clear()
            self.webhook_subscriptions.clear()
            self.app_subscriptions[:] = DEFAULT_APP_SUBSCRIPTIONS
            self.registered_numbers.clear()

    def mint(self, token: str, scenario: Scenario) -> None:
        """Recognise a token this server's business generated (no other server knows it)."""
        with self._lock:
            self.minted[token] = scenario

    def scenario_of(self, token: str) -> Scenario:
        """The scenario of a demo token or of a token this server minted; else malformed."""
        with self._lock:
            minted = self.minted.get(token)
        return minted if minted is not None else scenario_for(token)

    # -- who is calling ---------------------------------------------------------------------------

    def _caller(self, call: Call, status: int = 400) -> Scenario:
        """The caller's scenario; a missing or dead token is a 104/190 error."""
        if not call.token:
            raise fail(status, 104, "An access token is required to request this resource.")
        if call.token == APP_TOKEN:
            return APP_SCENARIO
        scenario = self.scenario_of(call.token)
        if scenario.dead:
            raise dead_token_failure(scenario, status)
        return scenario

    def _reachable(self, scenario: Scenario) -> tuple[str, ...]:
        """The WABAs a token may read."""
        if scenario.follows_accounts and self.accounts is not None:
            return benchmark_waba_ids(self.accounts)
        return (WABA_A, WABA_B) if scenario.target_ids is None else scenario.target_ids

    def _account(self, waba_id: str) -> dict[str, Any] | None:
        if waba_id in ACCOUNTS:
            return ACCOUNTS[waba_id]
        index = int(waba_id) - BENCHMARK_WABA_BASE if waba_id.isdigit() else -1
        exists = 0 <= index < max(self.accounts or 0, DEFAULT_MANY_ACCOUNTS)
        return _benchmark_account(index) if exists else None

    def _numbers(self, scenario: Scenario, waba_id: str) -> tuple[dict[str, Any], ...]:
        if waba_id == WABA_A and scenario.phone_state:
            return _broken_numbers(NUMBERS[WABA_A], scenario.phone_state)
        if waba_id == WABA_A and scenario.pages == "empty":
            return ()
        if waba_id == WABA_A and scenario.pages in ("paged", "loop"):
            return NUMBERS[WABA_A] + EXTRA_PAGED_NUMBERS
        if waba_id in NUMBERS:
            return NUMBERS[waba_id]
        return _benchmark_numbers(int(waba_id) - BENCHMARK_WABA_BASE)

    def mark_registered(self, token: str, phone_id: str) -> None:
        """The number answers as registered to this token from now on (until a reset)."""
        with self._lock:
            self.registered_numbers.add((token, phone_id))

    def is_registered(self, token: str | None, phone_id: str) -> bool:
        """Whether this token registered the number with the right PIN since the reset."""
        with self._lock:
            return (token or "", phone_id) in self.registered_numbers

    def _phone(self, scenario: Scenario, phone_id: str) -> dict[str, Any] | None:
        for waba_id in self._reachable(scenario):
            for number in self._numbers(scenario, waba_id):
                if number["id"] == phone_id:
                    return number
        return None

    @staticmethod
    def _sees_business(scenario: Scenario) -> bool:
        return scenario.target_ids is None or "business_management" in scenario.scopes

    def _page(
        self,
        rows: Sequence[dict[str, Any]],
        call: Call,
        *,
        page_size: int | None = None,
        loop: bool = False,
    ) -> dict[str, Any]:
        """One page of a list edge; `paging.next` is an absolute URL while more rows remain."""
        limit = call.params.get("limit", "")
        size = page_size or (int(limit) if limit.isdigit() and int(limit) > 0 else 25)
        offset = _decode_cursor(call.params.get("after"))
        return _edge_page(rows, offset, size, loop, lambda at: self._next_url(call, at, size))

    def _next_url(self, call: Call, offset: int, size: int) -> str:
        params = {k: v for k, v in call.params.items() if k not in ("access_token", "after")}
        params |= {"limit": str(size), "after": _encode_cursor(offset)}
        return self._link(call, call.segments, params)

    def _link(self, call: Call, segments: tuple[str, ...], params: dict[str, str]) -> str:
        """An absolute paging link, as Graph writes them (with the scenario's quirks)."""
        quirks = self.scenario_of(call.token).quirks if call.token else frozenset()
        if "token_in_next" in quirks and call.token:  # as real Graph does
            params = {**params, "access_token": call.token}
        path = "/".join((call.version, *segments) if call.version else segments)
        host = FOREIGN_HOST if "foreign_next" in quirks else self.url
        return f"{host}/{path}?{urlencode(params)}"
