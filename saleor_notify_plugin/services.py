"""The service API: the only code that writes the plugin's rows.

Recording happens inside the caller's transaction and hands work to Celery only after
commit; everything after that (fan-out, attempts, retries) runs in workers.
"""

from __future__ import annotations

import hashlib
import logging
import operator
import os
import time
import uuid
from collections import defaultdict, deque
from collections.abc import Iterable
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import replace
from datetime import datetime, timedelta
from functools import reduce
from typing import Any

from celery import current_app
from django.db import DatabaseError, connections, router, transaction
from django.db.models import Q
from django.utils import timezone

from . import activity, dispatch, senders, telemetry
from .conf import NotifySettings, get_settings
from .delivery.outcome import ErrorKind, Outcome, storable_text
from .delivery.policy import Verdict, decide
from .errors import NotifyError, NotifyErrorCode
from .events import ChannelKind, EventType, Source
from .models import (
    AttemptTrigger,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    EventChannel,
    EventSwitch,
    NotificationEvent,
    SwitchPeriod,
)

logger = logging.getLogger(__name__)

FAN_OUT_TASK = "saleor_notify.fan_out"
DELIVER_TASK = "saleor_notify.deliver"

# --- enqueueing ----------------------------------------------------------------------------


#: After an enqueue failed, skip the broker for this long: each try would hold the shop's request
#: for the broker's connect timeout (seconds), and the sweep enqueues whatever was skipped.
BROKER_PAUSE_S = 10.0
_broker_paused_until = 0.0


def _send_task(name: str, args: list[Any], countdown: float | None = None) -> bool:
    """Hand a task to the broker; never raise (the sweep recovers what did not arrive).

    A Celery app without a broker (Saleor's ``CELERY_TASK_ALWAYS_EAGER`` setups) runs the
    task here and now, as Saleor does with its own tasks; countdowns are then ignored.
    """
    global _broker_paused_until
    try:
        if current_app.conf.task_always_eager:
            current_app.tasks[name].apply(args=args)
        elif time.monotonic() < _broker_paused_until:
            logger.warning("saleor-notify: broker unavailable, %s%s left to the sweep", name, args)
            return False
        else:
            current_app.send_task(
                name, args=args, countdown=countdown or None, queue=get_settings().queue, retry=False
            )
    except Exception:  # noqa: BLE001 - a broker outage must not break the caller
        if not current_app.conf.task_always_eager:
            _broker_paused_until = time.monotonic() + BROKER_PAUSE_S
        logger.warning("saleor-notify: could not enqueue %s%s; the sweep will retry", name, args, exc_info=True)
        return False
    return True


def _hand_over_after_commit(using: str, name: str, item: Any) -> None:
    """From the shop's request: after commit, publish on a background thread.

    The request never waits for the broker; items published close together travel as one
    message (the task takes a list). An app without a broker runs the task here.
    """

    def hand_over() -> None:
        if current_app.conf.task_always_eager:
            _send_task(name, [[item]])
        else:
            dispatch.publisher.submit(name, item)

    transaction.on_commit(hand_over, using=using, robust=True)


# --- recording -----------------------------------------------------------------------------


_INSERT_SQL = """
INSERT INTO {table} ({columns})
SELECT {placeholders}
WHERE {condition}
ON CONFLICT (idempotency_key) DO NOTHING
RETURNING id
"""
#: A hook records in the moment: the switch must be on now.
_SWITCH_ON_NOW = "EXISTS (SELECT 1 FROM {switch_table} WHERE event = %s AND is_enabled)"
#: A late recorder asks about the moment of the business event: its switch's period (and the plugin's).
_PERIOD_COVERS = (
    "EXISTS (SELECT 1 FROM {period_table}"
    " WHERE subject = %s AND started_at <= %s AND (ended_at IS NULL OR ended_at > %s))"
)


SUBJECT_ID_MAX = NotificationEvent._meta.get_field("subject_id").max_length or 255
_KEY_MAX = NotificationEvent._meta.get_field("idempotency_key").max_length or 255


def bounded_key(key: str) -> str:
    """``key`` as stored: a long key keeps its start and a digest of the whole, so two
    business events whose keys differ only past the column's length stay two events."""
    if len(key) <= _KEY_MAX:
        return key
    digest = hashlib.sha256(key.encode()).hexdigest()
    return f"{key[: _KEY_MAX - len(digest) - 1]}~{digest}"


