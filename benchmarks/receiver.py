"""A fast HTTP/1.1 keep-alive receiver in its own process (asyncio, no framework).

Every POST is answered ``200 ok`` at once and recorded as (arrival wall-clock time, webhook-id,
path). Control requests on the same port:  GET /_count, GET /_dump (JSON list), POST /_reset.

    python -m benchmarks.receiver PORT
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok"


class State:
    def __init__(self) -> None:
        self.records: list[tuple[float, str, str]] = []


class Http(asyncio.Protocol):
    def __init__(self, state: State) -> None:
        self.state = state
        self.buf = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buf += data
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buf[:end].decode("latin-1")
            lines = head.split("\r\n")
            method, path, _ = lines[0].split(" ", 2)
            length, hook_id = 0, ""
            for line in lines[1:]:
                name, _, value = line.partition(":")
                name = name.strip().lower()
                if name == "content-length":
                    length = int(value)
                elif name == "webhook-id":
                    hook_id = value.strip()
            total = end + 4 + length
            if len(self.buf) < total:
                return
            self.buf = self.buf[total:]
            self.respond(method, path, hook_id)

    def respond(self, method: str, path: str, hook_id: str) -> None:
        assert self.transport is not None
        if path.startswith("/_"):
            if path == "/_count":
                body = str(len(self.state.records)).encode()
            elif path == "/_dump":
                body = json.dumps(self.state.records).encode()
            elif path == "/_reset":
                self.state.records = []
                body = b"ok"
            else:
                body = b"?"
            self.transport.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
            return
        self.state.records.append((time.time(), hook_id, path))
        self.transport.write(OK)


async def serve(port: int) -> None:
    state = State()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: Http(state), "127.0.0.1", port, backlog=512)
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(serve(int(sys.argv[1])))
