"""Recovering a channel after an outage: its failed deliveries since a time, sent again, paced.

Owns :func:`recover` (which deliveries a recovery concerns: the channel's failed deliveries of
the manually retryable events whose last attempt failed at or after ``since``; a dry run that
only counts and lists the first few) and :func:`pace` (the schedule: one delivery every
``1 / RECOVER_RATE_PER_S`` seconds per channel, after what that channel already has scheduled).

Each delivery is re-opened as manual retry re-opens one (one more attempt, same event id, the
same time limit, outside the automatic budget), with its own due time. The schedule lives in
the delivery rows (``next_attempt_at``), not in a worker's memory: a message lost with a worker
is handed on by the sweep, which paces manual attempts through :func:`pace` too.

Hands to the next stage: after commit, each re-opened delivery to ``broker`` as a
``saleor_notify.deliver`` message with the countdown to its due time.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from ..conf import get_settings
from ..errors import NotifyError, NotifyErrorCode
from ..events import MANUALLY_RETRYABLE_EVENTS
from ..models import AttemptTrigger, Delivery, DeliveryStatus, NotificationChannel
from . import broker

logger = logging.getLogger(__name__)

#: How many of the deliveries a recovery concerns it lists (the dry run's preview).
PREVIEW_SIZE = 10
#: Rows re-opened per UPDATE statement.
WRITE_BATCH = 500
#: What re-opening a failed delivery for one manual attempt writes (as ``manual_retry`` does).
REOPEN_FIELDS = ["status", "next_trigger", "next_attempt_at", "lease_expires_at", "updated_at"]


@dataclass(frozen=True, slots=True)
class Planned:
    """One delivery of a recovery: when its last attempt failed, and when it is (would be) sent."""

    delivery: Delivery
    failed_at: datetime
    send_at: datetime


@dataclass(frozen=True, slots=True)
class Recovery:
    """What a recovery concerns (a dry run) or queued: how many, the first few, the pace."""

    channel: NotificationChannel
    since: datetime
    dry_run: bool
    count: int
    first: list[Planned]
    rate_per_s: float
    first_send_at: datetime | None
    last_send_at: datetime | None


def recover(channel_id: int, since: datetime, *, dry_run: bool, now: datetime | None = None) -> Recovery:
    """Send again, paced, every failed delivery of a manually retryable event that failed since ``since``.

    Refused, changing nothing: ``since`` in the future (INVALID), the channel missing
    (NOT_FOUND) or inactive (CHANNEL_UNAVAILABLE).
    """
    now = now or timezone.now()
    if timezone.is_naive(since):
        since = timezone.make_aware(since, timezone.get_current_timezone())
    if since > now:
        raise NotifyError(NotifyErrorCode.INVALID, "The time to recover from is in the future.", "since")
    rate_per_s = get_settings().recover_rate_per_s
    with transaction.atomic():
        # Locking the channel makes concurrent recoveries of one channel queue up behind each
        # other, so the second is scheduled after the first and the pace holds.
        channels = NotificationChannel.objects.filter(pk=channel_id)
        channel = (channels if dry_run else channels.select_for_update()).first()
        if channel is None:
            raise NotifyError(NotifyErrorCode.NOT_FOUND, "No such channel (it may have been deleted).", "id")
        if not channel.is_active:
            raise NotifyError(
                NotifyErrorCode.CHANNEL_UNAVAILABLE, "The channel is deactivated: activate it to recover.", "id"
            )
        if channel.paused_at is not None:
            # Its deliveries are held; a release after resume would send them unpaced.
            raise NotifyError(NotifyErrorCode.CHANNEL_UNAVAILABLE, "The channel is paused: resume it to recover.", "id")
        candidates = failed_since(channel, since)
        if dry_run:
            count = candidates.count()
            preview = list(candidates[:PREVIEW_SIZE])
            failed_at = [d.updated_at for d in preview]
            times = schedule(channel.pk, min(count, PREVIEW_SIZE), now, rate_per_s)
            last_send_at = schedule_end(times, count, rate_per_s)
        else:
            deliveries = list(candidates.select_for_update(of=("self",)))
            count = len(deliveries)
            preview = deliveries[:PREVIEW_SIZE]
            failed_at = [d.updated_at for d in preview]
            times = pace(channel.pk, deliveries, now, rate_per_s, reopen=True)
            last_send_at = times[-1] if times else None
    if not dry_run:
        logger.info(
            "saleor-notify recovery: channel %s, %d failed deliveries since %s sent again at %g/s, the last at %s",
            channel.pk, count, since.isoformat(), rate_per_s, last_send_at.isoformat() if last_send_at else "-",
        )
    return Recovery(
        channel=channel,
        since=since,
        dry_run=dry_run,
        count=count,
        first=[Planned(d, f, at) for d, f, at in zip(preview, failed_at, times, strict=False)],
        rate_per_s=rate_per_s,
        first_send_at=times[0] if times else None,
        last_send_at=last_send_at,
    )


def failed_since(channel: NotificationChannel, since: datetime) -> QuerySet[Delivery]:
    """The channel's failed deliveries of the manually retryable events whose last attempt failed
    at or after ``since``, in the order their events happened (the order they are sent again).

    A failed delivery's ``updated_at`` is when it failed: nothing changes a failed row but
    re-opening it.
    """
    return (
        Delivery.objects.filter(
            channel=channel,
            status=DeliveryStatus.FAILED,
            event__event__in=[e.value for e in MANUALLY_RETRYABLE_EVENTS],
            updated_at__gte=since,
        )
        .select_related("event")
        .order_by("event__occurred_at", "pk")
    )


def schedule(channel_id: int, count: int, now: datetime, rate_per_s: float) -> list[datetime]:
    """When ``count`` more manual attempts to the channel would go: one per interval, from now or
    after the last one already scheduled for it, whichever is later."""
    interval = timedelta(seconds=1 / rate_per_s)
    latest = (
        Delivery.objects.filter(
            channel_id=channel_id, status=DeliveryStatus.PENDING, next_trigger=AttemptTrigger.MANUAL,
            next_attempt_at__gt=now,
        ).aggregate(latest=Max("next_attempt_at"))["latest"]
    )
    start = max(now, latest + interval) if latest is not None else now
    return [start + i * interval for i in range(count)]


def schedule_end(times: list[datetime], count: int, rate_per_s: float) -> datetime | None:
    """When the last of ``count`` deliveries goes, given the first few of its ``times``."""
    if not times:
        return None
    return times[0] + (count - 1) * timedelta(seconds=1 / rate_per_s)


def pace(
    channel_id: int, deliveries: Sequence[Delivery], now: datetime, rate_per_s: float, *, reopen: bool
) -> list[datetime]:
    """Give ``deliveries`` (of one channel, locked by the caller) their times at the rate, and each
    to the broker after commit with the countdown to its time. ``reopen``: they are failed
    deliveries, re-opened for one manual attempt each (as ``manual_retry`` re-opens one); else
    they are pending manual attempts whose message was lost. Returns the times, in order."""
    times = schedule(channel_id, len(deliveries), now, rate_per_s)
    for delivery, at in zip(deliveries, times, strict=True):
        delivery.next_attempt_at = at
        if reopen:
            delivery.status, delivery.next_trigger = DeliveryStatus.PENDING, AttemptTrigger.MANUAL
            delivery.lease_expires_at, delivery.updated_at = None, now
    Delivery.objects.bulk_update(deliveries, REOPEN_FIELDS if reopen else ["next_attempt_at"], batch_size=WRITE_BATCH)
    due = [(d.pk, max(0.0, (at - now).total_seconds())) for d, at in zip(deliveries, times, strict=True)]
    transaction.on_commit(lambda: _enqueue(due), robust=True)
    return times


def pace_lost(delivery_ids: Sequence[int], now: datetime) -> set[int]:
    """Of the deliveries the sweep hands on, pace the manual attempts nobody started (their
    message was lost, e.g. with a worker) per channel as :func:`recover` does, so that a
    restarted worker does not send a recovery's overdue part at once. Returns those it paced."""
    rate_per_s = get_settings().recover_rate_per_s
    with transaction.atomic():
        lost = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(
                pk__in=list(delivery_ids), status=DeliveryStatus.PENDING, next_trigger=AttemptTrigger.MANUAL,
                lease_expires_at__isnull=True, channel__isnull=False,
            )
            .order_by("next_attempt_at", "pk")
            .only("pk", "channel_id", "next_attempt_at")
        )
        by_channel: dict[int, list[Delivery]] = defaultdict(list)
        for delivery in lost:
            assert delivery.channel_id is not None
            by_channel[delivery.channel_id].append(delivery)
        for channel_id, deliveries in by_channel.items():
            pace(channel_id, deliveries, now, rate_per_s, reopen=False)
    return {d.pk for d in lost}


def _enqueue(due: list[tuple[int, float]]) -> None:
    for pk, countdown_s in due:
        broker.send_task(broker.DELIVER_TASK, [pk], countdown_s)
