"""A fast HTTP/1.1 keep-alive receiver in its own process (asyncio, no framework), for load.

Every POST is answered ``200 ok`` at once and recorded as (arrival wall-clock time, webhook-id,
path). Control requests on the same port:  GET /_count, GET /_dump (JSON list), POST /_reset.

    python -m tests.support.load_receiver PORT

:class:`LoadReceiver` starts it and speaks its control requests. Unlike the programmable
receiver of ``tests.support.receiver`` (in the test's process, scripted replies), this one
never competes with the measuring process for its interpreter.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time

from tests.support.ports import free_port
from tests.support.worker_process import ROOT

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


class LoadReceiver:
    """The server above in a process of its own, and a client of its control requests."""

    def __init__(self) -> None:
        import requests

        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.support.load_receiver", str(self.port)],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if b"ready" not in line:
            raise RuntimeError(f"receiver did not start: {line!r}")
        self.control = requests.Session()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def count(self) -> int:
        return int(self.control.get(self.url("/_count")).text)

    def dump(self) -> list[tuple[float, str, str]]:
        return [tuple(r) for r in self.control.get(self.url("/_dump")).json()]

    def reset(self) -> None:
        self.control.post(self.url("/_reset"))

    def wait_for(self, n: int, stall_s: float = 60.0, poll_s: float = 0.02) -> None:
        """Until ``n`` requests arrived; RuntimeError once the count stayed still for ``stall_s``."""
        last, last_change = -1, time.monotonic()
        while True:
            c = self.count()
            if c >= n:
                return
            if c != last:
                last, last_change = c, time.monotonic()
            elif time.monotonic() - last_change > stall_s:
                raise RuntimeError(f"receiver stalled at {c}/{n}")
            time.sleep(poll_s)

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


if __name__ == "__main__":
    asyncio.run(serve(int(sys.argv[1])))
