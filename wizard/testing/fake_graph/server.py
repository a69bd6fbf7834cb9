"""The fake Graph server: starting and stopping it, answering one request, the HTTP plumbing."""

from __future__ import annotations

import socket
import sys
import threading
import time
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

from wizard.testing.fake_graph.calls import Call, parse_call
from wizard.testing.fake_graph.checks import _reshape_error
from wizard.testing.fake_graph.data import APP_TOKEN, JSON_TYPE, USER_NAMES
from wizard.testing.fake_graph.replies import (
    GraphFailure,
    RecordedRequest,
    Reply,
    _HangUp,
    _per_request,
    error_reply,
    fail,
    json_reply,
    new_trace_id,
    no_such_object,
)
from wizard.testing.fake_graph.routes import GraphRoutes


class FakeGraphServer(GraphRoutes):
    """A real HTTP server on loopback that plays Graph for the demo tokens in TOKENS."""

    def start(self) -> Self:
        self._stopping.clear()
        self._httpd = _GraphHTTPServer((self.host, self.port), self)
        host, port = self._httpd.server_address[:2]
        self._url = f"http://{host!s}:{port}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, args=(0.05,), name=f"fake-graph:{port}", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop promptly: wake hanging or slow answers, then close every connection."""
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        self._stopping.set()
        httpd.shutdown()
        httpd.server_close()
        httpd.close_connections(wait=1.0)
        if self._thread is not None:
            self._thread.join(timeout=1.0)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- one request ------------------------------------------------------------------------------

    def answer(
        self, method: str, raw_path: str, headers: dict[str, str], body: bytes
    ) -> Reply | None:
        """Record the request, then the reply to send (None: close without answering), once
        `latency` seconds have passed since the request came in: like Graph's, the time to
        answer includes the work of answering, so the fake's own work (a 50-id lookup costs
        it milliseconds) never adds to the latency a client sees."""
        arrived = time.monotonic()
        query = parse_qs(urlsplit(raw_path).query, keep_blank_values=True)
        with self._lock:
            self.requests.append(
                RecordedRequest(method, urlsplit(raw_path).path, query, headers, body)
            )
        call = parse_call(method, raw_path, headers, body)
        _per_request.clock, _per_request.trace_id = self.clock, self.trace_id
        try:
            reply = self._reply(call)
            self._wait(arrived + self.latency - time.monotonic())
        except _HangUp:
            return None
        return reply

    def _reply(self, call: Call) -> Reply:
        """The reply to one call: the scenario's misbehaviour, a route's answer, or its error."""
        try:
            if self.business is not None and (reply := self.business(self, call)) is not None:
                return reply
            token = self._subject_token(call)
            failure = self.scenario_of(token).failure if token and token != APP_TOKEN else ""
            return self._misbehave(failure, token or "", call) or self._route(call)
        except GraphFailure as failure_reply:
            token = self._subject_token(call)
            quirks = self.scenario_of(token).quirks if token and token != APP_TOKEN else frozenset()
            return _reshape_error(failure_reply.reply, quirks)

    def _wait(self, seconds: float) -> None:
        if seconds > 0 and self._stopping.wait(seconds):
            raise _HangUp

    def _subject_token(self, call: Call) -> str | None:
        """The token whose scenario shapes this call (the inspected one for an app caller)."""
        if call.segments == ("oauth", "access_token"):
            return call.params.get("fb_exchange_token")
        if call.segments == ("debug_token",) and call.token == APP_TOKEN:
            return call.params.get("input_token")
        return call.token

    def _misbehave(self, failure: str, token: str, call: Call) -> Reply | None:
        """The transport-level failure of a scenario, or None to answer normally."""
        match failure:
            case "hang":
                self._stopping.wait()
                raise _HangUp
            case "slow":
                self._wait(self.slow_delay)
            case "drop":
                return replace(json_reply({"data": []}), drop_body=True)
            case "bad_gateway":
                return Reply(502, b"<html><body>Bad Gateway</body></html>", "text/html")
            case "truncated_json":
                return Reply(
                    200, b'{"data": {"app_id": "6349', JSON_TYPE, {"x-fb-trace-id": new_trace_id()}
                )
            case "server_error":
                return error_reply(500, 1, "An unknown error has occurred.", transient=True)
            case "rate_limited":
                usage = '{"call_count":100,"total_time":12,"total_cputime":9}'
                return error_reply(
                    400,
                    4,
                    "(#4) Application request limit reached",
                    transient=True,
                    headers={"X-App-Usage": usage},
                )
            case "flaky" if self._first_visit(token, call):
                return error_reply(503, 2, "(#2) Service temporarily unavailable", transient=True)
        return None

    def _first_visit(self, token: str, call: Call) -> bool:
        key = (token, "/".join(call.segments))
        with self._lock:
            first = key not in self._visited
            self._visited.add(key)
        return first

    def _route(self, call: Call) -> Reply:
        from wizard.testing import fake_register  # POST /{phone-number-id}/register

        if (register_reply := fake_register.answer(self, call)) is not None:
            return register_reply
        match call.method, call.segments:
            case "GET", ("debug_token",):
                return self._debug_token(call)
            case "GET" | "POST", ("oauth", "access_token"):
                return self._exchange_token(call)
            case "GET", ("me",):
                scenario = self._caller(call)
                return json_reply({"id": scenario.user_id, "name": USER_NAMES[scenario.token_type]})
            case "GET", ("me", "permissions"):
                rows = [{"permission": p, "status": "granted"} for p in self._caller(call).scopes]
                return json_reply({"data": rows})
            case "GET", ("me", "businesses"):
                return self._businesses(call)
            case "GET", (business, "owned_whatsapp_business_accounts"):
                return self._business_accounts(call, business, owned=True)
            case "GET", (business, "client_whatsapp_business_accounts"):
                return self._business_accounts(call, business, owned=False)
            case "GET", (waba_id, "phone_numbers"):
                return self._phone_numbers(call, waba_id)
            case "POST", (phone_id, "messages"):
                return self._send_message(call, phone_id)
            case "GET", (node_id,) if node_id.isdigit():
                return self._node(call, node_id)
            case "GET", () if "ids" in call.params:
                return self._ids(call)
            case "GET" | "POST", (waba_id, "subscribed_apps"):
                return self._subscribed_apps(call, waba_id)
            case "GET", (app_id, "subscriptions"):
                return self._app_subscriptions(call, app_id)
        raise self._unknown_path(call)

    @staticmethod
    def _unknown_path(call: Call) -> GraphFailure:
        """`/foo` and `/{id}/foo` are unknown paths; `POST /{id}` is an unsupported request."""
        segments = call.segments
        if len(segments) == 1 and segments[0].isdigit():
            return no_such_object(call.method, segments[0])
        known_head = len(segments) > 1 and (segments[0].isdigit() or segments[0] == "me")
        rest = segments[1:] if known_head else segments
        return fail(400, 2500, f"Unknown path components: /{'/'.join(rest)}")


