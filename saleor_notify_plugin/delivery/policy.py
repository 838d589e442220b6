"""The retry rules, as a pure function from an attempt's outcome to a decision.

Rules (product spec, "Postback delivery rules"):
- 2xx: done.
- 408, 429 and any 5xx: retried automatically, at most ``MAX_AUTOMATIC_RETRIES`` times
  (4 attempts in all), honouring ``Retry-After`` up to a bound, with capped, jittered backoff.
- A failure before the request was sent (connection refused, DNS, TLS handshake): retried
  like a 5xx, the endpoint never saw it.
- A timeout, or a connection lost after sending: failed, never retried automatically (the
  endpoint may have processed it).
- Any other status (3xx are not followed, other 4xx): failed at once.
- A manual retry is a single attempt: whatever happens, it is not retried automatically.
"""

from __future__ import annotations

import enum
import random
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from .outcome import NOT_SENT_KINDS, ErrorKind, Outcome

#: The product's rule: a postback is retried automatically at most 3 times.
MAX_AUTOMATIC_RETRIES = 3

RETRYABLE_STATUS_CODES = frozenset({408, 429})

#: RFC 9110 delay-seconds: ASCII digits only (``str.isdigit`` accepts "²" and other digits).
_DELTA_SECONDS = re.compile(r"[0-9]{1,12}")


class Verdict(enum.StrEnum):
    SUCCESS = "success"
    RETRY = "retry"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Decision:
    verdict: Verdict
    delay_s: float = 0.0
    reason: str = ""  # short code: http_503, timeout, connect_error, ...
    detail: str = ""  # why it stops here, for people


@dataclass(frozen=True, slots=True)
class RetryTiming:
    """How long to wait between automatic retries."""

    retry_base_delay_s: float = 10.0  # retries after 5-10 s, then 10-20 s, 20-40 s (equal jitter)
    retry_max_delay_s: float = 300.0  # never wait more than 5 minutes for our own backoff
    retry_after_max_s: float = 600.0  # a receiver may ask for at most 10 minutes


def backoff_s(retry_number: int, timing: RetryTiming, rng: random.Random | None = None) -> float:
    """Exponential backoff for the n-th retry (1-based), capped, with "equal jitter".

    Half of the delay is fixed and half random, so retries of many deliveries spread out
    while each still waits at least half the nominal delay.
    """
    nominal = min(timing.retry_max_delay_s, timing.retry_base_delay_s * 2 ** max(0, retry_number - 1))
    return nominal / 2 + (rng or random).uniform(0, nominal / 2)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if _DELTA_SECONDS.fullmatch(value):
        return float(value)
    try:
        when = parsedate_to_datetime(value)
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
    except Exception:  # noqa: BLE001 - a receiver's header never stops the rules: unparsable means absent
        return None


def is_retryable_status(status_code: int) -> bool:
    return status_code in RETRYABLE_STATUS_CODES or 500 <= status_code <= 599


def decide(
    outcome: Outcome,
    *,
    attempt_number: int,
    manual: bool = False,
    timing: RetryTiming = RetryTiming(),
    rng: random.Random | None = None,
) -> Decision:
    """Turn the outcome of attempt ``attempt_number`` (1-based) into what happens next."""
    if outcome.succeeded:
        return Decision(Verdict.SUCCESS)

    if outcome.error_kind is not None:
        # An attempt whose result was never logged counts as made; it may be sent again within
        # the automatic budget (the receiver deduplicates on webhook-id), never past it.
        retryable = outcome.error_kind in NOT_SENT_KINDS or outcome.error_kind is ErrorKind.RESULT_UNKNOWN
        reason = outcome.error_kind.value
    else:
        assert outcome.status_code is not None
        retryable = is_retryable_status(outcome.status_code)
        reason = f"http_{outcome.status_code}"

    if not retryable:
        return Decision(Verdict.FAILED, reason=reason, detail="not retried automatically")
    if manual:
        return Decision(Verdict.FAILED, reason=reason, detail="a manual retry is a single attempt")
    if attempt_number > MAX_AUTOMATIC_RETRIES:
        return Decision(Verdict.FAILED, reason=reason, detail="automatic retries exhausted")

    delay_s = backoff_s(attempt_number, timing, rng)
    retry_after_s = parse_retry_after(outcome.retry_after)
    if retry_after_s is not None:
        delay_s = max(delay_s, min(retry_after_s, timing.retry_after_max_s))
    return Decision(Verdict.RETRY, delay_s=delay_s, reason=reason)
