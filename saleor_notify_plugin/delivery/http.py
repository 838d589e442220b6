"""HTTP POST transport: reports an :class:`Outcome`, never raises for network trouble.

An HTTP/1.1 client of its own (the messages on the wire are :mod:`.wire`'s), kept lean because
every delivery goes through it: redirects are never followed, nothing comes from the environment (no proxy,
no ``~/.netrc`` login, no cookie jar), and, unless private targets are allowed, the address a
name resolves to must pass :func:`addresses.is_forbidden` before anything connects to it (so a
public name pointing inside is refused too). A connection is pinned to the address it was
checked with and kept alive for later posts to the same origin. The whole exchange is bounded
by a deadline; the response body is read up to a limit and the rest is dropped with the
connection.
"""

from __future__ import annotations

import functools
import ipaddress
import logging
import os
import select
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import certifi
import requests
from urllib3.util.connection import allowed_gai_family

from . import addresses, deadline, exchange, wire
from .outcome import ErrorKind, Outcome, storable_text

logger = logging.getLogger(__name__)

READ_CHUNK_BYTES = 16 * 1024


@dataclass(frozen=True, slots=True)
class HttpSettings:
    timeout_s: float = 30.0  # the seed's rule: 30 seconds for the whole exchange
    connect_timeout_s: float = 10.0  # a target that cannot be reached in 10 s is retried later
    allow_private_targets: bool = False
    max_response_bytes: int = 64 * 1024  # read at most this much of a response, then hang up
    response_excerpt_chars: int = 1024  # stored in the attempt log
    user_agent: str = "saleor-notify"


class InvalidTarget(requests.exceptions.InvalidURL):
    """A URL the transport cannot post to; the message is ours and never repeats the URL."""


class BlockedAddress(OSError):
    """The target's name resolved to an address no notification may reach (:func:`addresses.is_forbidden`)."""


@dataclass(frozen=True, slots=True)
class _Target:
    """What a URL says about where a post goes, worked out once per URL."""

    url: str  # as requests prepares it (IDNA host, quoted path): what the log shows
    scheme: str
    host: str  # the name (or address) to resolve, and the TLS server name
    port: int
    path: str  # the request target: path and query
    name: str  # the host as named to the server (TLS, Host): a trailing dot dropped
    host_header: str  # that name, with the port when it is not the scheme's


@functools.lru_cache(maxsize=1024)
def _target(url: str) -> _Target:
    """``url`` as requests prepares it (its IDNA encoding and quoting), split for the client;
    raises a ``requests.exceptions.InvalidURL`` (:class:`InvalidTarget` with a message of ours) for
    what cannot be posted to."""
    prepared = requests.PreparedRequest()
    prepared.prepare_url(url, None)
    try:
        zero = urlsplit(url).port == 0  # requests drops a port 0, which would then mean the default
    except ValueError:
        zero = False
    if zero:
        raise InvalidTarget("port 0 is no port to send to")
    parts = urlsplit(str(prepared.url))
    if parts.scheme not in ("http", "https"):
        raise InvalidTarget("only http and https URLs can be posted to")
    if not parts.hostname:
        raise InvalidTarget("the URL has no host")
    default = 443 if parts.scheme == "https" else 80
    try:
        port = parts.port if parts.port is not None else default
    except ValueError as exc:
        raise InvalidTarget("the URL's port is not a number") from exc
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    name = parts.hostname.rstrip(".") or parts.hostname
    shown = f"[{name}]" if ":" in name else name
    host_header = shown if port == default else f"{shown}:{port}"
    return _Target(str(prepared.url), parts.scheme, parts.hostname, port, path, name, host_header)


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _first_address(host: str, port: int | None) -> str:
    """The address to connect to: the first of a family this machine can use (the one checked)."""
    family, _, _, _, address = socket.getaddrinfo(host, port, allowed_gai_family(), socket.SOCK_STREAM)[0]
    return str(address[0])


def target_address(url: str) -> addresses.IPAddress:
    """The address a post to ``url`` connects to, found as the transport finds it: the host as
    requests prepares it (its IDNA encoding), resolved to the first address of a family this
    machine can use.

    The one rule for targets is :func:`addresses.is_forbidden` of this address: the transport
    applies it before it connects, a channel's URL is checked with it when saved. Raises
    ``requests.exceptions.InvalidURL`` for a URL requests refuses, ``OSError`` when the name
    does not resolve.
    """
    target = _target(url)
    return addresses.parse(_first_address(target.host, target.port))


