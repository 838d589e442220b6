"""HTTP POST transport: reports an :class:`Outcome`, never raises for network trouble.

Built on ``requests-hardened`` (the client Saleor itself uses): redirects are never
followed and, unless private targets are allowed, private, loopback and link-local
addresses are refused after DNS resolution (so a public name pointing inside is refused
too). The whole exchange is bounded by a deadline; the response body is read up to a
limit and the rest is dropped with the connection.
"""

from __future__ import annotations

import contextvars
import functools
import http.client
import ipaddress
import logging
import os
import socket
import ssl
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests_hardened import Config, HTTPSession
from requests_hardened.ip_filter import InvalidIPAddress
from requests_hardened.ip_filter_adapter import IPFilterAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.util.connection import allowed_gai_family

from . import addresses, deadline, exchange
from .outcome import ErrorKind, Outcome, storable_text

READ_CHUNK_BYTES = 16 * 1024


@dataclass(frozen=True, slots=True)
class HttpSettings:
    timeout_s: float = 30.0  # the seed's rule: 30 seconds for the whole exchange
    connect_timeout_s: float = 10.0  # a target that cannot be reached in 10 s is retried later
    allow_private_targets: bool = False
    max_response_bytes: int = 64 * 1024  # read at most this much of a response, then hang up
    response_excerpt_chars: int = 1024  # stored in the attempt log
    user_agent: str = "saleor-notify"


# --- connections that report their sockets to the current exchange's deadline guard --------


# The mixin is mixed into urllib3's connections: for the type checker it is one, so what it
# calls on ``self`` and ``super()`` is checked.
if TYPE_CHECKING:
    _Connection = HTTPConnection
else:
    _Connection = object


class _GuardedMixin(_Connection):
    _notify_uses = 0

    def getresponse(self, *args: Any, **kwargs: Any) -> Any:
        guard = deadline.current()
        if guard is not None:
            guard.request_sent = True
            guard.reused_connection = self._notify_uses > 0
            if self.sock is not None:
                guard.sockets.append(self.sock)
        self._notify_uses += 1
        return super().getresponse(*args, **kwargs)

    def connect(self) -> None:
        host = getattr(self, "_dns_host", None)  # urllib3's: the name the socket connects to
        if isinstance(host, str) and not _is_ip_literal(host):
            # Resolve under the exchange's deadline (urllib3 would block in getaddrinfo).
            port = int(getattr(self, "port", None) or 0)
            resolved = deadline.within(lambda: _first_address(host, port), "name resolution")
            setattr(self, "_dns_host", resolved)  # noqa: B010 - an attribute mypy cannot see
        super().connect()
        guard = deadline.current()
        if guard is not None and self.sock is not None:
            guard.sockets.append(self.sock)
            if guard.fired:
                self.sock.close()


class _GuardedHTTPConnection(_GuardedMixin, HTTPConnection):
    pass


class _GuardedHTTPSConnection(_GuardedMixin, HTTPSConnection):
    pass


class _GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


def _guard_pools(adapter: HTTPAdapter) -> None:
    """Make ``adapter``'s pools open guarded connections."""
    adapter.poolmanager.pool_classes_by_scheme = {
        "http": _GuardedHTTPPool,
        "https": _GuardedHTTPSPool,
    }


class _GuardedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        _guard_pools(self)


