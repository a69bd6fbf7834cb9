"""Graph faults: every way the Graph API can fail ends in exit 4 with a fix, retried exactly once.

Three layers: the CLI against the fake server's fault scenarios (and a closed port); the whole
check against `httpx.MockTransport` answers with unexpected, missing and wrongly typed fields; and
the retry policy of GraphClient, pinned by counting requests and the backoff it sleeps.
"""

from __future__ import annotations

import io
import json
import os
import socket
import threading
import time
import types
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.graph_shapes import ACCOUNT, DEBUG_DATA, ME, NUMBER, PHONE, WABA
from wizard.cli import run as cli
from wizard.core import graph
from wizard.core.check import CheckReport, check_found_token
from wizard.core.errors import GraphApiError, GraphBadResponse, GraphError, GraphUnreachable
from wizard.core.graph import GraphClient, transport
from wizard.core.settings import Settings
from wizard.core.stores.sources import from_stdin
from wizard.core.token import SecretToken
from wizard.testing.fake_graph import TOKENS, FakeGraphServer

TOKEN = SecretToken("EAAFake0Hardening0MockTransport0Token000000000000wxyz")
GRAPH = "https://graph.test"
CI = bool(os.environ.get("CI"))
"""On CI, hypothesis runs the same examples every time (locally it keeps exploring)."""

# --- 1. the CLI against the fake server's faults ---------------------------------------------