# --- connections -----------------------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def _tls_context(ca_bundle: str) -> ssl.SSLContext:
    """Certificates checked against ``ca_bundle`` (a file or a directory), host names checked."""
    if os.path.isdir(ca_bundle):
        context = ssl.create_default_context(capath=ca_bundle)
    else:
        context = ssl.create_default_context(cafile=ca_bundle)
    context.set_alpn_protocols(["http/1.1"])
    return context


def _ca_bundle() -> str:
    """As requests reads the environment: a CA bundle named there, else certifi's."""
    return os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or certifi.where()


class _Connection:
    """A connection to one checked address: it never resolves the name again, and its socket is
    handed to the current exchange's deadline guard (which shuts it at the deadline) as soon as
    it exists, before a TLS handshake."""

    __slots__ = ("address", "connect_timeout_s", "key", "port", "reader", "sock", "tls", "tls_name", "uses")

    def __init__(
        self, key: tuple, target: _Target, address: str, connect_timeout_s: float, tls: ssl.SSLContext | None
    ) -> None:
        self.key = key
        self.tls_name = target.name
        self.port = target.port
        self.address = address
        self.connect_timeout_s = connect_timeout_s
        self.tls = tls
        self.sock: socket.socket | None = None
        self.reader: wire.Reader | None = None
        self.uses = 0

    def connect(self, guard: deadline.Guard) -> None:
        sock = socket.create_connection((self.address, self.port), self.connect_timeout_s)
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self.tls is not None:  # wrapped first (the TLS socket takes the descriptor over), shaken after
                sock = self.tls.wrap_socket(sock, server_hostname=self.tls_name, do_handshake_on_connect=False)
        except BaseException:
            sock.close()
            raise
        self.sock = sock
        _guarded(guard, sock)
        if isinstance(sock, ssl.SSLSocket):
            sock.do_handshake()
        self.reader = wire.Reader(sock)

    def close(self) -> None:
        if self.sock is not None:
            try:
                self.sock.close()
            except OSError:
                pass
        self.sock = self.reader = None


def _guarded(guard: deadline.Guard, sock: socket.socket) -> None:
    """Hand ``sock`` to the exchange's deadline guard; out of time already, give up now."""
    guard.sockets.append(sock)
    if guard.fired:
        raise TimeoutError("out of time")


def _dropped(conn: _Connection) -> bool:
    """Whether a kept-alive connection can no longer be used: closed, or the receiver closed its
    end (or sent something unasked) while it was idle."""
    sock = conn.sock
    if sock is None or (isinstance(sock, ssl.SSLSocket) and sock.pending()):
        return True
    poller = select.poll()
    poller.register(sock, select.POLLIN)
    return bool(poller.poll(0))


_connections = threading.local()


def _forget_connections_after_fork() -> None:
    global _connections
    _connections = threading.local()  # the parent's sockets are the parent's


os.register_at_fork(after_in_child=_forget_connections_after_fork)

#: Kept-alive connections per sender thread (to as many origins), the least recently used closed first.
KEPT_CONNECTIONS = 10


def _connection(target: _Target, settings: HttpSettings) -> _Connection:
    """This thread's kept-alive connection to ``target``'s origin, or a new one to a checked address."""
    cache: dict[tuple, _Connection] | None = getattr(_connections, "by_origin", None)
    if cache is None:
        cache = _connections.by_origin = {}
    ca_bundle = _ca_bundle() if target.scheme == "https" else ""
    key = (target.scheme, target.host, target.port, settings.allow_private_targets, ca_bundle)
    conn = cache.pop(key, None)
    if conn is not None and not _dropped(conn):
        cache[key] = conn
        return conn
    if conn is not None:
        conn.close()
    host = target.host
    if _is_ip_literal(host):
        address = host.strip("[]")
    else:  # resolving ignores socket timeouts: bounded by the exchange's deadline instead
        address = deadline.within(lambda: _first_address(host, target.port), "name resolution")
    if not settings.allow_private_targets and addresses.is_forbidden(address):
        raise BlockedAddress(f"the target's address {address} is not a public address")
    conn = _Connection(
        key,
        target,
        address,
        min(settings.connect_timeout_s, settings.timeout_s),
        _tls_context(ca_bundle) if target.scheme == "https" else None,
    )
    while len(cache) >= KEPT_CONNECTIONS:  # the dictionary's order is the order of last use
        cache.pop(next(iter(cache))).close()
    cache[key] = conn
    return conn