class _GuardedIPFilterAdapter(IPFilterAdapter):
    """requests-hardened pins the connection to the address it resolved; that address must also
    pass the plugin's own rule (:mod:`.addresses`), the one a target is validated with when saved."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        _guard_pools(self)

    def build_connection_pool_key_attributes(self, *args: Any, **kwargs: Any) -> Any:
        # The IP filter resolves the name here, before any connection: bound it by the deadline.
        parent = super().build_connection_pool_key_attributes
        host_params, pool_kwargs = deadline.within(lambda: parent(*args, **kwargs), "name resolution")
        if addresses.is_forbidden(host_params["host"]):
            raise InvalidIPAddress(host_params["host"])
        return host_params, pool_kwargs


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _first_address(host: str, port: int | None) -> str:
    """The address to connect to, chosen as requests-hardened pins one (the first, of a family
    this machine can use)."""
    family, _, _, _, address = socket.getaddrinfo(host, port, allowed_gai_family(), socket.SOCK_STREAM)[0]
    return str(address[0])


def target_address(url: str) -> addresses.IPAddress:
    """The address a post to ``url`` connects to, found as the transport finds it: the host as
    requests prepares it (its IDNA encoding, then the adapter's parsing), resolved to the first
    address of a family this machine can use (the address requests-hardened pins and checks).

    The one rule for targets is :func:`addresses.is_forbidden` of this address: the transport
    applies it when it connects, a channel's URL is checked with it when saved. Raises
    ``requests.exceptions.InvalidURL`` for a URL requests refuses, ``OSError`` when the name
    does not resolve.
    """
    prepared = requests.PreparedRequest()
    prepared.prepare_url(url, None)
    parts = urlsplit(prepared.url or "")
    if not parts.hostname:
        raise requests.exceptions.InvalidURL("the URL has no host")
    return addresses.parse(_first_address(parts.hostname, parts.port))


def _no_credentials(request: requests.PreparedRequest) -> requests.PreparedRequest:
    return request


class _DirectSession(HTTPSession):
    """The holder of a thread's mounted adapters (a send goes straight to the adapter, see :func:`_send`).

    Used as a session, it is never through a proxy, even one set in the environment
    (``HTTP(S)_PROXY``, ``ALL_PROXY``): a proxy resolves the name again and connects wherever that
    points, undoing the checked, pinned address. Never with the process's ``~/.netrc`` (or
    ``$NETRC``) login for the target's host: requests adds it to any request without credentials of
    its own, and the target is the shop admin's choice. The environment's other settings
    (``REQUESTS_CA_BUNDLE``) still apply."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Credentials that add nothing: with them set, requests never looks for a netrc login
        # (which also spared a file lookup per request).
        self.auth = _no_credentials

    def merge_environment_settings(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        merged: dict[str, Any] = super().merge_environment_settings(*args, **kwargs)
        merged["proxies"] = {}
        return merged


def _make_session(allow_private_targets: bool) -> requests.Session:
    config = Config(
        ip_filter_enable=not allow_private_targets,
        ip_filter_allow_loopback_ips=False,
        never_redirect=True,
        default_timeout=None,
    )
    session = _DirectSession(config)
    if allow_private_targets:
        session.mount("http://", _GuardedAdapter())
        session.mount("https://", _GuardedAdapter())
    else:
        session.mount("http://", _GuardedIPFilterAdapter(is_https_proto=False))
        session.mount("https://", _GuardedIPFilterAdapter(is_https_proto=True))
    return session


_sessions = threading.local()


def _session(allow_private_targets: bool) -> requests.Session:
    """One keep-alive session per thread and filter setting (worker processes reuse connections)."""
    cache = getattr(_sessions, "by_mode", None)
    if cache is None:
        cache = _sessions.by_mode = {}
    session = cache.get(allow_private_targets)
    if session is None:
        session = cache[allow_private_targets] = _make_session(allow_private_targets)
    return session


# --- no URL in the log ----------------------------------------------------------------------
#
# urllib3 logs each request line at DEBUG ('"POST /services/T…/B…/token HTTP/1.1" 200'), its
# retries and redirects with the URL: a Slack URL's path is its token, a postback URL may carry
# a key. While an exchange of ours runs, its URL's path and query are masked in those records.

_current_target: contextvars.ContextVar[tuple[str, ...]] = contextvars.ContextVar("notify_target", default=())
REDACTED = "[redacted]"


def _url_secrets(url: str) -> tuple[str, ...]:
    parts = urlsplit(url)
    path_and_query = parts.path + (f"?{parts.query}" if parts.query else "")
    return tuple(s for s in (url, path_and_query if path_and_query not in ("", "/") else "") if s)


class _RedactTargets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        secrets = _current_target.get()
        if not secrets:
            return True

        def clean(value: Any) -> Any:
            text = value if isinstance(value, str) else str(value)
            if any(s in text for s in secrets):
                for s in secrets:
                    text = text.replace(s, REDACTED)
                return text
            return value

        if isinstance(record.args, tuple):
            record.args = tuple(clean(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: clean(v) for k, v in record.args.items()}
        if isinstance(record.msg, str):
            record.msg = clean(record.msg)
        return True


for _name in ("urllib3.connectionpool", "urllib3.connection", "urllib3.util.retry", "urllib3.poolmanager"):
    logging.getLogger(_name).addFilter(_RedactTargets())


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
    if isinstance(root, ssl.SSLCertVerificationError):
        return f"TLS certificate rejected: {root.verify_message}"
    if isinstance(root, ssl.SSLError):
        return f"TLS error: {root.reason or type(root).__name__}"
    if isinstance(root, OSError) and root.strerror:
        return f"{type(root).__name__}: {root.strerror}"
    if isinstance(root, http.client.RemoteDisconnected):
        return "the receiver closed the connection without a response"
    return type(root).__name__


def _classify(exc: Exception, guard: deadline.Guard) -> ErrorKind:
    if guard.fired:
        # Out of time. Before the request went out (resolving, connecting, a handshake), the
        # receiver saw nothing: retried like a refused connection. After it, maybe processed.
        return ErrorKind.TIMEOUT if guard.request_sent else ErrorKind.CONNECT_ERROR
    if isinstance(exc, InvalidIPAddress):
        return ErrorKind.BLOCKED_ADDRESS
    if isinstance(
        exc,
        (
            requests.exceptions.InvalidURL,
            requests.exceptions.InvalidSchema,
            requests.exceptions.MissingSchema,
            requests.exceptions.InvalidHeader,
        ),
    ):
        return ErrorKind.INVALID_TARGET
    if isinstance(exc, requests.exceptions.SSLError):
        return ErrorKind.TLS_ERROR
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return ErrorKind.CONNECT_ERROR
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return ErrorKind.TIMEOUT
    if not guard.request_sent:
        return ErrorKind.CONNECT_ERROR
    if guard.reused_connection and isinstance(_root_cause(exc), http.client.RemoteDisconnected):
        # A kept-alive connection the receiver had already closed: the request never arrived.
        return ErrorKind.CONNECT_ERROR
    return ErrorKind.CONNECTION_LOST


def _excerpt(raw: bytes, limit_chars: int) -> str:
    """The start of a body for the log: any bytes (binary, NUL) come out as storable text."""
    return storable_text(raw[: limit_chars * 4].decode("utf-8", errors="replace")[:limit_chars])


def post(url: str, body: bytes, headers: dict[str, str], settings: HttpSettings = HttpSettings()) -> Outcome:
    """POST ``body`` to ``url`` once and report what happened."""
    started = time.monotonic()
    all_headers = {
        "Content-Type": "application/json",
        "User-Agent": settings.user_agent,
        "Accept-Encoding": "identity",  # the body is read raw and bounded: no decompression bombs
        **headers,
    }
    hidden = _current_target.set(_url_secrets(url))
    try:
        return _post(url, body, all_headers, settings, started)
    finally:
        _current_target.reset(hidden)


def _sent(url: str, prepared: object, all_headers: dict[str, str], body: bytes) -> exchange.SentRequest:
    """The request as it went out (the prepared request's headers, when there is one), masked."""
    headers = getattr(prepared, "headers", None)
    if isinstance(headers, Mapping):
        pairs = [(str(k), str(v)) for k, v in headers.items()]
    else:  # refused before requests prepared it: what it would have sent
        pairs = [*all_headers.items(), ("Content-Length", str(len(body)))]
    target = getattr(prepared, "url", None) or url
    return exchange.sent_request("POST", target if isinstance(target, str) else url, pairs, body)


def _response_headers(response: requests.Response) -> tuple[tuple[str, str], ...]:
    raw = getattr(response.raw, "headers", None)
    pairs = list(raw.items()) if raw is not None else list(response.headers.items())
    return tuple((name, value) for name, value in exchange.kept_response_headers([(str(k), str(v)) for k, v in pairs]))


#: The headers requests' sessions add to every request (its User-Agent and Accept-Encoding are
#: replaced by the transport's own).
_SESSION_HEADERS = requests.utils.default_headers()


@functools.lru_cache(maxsize=1024)
def _prepared_url(url: str) -> str:
    """``url`` as requests prepares it (IDNA host, quoted path), once per URL; raises as requests does."""
    prepared = requests.PreparedRequest()
    prepared.prepare_url(url, None)
    return str(prepared.url)


def _send(url: str, body: bytes, all_headers: dict[str, str], settings: HttpSettings) -> requests.Response:
    """The POST, straight through the session's adapter for the URL (its pools, IP filter and
    guarded connections): what a session adds around it (a cookie jar that would carry one
    receiver's cookies into later deliveries, redirect bookkeeping for a redirect never followed,
    the environment's proxies, a netrc login) is left out, and so is its cost per send."""
    session = _session(settings.allow_private_targets)
    prepared = requests.PreparedRequest()
    prepared.method = "POST"
    prepared.url = _prepared_url(url)
    headers = requests.structures.CaseInsensitiveDict(_SESSION_HEADERS)
    headers.update(all_headers)
    prepared.prepare_headers(headers)
    prepared.prepare_body(body, None)
    adapter = session.get_adapter(prepared.url)
    # As a session reads the environment: a CA bundle named there is what certificates are checked against.
    verify: bool | str = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
    return adapter.send(
        prepared,
        stream=True,
        timeout=(min(settings.connect_timeout_s, settings.timeout_s), settings.timeout_s),
        verify=verify,
        cert=None,
        proxies={},
    )


def _post(url: str, body: bytes, all_headers: dict[str, str], settings: HttpSettings, started: float) -> Outcome:
    with deadline.exchange(settings.timeout_s) as guard:
        try:
            response = _send(url, body, all_headers, settings)
        except (requests.RequestException, ValueError, OSError) as exc:
            kind = _classify(exc, guard) if not isinstance(exc, ValueError) else ErrorKind.INVALID_TARGET
            if kind is ErrorKind.TIMEOUT:
                message = "no complete response within the time limit"
            elif guard.fired:
                message = "nothing was sent within the time limit (resolving or connecting took too long)"
            else:
                message = _describe(exc)
            return Outcome(
                duration_ms=_ms_since(started),
                error_kind=kind,
                error_message=message,
                request=_sent(url, getattr(exc, "request", None), all_headers, body),
            )

        try:
            received = bytearray()
            truncated = False
            while True:
                chunk = response.raw.read(READ_CHUNK_BYTES, decode_content=False)
                if not chunk:
                    break
                received += chunk
                if len(received) > settings.max_response_bytes:
                    truncated = True
                    break
        except Exception as exc:  # noqa: BLE001 - any failure while reading the body
            if guard.fired:
                response.close()
                return Outcome(
                    duration_ms=_ms_since(started),
                    error_kind=ErrorKind.TIMEOUT,
                    error_message="no complete response within the time limit",
                    status_code=None,
                    request=_sent(url, response.request, all_headers, body),
                    response_headers=_response_headers(response),
                )
            truncated = True  # the status line arrived: keep it, the body is what it is
            del exc
        finally:
            response.close()

    return Outcome(
        duration_ms=_ms_since(started),
        status_code=response.status_code,
        response_excerpt=(
            _excerpt(bytes(received), settings.response_excerpt_chars) + (" [truncated]" if truncated else "")
        ),
        retry_after=response.headers.get("Retry-After"),
        request=_sent(url, response.request, all_headers, body),
        response_headers=_response_headers(response),
    )


def _ms_since(started: float) -> int:
    return int(round((time.monotonic() - started) * 1000))