# scenario -> (extra flags, the problem code, what the fix or title must mention)
FAULTS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "hang": (("--timeout", "0.3"), "graph_unreachable", "--timeout"),
    "slow": (("--timeout", "0.3"), "graph_unreachable", "--timeout"),
    "drop": ((), "graph_unreachable", "try again"),
    "refused": (("--graph-url", "http://127.0.0.1:{closed}"), "graph_unreachable", "--graph-url"),
    "server_error": ((), "graph_error", "try again"),
    "bad_gateway": ((), "graph_error", "try again"),
    "truncated_json": ((), "graph_error", "try again"),
    "rate_limited": ((), "rate_limited", "try again"),
    "rate_limited_waba": ((), "rate_limited", "15 minutes"),
}


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on (bound, then closed: connection refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """The retry still happens (the fake counts it), without its 1-1.5 s wait."""
    monkeypatch.setitem(GraphClient.__init__.__kwdefaults__, "retry_backoff", 0.0)


def _main(argv: list[str], stdin: str, environ: dict[str, str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(argv, environ=environ, stdin=io.StringIO(stdin), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("scenario", list(FAULTS))
def test_each_graph_fault_exits_4_with_a_fix_and_saves_nothing(
    scenario: str,
    fake_graph: FakeGraphServer,
    closed_port: int,
    no_backoff: None,
    isolated: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    flags, problem, words = FAULTS[scenario]
    flags = tuple(f.format(closed=closed_port) for f in flags)
    token = TOKENS["valid" if scenario == "refused" else scenario]
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    environ = {"WHATSAPP_GRAPH_URL": fake_graph.url}

    code, out, err = _main(["check", "--json", *flags], token, environ)
    assert code == 4, err
    body = json.loads(out)
    assert body["ok"] is False and [p["code"] for p in body["problems"]] == [problem]
    finding = body["problems"][0]
    assert finding["fix"] and words.lower() in (finding["title"] + finding["fix"]).lower()

    code, out, err = _main(["save", *flags], token, environ)
    assert code == 4 and "Not saved" in err
    assert not (isolated / ".env").exists()

    code, out, err = _main(
        ["status", "--json", *flags], "", {**environ, "WHATSAPP_CLOUD_API_TOKEN": token}
    )
    assert code == 4
    assert [p["code"] for p in json.loads(out)["active"]["problems"]] == [problem]
    for text in (out, err):
        assert token not in text and "Traceback" not in text


@pytest.mark.parametrize(
    ("scenario", "requests"),
    [
        ("drop", 4),
        ("server_error", 4),
        ("bad_gateway", 4),
        ("rate_limited", 4),
        ("truncated_json", 2),
        ("hang", 2),
    ],
)
def test_the_fake_sees_exactly_one_retry_per_failed_call(
    scenario: str,
    requests: int,
    fake_graph: FakeGraphServer,
    no_backoff: None,
) -> None:
    """debug_token and /me go out together; a retryable failure makes each of them go twice."""
    flags = ["--timeout", "0.3"] if scenario == "hang" else []
    code, _, _ = _main(["check", *flags], TOKENS[scenario], {"WHATSAPP_GRAPH_URL": fake_graph.url})
    assert code == 4
    assert len(fake_graph.requests) == requests


# --- 2. unexpected, missing and wrongly typed fields ----------------------------------------


def mini_graph(
    debug: Any = None, me: Any = None, account: Any = None, numbers: Any = None
) -> Callable[[httpx.Request], httpx.Response]:
    """A MockTransport handler answering the four calls of a check with the given bodies."""
    bodies = {
        "debug_token": {"data": DEBUG_DATA} if debug is None else debug,
        "me": ME if me is None else me,
        WABA: ACCOUNT if account is None else account,
        "phone_numbers": {"data": [NUMBER]} if numbers is None else numbers,
    }

    def handler(request: httpx.Request) -> httpx.Response:
        name = request.url.path.rstrip("/").rsplit("/", 1)[-1]
        body = bodies.get(name, {"error": {"code": 100, "message": "(#100) unknown"}})
        if name == WABA and "phone_numbers" in request.url.params.get("fields", ""):
            body = _expanded(body, bodies["phone_numbers"])  # field expansion: one read
        if isinstance(body, bytes):
            return httpx.Response(200, content=body)
        return httpx.Response(400 if isinstance(body, dict) and "error" in body else 200, json=body)

    return handler


def _expanded(account: Any, numbers: Any) -> Any:
    """The account with its numbers nested, as Graph's field expansion answers; an error or a
    body that is not JSON in either part is the whole answer."""
    for part in (numbers, account):
        if isinstance(part, bytes) or (isinstance(part, dict) and "error" in part):
            return part
    return {**account, "phone_numbers": numbers} if isinstance(account, dict) else account


def check_with(handler: Callable[[httpx.Request], httpx.Response]) -> CheckReport:
    settings_ = Settings(graph_url=GRAPH)
    return check_found_token(
        from_stdin(TOKEN.reveal()), settings_, {}, transport=httpx.MockTransport(handler)
    )


def test_the_reference_answers_make_a_working_token() -> None:
    report = check_with(mini_graph())
    assert report.exit_code == 0 and report.graph.accounts[0].phone_numbers[0].id == PHONE


def _with_extra(value: Any) -> Any:
    """Every object gets fields Graph may add one day, of every JSON type."""
    if isinstance(value, dict):
        extra = {
            "new_field": 1,
            "nested_new": {"a": [1, {"b": None}]},
            "flag": True,
            "note": "x" * 500,
        }
        return {**{k: _with_extra(v) for k, v in value.items()}, **extra}
    if isinstance(value, list):
        return [_with_extra(v) for v in value]
    return value


def test_unexpected_extra_fields_change_nothing() -> None:
    plain = check_with(mini_graph())
    extra = check_with(
        mini_graph(
            debug=_with_extra({"data": DEBUG_DATA}),
            me=_with_extra(ME),
            account=_with_extra(ACCOUNT),
            numbers=_with_extra({"data": [NUMBER], "paging": {"cursors": {"after": "x"}}}),
        )
    )
    assert extra.exit_code == plain.exit_code == 0
    assert extra.graph.accounts == plain.graph.accounts
    assert extra.graph.token_info == plain.graph.token_info


@pytest.mark.parametrize("field", sorted(DEBUG_DATA))
def test_each_missing_debug_token_field_is_handled(field: str) -> None:
    data = {k: v for k, v in DEBUG_DATA.items() if k != field}
    report = check_with(mini_graph(debug={"data": data}))
    assert report.exit_code in (0, 1), report.diagnosis
    if field == "is_valid":
        assert report.exit_code == 1  # validity is never assumed
    if field == "scopes":
        assert "missing_permission" in [p.code for p in report.diagnosis.problems]


@pytest.mark.parametrize(
    ("where", "body", "exit_code"),
    [
        ("debug", {}, 4),  # no `data`
        ("debug", {"data": []}, 4),
        ("debug", {"data": "yes"}, 4),
        ("debug", b'{"data": {"is_valid": tru', 4),
        ("debug", b"[" * 100_000 + b"]" * 100_000, 4),  # nesting past Python's recursion limit
        ("debug", b"\xff\xfe not json", 4),
        ("debug", b"", 4),
        ("me", [], 0),  # /me only adds a name: its failure is not the token's
        ("me", {}, 0),
        ("account", {}, 0),
        ("account", {"id": {"nested": 1}, "name": ["x"]}, 0),
        ("numbers", {}, 4),  # an edge without its `data` list is not Graph's answer
        ("numbers", {"data": "none"}, 4),
        ("numbers", {"data": [{"no_id": 1}, 7, None]}, 1),
        ("numbers", {"data": [NUMBER], "paging": {"next": 42}}, 0),
        ("numbers", {"data": [NUMBER], "paging": {"next": "https://evil.test/steal"}}, 0),
    ],
)
def test_missing_or_wrongly_shaped_answers(where: str, body: Any, exit_code: int) -> None:
    report = check_with(mini_graph(**{where: body}))
    assert report.exit_code == exit_code, report.diagnosis


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("is_valid", "false"),
        ("is_valid", 1),
        ("is_valid", "true"),
        ("is_valid", None),
        ("expires_at", "soon"),
        ("expires_at", 10**15),
        ("expires_at", -(10**15)),
        ("expires_at", "9" * 5000),
        ("expires_at", 1.5e9),
        ("expires_at", True),
        ("issued_at", 10**15),
        ("data_access_expires_at", "9" * 5000),
        ("scopes", "whatsapp_business_messaging"),
        ("scopes", {"a": 1}),
        ("scopes", [1, None]),
        ("granular_scopes", {"scope": "x"}),
        ("granular_scopes", [{"scope": "x", "target_ids": 5}]),
        ("granular_scopes", [{"target_ids": [WABA]}]),
        ("type", ["SYSTEM_USER"]),
        ("app_id", {"id": 1}),
        ("user_id", 12345),
        ("error", "broken"),
        ("error", {"code": "9" * 5000, "subcode": [], "message": {"x": 1}}),
    ],
)
def test_wrongly_typed_debug_token_fields_never_crash_or_pass_for_valid(
    field: str, value: Any
) -> None:
    report = check_with(mini_graph(debug={"data": {**DEBUG_DATA, field: value}}))
    assert report.exit_code in (0, 1, 4)
    if field == "is_valid":
        assert report.exit_code == 1, "only JSON true makes a token valid"


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=8)
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=8,
)


@st.composite
def mutated(draw: st.DrawFn, base: dict[str, Any]) -> dict[str, Any]:
    """The object with some fields removed, some replaced by any JSON value, some added."""
    result = {}
    for key, value in base.items():
        action = draw(st.sampled_from(["keep", "keep", "drop", "replace"]))
        if action == "keep":
            result[key] = value
        elif action == "replace":
            result[key] = draw(JSON)
    result.update(draw(st.dictionaries(st.text(max_size=6), JSON, max_size=2)))
    return result


@settings(
    max_examples=120, deadline=None, derandomize=CI, suppress_health_check=[HealthCheck.too_slow]
)
@given(debug=mutated(DEBUG_DATA), account=mutated(ACCOUNT), number=mutated(NUMBER))
def test_any_mangled_answer_ends_in_a_diagnosis(
    debug: dict[str, Any], account: dict[str, Any], number: dict[str, Any]
) -> None:
    """Whatever Graph sends inside its usual envelopes, the check ends with a verdict."""
    report = check_with(
        mini_graph(debug={"data": debug}, account=account, numbers={"data": [number]})
    )
    assert report.exit_code in (0, 1, 4)
    if report.ok:
        assert debug.get("is_valid") is True


# --- 3. the retry policy, pinned -------------------------------------------------------------


class Recorder:
    """Counts requests and the backoff GraphClient sleeps, without waiting for it."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, jitter: float = 0.0) -> None:
        self.requests = 0
        self.sleeps: list[float] = []
        fake_time = types.SimpleNamespace(**{**vars(time), "sleep": self.sleeps.append})
        monkeypatch.setattr(transport, "time", fake_time)
        monkeypatch.setattr(transport.random, "random", lambda: jitter)

    def call(
        self, fail: Callable[[httpx.Request], httpx.Response], succeed_after: int | None = None
    ) -> Any:
        """Call `me` once; every request fails with `fail` (or succeeds from `succeed_after` on)."""

        def handler(request: httpx.Request) -> httpx.Response:
            self.requests += 1
            if succeed_after is not None and self.requests > succeed_after:
                return httpx.Response(200, json={"id": "1", "name": "bot"})
            return fail(request)

        def go() -> Any:
            with GraphClient(GRAPH, transport=httpx.MockTransport(handler)) as client:
                return client.me(TOKEN)

        return go()


def _status(
    code: int,
    body: Any = None,
    headers: dict[str, str] | None = None,
) -> Callable[[httpx.Request], httpx.Response]:
    def answer(request: httpx.Request) -> httpx.Response:
        if isinstance(body, (bytes, str)):
            return httpx.Response(code, content=body, headers=headers)
        return httpx.Response(code, json=body, headers=headers)

    return answer


def _graph_error(
    code: int, *, transient: bool = False, status: int = 400, regain: int | None = None
) -> Callable[[httpx.Request], httpx.Response]:
    error: dict[str, Any] = {"message": f"(#{code}) test", "type": "OAuthException", "code": code}
    if transient:
        error["is_transient"] = True
    headers = None
    if regain is not None:
        usage = {
            WABA: [
                {
                    "type": "whatsapp_business_management",
                    "call_count": 100,
                    "estimated_time_to_regain_access": regain,
                }
            ]
        }
        headers = {"X-Business-Use-Case-Usage": json.dumps(usage)}
    return _status(status, {"error": error}, headers)


def _raise(kind: type[httpx.HTTPError]) -> Callable[[httpx.Request], httpx.Response]:
    def answer(request: httpx.Request) -> httpx.Response:
        raise kind("injected", request=request)

    return answer


RETRIED: dict[str, Callable[[httpx.Request], httpx.Response]] = {
    "500 envelope": _graph_error(1, transient=True, status=500),
    "500 no body": _status(500, b""),
    "502 html": _status(502, b"<html>Bad Gateway</html>", {"content-type": "text/html"}),
    "503": _status(503, b"Service Unavailable"),
    "504": _status(504, b"{}"),
    "429": _status(429, b"Too Many Requests"),
    "is_transient": _graph_error(9999, transient=True),
    **{f"code {c}": _graph_error(c) for c in sorted(graph.TRANSIENT_CODES)},
    "rate limit without regain time": _graph_error(80007, transient=True, regain=0),
    "connection refused": _raise(httpx.ConnectError),
    "connection dropped": _raise(httpx.RemoteProtocolError),
    "read error": _raise(httpx.ReadError),
}
NOT_RETRIED: dict[str, Callable[[httpx.Request], httpx.Response]] = {
    "connect timeout": _raise(httpx.ConnectTimeout),
    "read timeout": _raise(httpx.ReadTimeout),
    "write timeout": _raise(httpx.WriteTimeout),
    "pool timeout": _raise(httpx.PoolTimeout),
    "waba rate limit, regain in 15 min": _graph_error(80007, transient=True, regain=15),
    "app rate limit, regain in 1 min": _graph_error(4, transient=True, regain=1),
    **{f"code {c}": _graph_error(c) for c in (190, 102, 10, 100, 200, 230, 368, 131031)},
    "200 truncated json": _status(200, b'{"id": "1'),
    "200 not an object": _status(200, ["id"]),
    "404 html": _status(404, b"<html>Not Found</html>"),
}


@pytest.mark.parametrize("failure", list(RETRIED))
def test_transient_failures_are_retried_exactly_once(
    failure: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder = Recorder(monkeypatch)
    with pytest.raises(GraphError) as caught:
        recorder.call(RETRIED[failure])
    assert recorder.requests == 2  # never a third
    assert recorder.sleeps == [1.0]
    assert not (isinstance(caught.value, GraphUnreachable) and caught.value.timed_out)
    recovered = Recorder(monkeypatch)
    assert recovered.call(RETRIED[failure], succeed_after=1).id == "1"
    assert recovered.requests == 2


@pytest.mark.parametrize("failure", list(NOT_RETRIED))
def test_timeouts_rate_limits_with_regain_time_and_token_errors_are_not_retried(
    failure: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder = Recorder(monkeypatch)
    with pytest.raises((GraphUnreachable, GraphApiError, GraphBadResponse)) as caught:
        recorder.call(NOT_RETRIED[failure])
    assert recorder.requests == 1 and recorder.sleeps == []
    if "regain" in failure:
        assert caught.value.retry_after_minutes in (1, 15)  # type: ignore[union-attr]


@pytest.mark.parametrize(("jitter", "expected"), [(0.0, 1.0), (0.5, 1.25), (0.999999, 1.5)])
def test_the_backoff_is_one_to_one_and_a_half_seconds(
    jitter: float, expected: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder = Recorder(monkeypatch, jitter=jitter)
    recorder.call(_status(503, b""), succeed_after=1)
    assert recorder.sleeps == [pytest.approx(expected, abs=1e-3)]


# --- the worst case of one call, in real time -----------------------------------------------


@pytest.fixture
def misbehaving_server() -> Iterator[tuple[str, list[str]]]:
    """A raw HTTP server: a path decides how it misbehaves; returns its URL and a request log."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.settimeout(0.05)
    log: list[str] = []
    stop = threading.Event()
    handlers: list[threading.Thread] = []

    def handle(connection: socket.socket) -> None:
        with connection:
            request = connection.recv(65536).decode("latin-1")
            path = request.split(" ", 2)[1] if " " in request else ""
            log.append(path)
            body = b'{"id": "1", "name": "' + b"x" * 30 + b'"}'
            head = b"HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
            if "trickle" in path:  # headers at once, then one byte every 0.1 s
                connection.sendall(head % (200, len(body)))
                for byte in body:
                    if stop.wait(0.1):
                        return
                    connection.sendall(bytes([byte]))
            elif "late-500" in path and len(log) == 1:  # a 5xx just inside the timeout
                stop.wait(0.3)
                connection.sendall(head % (500, 2) + b"{}")
            else:  # hang until the test ends
                stop.wait()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            connection.settimeout(None)
            thread = threading.Thread(target=handle, args=(connection,), daemon=True)
            handlers.append(thread)
            thread.start()

    acceptor = threading.Thread(target=serve, daemon=True)
    acceptor.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}", log
    finally:
        stop.set()
        acceptor.join(2)
        server.close()
        for thread in handlers:
            thread.join(2)


