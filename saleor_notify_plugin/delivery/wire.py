"""HTTP/1.1 on a connected socket, as the transport uses it (RFC 9112): one request written in one
piece, one response read within limits.

What a receiver sends is read no further than the exchange needs, and never without a bound: a
status line or header line of at most ``MAX_LINE`` bytes, at most ``MAX_HEADERS`` headers of at
most ``MAX_HEAD_BYTES`` in all, at most ``MAX_INTERIM`` interim (1xx) responses before the final
one, and a body framed by the chunked coding, by ``Content-Length`` or by the end of the
connection, read up to the caller's limit. Nothing here waits by itself: every read is one
``recv``, bounded by the socket's timeout and shut by the exchange's deadline (``deadline``).
"""

from __future__ import annotations

import re
import socket
from collections.abc import Iterable
from dataclasses import dataclass

MAX_LINE = 64 * 1024
MAX_HEADERS = 100
MAX_HEAD_BYTES = 256 * 1024
MAX_INTERIM = 32
RECV_BYTES = 64 * 1024
#: Bodies larger than this go in a second ``sendall`` rather than copied behind the head.
JOIN_BODY_BYTES = 64 * 1024


class ReceiverClosed(ConnectionError):
    """The connection ended before any byte of a response (a kept-alive connection the receiver had closed)."""


class ProtocolError(ConnectionError):
    """What came back is not an HTTP/1.x response a client can read (the message says what)."""


_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
#: In a header value: no control character but the tab (a CR or LF would start another header).
_VALUE_UNSAFE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
#: In the request target: printable ASCII only (requests has percent-encoded the rest).
_TARGET_SAFE = re.compile(r"[\x21-\x7e]+")
_VERSION = re.compile(rb"HTTP/1\.([0-9])")
_BODYLESS = frozenset({204, 304})


def request_head(method: str, target: str, host: str, headers: Iterable[tuple[str, str]]) -> bytes:
    """The request line and headers (``Host`` first), ready to send; ``ValueError`` for a name,
    value or target that would not be read as written (a line break in a value, say)."""
    if not _TARGET_SAFE.fullmatch(target):
        raise ValueError("the request target holds a character HTTP does not allow")
    lines = [f"{method} {target} HTTP/1.1", f"Host: {host}"]
    for name, value in headers:
        if not _TOKEN.fullmatch(name) or _VALUE_UNSAFE.search(value):
            raise ValueError(f"the header {name!r} cannot be sent as it is")
        lines.append(f"{name}: {value}")
    lines.append("\r\n")
    return "\r\n".join(lines).encode("latin-1")  # UnicodeEncodeError is a ValueError too


def send(sock: socket.socket, head: bytes, body: bytes) -> None:
    """Write the whole request (one piece when small: no wait for an acknowledgement in between)."""
    if len(body) <= JOIN_BODY_BYTES:
        sock.sendall(head + body)
    else:
        sock.sendall(head)
        sock.sendall(body)


class Reader:
    """A connection's incoming bytes: what one read took beyond a message stays for the next step."""

    __slots__ = ("buffer", "sock")

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = bytearray()

    def _fill(self) -> bool:
        data = self.sock.recv(RECV_BYTES)
        if not data:
            return False
        self.buffer += data
        return True

    def line(self) -> bytes | None:
        """The next line (with its line break), or None if the connection ended before any byte of one."""
        searched = 0
        while True:
            end = self.buffer.find(b"\n", searched)
            if end >= 0:
                if end >= MAX_LINE:
                    raise ProtocolError(f"a line longer than {MAX_LINE} bytes")
                line = bytes(self.buffer[: end + 1])
                del self.buffer[: end + 1]
                return line
            if len(self.buffer) >= MAX_LINE:
                raise ProtocolError(f"a line longer than {MAX_LINE} bytes")
            searched = len(self.buffer)
            if not self._fill():
                if self.buffer:
                    raise ProtocolError("the connection ended inside a line")
                return None

    def take(self, at_most: int) -> bytes:
        """Up to ``at_most`` bytes (at least one), or ``b""`` once the connection has ended."""
        if not self.buffer and not self._fill():
            return b""
        chunk = bytes(self.buffer[:at_most])
        del self.buffer[:at_most]
        return chunk


@dataclass(slots=True)
class Response:
    status: int
    headers: list[tuple[str, str]]  # as received, names as written, in order (repeated names repeated)
    http_10: bool = False
    _by_name: dict[str, str] | None = None

    def header(self, name: str) -> str | None:
        """The value of ``name`` (lower case); a repeated header's values joined with ", "."""
        if self._by_name is None:
            by_name: dict[str, str] = {}
            for key, value in self.headers:
                key = key.lower()
                by_name[key] = f"{by_name[key]}, {value}" if key in by_name else value
            self._by_name = by_name
        return self._by_name.get(name)

    def tokens(self, name: str) -> list[str]:
        """A list-valued header's elements (``name`` lower case), lower case (``Connection: Keep-Alive, Upgrade``)."""
        return [token.strip().lower() for token in (self.header(name) or "").split(",") if token.strip()]


