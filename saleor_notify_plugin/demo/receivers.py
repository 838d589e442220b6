"""Local HTTP receivers for the demo: each answers from its own script of replies."""

from __future__ import annotations

import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from ..delivery.signing import verify


class DemoReceivers:
    """One HTTP server; ``add(path, secret, statuses, delay_s)`` programs a path."""

    def __init__(self) -> None:
        self.scripts: dict[str, deque[tuple[int, float]]] = {}
        self.secrets: dict[str, str] = {}
        self.log: list[str] = []
        receivers = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                status, delay_s = receivers.next_reply(self.path)
                secret = receivers.secrets.get(self.path)
                if secret:
                    signed = "signature ok" if verify(secret, dict(self.headers.items()), body) else "BAD SIGNATURE"
                    receivers.log.append(f"{self.path:<12} {self.headers.get('webhook-id')} ({signed}) -> {status}")
                else:
                    receivers.log.append(f"{self.path:<12} {body[:70].decode(errors='replace')} -> {status}")
                time.sleep(delay_s)
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except OSError:
                    pass  # the sender gave up (timeout)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def add(self, path: str, *, statuses: tuple[int, ...] = (), delay_s: float = 0.0, secret: str = "") -> str:
        self.scripts[path] = deque((s, delay_s) for s in statuses)
        if secret:
            self.secrets[path] = secret
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def next_reply(self, path: str) -> tuple[int, float]:
        script = self.scripts.get(path)
        return script.popleft() if script else (200, 0.0)

    def close(self) -> None:
        self.server.shutdown()