def _timed_me(url: str, path: str, timeout: float) -> tuple[float, GraphError | None]:
    with GraphClient(url, timeout=timeout) as client:
        started = time.monotonic()
        try:
            client._call("GET", path, TOKEN)
        except GraphError as err:
            return time.monotonic() - started, err
        return time.monotonic() - started, None


def test_an_answer_that_trickles_in_is_cut_at_the_timeout(
    misbehaving_server: tuple[str, list[str]],
) -> None:
    """httpx times each read; a byte every 0.1 s would keep it going for seconds."""
    url, log = misbehaving_server
    seconds, error = _timed_me(url, "trickle", timeout=0.5)
    assert isinstance(error, GraphUnreachable) and error.timed_out
    assert seconds < 0.5 + 0.3
    assert len(log) == 1  # a timeout is not retried


def test_worst_case_of_one_call_is_two_timeouts_and_the_backoff(
    misbehaving_server: tuple[str, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 5xx just before the timeout, the 1.5 s backoff, then a retry that times out."""
    monkeypatch.setattr(transport.random, "random", lambda: 0.999999)  # the longest backoff
    url, log = misbehaving_server
    timeout = 0.4
    seconds, error = _timed_me(url, "late-500", timeout=timeout)
    assert isinstance(error, GraphUnreachable) and error.timed_out
    assert len(log) == 2
    assert 0.3 + 1.5 + timeout - 0.05 <= seconds <= 2 * timeout + 1.5 + 0.3


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_redirects_are_not_followed_so_the_token_stays_with_graph(status: int) -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url.host))
        return httpx.Response(status, headers={"Location": "https://attacker.example/steal"})

    report = check_with(handler)
    assert report.exit_code == 4
    assert set(seen) == {"graph.test"}
