"""A SOCKS5 proxy on loopback that plays whatever host it is asked for: it ends TLS with the
test certificate (graph.test) and relays the plain HTTP to a fake Graph server."""

from __future__ import annotations

import socket
import ssl
import struct
import threading
from pathlib import Path
from types import TracebackType
from typing import Self

DATA = Path(__file__).resolve().parents[1] / "data"
CERT = DATA / "graph-test-cert.pem"
"""Self-signed for graph.test and 127.0.0.1; a client trusts it with SSL_CERT_FILE=CERT."""
KEY = DATA / "graph-test-key.pem"


class TlsSocksProxy:
    """SOCKS5 (no authentication, CONNECT only) on 127.0.0.1; every CONNECT is recorded as
    (host, port) and served by `backend` (host, port), a plain HTTP server, behind TLS."""

    def __init__(self, backend: tuple[str, int]) -> None:
        self.backend = backend
        self.connects: list[tuple[str, int]] = []
        """Every target a client asked for, in order."""
        self._tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._tls.load_cert_chain(CERT, KEY)
        self._server = socket.create_server(("127.0.0.1", 0))
        self.url = f"socks5://127.0.0.1:{self._server.getsockname()[1]}"
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._server.close()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(client,), daemon=True).start()

    def _handle(self, client: socket.socket) -> None:
        with client:
            try:
                self.connects.append(_socks_handshake(client))
                secure = self._tls.wrap_socket(client, server_side=True)
            except (OSError, ValueError):
                return
            with secure, socket.create_connection(self.backend) as upstream:
                threading.Thread(target=_pipe, args=(upstream, secure), daemon=True).start()
                _pipe(secure, upstream)


def _socks_handshake(client: socket.socket) -> tuple[str, int]:
    """Greeting, then one CONNECT request; answers success and returns the target."""
    version, methods = _read(client, 2)
    _read(client, methods)
    if version != 5:
        raise ValueError("not SOCKS5")
    client.sendall(b"\x05\x00")
    _, command, _, kind = _read(client, 4)
    if kind == 1:
        host = socket.inet_ntoa(_read(client, 4))
    elif kind == 3:
        host = _read(client, _read(client, 1)[0]).decode()
    else:
        host = socket.inet_ntop(socket.AF_INET6, _read(client, 16))
    (port,) = struct.unpack("!H", _read(client, 2))
    if command != 1:
        raise ValueError("only CONNECT")
    client.sendall(b"\x05\x00\x00\x01" + bytes(6))
    return host, port


def _read(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ValueError("closed during the handshake")
        data += chunk
    return data


def _pipe(source: socket.socket, target: socket.socket) -> None:
    """Copy until either side closes."""
    try:
        while chunk := source.recv(65536):
            target.sendall(chunk)
    except OSError:
        pass
    finally:
        try:
            target.shutdown(socket.SHUT_WR)
        except OSError:
            pass
