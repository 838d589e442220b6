"""A receiver that answers with exactly the bytes a test gives it: for odd and broken HTTP.

Each request (read up to its ``Content-Length`` body) gets the next scripted answer, raw bytes
sent as they are; ``None`` closes the connection instead. A connection stays open after an
answer, so a client may send the next request on it, unless the answer is followed by
``CLOSE``. It counts connections and keeps each request's head.
"""

from __future__ import annotations

import socket
import threading
import time
from collections import deque

CLOSE = object()


class RawReceiver:
    def __init__(self, *answers: bytes | object | None) -> None:
        self._answers: deque[bytes | object | None] = deque(answers)
        self._lock = threading.Lock()
        self.connections = 0
        self.request_heads: list[bytes] = []  # each request's line and headers
        self.answer_before_body = False  # answer as soon as a request's head is in, then hang up
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def request_lines(self) -> list[bytes]:
        return [head.split(b"\r\n", 1)[0] for head in self.request_heads]

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def _accept(self) -> None:
        while not self._closed:
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            with self._lock:
                self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            buffer = b""
            while True:
                while b"\r\n\r\n" not in buffer:
                    data = conn.recv(65536)
                    if not data:
                        return
                    buffer += data
                head, _, buffer = buffer.partition(b"\r\n\r\n")
                if self.answer_before_body:
                    with self._lock:
                        self.request_heads.append(head)
                        answer = self._answers.popleft()
                    if isinstance(answer, bytes):
                        conn.sendall(answer)
                    time.sleep(0.05)  # then closed with the body unread: the client's send breaks
                    return
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                while len(buffer) < length:
                    data = conn.recv(65536)
                    if not data:
                        return
                    buffer += data
                buffer = buffer[length:]
                with self._lock:
                    self.request_heads.append(head)
                    answer = self._answers.popleft() if self._answers else b"HTTP/1.1 204 No Content\r\n\r\n"
                    close = bool(self._answers) and self._answers[0] is CLOSE
                    if close:
                        self._answers.popleft()
                if answer is None:
                    return
                assert isinstance(answer, bytes)
                try:
                    conn.sendall(answer)
                except OSError:
                    return
                if close:
                    return

    def close(self) -> None:
        self._closed = True
        self._server.close()
