"""What one delivery attempt produced, as reported by a transport."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .exchange import SentRequest


class ErrorKind(enum.StrEnum):
    """Why an attempt did not get a usable HTTP response (or e-mail acceptance)."""

    # Failed before the request reached the endpoint: the endpoint never saw it.
    CONNECT_ERROR = "connect_error"  # refused, DNS failure, reset or timeout while connecting
    TLS_ERROR = "tls_error"  # handshake failed (e.g. invalid certificate), nothing was sent
    # Failed after the request was (possibly) sent: the endpoint may have processed it.
    TIMEOUT = "timeout"  # the whole exchange exceeded the time limit
    CONNECTION_LOST = "connection_lost"  # reset or closed while waiting for the response
    # Refused by us, never sent.
    BLOCKED_ADDRESS = "blocked_address"  # private / loopback target while those are not allowed
    INVALID_TARGET = "invalid_target"  # malformed URL or unsupported scheme
    # E-mail.
    SMTP_TEMPORARY = "smtp_temporary"  # 4xx reply or server unreachable
    SMTP_REJECTED = "smtp_rejected"  # 5xx reply / recipients refused
    # Ours.
    INTERNAL_ERROR = "internal_error"  # the sender failed before sending (a bug or an unusable row)
    RESULT_UNKNOWN = "result_unknown"  # the worker that sent it died (or lost its database) before logging it


#: Kinds where nothing reached the endpoint, so an automatic retry cannot duplicate work.
NOT_SENT_KINDS = frozenset(
    {ErrorKind.CONNECT_ERROR, ErrorKind.TLS_ERROR, ErrorKind.SMTP_TEMPORARY, ErrorKind.INTERNAL_ERROR}
)

# C0 controls but tab, newline and carriage return, and DEL: PostgreSQL's text cannot hold NUL,
# and none of them helps a person reading the log.
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def storable_text(text: str) -> str:
    """``text`` with unprintable characters written as ``\\xNN``: any database stores it as it reads."""
    return _UNPRINTABLE.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of one attempt: a status code or an error kind, never both.

    ``response_excerpt`` is already bounded by the transport; ``retry_after`` is the raw
    ``Retry-After`` header (the policy interprets it). ``request`` is what was sent, masked
    (None when nothing was attempted); ``response_headers`` are bounded and masked too.
    """

    duration_ms: int
    status_code: int | None = None
    error_kind: ErrorKind | None = None
    error_message: str = ""
    response_excerpt: str = ""
    retry_after: str | None = None
    request: SentRequest | None = None
    response_headers: tuple[tuple[str, str], ...] = ()

    @property
    def succeeded(self) -> bool:
        return self.error_kind is None and self.status_code is not None and 200 <= self.status_code < 300
