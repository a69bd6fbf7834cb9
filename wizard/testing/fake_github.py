"""A loopback fake of GitHub's Actions secrets API that holds a real NaCl keypair and decrypts
what it receives (the crypto is real), with refusals and hostile answers on demand."""

from __future__ import annotations

import base64
import json
import re
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

from nacl.public import PrivateKey, SealedBox

GOOD = "ghp_fakeGitHubTokenThatMayWriteSecrets01"
"""Credentials allowed to write every known repository's secrets."""
EXPIRED = "ghp_fakeGitHubTokenThatIsExpired00000001"
"""Answered 401 Bad credentials."""
READ_ONLY = "ghp_fakeGitHubTokenWithoutSecretsWrite01"
"""Answered 403 (no `repo` scope, no "Secrets: write")."""
TOKENS = {"good": GOOD, "expired": EXPIRED, "read-only": READ_ONLY}
REPOSITORIES: dict[str, frozenset[str]] = {
    "acme/shop": frozenset({"production", "staging"}),
    "acme/bot": frozenset(),
}
"""The repositories the fake knows, with their environments; any other is a 404."""
MODES = ("normal", "redirect", "hang", "huge", "garbage", "trickle", "hostile-message", "500")
"""How the fake answers: as GitHub does, or in one of the hostile ways."""
KEY_ID = "568250167242549743"

_PATH = re.compile(
    r"/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)/(?:actions|environments/(?P<env>[^/]+))/secrets/"
    r"(?P<rest>.+)"
)


@dataclass
class Received:
    """One request as the fake saw it."""

    method: str
    path: str
    authorization: str
    body: bytes = b""


@dataclass
class FakeGitHub:
    """The fake GitHub API; `secrets` holds every secret as decrypted with its private key."""

    host: str = "127.0.0.1"
    port: int = 0
    mode: str = "normal"
    private_key: PrivateKey = field(default_factory=PrivateKey.generate)
    secrets: dict[tuple[str, str | None, str], str] = field(default_factory=dict)
    """(owner/repo, environment or None, secret name) → the plain text it decrypted."""
    received: list[Received] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None
    _stop: threading.Event = field(default_factory=threading.Event)

    @property
    def url(self) -> str:
        """The base URL to put in GITHUB_API_URL."""
        assert self._server is not None
        return f"http://{self.host}:{self._server.server_address[1]}"

    @property
    def public_key(self) -> str:
        """The public key the fake hands out, base64."""
        return base64.b64encode(bytes(self.private_key.public_key)).decode()

    def start(self) -> Self:
        handler = type("Handler", (_Handler,), {"owner": self})
        self._server = ThreadingHTTPServer((self.host, self.port), handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def reset(self) -> None:
        """Back to GitHub's normal answers, no secrets, no requests seen."""
        self.mode = "normal"
        self.secrets.clear()
        self.received.clear()

    def answer(
        self, method: str, path: str, auth: str, body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        """Status, headers and body for one request, as GitHub would answer it."""
        token = auth.removeprefix("Bearer ").strip()
        if token == EXPIRED or token not in (GOOD, READ_ONLY):
            return _json(401, {"message": "Bad credentials", "status": "401"})
        repo_path = _PATH.fullmatch(path)
        if repo_path is None:
            return _json(404, {"message": "Not Found"})
        repo = f"{repo_path['owner']}/{repo_path['repo']}"
        environment = repo_path["env"]
        if repo not in REPOSITORIES or (
            environment is not None and environment not in REPOSITORIES[repo]
        ):
            return _json(404, {"message": "Not Found"})
        if token == READ_ONLY:
            return _json(403, {"message": "Resource not accessible by personal access token"})
        if repo_path["rest"] == "public-key" and method == "GET":
            return _json(200, {"key_id": KEY_ID, "key": self.public_key})
        if method != "PUT" or "/" in repo_path["rest"]:
            return _json(404, {"message": "Not Found"})
        return self._put(repo, environment, repo_path["rest"], body)

    def _put(
        self, repo: str, environment: str | None, name: str, body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        try:
            sent = json.loads(body)
            sealed = base64.b64decode(sent["encrypted_value"])
            plain = SealedBox(self.private_key).decrypt(sealed).decode()
        except (ValueError, KeyError, TypeError) as exc:
            return _json(422, {"message": f"Invalid request: {type(exc).__name__}"})
        if sent.get("key_id") != KEY_ID:
            return _json(422, {"message": "Invalid key_id"})
        key = (repo, environment, name)
        created = key not in self.secrets
        self.secrets[key] = plain
        return (201 if created else 204), {}, b""


def _json(status: int, body: Any) -> tuple[int, dict[str, str], bytes]:
    return status, {"Content-Type": "application/json"}, json.dumps(body).encode()


class _Handler(BaseHTTPRequestHandler):
    owner: FakeGitHub
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._serve("GET")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def _serve(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        auth = self.headers.get("Authorization", "")
        self.owner.received.append(Received(method, self.path, auth, body))
        mode = self.owner.mode
        if mode == "hang":
            self.owner._stop.wait(30)
            return
        if mode == "redirect":
            self._send(307, {"Location": "http://203.0.113.9/steal"}, b"")
            return
        if mode == "huge":
            self._send_huge()
            return
        if mode == "trickle":
            self._trickle()
            return
        if mode == "garbage":
            self._send(200, {"Content-Type": "application/json"}, b"<html>\x1b[31mnot json")
            return
        if mode == "500":
            self._send(*_json(502, {"message": "Server Error"}))
            return
        if mode == "hostile-message":
            message = "\x1b[2J\x1b]8;;http://evil\x07[bold red]owned[/] " + auth
            self._send(*_json(403, {"message": message}))
            return
        self._send(*self.owner.answer(method, self.path, auth, body))

    def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _send_huge(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()  # no length: an endless answer
        try:
            chunk = b" " * 65536
            for _ in range(16 * 1024):  # 1 GB at most
                self.wfile.write(chunk)
        except OSError:
            return

    def _trickle(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "100000")
        self.end_headers()
        try:
            while not self.owner._stop.is_set():
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(0.2)
        except OSError:
            return


def main() -> int:
    """Run the fake until Ctrl-C, printing its URL and the demo credentials."""
    with FakeGitHub() as fake:
        print(f"export GITHUB_API_URL={fake.url}")
        for name, token in TOKENS.items():
            print(f"# {name}: export GH_TOKEN={token}")
        print("# repositories: " + ", ".join(sorted(REPOSITORIES)))
        sys.stdout.flush()
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            return 0


if __name__ == "__main__":
    raise SystemExit(main())