def read_head(reader: Reader) -> Response:
    """The final response's status line and headers (interim 1xx responses read and dropped)."""
    for _ in range(MAX_INTERIM + 1):
        line = reader.line()
        if line is None:
            raise ReceiverClosed("the receiver closed the connection without a response")
        status, http_10 = _status(line)
        headers = _headers(reader)
        if 100 <= status < 200 and status != 101:
            continue  # 100 Continue, 103 Early Hints...: the final response follows
        return Response(status, headers, http_10)
    raise ProtocolError(f"more than {MAX_INTERIM} interim responses")


def _status(line: bytes) -> tuple[int, bool]:
    version, _, rest = line.rstrip(b"\r\n").partition(b" ")
    code = rest[:3]
    matched = _VERSION.fullmatch(version)
    if not matched or len(code) != 3 or not code.isdigit() or rest[3:4] not in (b"", b" ") or code[:1] == b"0":
        raise ProtocolError("not an HTTP/1.x status line")
    return int(code), matched.group(1) == b"0"


def _headers(reader: Reader) -> list[tuple[str, str]]:
    headers: list[tuple[str, str]] = []
    size = 0
    while True:
        line = reader.line()
        if line is None:
            raise ProtocolError("the connection ended inside the headers")
        if line in (b"\r\n", b"\n"):
            return headers
        size += len(line)
        if size > MAX_HEAD_BYTES or len(headers) >= MAX_HEADERS:
            raise ProtocolError(f"headers beyond {MAX_HEADERS} or {MAX_HEAD_BYTES} bytes")
        text = line.decode("latin-1").strip()
        if line[:1] in (b" ", b"\t"):
            if headers:  # obsolete line folding: the previous value goes on
                name, value = headers[-1]
                headers[-1] = (name, f"{value} {text}")
            continue
        name, colon, value = text.partition(":")
        if colon and name and _TOKEN.fullmatch(name):
            headers.append((name, value.strip()))
        # A line that is not a header is dropped, as a lenient client does.


@dataclass(slots=True)
class Body:
    data: bytes
    complete: bool  # the whole body was read (False: cut at the limit)
    reusable: bool  # the connection may carry another request


def read_body(reader: Reader, response: Response, limit: int) -> Body:
    """The body, read up to ``limit`` bytes (beyond it the rest is left: the connection must then be
    closed); ``ProtocolError`` when the framing is broken or the connection ends early."""
    connection = response.tokens("connection")
    reusable = "close" not in connection and ("keep-alive" in connection or not response.http_10)
    if response.status in _BODYLESS or 100 <= response.status < 200:
        return Body(b"", True, reusable)
    codings = response.tokens("transfer-encoding")
    if codings:
        if codings[-1] == "chunked":
            return _chunked(reader, limit, reusable)
        return _until_closed(reader, limit)
    length = _content_length(response)
    if length is None:
        return _until_closed(reader, limit)
    data = bytearray()
    left = length
    while left and len(data) <= limit:
        chunk = reader.take(min(left, RECV_BYTES))
        if not chunk:
            raise ProtocolError("the connection ended before the body's Content-Length")
        left -= len(chunk)
        data += chunk
    return Body(bytes(data), not left and len(data) <= limit, reusable and not left)


def _content_length(response: Response) -> int | None:
    """The body's length, or None when absent or not one clear number (read to the end then)."""
    values = {value.strip() for value in (response.header("content-length") or "").split(",") if value.strip()}
    if len(values) != 1:
        return None
    (value,) = values
    return int(value) if value.isdigit() else None


def _until_closed(reader: Reader, limit: int) -> Body:
    data = bytearray()
    while len(data) <= limit:
        chunk = reader.take(RECV_BYTES)
        if not chunk:
            return Body(bytes(data), True, False)
        data += chunk
    return Body(bytes(data), False, False)


def _chunked(reader: Reader, limit: int, reusable: bool) -> Body:
    data = bytearray()
    while len(data) <= limit:
        line = reader.line()
        if line is None:
            raise ProtocolError("the connection ended inside a chunked body")
        size_text = line.split(b";", 1)[0].strip()
        if not size_text or any(c not in b"0123456789abcdefABCDEF" for c in size_text):
            raise ProtocolError("a chunk size that is not hexadecimal")
        size = int(size_text, 16)
        if size == 0:
            _headers(reader)  # the trailer section, bounded as headers are
            return Body(bytes(data), True, reusable)
        while size and len(data) <= limit:
            chunk = reader.take(min(size, RECV_BYTES))
            if not chunk:
                raise ProtocolError("the connection ended inside a chunk")
            size -= len(chunk)
            data += chunk
        if size:
            break
        if reader.line() not in (b"\r\n", b"\n"):
            raise ProtocolError("a chunk not followed by its line break")
    return Body(bytes(data), False, False)