@telemetry.traced(telemetry.SPAN_RECORD, telemetry.record_attributes, kind="producer")
def record_event(
    event: EventType | str,
    source: Source | str,
    *,
    subject_type: str,
    subject_id: str,
    payload: dict[str, Any],
    idempotency_key: str,
    order_id: str = "",
    occurred_at: datetime | None = None,
    as_of: datetime | None = None,
) -> uuid.UUID | None:
    """Record one business event in the current transaction; deliver it after commit.

    Returns the new event's id, or None when nothing was recorded: the event is switched
    off, or this business event (same ``idempotency_key``) was recorded before. One SQL
    statement on the request path; fan-out happens in a worker.

    ``as_of``: for a caller that learns of the event after the fact (a poller, the
    reconciliation): it is recorded only if its switch, and the plugin, were on at that time.
    """
    event = EventType(event)
    source = Source(source)
    as_of = as_of or activity.moment()
    if not idempotency_key:
        raise NotifyError(NotifyErrorCode.REQUIRED, "An idempotency key is required.", "idempotency_key")
    now = timezone.now()
    event_id = uuid.uuid4()
    using = router.db_for_write(NotificationEvent)
    connection = connections[using]
    values = {
        "id": event_id,
        "event": event.value,
        "source": source.value,
        "subject_type": subject_type,
        "subject_id": str(subject_id)[:SUBJECT_ID_MAX],
        "order_id": str(order_id or ""),
        "idempotency_key": bounded_key(idempotency_key),
        "payload": payload,
        "occurred_at": occurred_at or now,
        "created_at": now,
        "dispatch_requested_at": now,
    }
    meta = NotificationEvent._meta
    params = [meta.get_field(name).get_db_prep_save(value, connection) for name, value in values.items()]
    quote = connection.ops.quote_name
    if as_of is not None:
        at = SwitchPeriod._meta.get_field("started_at").get_db_prep_save(as_of, connection)
        subjects = [event.value] + ([SwitchPeriod.PLUGIN] if activity.plugin_tracked() else [])
        condition = " AND ".join([_PERIOD_COVERS] * len(subjects))
        for subject in subjects:
            params += [subject, at, at]
    else:
        condition = _SWITCH_ON_NOW
        params.append(event.value)
    sql = _INSERT_SQL.format(
        table=quote(meta.db_table),
        columns=", ".join(quote(meta.get_field(name).column) for name in values),
        placeholders=", ".join(["%s"] * len(values)),
        condition=condition.format(
            switch_table=quote(EventSwitch._meta.db_table), period_table=quote(SwitchPeriod._meta.db_table)
        ),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        inserted = cursor.fetchone() is not None
    if not inserted:
        return None
    telemetry.remember_recording(event_id)
    _hand_over_after_commit(using, FAN_OUT_TASK, str(event_id))
    return event_id


# --- fan-out -------------------------------------------------------------------------------


def matching_attachments(event: EventType, source: Source) -> Iterable[EventChannel]:
    """Attachments that receive ``event`` from ``source``: active channel, right kind."""
    attachments = EventChannel.objects.filter(
        event=event.value, channel__is_active=True, **{f"source_{source.value.lower()}": True}
    ).select_related("channel")
    if event.postback_only:
        attachments = attachments.filter(channel__kind=ChannelKind.POSTBACK)
    return attachments


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
    settings = get_settings()
    now = timezone.now()
    lease = _lease_until(now, settings)
    with transaction.atomic():
        events = list(NotificationEvent.objects.select_for_update().filter(pk__in=list(event_ids)).order_by("pk"))
        fresh = [event for event in events if event.fanned_out_at is None]
        targets: dict[tuple[str, str], list[EventChannel]] = {}
        created: list[Delivery] = []
        for event in fresh:
            key = (event.event, event.source)
            if key not in targets:
                targets[key] = list(matching_attachments(EventType(event.event), Source(event.source)))
            for a in targets[key]:
                # The first senders' worth is claimed as it is created; the rest waits unclaimed.
                first_wave = len(created) < MAX_PARALLEL_SENDS
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
        Delivery.objects.bulk_create(created)
        NotificationEvent.objects.filter(pk__in=[event.pk for event in fresh]).update(fanned_out_at=now)
        # An earlier fan-out of these events whose worker died before starting some deliveries.
        earlier = [event for event in events if event not in fresh]
        leftovers = (
            list(
                Delivery.objects.select_related("event", "channel").filter(
                    event__in=earlier, status=DeliveryStatus.PENDING, attempt_count=0
                )
            )
            if earlier
            else []
        )
    claimed = [d for d in created if d.attempt_count]
    waiting = [d for d in created if not d.attempt_count] + leftovers
    _send_all(claimed, waiting, settings)
    return [d.pk for d in created] + [d.pk for d in leftovers]


# --- attempts ------------------------------------------------------------------------------

#: Concurrent sends of one worker process: enough to hide a slow receiver, few enough that a
#: 2-core machine is not swamped.
MAX_PARALLEL_SENDS = 8
_pool: ThreadPoolExecutor | None = None


def _send_pool() -> ThreadPoolExecutor:
    """The process's sender threads (their HTTP sessions keep connections alive between tasks)."""
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(MAX_PARALLEL_SENDS, thread_name_prefix="notify-send")
    return _pool


def _forget_pool_after_fork() -> None:
    global _pool
    _pool = None


os.register_at_fork(after_in_child=_forget_pool_after_fork)


def _lease_until(now: datetime, settings: NotifySettings) -> datetime:
    """A claim covers one send (bounded by the time limit) and recording its result."""
    return now + timedelta(seconds=settings.timeout_s + settings.lease_margin_s)


def _timed_send(delivery: Delivery, settings: NotifySettings) -> tuple[datetime, Outcome]:
    """Send once; whatever goes wrong in our own code is an outcome too, never an exception."""
    started_at = timezone.now()
    try:
        assert delivery.channel is not None
        with telemetry.attempt(delivery) as observe:
            return started_at, observe(senders.send(delivery.channel, delivery.event, settings))
    except Exception as exc:  # noqa: BLE001 - one unusable row must not take its batch down
        logger.exception("saleor-notify: delivery %s could not be sent", delivery.pk)
        elapsed_ms = int((timezone.now() - started_at).total_seconds() * 1000)
        return started_at, Outcome(
            duration_ms=max(0, elapsed_ms),
            error_kind=ErrorKind.INTERNAL_ERROR,
            error_message=f"the sender failed before sending: {type(exc).__name__}",
        )


def _claim_waiting(deliveries: list[Delivery], settings: NotifySettings) -> list[Delivery]:
    """Claim deliveries nobody has started (one statement pair); those taken meanwhile are skipped."""
    by_pk = {d.pk: d for d in deliveries}
    now = timezone.now()
    with transaction.atomic():
        free = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(pk__in=list(by_pk), status=DeliveryStatus.PENDING, attempt_count=0)
            .filter(Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lte=now))
            .values_list("pk", flat=True)
        )
        Delivery.objects.filter(pk__in=free).update(attempt_count=1, lease_expires_at=_lease_until(now, settings))
    for pk in free:
        by_pk[pk].attempt_count = 1
    return [by_pk[pk] for pk in free]