def _forget(conn: _Connection) -> None:
    """Close ``conn`` and stop keeping it (after a failure, a cut response, or a receiver closing)."""
    conn.close()
    cache = getattr(_connections, "by_origin", {})
    if cache.get(conn.key) is conn:
        del cache[conn.key]


# --- error classification ------------------------------------------------------------------


def _root_cause(exc: BaseException) -> BaseException:
    seen = set()
    current: BaseException = exc
    while id(current) not in seen:
        seen.add(id(current))
        nested = current.__cause__ or current.__context__
        if nested is None:
            for arg in getattr(current, "args", ()):
                if isinstance(arg, BaseException):
                    nested = arg
                    break
            else:
                reason = getattr(current, "reason", None)
                nested = reason if isinstance(reason, BaseException) else None
        if nested is None:
            break
        current = nested
    return current


def _describe(exc: BaseException) -> str:
    """A short description without the URL (which may hold a secret, e.g. Slack's)."""
    root = _root_cause(exc)
    if isinstance(root, BlockedAddress):
        return "the target's address is not a public one (private targets are not allowed)"
    if isinstance(root, ssl.SSLCertVerificationError):
        return f"TLS certificate rejected: {root.verify_message}"
    if isinstance(root, ssl.SSLError):
        return f"TLS error: {root.reason or type(root).__name__}"
    if isinstance(root, OSError) and root.strerror:
        return f"{type(root).__name__}: {root.strerror}"
    if isinstance(root, InvalidTarget):
        return str(root)
    if isinstance(root, wire.ReceiverClosed):
        return "the receiver closed the connection without a response"
    if isinstance(root, wire.ProtocolError):
        return f"not a readable HTTP response: {root}"
    return type(root).__name__


def _classify(exc: BaseException, guard: deadline.Guard) -> ErrorKind:
    if guard.fired:
        # Out of time. Before the request went out (resolving, connecting, a handshake), the
        # receiver saw nothing: retried like a refused connection. After it, maybe processed.
        return ErrorKind.TIMEOUT if guard.request_sent else ErrorKind.CONNECT_ERROR
    if isinstance(exc, BlockedAddress):
        return ErrorKind.BLOCKED_ADDRESS
    if isinstance(exc, ssl.SSLError) and not guard.request_sent:  # before ValueError: a certificate error is both
        return ErrorKind.TLS_ERROR
    if isinstance(exc, (requests.exceptions.RequestException, ValueError)):
        return ErrorKind.INVALID_TARGET  # a URL or header the client refuses to send
    if isinstance(exc, TimeoutError):
        return ErrorKind.TIMEOUT if guard.request_sent else ErrorKind.CONNECT_ERROR
    if not guard.request_sent:
        return ErrorKind.CONNECT_ERROR
    if guard.reused_connection and isinstance(_root_cause(exc), wire.ReceiverClosed):
        # A kept-alive connection the receiver had already closed: the request never arrived.
        return ErrorKind.CONNECT_ERROR
    return ErrorKind.CONNECTION_LOST


def _excerpt(raw: bytes, limit_chars: int) -> str:
    """The start of a body for the log: any bytes (binary, NUL) come out as storable text."""
    return storable_text(raw[: limit_chars * 4].decode("utf-8", errors="replace")[:limit_chars])


#: What every post carries besides the caller's headers, in the order sent (the order requests
#: used, so the log's requests and curl commands stay as they were).
_BASE_HEADERS = (("Accept", "*/*"), ("Connection", "keep-alive"), ("Content-Type", "application/json"))


def _request_headers(headers: dict[str, str], body: bytes, settings: HttpSettings) -> list[tuple[str, str]]:
    """The headers sent, names as given; a caller's header replaces a base one of the same name (any case)."""
    by_name: dict[str, tuple[str, str]] = {
        "user-agent": ("User-Agent", settings.user_agent),
        "accept-encoding": ("Accept-Encoding", "identity"),  # the body is read raw and bounded: no decompression bombs
    }
    for name, value in (*_BASE_HEADERS, *headers.items()):
        by_name[name.lower()] = (name, value)
    by_name["content-length"] = ("Content-Length", str(len(body)))
    return list(by_name.values())


