"""A channel's health, read from its own attempts by index: how its last 24 hours went, its
current failing spell, its last success, its median latency.

Every figure is one indexed query of bounded cost (attempts carry their channel; the latest
success has a partial index): the window's figures come from at most :data:`SAMPLE_LIMIT` of
its latest attempts, consecutive failures are counted up to :data:`CONSECUTIVE_LIMIT`. The
alerts (``pipeline.alerts``) and the GraphQL field ``NotificationChannel.health`` read it.

A *failing spell* starts with the first attempt after the channel's last success (or after
its last resume, if later) and lasts until the next success: with no success since, every
attempt in it failed. A spell older than ``ALERT_AFTER_MINUTES`` is alerting.
"""

from __future__ import annotations

import enum
import statistics
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from .conf import NotifySettings, get_settings
from .models import Delivery, DeliveryAttempt, DeliveryStatus, NotificationChannel

#: The window of the success rate and the median latency.
WINDOW = timedelta(hours=24)
#: The window's figures come from at most this many of its latest attempts (bounded cost).
SAMPLE_LIMIT = 1000
#: Consecutive failures are counted up to this many ("at least" beyond).
CONSECUTIVE_LIMIT = 1000
SUCCESS = "success"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class HealthStatus(enum.StrEnum):
    UNKNOWN = "UNKNOWN"  # nothing was attempted yet
    HEALTHY = "HEALTHY"  # the last attempt succeeded, no failure in the window
    RECOVERING = "RECOVERING"  # the last attempt succeeded after failures in the window
    FAILING = "FAILING"  # the last attempt failed
    ALERTING = "ALERTING"  # failing without a success for ALERT_AFTER_MINUTES or longer


@dataclass(frozen=True, slots=True)
class ChannelHealth:
    status: HealthStatus
    window_hours: float
    attempt_count: int  # in the window, at most SAMPLE_LIMIT
    success_count: int
    success_rate: float | None  # None without attempts in the window
    median_latency_ms: float | None
    consecutive_failures: int  # since the last success, at most CONSECUTIVE_LIMIT
    last_success_at: datetime | None
    last_failure_at: datetime | None  # in the window
    failing_since: datetime | None  # the current spell's first failure
    is_alerting: bool
    is_paused: bool
    held_deliveries: int  # pending deliveries held while paused


def with_spells(channels: QuerySet[NotificationChannel]) -> QuerySet[Any]:
    """``channels`` annotated with ``last_success_at`` and ``failing_since`` (two index lookups each;
    typed ``Any``: the type checker does not follow annotations across a function)."""
    last_success = (
        DeliveryAttempt.objects.filter(channel=OuterRef("pk"), verdict=SUCCESS)
        .order_by("-started_at")
        .values("started_at")[:1]
    )
    first_after = (
        DeliveryAttempt.objects.filter(channel=OuterRef("pk"), started_at__gt=OuterRef("spell_floor"))
        .order_by("started_at")
        .values("started_at")[:1]
    )
    epoch = Value(_EPOCH)
    return (
        channels.annotate(last_success_at=Subquery(last_success))
        .annotate(spell_floor=Greatest(Coalesce("last_success_at", epoch), Coalesce("resumed_at", epoch)))
        .annotate(failing_since=Subquery(first_after))
    )


def alerting(failing_since: datetime | None, now: datetime, settings: NotifySettings) -> bool:
    """Whether a spell that started at ``failing_since`` has lasted the alert period."""
    return failing_since is not None and failing_since <= now - timedelta(minutes=settings.alert_after_minutes)


def channel_health(
    channel: NotificationChannel, now: datetime | None = None, settings: NotifySettings | None = None
) -> ChannelHealth:
    """The health of ``channel`` now (three or four indexed queries)."""
    now = now or timezone.now()
    settings = settings or get_settings()
    spell = with_spells(NotificationChannel.objects.filter(pk=channel.pk)).values("last_success_at", "failing_since")
    row = spell.first() or {"last_success_at": None, "failing_since": None}
    last_success_at, failing_since = row["last_success_at"], row["failing_since"]
    recent = list(
        DeliveryAttempt.objects.filter(channel=channel.pk, started_at__gte=now - WINDOW)
        .order_by("-started_at")
        .values_list("verdict", "duration_ms", "started_at")[:SAMPLE_LIMIT]
    )
    successes = sum(1 for verdict, _, _ in recent if verdict == SUCCESS)
    last_failure_at = next((at for verdict, _, at in recent if verdict != SUCCESS), None)
    if recent and recent[0][0] == SUCCESS:
        consecutive = 0
    else:
        after = DeliveryAttempt.objects.filter(channel=channel.pk, started_at__gt=last_success_at or _EPOCH)
        consecutive = after.order_by("-started_at")[:CONSECUTIVE_LIMIT].count()
    is_alerting = alerting(failing_since, now, settings)
    if is_alerting:
        status = HealthStatus.ALERTING
    elif consecutive:
        status = HealthStatus.FAILING
    elif last_success_at is None and not recent:
        status = HealthStatus.UNKNOWN
    else:
        status = HealthStatus.RECOVERING if last_failure_at else HealthStatus.HEALTHY
    held = (
        Delivery.objects.filter(channel=channel.pk, status=DeliveryStatus.PENDING).count() if channel.is_paused else 0
    )
    return ChannelHealth(
        status=status,
        window_hours=WINDOW.total_seconds() / 3600,
        attempt_count=len(recent),
        success_count=successes,
        success_rate=successes / len(recent) if recent else None,
        median_latency_ms=float(statistics.median(d for _, d, _ in recent)) if recent else None,
        consecutive_failures=consecutive,
        last_success_at=last_success_at,
        last_failure_at=last_failure_at,
        failing_since=failing_since,
        is_alerting=is_alerting,
        is_paused=channel.is_paused,
        held_deliveries=held,
    )