def _send_all(claimed: list[Delivery], waiting: list[Delivery], settings: NotifySettings) -> None:
    """Send claimed deliveries, claiming waiting ones as senders free up; record each result as it comes."""
    if len(claimed) == 1 and not waiting:
        _record_results([(claimed[0], *_timed_send(claimed[0], settings))], settings)
        return
    queue = deque(waiting)
    pool = _send_pool()
    # Each send runs in the pool as a child of the current span.
    in_flight = {pool.submit(telemetry.bind(_timed_send), d, settings): d for d in claimed}
    while in_flight or queue:
        free = MAX_PARALLEL_SENDS - len(in_flight)
        if queue and free > 0:
            wave = [queue.popleft() for _ in range(min(free, len(queue)))]
            for d in _claim_waiting(wave, settings):
                in_flight[pool.submit(telemetry.bind(_timed_send), d, settings)] = d
            if not in_flight:
                continue
        done, _ = wait(in_flight, timeout=0.05, return_when=FIRST_COMPLETED)
        if done:
            _record_results([(in_flight.pop(f), *f.result()) for f in done], settings)


Result = tuple[Delivery, datetime, Outcome]


def _record_results(results: list[Result], settings: NotifySettings) -> None:
    """Log the attempts and apply the retry rules; enqueue retries after commit.

    A batch is written in one transaction. If that fails, each result is written on its own,
    and a result whose response cannot be stored is logged without it: one bad result never
    costs the others theirs, and every exchange leaves an attempt row.
    """
    try:
        _write_results(results, settings)
        return
    except DatabaseError:
        if len(results) == 1 and not _usable_connection():
            logger.exception("saleor-notify: could not log the attempt of delivery %s", results[0][0].pk)
            return
        logger.warning("saleor-notify: logging %d attempts together failed; one by one", len(results), exc_info=True)
    for delivery, started_at, outcome in results:
        for candidate in (outcome, _bare(outcome)):
            try:
                _write_results([(delivery, started_at, candidate)], settings)
                break
            except DatabaseError:
                if not _usable_connection():
                    logger.exception("saleor-notify: could not log the attempt of delivery %s", delivery.pk)
                    return
        else:
            logger.error("saleor-notify: the attempt of delivery %s could not be logged at all", delivery.pk)


