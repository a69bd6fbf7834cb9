"""A scriptable "Graph" on loopback: it answers what a test says and records every request."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.support.graph_shapes import ACCOUNT, BUSINESS, DEBUG_DATA, ME, NUMBER, WABA

Answer = Any
"""A JSON body (status 200, or 400 when it holds `error`), or a (status, body) pair, or a
callable that writes the answer itself to the handler (for endless bodies)."""


@dataclass
class Seen:
    """One request the server received."""

    method: str
    path: str
    headers: dict[str, str]


@dataclass
class HostileGraph:
    """Graph's shapes by default; `answers[route]` replaces one answer. Routes: debug_token, me,
    businesses, owned, client, account, phone_numbers, messages, exchange."""

    answers: dict[str, Answer] = field(default_factory=dict)
    requests: list[Seen] = field(default_factory=list)
    url: str = ""

    def default(self, route: str) -> Answer:
        return {
            "debug_token": {"data": DEBUG_DATA},
            "me": ME,
            "businesses": {"data": [{"id": BUSINESS, "name": "Acme Inc"}]},
            "owned": {"data": [{"id": WABA, "name": "Acme"}]},
            "client": {"data": []},
            "account": ACCOUNT,
            "phone_numbers": {"data": [NUMBER]},
            "messages": {
                "messaging_product": "whatsapp",
                "contacts": [{"input": "15551234567", "wa_id": "15551234567"}],
                "messages": [{"id": "wamid.HBgLMTU1NTEyMzQ1NjcVAgARGBI"}],
            },
            "exchange": {
                "access_token": "EAAG" + "x" * 180,
                "token_type": "bearer",
                "expires_in": 5183944,
            },
        }.get(
            route,
            {"error": {"message": "Unknown path", "type": "GraphMethodException", "code": 100}},
        )

    def expanded(self, account: Answer) -> Answer:
        """`GET /{waba}?fields=…,phone_numbers{…}`: the account with the phone_numbers answer
        nested in it, as Graph expands an edge; an error or a callable numbers answer is the
        whole answer (Graph fails the whole read)."""
        numbers = self.answers.get("phone_numbers", self.default("phone_numbers"))
        if (
            callable(numbers)
            or (isinstance(numbers, dict) and "error" in numbers)
            or (isinstance(numbers, tuple))
        ):
            return numbers
        if callable(account) or not isinstance(account, dict) or "error" in account:
            return account
        return {**account, "phone_numbers": numbers}

    @staticmethod
    def route(method: str, path: str) -> str:
        parts = [p for p in path.split("?", 1)[0].split("/") if p][1:]  # without the version
        if parts == ["debug_token"]:
            return "debug_token"
        if parts == ["me"]:
            return "me"
        if parts == ["me", "businesses"]:
            return "businesses"
        if parts == ["oauth", "access_token"]:
            return "exchange"
        if len(parts) == 2 and parts[1] == "owned_whatsapp_business_accounts":
            return "owned"
        if len(parts) == 2 and parts[1] == "client_whatsapp_business_accounts":
            return "client"
        if len(parts) == 2 and parts[1] in ("phone_numbers", "messages"):
            return parts[1]
        return "account" if len(parts) == 1 else "unknown"


def named(
    application: str, user: str, account: dict[str, Any], number: dict[str, Any]
) -> HostileGraph:
    """Graph's shapes, with these names for the app and the user, and these fields (names, ids)
    over the WhatsApp account's and its phone number's."""
    return HostileGraph(
        answers={
            "debug_token": {"data": {**DEBUG_DATA, "application": application}},
            "me": {"id": DEBUG_DATA["user_id"], "name": user},
            "account": {**ACCOUNT, **account},
            "phone_numbers": {"data": [{**NUMBER, **number}]},
        }
    )


def serve(graph: HostileGraph) -> Iterator[HostileGraph]:
    """Run `graph` on a loopback port until the generator is closed."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            if length:
                self.rfile.read(length)
            graph.requests.append(Seen(self.command, self.path, dict(self.headers.items())))
            route = HostileGraph.route(self.command, self.path)
            answer = graph.answers.get(route, graph.default(route))
            if route == "account" and "phone_numbers" in self.path:  # field expansion
                answer = graph.expanded(answer)
            if callable(answer):
                answer(self)
                return
            status, body = (
                answer
                if isinstance(answer, tuple)
                else (400 if isinstance(answer, dict) and "error" in answer else 200, answer)
            )
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _answer

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    graph.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield graph
    finally:
        server.shutdown()
        server.server_close()


def endless_body(handler: BaseHTTPRequestHandler) -> None:
    """200 with headers at once, then `{"data": [` and spaces for as long as the client reads."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.end_headers()
    chunk = b" " * 65536
    try:
        handler.wfile.write(b'{"data": [')
        for _ in range(1_000_000):  # 64 GB: far more than any client should read
            handler.wfile.write(chunk)
    except OSError:
        return