class _GraphHTTPServer(ThreadingHTTPServer):
    """Threaded server that remembers open connections so stop() can close them."""

    daemon_threads = True
    request_queue_size = 128  # benchmarks open many connections at once

    def __init__(self, address: tuple[str, int], fake: FakeGraphServer) -> None:
        self.fake = fake
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _GraphRequestHandler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self, wait: float) -> None:
        """Shut every open connection down, then wait for its handler thread to close it."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        deadline = time.monotonic() + wait
        while self._connections and time.monotonic() < deadline:
            time.sleep(0.01)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], OSError):  # a client hanging up is not an error
            super().handle_error(request, client_address)


class _GraphRequestHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 keep-alive handler; every reply carries a Content-Length."""

    protocol_version = "HTTP/1.1"
    wbufsize = -1  # headers and body leave in one write (no Nagle/delayed-ACK stall)
    disable_nagle_algorithm = True
    server: _GraphHTTPServer

    def do_GET(self) -> None:
        headers = {name.lower(): value for name, value in self.headers.items()}
        body = self.rfile.read(int(headers.get("content-length") or 0))
        reply = self.server.fake.answer(self.command, self.path, headers, body)
        if reply is None:
            self.close_connection = True
            return
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if reply.drop_body:
            self.close_connection = True
            return
        self.wfile.write(reply.body)

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: request lines carry tokens."""