def _usable_connection() -> bool:
    connection = connections[router.db_for_write(DeliveryAttempt)]
    return connection.connection is None or connection.is_usable()


def _bare(outcome: Outcome) -> Outcome:
    """The outcome without anything the receiver chose (its body, its words): always storable."""
    return replace(outcome, response_excerpt="[the response could not be stored]", error_message="", retry_after=None)


def _write_results(results: list[Result], settings: NotifySettings) -> None:
    now = timezone.now()
    retries: list[tuple[int, float]] = []
    # Deliveries that end the same way share one UPDATE (a burst of successes is one statement).
    updates: dict[tuple[tuple[str, Any], ...], list[Q]] = defaultdict(list)
    attempts = []
    verdicts = []
    for delivery, started_at, outcome in results:
        trigger = AttemptTrigger(delivery.next_trigger)
        decision = decide(
            outcome,
            attempt_number=delivery.attempt_count,
            manual=trigger is AttemptTrigger.MANUAL,
            timing=settings.retry_timing,
        )
        verdicts.append((delivery, decision))
        attempts.append(_attempt_row(delivery, delivery.attempt_count, trigger, started_at, outcome, decision))
        changes: dict[str, Any] = {"lease_expires_at": None, "updated_at": now}
        if decision.verdict is Verdict.SUCCESS:
            changes.update(status=DeliveryStatus.SUCCESS, failure_kind="", next_attempt_at=None)
        elif decision.verdict is Verdict.RETRY:
            changes.update(next_attempt_at=now + timedelta(seconds=decision.delay_s), failure_kind=decision.reason)
            retries.append((delivery.pk, decision.delay_s))
        else:
            changes.update(status=DeliveryStatus.FAILED, failure_kind=decision.reason, next_attempt_at=None)
        # Guarded by the attempt number: a worker whose claim expired cannot overwrite a newer one.
        updates[tuple(sorted(changes.items()))].append(Q(pk=delivery.pk, attempt_count=delivery.attempt_count))
    with transaction.atomic():
        for changes_key, conditions in updates.items():
            Delivery.objects.filter(reduce(operator.or_, conditions)).update(**dict(changes_key))
        DeliveryAttempt.objects.bulk_create(attempts, ignore_conflicts=True)
        if retries:
            transaction.on_commit(lambda: _enqueue_retries(retries), robust=True)
    for delivery, decision in verdicts:  # counted once written (a retried write is not counted twice)
        telemetry.count_verdict(delivery, decision.verdict, decision.reason)


def _attempt_row(
    delivery: Delivery, number: int, trigger: AttemptTrigger, started_at: datetime, outcome: Outcome, decision: Any
) -> DeliveryAttempt:
    return DeliveryAttempt(
        delivery=delivery,
        number=number,
        trigger=trigger,
        started_at=started_at,
        duration_ms=outcome.duration_ms,
        status_code=outcome.status_code if outcome.status_code is None or 0 <= outcome.status_code < 1000 else None,
        error_kind=outcome.error_kind.value if outcome.error_kind else "",
        error_message=storable_text(outcome.error_message)[:255],
        response_excerpt=storable_text(outcome.response_excerpt),
        verdict=decision.verdict.value,
        retry_in_s=decision.delay_s if decision.verdict is Verdict.RETRY else None,
    )