def post(url: str, body: bytes, headers: dict[str, str], settings: HttpSettings = HttpSettings()) -> Outcome:
    """POST ``body`` to ``url`` once and report what happened."""
    started = time.monotonic()
    sent_headers = _request_headers(headers, body, settings)
    try:
        target = _target(url)
    except (requests.RequestException, ValueError) as exc:
        return Outcome(
            duration_ms=_ms_since(started),
            error_kind=ErrorKind.INVALID_TARGET,
            error_message=_describe(exc),
            request=exchange.sent_request("POST", url, sent_headers, body),
        )
    request = exchange.sent_request("POST", target.url, [("Host", target.host_header), *sent_headers], body)
    outcome = _post(target, body, sent_headers, settings, started, request)
    logger.debug(
        "POST %s: %s in %d ms", request.url, outcome.status_code or outcome.error_kind, outcome.duration_ms
    )  # the URL masked: a Slack URL's path is its token, a postback URL may carry a key
    return outcome


def _post(
    target: _Target,
    body: bytes,
    headers: list[tuple[str, str]],
    settings: HttpSettings,
    started: float,
    request: exchange.SentRequest,
) -> Outcome:
    with deadline.exchange(settings.timeout_s) as guard:
        conn: _Connection | None = None
        try:
            head = wire.request_head("POST", target.path, target.host_header, headers)
            conn = _connection(target, settings)
            guard.reused_connection = conn.sock is not None
            if conn.sock is None:
                conn.connect(guard)
            else:
                _guarded(guard, conn.sock)
            assert conn.sock is not None and conn.reader is not None
            conn.sock.settimeout(settings.timeout_s)  # each read; the deadline bounds them all
            conn.uses += 1
            try:
                wire.send(conn.sock, head, body)
            except (BrokenPipeError, ConnectionResetError) as broken:
                # An answer before the whole body was taken (a 401 or a 413, then the receiver
                # hung up): it answered this request, so its answer is the outcome.
                try:
                    response = wire.read_head(conn.reader)
                except (OSError, wire.ProtocolError):
                    raise broken from None
                guard.request_sent = True
            else:
                guard.request_sent = True
                response = wire.read_head(conn.reader)
        except Exception as exc:  # noqa: BLE001 - whatever failed, the attempt is reported
            if conn is not None:
                _forget(conn)
            kind = _classify(exc, guard)
            if kind is ErrorKind.TIMEOUT:
                message = "no complete response within the time limit"
            elif guard.fired:
                message = "nothing was sent within the time limit (resolving or connecting took too long)"
            else:
                message = _describe(exc)
            return Outcome(duration_ms=_ms_since(started), error_kind=kind, error_message=message, request=request)

        response_headers = _response_headers(response)
        try:
            body_read = wire.read_body(conn.reader, response, settings.max_response_bytes)
            received, truncated = body_read.data, not body_read.complete
            if not body_read.reusable or not body_read.complete or _dropped(conn) or conn.reader.buffer:
                _forget(conn)  # cut short, closing, or more bytes than the response: never reused
        except Exception:  # noqa: BLE001 - any failure while reading the body
            _forget(conn)
            if guard.fired:
                return Outcome(
                    duration_ms=_ms_since(started),
                    error_kind=ErrorKind.TIMEOUT,
                    error_message="no complete response within the time limit",
                    request=request,
                    response_headers=response_headers,
                )
            received, truncated = b"", True  # the status line arrived: keep it, the body is what it is

    return Outcome(
        duration_ms=_ms_since(started),
        status_code=response.status,
        response_excerpt=(_excerpt(received, settings.response_excerpt_chars) + (" [truncated]" if truncated else "")),
        retry_after=response.header("retry-after"),
        request=request,
        response_headers=response_headers,
    )


def _response_headers(response: wire.Response) -> tuple[tuple[str, str], ...]:
    return tuple((name, value) for name, value in exchange.kept_response_headers(response.headers))


def _ms_since(started: float) -> int:
    return int(round((time.monotonic() - started) * 1000))
