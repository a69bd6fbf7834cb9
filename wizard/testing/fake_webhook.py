"""A loopback webhook endpoint that behaves as the user's server might: right, lax or broken.

Standard library only. `FakeWebhook(mode=...)` answers Meta's verification GET and POSTed
notifications according to its mode (MODES); it records every request it receives.
"""

from __future__ import annotations

import gzip
import hashlib
import hmac
import ssl
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

VERIFY_TOKEN = "wa-token-demo-verify-token"
APP_SECRET = "0123456789abcdef0123456789abcdef"
PATH = "/webhook"

MODES = {
    "correct": "checks the verify token and the signature, as Meta's examples do",
    "accepts_anything": "answers the challenge to any verify token and 200 to any POST",
    "no_signature_check": "checks the verify token, answers 200 to any POST",
    "wrong_challenge": "answers 200 with a fixed text instead of the challenge",
    "json_challenge": 'answers {"hub.challenge": "<challenge>"} as JSON',
    "wrong_secret": "checks signatures with another app's secret (refuses Meta's)",
    "not_found": "404 to everything",
    "redirect": "302 to https://elsewhere.example/webhook for everything",
    "hang": "never answers",
    "trickle": "answers 200 and then one byte a second, forever",
    "huge": "answers 200 with a body that never ends (no length: until the connection ends)",
    "huge_post": "checks the verify token, answers a signed POST 200 with a 1 GB body",
    "gzip_bomb": "answers the challenge in 5 MB of spaces, gzipped to about 5 kB",
}
"""Each mode and what the endpoint does in it."""


@dataclass(frozen=True)
class Received:
    """One request the endpoint received (header names lower-cased)."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes


class FakeWebhook:
    """A real HTTP server on 127.0.0.1 playing the user's webhook endpoint."""

    def __init__(
        self,
        mode: str = "correct",
        *,
        verify_token: str = VERIFY_TOKEN,
        app_secret: str = APP_SECRET,
        tls: tuple[str, str] | None = None,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}")
        self.mode = mode
        self.verify_token = verify_token
        self.app_secret = app_secret
        self.tls = tls
        """(certificate file, key file): serve https with them (a self-signed one in tests)."""
        self.received: list[Received] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: _Server | None = None

    @property
    def url(self) -> str:
        """`http://127.0.0.1:PORT/webhook`."""
        if self._httpd is None:
            raise RuntimeError("FakeWebhook.start() has not been called")
        host, port = self._httpd.server_address[:2]
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{host!s}:{port}{PATH}"

    def start(self) -> Self:
        self._httpd = _Server(("127.0.0.1", 0), self)
        if self.tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*self.tls)
            self._httpd.socket = context.wrap_socket(self._httpd.socket, server_side=True)
        threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def record(self, received: Received) -> None:
        with self._lock:
            self.received.append(received)

    def signed_by_app(self, body: bytes, header: str) -> bool:
        """Whether `header` is `sha256=` + HMAC-SHA256(app secret, body), as Meta signs."""
        secret = "another-apps-secret" if self.mode == "wrong_secret" else self.app_secret
        expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, header)

    def wait_or_stop(self, seconds: float) -> bool:
        """Sleep, or return True at once when the server stops."""
        return self._stopping.wait(seconds)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], fake: FakeWebhook) -> None:
        self.fake = fake
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up (timeouts, capped reads) is not an error."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: request lines carry the verify token."""

    def do_GET(self) -> None:
        fake, received = self.server.fake, self._received()
        fake.record(received)
        if self._misbehaves(fake):
            return
        challenge = received.query.get("hub.challenge", "")
        right = (
            received.query.get("hub.mode") == "subscribe"
            and received.query.get("hub.verify_token") == fake.verify_token
        )
        match fake.mode:
            case "accepts_anything":
                self._answer(200, challenge.encode())
            case "wrong_challenge":
                self._answer(200, b"OK")
            case "json_challenge" if right:
                self._answer(200, b'{"hub.challenge": "' + challenge.encode() + b'"}')
            case "huge":
                self._endless()
            case "gzip_bomb" if right:
                bomb = gzip.compress(challenge.encode() + b" " * 5_000_000, compresslevel=9)
                self.send_response(200)
                self.send_header("Content-Encoding", "gzip")
                self.send_header("Content-Length", str(len(bomb)))
                self.end_headers()
                self.wfile.write(bomb)
            case _ if right:
                self._answer(200, challenge.encode(), "text/plain")
            case _:
                self._answer(403, b"Forbidden")

    def do_POST(self) -> None:
        fake, received = self.server.fake, self._received()
        fake.record(received)
        if self._misbehaves(fake):
            return
        signed = fake.signed_by_app(received.body, received.headers.get("x-hub-signature-256", ""))
        if fake.mode in ("accepts_anything", "no_signature_check", "wrong_challenge"):
            self._answer(200, b"")
        elif fake.mode in ("huge", "huge_post") and signed:
            self._endless()
        else:
            self._answer(200 if signed else 401, b"" if signed else b"bad signature")

    def _received(self) -> Received:
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        headers = {name.lower(): value for name, value in self.headers.items()}
        body = self.rfile.read(int(headers.get("content-length") or 0))
        return Received(self.command, parts.path, query, headers, body)

    def _misbehaves(self, fake: FakeWebhook) -> bool:
        match fake.mode:
            case "not_found":
                self._answer(404, b"Not Found")
            case "redirect":
                self.send_response(302)
                self.send_header("Location", "https://elsewhere.example/webhook?hub.verify_token=x")
                self.send_header("Content-Length", "0")
                self.end_headers()
            case "hang":
                fake.wait_or_stop(3600)
                self.close_connection = True
            case "trickle":
                self.send_response(200)
                self.send_header("Connection", "close")  # no length: the body never ends
                self.end_headers()
                while not fake.wait_or_stop(0.2):
                    self.wfile.write(b"1")
                    self.wfile.flush()
                self.close_connection = True
            case _:
                return False
        return True

    def _answer(self, status: int, body: bytes, content_type: str = "text/plain") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _endless(self) -> None:
        """200 and a body sent until the client hangs up: with no length (to the connection's
        end) for `huge`, with a declared gigabyte for `huge_post`."""
        self.send_response(200)
        if self.server.fake.mode == "huge":
            self.send_header("Connection", "close")
        else:
            self.send_header("Content-Length", str(2**30))
        self.end_headers()
        chunk = b"x" * 65536
        deadline = time.monotonic() + 60
        try:
            while time.monotonic() < deadline and not self.server.fake._stopping.is_set():
                self.wfile.write(chunk)
        except OSError:
            pass
        self.close_connection = True


def main(argv: list[str] | None = None) -> int:
    """`python -m wizard.testing.fake_webhook [MODE]`: serve until Ctrl-C, print how to test it."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    mode = args[0] if args else "correct"
    if mode not in MODES:
        print("modes:\n" + "\n".join(f"  {m:20} {text}" for m, text in MODES.items()))
        return 2
    with FakeWebhook(mode) as fake:
        print(f"fake webhook endpoint ({mode}: {MODES[mode]}) at {fake.url}")
        print(
            f"  export WHATSAPP_WEBHOOK_VERIFY_TOKEN={VERIFY_TOKEN} WHATSAPP_APP_SECRET={APP_SECRET}"
        )
        print(f"  wa-token webhook-test --url {fake.url}")
        try:
            fake.wait_or_stop(10**9)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