def _enqueue_retries(retries: list[tuple[int, float]]) -> None:
    for pk, delay_s in retries:
        _send_task(DELIVER_TASK, [pk], delay_s)


def _claim(delivery_id: int, now: datetime) -> Delivery | None:
    """Take a due delivery for one attempt, or None if it is not ours to attempt now."""
    delivery = Delivery.objects.select_related("event", "channel").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != DeliveryStatus.PENDING:
        return None
    if delivery.next_attempt_at is not None and delivery.next_attempt_at > now + timedelta(seconds=1):
        return None  # a duplicate message; the real one is scheduled
    if delivery.lease_expires_at is not None and delivery.lease_expires_at > now:
        return None  # another worker is on it
    if delivery.channel is None or not delivery.channel.is_active:
        Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.FAILED,
            failure_kind="channel_deleted" if delivery.channel is None else "channel_inactive",
            next_attempt_at=None,
            updated_at=now,
        )
        return None
    if _settle_lost_attempts(delivery, now):
        return None
    settings = get_settings()
    claimed = Delivery.objects.filter(
        pk=delivery_id, status=DeliveryStatus.PENDING, attempt_count=delivery.attempt_count
    ).update(attempt_count=delivery.attempt_count + 1, lease_expires_at=_lease_until(now, settings))
    if not claimed:
        return None
    delivery.attempt_count += 1
    return delivery


def _settle_lost_attempts(delivery: Delivery, now: datetime) -> bool:
    """Log claims whose result never arrived (the worker died, or could not write it).

    Each counts as an attempt of unknown outcome, so a delivery is never sent more often than
    the rules allow: within the automatic budget it is sent again (the receiver deduplicates
    on ``webhook-id``); a lost manual attempt, or the last automatic one, ends it as failed.
    Returns True when the delivery is finished.
    """
    logged = DeliveryAttempt.objects.filter(delivery=delivery).values_list("number", flat=True)
    lost = sorted(set(range(1, delivery.attempt_count + 1)) - set(logged))
    if not lost:
        return False
    trigger = AttemptTrigger(delivery.next_trigger)
    unknown = Outcome(
        duration_ms=0,
        error_kind=ErrorKind.RESULT_UNKNOWN,
        error_message="the worker sending it stopped before logging the result",
    )
    started_at = delivery.lease_expires_at or now
    rows = []
    finished = False
    for number in lost:
        decision = decide(unknown, attempt_number=number, manual=trigger is AttemptTrigger.MANUAL)
        finished = decision.verdict is Verdict.FAILED and number == delivery.attempt_count
        rows.append(_attempt_row(delivery, number, trigger, started_at, unknown, decision))
    with transaction.atomic():
        DeliveryAttempt.objects.bulk_create(rows, ignore_conflicts=True)
        if finished:
            Delivery.objects.filter(
                pk=delivery.pk, status=DeliveryStatus.PENDING, attempt_count=delivery.attempt_count
            ).update(
                status=DeliveryStatus.FAILED,
                failure_kind=ErrorKind.RESULT_UNKNOWN.value,
                next_attempt_at=None,
                lease_expires_at=None,
                updated_at=now,
            )
    return finished


def attempt_delivery(delivery_id: int) -> None:
    """Make one attempt of a pending delivery (a retry, a manual retry, or one the sweep found)."""
    if not activity.plugin_active():
        return  # held, never dropped: still pending, the sweep hands it on after reactivation
    delivery = _claim(delivery_id, timezone.now())
    if delivery is not None:
        _send_all([delivery], [], get_settings())


# --- manual retry --------------------------------------------------------------------------


def manual_retry_refusal(delivery: Delivery) -> NotifyError | None:
    """Why ``delivery`` cannot be retried by hand now, or None when it can."""
    event = EventType(delivery.event.event)
    if not event.manual_retry:
        return NotifyError(
            NotifyErrorCode.MANUAL_RETRY_NOT_ALLOWED,
            f"{event.label} notifications cannot be retried by hand; only Order completed, Approved "
            "transaction, Transaction declined and Refund applied can.",
            "id",
        )
    if delivery.status != DeliveryStatus.FAILED:
        return NotifyError(
            NotifyErrorCode.NOT_FAILED,
            f"Only failed deliveries can be retried; this one is {delivery.status.lower()}.",
            "id",
        )
    if delivery.channel is None or not delivery.channel.is_active:
        return NotifyError(NotifyErrorCode.CHANNEL_UNAVAILABLE, "The channel was deleted or deactivated.", "id")
    return None


