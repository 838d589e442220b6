"""Upkeep that beat schedules: the sweep that hands on lost work, and retention.

Owns :func:`sweep` (events never fanned out, and due deliveries nobody is working on, are
handed to ``broker`` again: a lost message or a dead worker's claim costs a delay, never an
event) and :func:`purge_old` (attempts and finished events past their retention, and
previous signing secrets past their window).

Hands to the next stage: ``saleor_notify.fan_out`` messages (up to ``broker.MAX_BATCH`` events
each) and ``saleor_notify.deliver`` messages (lists of up to ``broker.MAX_BATCH`` deliveries;
manual attempts paced per channel by ``recovery``, one each).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .. import activity
from ..channels import expire_previous_secrets
from ..conf import get_settings
from ..models import Delivery, DeliveryAttempt, DeliveryStatus, NotificationChannel, RecordedEvent
from . import broker, recovery

logger = logging.getLogger(__name__)


def sweep(now: datetime | None = None) -> dict[str, int]:
    """Re-enqueue events never fanned out and due deliveries nobody is working on."""
    if not activity.plugin_active():
        return {"events": 0, "deliveries": 0}
    settings = get_settings()
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.sweep_stale_after_s)
    batch = settings.sweep_batch_size

    # Rows a fan-out holds are being fanned out right now: skipped, never waited for (a fan-out may
    # hold some while it waits for others this sweep would have locked: a deadlock).
    with transaction.atomic():
        event_ids = list(
            RecordedEvent.objects.select_for_update(skip_locked=True)
            .filter(fanned_out_at__isnull=True, dispatch_requested_at__lte=stale)
            .order_by("dispatch_requested_at")
            .values_list("pk", flat=True)[:batch]
        )
        RecordedEvent.objects.filter(pk__in=event_ids).update(dispatch_requested_at=now)
    # Due and unclaimed for the stale window (its message was lost), or claimed by a worker whose
    # lease ran out (it died): the lease already waited, so no further window.
    due = Delivery.objects.filter(status=DeliveryStatus.PENDING).filter(
        Q(lease_expires_at__isnull=True, next_attempt_at__lte=stale) | Q(lease_expires_at__lte=now)
    )
    # A paused channel's deliveries are held (pipeline/alerts.py), not lost.
    if paused := list(NotificationChannel.objects.filter(paused_at__isnull=False).values_list("pk", flat=True)):
        due = due.exclude(channel_id__in=paused)
    with transaction.atomic():  # the same for deliveries a worker is claiming or writing the result of
        delivery_ids = list(
            due.select_for_update(skip_locked=True).order_by("next_attempt_at").values_list("pk", flat=True)[:batch]
        )
        # Manual attempts (a recovery's) keep their channel's pace; the rest go now.
        paced = recovery.pace_lost(delivery_ids, now) if delivery_ids else set()
        now_ids = [pk for pk in delivery_ids if pk not in paced]
        Delivery.objects.filter(pk__in=now_ids).update(next_attempt_at=now)
    for start in range(0, len(event_ids), broker.MAX_BATCH):
        broker.send_task(broker.FAN_OUT_TASK, [[str(pk) for pk in event_ids[start : start + broker.MAX_BATCH]]])
    # Handed on in lists: a backlog is sent through the workers' sender pools, not one task each.
    for start in range(0, len(now_ids), broker.MAX_BATCH):
        broker.send_task(broker.DELIVER_TASK, [now_ids[start : start + broker.MAX_BATCH]])
    if event_ids or delivery_ids:
        logger.info("saleor-notify sweep: re-enqueued %d events, %d deliveries", len(event_ids), len(delivery_ids))
    return {"events": len(event_ids), "deliveries": len(delivery_ids)}


def purge_old(now: datetime | None = None, chunk: int = 5000) -> dict[str, int]:
    """Delete attempts past their retention, and finished events past theirs (in chunks)."""
    settings = get_settings()
    now = now or timezone.now()
    counts = {"attempts": 0, "events": 0}
    attempt_cutoff = now - timedelta(days=settings.attempt_retention_days)
    event_cutoff = now - timedelta(days=settings.event_retention_days)
    while True:
        attempt_ids = list(
            DeliveryAttempt.objects.filter(started_at__lt=attempt_cutoff).values_list("pk", flat=True)[:chunk]
        )
        if not attempt_ids:
            break
        counts["attempts"] += DeliveryAttempt.objects.filter(pk__in=attempt_ids).delete()[0]
    while True:
        event_ids = list(
            RecordedEvent.objects.filter(created_at__lt=event_cutoff, fanned_out_at__isnull=False)
            .exclude(deliveries__status=DeliveryStatus.PENDING)
            .values_list("pk", flat=True)[:chunk]
        )
        if not event_ids:
            break
        RecordedEvent.objects.filter(pk__in=event_ids).delete()
        counts["events"] += len(event_ids)
    expire_previous_secrets(now)
    return counts
