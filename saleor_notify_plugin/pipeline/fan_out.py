"""Fanning recorded events out: one delivery per event and matching channel, created once.

Owns which attachments receive an event (:func:`matching_attachments`: active channel, the
event's source ticked, its store among the attachment's stores unless that has none, postback
only where the event says so) and the once-only step: the
events are locked and stamped ``fanned_out_at`` in the transaction that creates their
deliveries. A burst of events is one ``saleor_notify.fan_out`` message and a few statements.

Takes from ``broker`` (through the task) a batch of event ids; hands the new deliveries, and
any an earlier fan-out created but never started, to ``attempts.send_all``.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterable
from datetime import datetime

from django.db import connections, models, router, transaction
from django.utils import timezone

from .. import activity
from ..conf import get_settings
from ..events import ChannelKind, EventType, Source
from ..models import Delivery, DeliveryStatus, EventChannel, RecordedEvent
from . import recordsets
from .attempts import MAX_PARALLEL_SENDS, lease_until, send_all


def matching_attachments(event: EventType, source: Source, saleor_channel: str = "") -> list[EventChannel]:
    """Attachments that receive ``event`` from ``source`` in the store ``saleor_channel`` ("": none):
    active channel, right kind, and the store among the attachment's stores if it has any.

    A store-less event reaches only the attachments limited to no store. (Stores are matched
    here rather than in SQL: an event has few attachments, and the rule is the same on every
    database.)
    """
    attachments = EventChannel.objects.filter(
        event=event.value, channel__is_active=True, **{f"source_{source.value.lower()}": True}
    ).select_related("channel")
    if event.postback_only:
        attachments = attachments.filter(channel__kind=ChannelKind.POSTBACK)
    return [a for a in attachments if a.receives_saleor_channel(saleor_channel)]


#: Events recorded meanwhile that one fan-out takes along (see :func:`_taken_along`).
TAKE_ALONG = 100


def _taken_along(exclude: list[uuid.UUID], now: datetime) -> list[RecordedEvent]:
    """Other events waiting to be fanned out, oldest first, that no other worker holds.

    Their own messages are still queued behind this one; taken here, they cost this task a few
    rows more, and those messages find them done. So when events arrive faster than one task
    each can keep up with, they are fanned out in batches, and the queue does not grow.
    """
    return list(
        RecordedEvent.objects.select_for_update(skip_locked=True)
        .filter(fanned_out_at__isnull=True, dispatch_requested_at__lte=now)
        .exclude(pk__in=exclude)
        .defer(*_UNSENT_FIELDS)
        .order_by("dispatch_requested_at")[:TAKE_ALONG]
    )


#: An event's columns that neither its deliveries nor their log need (not loaded by a fan-out:
#: each timestamp costs its parsing, and nothing downstream reads them).
_UNSENT_FIELDS = ("created_at", "dispatch_requested_at", "idempotency_key")


def _work_left(event_ids: list[str | uuid.UUID]) -> bool:
    """Whether any of these events waits to be fanned out, or has a delivery nobody started."""
    using = router.db_for_write(RecordedEvent)  # where the fan-out then writes: no replica's lag
    if connections[using].vendor == "postgresql":
        with recordsets.bound_cursor(connections[using]) as cursor:  # the ids as one array, not one parameter each
            cursor.execute(_work_left_sql(using), [[uuid.UUID(str(pk)) for pk in event_ids]] * 2)
            return bool(cursor.fetchone()[0])
    unfanned = RecordedEvent.objects.using(using).filter(pk__in=event_ids, fanned_out_at__isnull=True).values("pk")
    unstarted = Delivery.objects.using(using).filter(
        event_id__in=event_ids, status=DeliveryStatus.PENDING, attempt_count=0
    ).values("event_id")
    return unfanned.union(unstarted).exists()


@functools.cache
def _work_left_sql(using: str) -> str:
    quote = connections[using].ops.quote_name

    def column(model: type[models.Model], name: str) -> str:
        return recordsets.column(using, model, name)

    pending = DeliveryStatus.PENDING.value
    return f"""
        SELECT EXISTS (
            SELECT 1 FROM {quote(RecordedEvent._meta.db_table)}
            WHERE {column(RecordedEvent, "id")} = ANY(%s) AND {column(RecordedEvent, "fanned_out_at")} IS NULL
        ) OR EXISTS (
            SELECT 1 FROM {quote(Delivery._meta.db_table)}
            WHERE {column(Delivery, "event")} = ANY(%s) AND {column(Delivery, "status")} = '{pending}'
              AND {column(Delivery, "attempt_count")} = 0
        )
    """


#: The columns a new delivery is written with (the rest are the model's defaults, set on the instance).
_NEW_DELIVERY_FIELDS = (
    "event", "channel", "channel_name", "channel_kind", "status", "failure_kind", "attempt_count",
    "next_trigger", "next_attempt_at", "lease_expires_at", "created_at", "updated_at",
)
#: Each of those as (column, attribute of the instance).
_NEW_DELIVERY_VALUES = tuple(
    (f.column, f.attname) for f in (recordsets.field(Delivery, name) for name in _NEW_DELIVERY_FIELDS)
)


def _insert(created: list[Delivery], now: datetime) -> None:
    """Write new deliveries and give each its id. On PostgreSQL one statement with the rows as one
    JSON document (:mod:`.recordsets`); elsewhere ``bulk_create``."""
    if not created:
        return
    using = router.db_for_write(Delivery)
    connection = connections[using]
    if connection.vendor != "postgresql":
        Delivery.objects.bulk_create(created)
        return
    rows = []
    for d in created:
        d.created_at = d.updated_at = now
        rows.append({column: getattr(d, attname) for column, attname in _NEW_DELIVERY_VALUES})
    with recordsets.bound_cursor(connection) as cursor:
        cursor.execute(_insert_sql(using), [recordsets.document(rows)])
        ids = {(str(event_id), channel_id): pk for pk, event_id, channel_id in cursor.fetchall()}
    for d in created:  # matched by the unique (event, channel): RETURNING's order is not promised
        d.pk = ids[(str(d.event_id), d.channel_id)]
        d._state.adding, d._state.db = False, using


@functools.cache
def _insert_sql(using: str) -> str:
    def column(name: str) -> str:
        return recordsets.column(using, Delivery, name)

    names = ", ".join(map(column, _NEW_DELIVERY_FIELDS))
    typed = recordsets.columns(using, Delivery, _NEW_DELIVERY_FIELDS)
    return f"""
        INSERT INTO {connections[using].ops.quote_name(Delivery._meta.db_table)} ({names})
        SELECT {names} FROM jsonb_to_recordset(%s::jsonb) AS r({typed})
        RETURNING {column("id")}, {column("event")}, {column("channel")}
    """


def fan_out(event_id: str | uuid.UUID) -> list[int]:
    """Fan one event out and deliver it (see :func:`fan_out_many`). Returns the delivery ids."""
    return fan_out_many([event_id])


def fan_out_many(event_ids: Iterable[str | uuid.UUID]) -> list[int]:
    """Create one delivery per event and matching channel (once), then make their first attempts.

    The deliveries are sent from here, at most ``MAX_PARALLEL_SENDS`` at a time: a burst of
    events costs one task and a few statements, not one task per delivery. Each delivery is
    claimed (its lease starts) only when its send starts, so the ones still waiting for a
    sender are never mistaken for a dead worker's; a killed worker's claims expire and the
    sweep hands its work on.
    """
    if not activity.plugin_active():
        return []  # held: the events stay un-fanned and the sweep hands them on after reactivation
    event_ids = list(event_ids)
    if not _work_left(event_ids):
        return []  # taken along by another fan-out, which sent them: one statement, no transaction
    settings = get_settings()
    now = timezone.now()
    lease = lease_until(now, settings)
    with transaction.atomic():
        events = list(
            RecordedEvent.objects.select_for_update().filter(pk__in=event_ids).defer(*_UNSENT_FIELDS).order_by("pk")
        )
        fresh = [event for event in events if event.fanned_out_at is None]
        if fresh:
            fresh += _taken_along(exclude=[event.pk for event in events], now=now)
        targets: dict[tuple[str, str, str], list[EventChannel]] = {}
        created: list[Delivery] = []
        claimed_count = 0
        for event in fresh:
            key = (event.event, event.source, event.saleor_channel)
            if key not in targets:
                targets[key] = matching_attachments(EventType(event.event), Source(event.source), event.saleor_channel)
            for a in targets[key]:
                # The first senders' worth is claimed as it is created; the rest waits unclaimed.
                # A paused channel's are held: created, pending, not attempted (alerts.release).
                first_wave = not a.channel.is_paused and claimed_count < MAX_PARALLEL_SENDS
                claimed_count += first_wave
                created.append(
                    Delivery(
                        event=event,
                        channel=a.channel,
                        channel_name=a.channel.name,
                        channel_kind=a.channel.kind,
                        attempt_count=1 if first_wave else 0,
                        next_attempt_at=now,
                        lease_expires_at=lease if first_wave else None,
                    )
                )
        # The event rows are locked and not fanned out yet: none of these deliveries exists.
        _insert(created, now)
        RecordedEvent.objects.filter(pk__in=[event.pk for event in fresh]).update(fanned_out_at=now)
        # An earlier fan-out of these events whose worker died before starting some deliveries.
        earlier = {event.pk: event for event in events if event.fanned_out_at is not None}
        leftovers = (
            list(
                Delivery.objects.select_related("channel").filter(
                    event__in=list(earlier), status=DeliveryStatus.PENDING, attempt_count=0
                )
            )
            if earlier
            else []
        )
        for delivery in leftovers:  # their events are loaded above: not loaded (and decoded) again
            delivery.event = earlier[delivery.event_id]
    claimed = [d for d in created if d.attempt_count]
    waiting = [d for d in created + leftovers if not d.attempt_count and not (d.channel and d.channel.is_paused)]
    send_all(claimed, waiting, settings)
    return [d.pk for d in created] + [d.pk for d in leftovers]
