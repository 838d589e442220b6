"""Checks on what shop owners type: target URLs, e-mail lists, sources."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from .errors import NotifyError, NotifyErrorCode
from .events import Source

MAX_URL_LENGTH = 2048
MAX_EMAIL_RECIPIENTS = 50


def check_text(
    text: str, field: str, *, multiline: bool = False, code: NotifyErrorCode = NotifyErrorCode.INVALID
) -> str:
    """Refuse what no column can store: control characters (NUL included) and unpaired surrogates."""
    allowed = "\t\n\r" if multiline else ""
    if any(ord(ch) < 32 and ch not in allowed for ch in text):
        raise NotifyError(code, f"{field} contains control characters.", field)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise NotifyError(code, f"{field} is not valid text (it holds unpaired surrogates).", field) from None
    return text


def _is_forbidden_ip(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def _resolve(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos]


def validate_target_url(url: str, *, allow_private: bool, https_only: bool = False, field: str = "url") -> str:
    """A clean http(s) URL to a public host, or a NotifyError saying what is wrong with it."""
    url = (url or "").strip()
    if not url:
        raise NotifyError(NotifyErrorCode.REQUIRED, "A URL is required.", field)
    if len(url) > MAX_URL_LENGTH:
        raise NotifyError(NotifyErrorCode.INVALID_URL, f"The URL is longer than {MAX_URL_LENGTH} characters.", field)
    if any(ch.isspace() for ch in url):
        raise NotifyError(NotifyErrorCode.INVALID_URL, "The URL contains spaces or control characters.", field)
    check_text(url, field, code=NotifyErrorCode.INVALID_URL)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise NotifyError(
            NotifyErrorCode.INVALID_URL, "The URL is malformed (check the host and port).", field
        ) from None
    allowed = ("https",) if https_only else ("http", "https")
    if parts.scheme.lower() not in allowed:
        raise NotifyError(
            NotifyErrorCode.INVALID_URL, f"The URL must start with {' or '.join(s + '://' for s in allowed)}.", field
        )
    if parts.username is not None or parts.password is not None:
        raise NotifyError(
            NotifyErrorCode.INVALID_URL, "Credentials in the URL are not allowed; use the signing secret.", field
        )
    host = parts.hostname
    if not host:
        raise NotifyError(NotifyErrorCode.INVALID_URL, "The URL has no host.", field)
    if allow_private:
        return url
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        if host.rstrip(".").lower() == "localhost" or host.rstrip(".").lower().endswith(".localhost"):
            addresses = [ipaddress.ip_address("127.0.0.1")]
        else:
            try:
                addresses = _resolve(host, port or (443 if parts.scheme == "https" else 80))
            except (OSError, UnicodeError):
                raise NotifyError(NotifyErrorCode.INVALID_URL, f"The host {host!r} does not resolve.", field) from None
    if any(_is_forbidden_ip(ip) for ip in addresses):
        raise NotifyError(
            NotifyErrorCode.PRIVATE_TARGET,
            "The URL points to a private, loopback or reserved address; such targets are refused unless the "
            "shop allows private targets.",
            field,
        )
    return url


def validate_emails(addresses: Iterable[str], field: str = "emails") -> list[str]:
    cleaned: list[str] = []
    for raw in addresses:
        address = check_text((raw or "").strip(), field, code=NotifyErrorCode.INVALID_EMAIL)
        try:
            validate_email(address)
        except ValidationError:
            raise NotifyError(
                NotifyErrorCode.INVALID_EMAIL, f"{address[:100]!r} is not a valid e-mail address.", field
            ) from None
        if address.lower() not in {a.lower() for a in cleaned}:
            cleaned.append(address)
    if not cleaned:
        raise NotifyError(NotifyErrorCode.REQUIRED, "At least one e-mail address is required.", field)
    if len(cleaned) > MAX_EMAIL_RECIPIENTS:
        raise NotifyError(NotifyErrorCode.INVALID, f"At most {MAX_EMAIL_RECIPIENTS} addresses.", field)
    return cleaned


def validate_sources(sources: Iterable[str], field: str = "sources") -> set[str]:
    result: set[str] = set()
    for source in sources:
        try:
            result.add(Source(str(source).upper()).value)
        except ValueError:
            raise NotifyError(
                NotifyErrorCode.INVALID, f"Unknown source {str(source)[:40]!r}: use ADMIN, SHOP or FUNNEL.", field
            ) from None
    if not result:
        raise NotifyError(NotifyErrorCode.REQUIRED, "Choose at least one source.", field)
    return result
