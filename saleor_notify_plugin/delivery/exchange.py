"""What one attempt put on the wire and what came back, in a form that may be stored and shown.

Never holds a secret: a signature is masked (its ``v1,`` scheme kept, so a rotation's two
signatures show as two), a URL's path and query (a Slack URL's token, a key in a postback URL)
are masked as the transport's log filter masks them, and a receiver's cookies are not kept.
The body is not kept either, only its SHA-256 and size: it is the event's, re-derived when it
is shown and checked against the digest. :func:`curl_command` turns a stored request into a
command that sends the same bytes again.
"""

from __future__ import annotations

import functools
import hashlib
import shlex
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from .outcome import storable_text

MASKED = "[masked]"
URL_MASK = "[redacted]"
#: Request headers whose value is a credential.
SECRET_REQUEST_HEADERS = frozenset({"webhook-signature", "authorization", "proxy-authorization", "cookie"})
#: Response headers not kept (a receiver's session cookie is a credential of its own).
SECRET_RESPONSE_HEADERS = frozenset({"set-cookie", "set-cookie2", "authorization", "proxy-authenticate"})
#: What is kept of a response's headers: enough to debug with, bounded per row.
MAX_RESPONSE_HEADERS = 32
MAX_HEADER_NAME_CHARS = 64
MAX_HEADER_VALUE_CHARS = 256
MAX_RESPONSE_HEADER_CHARS = 2048
#: Headers the HTTP client sets by itself from the URL and the body: left out of the curl command.
CLIENT_SET_HEADERS = frozenset({"host", "content-length", "connection"})
SIGNATURE_VARIABLE = "WEBHOOK_SIGNATURE"
URL_VARIABLE = "URL"

Headers = list[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class SentRequest:
    """A request as sent, masked: storable and showable to whoever may read the event's payload."""

    method: str  # POST, or SMTP for an e-mail
    url: str | None  # masked (scheme, host and port only when the path or query could hold a secret)
    headers: tuple[tuple[str, str], ...]
    body_sha256: str
    body_size: int
    url_digest: str = ""  # a keyed digest of the full URL: tells whether the channel's URL is still the one used

    def as_json(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "url": self.url,
            "headers": [list(h) for h in self.headers],
            "body_sha256": self.body_sha256,
            "body_size": self.body_size,
            "url_digest": self.url_digest,
        }


def body_digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


@functools.lru_cache(maxsize=1024)
def masked_url(url: str) -> str:
    """``url`` with its path and query masked (and any user info dropped), unless it has neither."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return URL_MASK
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    origin = f"{parts.scheme}://{host}{f':{port}' if port else ''}"
    if parts.path in ("", "/") and not parts.query and not parts.fragment:
        return origin + "/"
    return f"{origin}/{URL_MASK}"


@functools.lru_cache(maxsize=1024)
def host_header(url: str) -> str:
    """The ``Host`` header an HTTP/1.1 client sends for ``url`` (the port only when not the scheme's)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # a port that is not a number, a bracket left open: no Host worth showing
        return ""
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    default = 443 if parts.scheme == "https" else 80
    return host if port in (None, default) else f"{host}:{port}"


def mask_value(name: str, value: str) -> str:
    """A secret header's value masked; a signature keeps its scheme (``v1,[masked]``) per signature."""
    if name.lower() != "webhook-signature":
        return MASKED
    return " ".join(
        f"{token.split(',', 1)[0]},{MASKED}" if "," in token else MASKED for token in value.split()
    ) or MASKED


def masked_request_headers(headers: Headers) -> tuple[tuple[str, str], ...]:
    return tuple(
        (name, mask_value(name, value) if name.lower() in SECRET_REQUEST_HEADERS else value) for name, value in headers
    )


def sent_request(method: str, url: str, headers: Headers, body: bytes) -> SentRequest:
    """The storable record of a request: ``Host`` first, as the client sends it, secrets masked."""
    named = {name.lower() for name, _ in headers}
    with_host = headers if "host" in named else [("Host", host_header(url)), *headers]
    return SentRequest(
        method=method,
        url=masked_url(url),
        headers=masked_request_headers(with_host),
        body_sha256=body_digest(body),
        body_size=len(body),
    )


def kept_response_headers(headers: Headers) -> list[list[str]]:
    """A response's headers, bounded: at most so many, each name and value cut, cookies not kept."""
    kept: list[list[str]] = []
    used = 0
    for index, (raw_name, raw_value) in enumerate(headers):
        name = storable_text(raw_name)[:MAX_HEADER_NAME_CHARS]
        value = storable_text(raw_value)
        if name.lower() in SECRET_RESPONSE_HEADERS:
            value = "[not kept]"
        elif len(value) > MAX_HEADER_VALUE_CHARS:
            value = value[:MAX_HEADER_VALUE_CHARS] + " [truncated]"
        if len(kept) >= MAX_RESPONSE_HEADERS or used + len(name) + len(value) > MAX_RESPONSE_HEADER_CHARS:
            kept.append(["…", f"{len(headers) - index} more headers not kept"])
            break
        kept.append([name, value])
        used += len(name) + len(value)
    return kept


def curl_command(request: SentRequest, body: bytes, url: str | None) -> str:
    """A shell command that sends ``body`` as ``request`` was sent.

    ``url`` is the full URL when the caller may see it, else None: the command then reads it
    from ``$URL``. A signature is never shown: the command reads it from ``$WEBHOOK_SIGNATURE``.
    """
    target = shlex.quote(url) if url else f'"${URL_VARIABLE}"'
    lines = [f"curl -sS -i -X {shlex.quote(request.method)} {target}"]
    for name, value in request.headers:
        lower = name.lower()
        if lower in CLIENT_SET_HEADERS:
            continue
        if lower == "webhook-signature":
            lines.append(f'-H "{name}: ${SIGNATURE_VARIABLE}"')
        elif lower in SECRET_REQUEST_HEADERS:
            continue
        else:
            lines.append(f"-H {shlex.quote(f'{name}: {value}')}")
    lines.append("-H 'Expect:'")  # curl would add "Expect: 100-continue" to a large body; the plugin never sends it
    lines.append("--data-binary @-")
    # The body goes through printf (a shell builtin: no limit on an argument's size) to curl's stdin.
    text = body.decode("utf-8", errors="replace")
    return f"printf '%s' {shlex.quote(text)} | " + " \\\n  ".join(lines)
