"""A TCP proxy between a client and a real server that can cut, refuse or slow connections.

Faults are injected on real sockets: ``cut()`` resets every open connection (both sides see
an RST), ``refuse(True)`` resets new connections at once (the server looks down), and
``trickle_s`` forwards the server's bytes one at a time (a receiver answering byte by byte,
even during a TLS handshake).
"""

from __future__ import annotations

import socket
import struct
import threading
import time


def _reset(sock: socket.socket) -> None:
    """Abort a connection: shutdown wakes a thread blocked reading it, close then sends the RST."""
    for step in (
        lambda: sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)),
        lambda: sock.shutdown(socket.SHUT_RDWR),
        sock.close,
    ):
        try:
            step()
        except OSError:
            pass


class TcpProxy:
    def __init__(self, upstream: tuple[str, int], trickle_s: float | None = None) -> None:
        self.upstream = upstream
        self.trickle_s = trickle_s
        self.accepted = 0
        self.cuts = 0
        self._refusing = False
        self._closed = False
        self._lock = threading.Lock()
        self._pairs: set[tuple[socket.socket, socket.socket]] = set()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self._thread = threading.Thread(target=self._accept_loop, name="tcp-proxy", daemon=True)
        self._thread.start()

    @property
    def address(self) -> tuple[str, int]:
        return ("127.0.0.1", self.port)

    def refuse(self, refusing: bool) -> None:
        """While on, every new connection is reset as soon as it is accepted."""
        self._refusing = refusing

    def cut(self) -> int:
        """Reset every open connection on both sides; returns how many were cut."""
        with self._lock:
            pairs, self._pairs = self._pairs, set()
        for client, server in pairs:
            _reset(client)
            _reset(server)
        self.cuts += len(pairs)
        return len(pairs)

    @property
    def open_connections(self) -> int:
        with self._lock:
            return len(self._pairs)

    def __enter__(self) -> TcpProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._closed = True
        self.cut()
        self._thread.join(timeout=2)
        self._listener.close()

    def _accept_loop(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted += 1
            if self._refusing:
                _reset(client)
                continue
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                _reset(client)
                continue
            server.settimeout(None)
            pair = (client, server)
            with self._lock:
                self._pairs.add(pair)
            threading.Thread(target=self._pump, args=(client, server, None, pair), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, self.trickle_s, pair), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, trickle_s: float | None, pair: tuple) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if trickle_s:
                    for i in range(len(data)):
                        dst.sendall(data[i : i + 1])
                        time.sleep(trickle_s)
                else:
                    dst.sendall(data)
        except OSError:
            pass
        finally:
            with self._lock:
                live = pair in self._pairs
                self._pairs.discard(pair)
            if live:  # an orderly end on one side: close both
                for sock in pair:
                    try:
                        sock.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
                    sock.close()
