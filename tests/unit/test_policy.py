"""The retry rules of the product spec, as a pure function."""

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from saleor_notify_plugin.delivery.outcome import ErrorKind, Outcome
from saleor_notify_plugin.delivery.policy import (
    MAX_AUTOMATIC_RETRIES,
    RetryTiming,
    Verdict,
    backoff_s,
    decide,
    parse_retry_after,
)

TIMING = RetryTiming(retry_base_delay_s=10, retry_max_delay_s=300, retry_after_max_s=600)


def status(code: int, retry_after: str | None = None) -> Outcome:
    return Outcome(duration_ms=5, status_code=code, retry_after=retry_after)


@pytest.mark.parametrize("code", [200, 201, 202, 204, 299])
def test_any_2xx_is_success(code):
    """2xx ends the delivery as a success."""
    assert decide(status(code), attempt_number=1).verdict is Verdict.SUCCESS


@pytest.mark.parametrize("code", [408, 429, 500, 502, 503, 504, 599])
def test_408_429_and_5xx_are_retried_three_times_then_fail(code):
    """Attempts 1-3 lead to a retry; attempt 4 (the third retry) fails for good."""
    verdicts = [decide(status(code), attempt_number=n, timing=TIMING).verdict for n in range(1, 5)]
    assert verdicts == [Verdict.RETRY] * MAX_AUTOMATIC_RETRIES + [Verdict.FAILED]


@pytest.mark.parametrize("code", [301, 302, 304, 400, 401, 403, 404, 410, 422])
def test_other_statuses_fail_at_once(code):
    """3xx (never followed) and 4xx other than 408/429 are not retried."""
    decision = decide(status(code), attempt_number=1)
    assert decision.verdict is Verdict.FAILED
    assert decision.reason == f"http_{code}"


@pytest.mark.parametrize("kind", [ErrorKind.CONNECT_ERROR, ErrorKind.TLS_ERROR])
def test_failures_before_sending_are_retried_like_5xx(kind):
    """Refused, DNS or TLS failures: the endpoint never saw the request."""
    outcome = Outcome(duration_ms=1, error_kind=kind)
    verdicts = [decide(outcome, attempt_number=n).verdict for n in range(1, 5)]
    assert verdicts == [Verdict.RETRY, Verdict.RETRY, Verdict.RETRY, Verdict.FAILED]


@pytest.mark.parametrize("kind", [ErrorKind.TIMEOUT, ErrorKind.CONNECTION_LOST, ErrorKind.BLOCKED_ADDRESS])
def test_timeout_and_failures_after_sending_are_not_retried(kind):
    """The endpoint may have processed it: failed, no automatic retry."""
    decision = decide(Outcome(duration_ms=30_000, error_kind=kind), attempt_number=1)
    assert decision.verdict is Verdict.FAILED
    assert decision.reason == kind.value


def test_manual_retry_is_a_single_attempt():
    """A manual attempt answered with 503 fails instead of retrying."""
    decision = decide(status(503), attempt_number=5, manual=True)
    assert decision.verdict is Verdict.FAILED
    assert "single attempt" in decision.detail


def test_backoff_doubles_is_capped_and_jittered():
    """~10 s, ~20 s, ~40 s, never above the cap, never below half the nominal delay."""
    rng = random.Random(7)
    for retry, nominal in [(1, 10), (2, 20), (3, 40), (10, 300)]:
        delays = [backoff_s(retry, TIMING, rng) for _ in range(200)]
        assert nominal / 2 <= min(delays) and max(delays) <= nominal
        assert len(set(delays)) > 100  # jittered, not constant


def test_retry_after_seconds_is_honoured():
    decision = decide(status(429, "120"), attempt_number=1, timing=TIMING)
    assert decision.verdict is Verdict.RETRY and decision.delay_s >= 120


def test_retry_after_is_bounded():
    """A receiver asking for a day gets the configured maximum."""
    decision = decide(status(503, "86400"), attempt_number=1, timing=TIMING)
    assert decision.delay_s == 600


def test_retry_after_http_date_is_understood():
    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    header = format_datetime(now + timedelta(seconds=90), usegmt=True)
    assert parse_retry_after(header, now=now) == pytest.approx(90)


@pytest.mark.parametrize("garbage", ["", "soon", "-5", "1.5e9x"])
def test_unreadable_retry_after_falls_back_to_backoff(garbage):
    decision = decide(status(503, garbage), attempt_number=1, timing=TIMING)
    assert decision.verdict is Verdict.RETRY and 5 <= decision.delay_s <= 10
