"""An HTTPS receiver whose certificate is self-signed, made at test time with ``openssl``.

No client trusts it unless told to (``REQUESTS_CA_BUNDLE``), which is the point: a target
serving an invalid certificate must never receive a notification.
"""

from __future__ import annotations

import socket
import ssl
import subprocess
import threading
import time
from pathlib import Path


def make_self_signed(directory: Path, common_name: str = "localhost") -> tuple[Path, Path]:
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", f"/CN={common_name}",
         "-addext", f"subjectAltName=DNS:{common_name},IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    return cert, key


class TlsReceiver:
    """Answers every request with 200; counts handshakes that failed and requests that arrived."""

    def __init__(self, directory: Path, trickle_s: float | None = None, keep_alive: bool = False) -> None:
        self.trickle_s = trickle_s  # send the answer one byte every trickle_s seconds
        self.keep_alive = keep_alive  # answer further requests on the same connection
        self.cert, self.key = make_self_signed(directory)
        self._context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._context.load_cert_chain(self.cert, self.key)
        self.failed_handshakes = 0
        self.handshakes = 0
        self.requests: list[bytes] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self._closed = False
        self._thread = threading.Thread(target=self._serve, name="tls-receiver", daemon=True)
        self._thread.start()

    def url(self, path: str = "/hook", host: str = "127.0.0.1") -> str:
        return f"https://{host}:{self.port}{path}"

    def close(self) -> None:
        self._closed = True
        self._thread.join(timeout=2)
        self._listener.close()

    def _serve(self) -> None:
        while not self._closed:
            try:
                raw, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._handle, args=(raw,), daemon=True).start()

    def _handle(self, raw: socket.socket) -> None:
        raw.settimeout(5)
        try:
            conn = self._context.wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError):
            self.failed_handshakes += 1
            raw.close()
            return
        self.handshakes += 1
        with conn:
            try:
                while self._answer_one(conn):
                    pass
            except (ssl.SSLError, OSError):
                pass

    def _answer_one(self, conn: ssl.SSLSocket) -> bool:
        """Read one request and answer it; whether the connection stays open for another."""
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return False
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                       if line.lower().startswith(b"content-length:")), 0)
        while len(body) < length:
            body += conn.recv(65536)
        self.requests.append(body)
        closing = b"" if self.keep_alive else b"Connection: close\r\n"
        answer = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n" + closing + b"\r\nok"
        if self.trickle_s is None:
            conn.sendall(answer)
        else:
            for i in range(len(answer)):
                conn.sendall(answer[i : i + 1])
                time.sleep(self.trickle_s)
        return self.keep_alive