def retry_delivery(delivery_id: int) -> Delivery:
    """Queue one manual attempt of a failed delivery (same event id, same 30 s limit)."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("event", "channel")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None:
            raise NotifyError(NotifyErrorCode.NOT_FOUND, "No such delivery.", "id")
        if refusal := manual_retry_refusal(delivery):
            raise refusal
        _queue_manual(delivery)
    return delivery


def retry_order(order_id: str, events: Iterable[EventType | str] | None = None) -> list[Delivery]:
    """Queue a manual attempt of every failed, retryable delivery of one order."""
    wanted = {EventType(e) for e in events} if events else {e for e in EventType if e.manual_retry}
    refused = sorted(e.label for e in wanted if not e.manual_retry)
    if refused:
        raise NotifyError(
            NotifyErrorCode.MANUAL_RETRY_NOT_ALLOWED,
            f"These events cannot be retried by hand: {', '.join(refused)}.",
            "events",
        )
    with transaction.atomic():
        deliveries = list(
            Delivery.objects.select_for_update(of=("self",))
            .select_related("event", "channel")
            .filter(
                event__order_id=str(order_id),
                event__event__in=[e.value for e in wanted],
                status=DeliveryStatus.FAILED,
                channel__is_active=True,
            )
        )
        for delivery in deliveries:
            _queue_manual(delivery)
    return deliveries


def _queue_manual(delivery: Delivery) -> None:
    now = timezone.now()
    delivery.status = DeliveryStatus.PENDING
    delivery.next_trigger = AttemptTrigger.MANUAL
    delivery.next_attempt_at = now
    delivery.lease_expires_at = None
    delivery.save(update_fields=["status", "next_trigger", "next_attempt_at", "lease_expires_at", "updated_at"])
    pk = delivery.pk
    transaction.on_commit(lambda: _send_task(DELIVER_TASK, [pk]), robust=True)


# --- sweep and retention -------------------------------------------------------------------


def sweep(now: datetime | None = None) -> dict[str, int]:
    """Re-enqueue events never fanned out and due deliveries nobody is working on."""
    if not activity.plugin_active():
        return {"events": 0, "deliveries": 0}
    settings = get_settings()
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.sweep_stale_after_s)
    batch = settings.sweep_batch_size

    event_ids = list(
        NotificationEvent.objects.filter(fanned_out_at__isnull=True, dispatch_requested_at__lte=stale)
        .order_by("dispatch_requested_at")
        .values_list("pk", flat=True)[:batch]
    )
    NotificationEvent.objects.filter(pk__in=event_ids).update(dispatch_requested_at=now)
    # Due and unclaimed for the stale window (its message was lost), or claimed by a worker whose
    # lease ran out (it died): the lease already waited, so no further window.
    delivery_ids = list(
        Delivery.objects.filter(status=DeliveryStatus.PENDING)
        .filter(Q(lease_expires_at__isnull=True, next_attempt_at__lte=stale) | Q(lease_expires_at__lte=now))
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:batch]
    )
    Delivery.objects.filter(pk__in=delivery_ids).update(next_attempt_at=now)
    for start in range(0, len(event_ids), dispatch.MAX_BATCH):
        _send_task(FAN_OUT_TASK, [[str(pk) for pk in event_ids[start : start + dispatch.MAX_BATCH]]])
    for pk in delivery_ids:
        _send_task(DELIVER_TASK, [pk])
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
        ids = list(DeliveryAttempt.objects.filter(started_at__lt=attempt_cutoff).values_list("pk", flat=True)[:chunk])
        if not ids:
            break
        counts["attempts"] += DeliveryAttempt.objects.filter(pk__in=ids).delete()[0]
    while True:
        ids = list(
            NotificationEvent.objects.filter(created_at__lt=event_cutoff, fanned_out_at__isnull=False)
            .exclude(deliveries__status=DeliveryStatus.PENDING)
            .values_list("pk", flat=True)[:chunk]
        )
        if not ids:
            break
        NotificationEvent.objects.filter(pk__in=ids).delete()
        counts["events"] += len(ids)
    senders.expire_previous_secrets(now)
    return counts
