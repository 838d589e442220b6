"""Checks on what shop owners type: target URLs, e-mail lists, sources, store slugs."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

import requests
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from .delivery import addresses, http
from .errors import NotifyError, NotifyErrorCode
from .events import Source

MAX_URL_LENGTH = 2048
MAX_EMAIL_RECIPIENTS = 50
#: Saleor's ``Channel.slug`` is at most this long.
MAX_SLUG_LENGTH = 255
#: An attachment names at most this many stores (a shop with more limits by source instead).
MAX_SALEOR_CHANNELS = 100


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


def host_matches(host: str, allowed: Iterable[str]) -> bool:
    """``host`` is one of ``allowed`` (exact, case-insensitive; a trailing dot ignored)."""
    host = host.rstrip(".").lower()
    return any(host == a.rstrip(".").lower() for a in allowed)


def validate_target_url(
    url: str,
    *,
    allow_private: bool,
    https_only: bool = False,
    allowed_hosts: Iterable[str] | None = None,
    field: str = "url",
) -> str:
    """A clean http(s) URL to a public host, or a NotifyError saying what is wrong with it.

    ``allowed_hosts``: the only hosts accepted (Slack's incoming webhooks live on one host).
    """
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
        parts.port  # noqa: B018 - raises ValueError for a bad port
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
    if allowed_hosts is not None and not host_matches(host, allowed_hosts):
        raise NotifyError(
            NotifyErrorCode.INVALID_URL,
            f"The URL must be on {' or '.join(sorted(allowed_hosts))} (the deployment's SLACK_HOSTS).",
            field,
        )
    if allow_private:
        return url
    # The transport's rule, on the address the transport would connect to (http.target_address).
    try:
        address = http.target_address(url)
    except requests.RequestException:  # what requests itself refuses (e.g. a host it cannot encode)
        raise NotifyError(
            NotifyErrorCode.INVALID_URL, "The URL is malformed (check the host and port).", field
        ) from None
    except (OSError, UnicodeError):
        raise NotifyError(NotifyErrorCode.INVALID_URL, f"The host {host!r} does not resolve.", field) from None
    if addresses.is_forbidden(address):
        raise NotifyError(
            NotifyErrorCode.PRIVATE_TARGET,
            "The URL points to a private, loopback or reserved address; such targets are refused unless the "
            "deployment allows private targets (SALEOR_NOTIFY['ALLOW_PRIVATE_TARGETS']).",
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


def validate_saleor_channel_slugs(slugs: Iterable[str], field: str = "saleorChannels") -> list[str]:
    """Store (Saleor channel) slugs as typed: trimmed, in order, each once; a blank, overlong or
    unstorable one is refused. Whether the shop has them is the caller's question."""
    cleaned: list[str] = []
    for raw in slugs:
        slug = check_text(str(raw if raw is not None else "").strip(), field)
        if not slug:
            raise NotifyError(NotifyErrorCode.INVALID, "A store's slug cannot be empty.", field)
        if len(slug) > MAX_SLUG_LENGTH:
            raise NotifyError(
                NotifyErrorCode.INVALID, f"A store's slug is at most {MAX_SLUG_LENGTH} characters.", field
            )
        if slug not in cleaned:
            cleaned.append(slug)
    if len(cleaned) > MAX_SALEOR_CHANNELS:
        raise NotifyError(NotifyErrorCode.INVALID, f"At most {MAX_SALEOR_CHANNELS} stores.", field)
    return cleaned
