"""A programmable HTTP receiver for postbacks: scripted replies, delays, trickles, resets.

Every request is recorded; requests to a path registered with a secret are verified with
the ``standardwebhooks`` package (the reference implementation receivers use).
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook


@dataclass
class Reply:
    status: int = 200
    headers: dict[str, str | bytes] = field(default_factory=dict)
    body: bytes = b"ok"
    body_size: int | None = None  # send this many bytes instead of ``body``
    delay_s: float = 0.0  # wait before answering
    trickle_s: float | None = None  # send the response one byte every trickle_s seconds
    reset: bool = False  # abort the connection (RST) instead of answering
    hang_up: bool = False  # close the connection after answering, without saying so (a keep-alive that ran out)


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float
    verified: bool | None  # None: no secret registered for the path
    verify_error: str = ""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - silence
        pass

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        receiver = self.server.receiver
        reply = receiver._record(self.path, dict(self.headers.items()), body)
        if reply.delay_s:
            time.sleep(reply.delay_s)
        if reply.reset:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
            return
        payload = b"x" * reply.body_size if reply.body_size is not None else reply.body
        head = f"HTTP/1.1 {reply.status} Status\r\nContent-Length: {len(payload)}\r\n".encode()
        for name, value in reply.headers.items():  # a bytes value goes out as it is (any octet)
            head += name.encode() + b": " + (value if isinstance(value, bytes) else value.encode()) + b"\r\n"
        raw = head + b"\r\n" + payload
        try:
            if reply.trickle_s:
                for i in range(len(raw)):
                    self.wfile.write(raw[i : i + 1])
                    self.wfile.flush()
                    time.sleep(reply.trickle_s)
            else:
                self.wfile.write(raw)
        except OSError:
            self.close_connection = True
        if reply.hang_up:
            self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    receiver: Receiver


class Receiver:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._scripts: dict[str, deque[Reply]] = defaultdict(deque)
        self._secrets: dict[str, str] = {}
        self.requests: list[Received] = []
        self.connections = 0
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.receiver = self
        original_verify = self._server.verify_request

        def count_connection(request: object, client_address: object) -> bool:
            with self._lock:
                self.connections += 1
            return original_verify(request, client_address)

        self._server.verify_request = count_connection  # type: ignore[method-assign]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def script(self, path: str, *replies: Reply, secret: str | None = None) -> str:
        """Answer the next requests to ``path`` with ``replies`` (then 200); returns the URL."""
        with self._lock:
            self._scripts[path].extend(replies)
            if secret:
                self._secrets[path] = secret
        return self.url(path)

    def _record(self, path: str, headers: dict[str, str], body: bytes) -> Reply:
        with self._lock:
            secret = self._secrets.get(path)
            verified, error = None, ""
            if secret:
                try:
                    Webhook(secret).verify(body, headers)
                    verified = True
                except Exception as exc:  # noqa: BLE001 - record why
                    verified, error = False, repr(exc)
            self.requests.append(Received(path, headers, body, time.monotonic(), verified, error))
            script = self._scripts.get(path)
            return script.popleft() if script else Reply()

    def received(self, path: str) -> list[Received]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
