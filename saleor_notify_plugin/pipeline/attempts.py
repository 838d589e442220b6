"""Making attempts: claiming deliveries, sending them from a pool, settling lost attempts.

Owns the claim (a lease that covers one send and writing its result; a worker that dies
leaves a claim that expires), the process's pool of sender threads, and
:func:`attempt_delivery`, the one attempt a ``saleor_notify.deliver`` message asks for. A
claim whose result never arrived is logged as an attempt of unknown outcome before the
delivery is sent again.

Takes from ``fan_out`` its new deliveries (:func:`send_all`); sends each through ``send``;
hands every outcome to ``results``, which writes it and schedules a retry.
"""

from __future__ import annotations

import functools
import logging
import os
from collections import deque
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from datetime import datetime, timedelta
from typing import Any

from django.db import connections, router, transaction
from django.db.models import F, Q
from django.utils import timezone

from .. import activity, telemetry
from ..conf import NotifySettings, get_settings
from ..delivery.outcome import ErrorKind, Outcome
from ..delivery.policy import Verdict, decide
from ..models import AttemptTrigger, Delivery, DeliveryAttempt, DeliveryStatus
from . import recordsets, send
from .results import attempt_row, record_results

logger = logging.getLogger(__name__)

#: Concurrent sends of one worker process: enough to hide a slow receiver, few enough that a
#: 2-core machine is not swamped.
MAX_PARALLEL_SENDS = 8
_pool: ThreadPoolExecutor | None = None
#: After a send finishes, how long its result waits for the other sends in flight to finish too.
RESULTS_GATHER_S = 0.005


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


def lease_until(now: datetime, settings: NotifySettings) -> datetime:
    """A claim covers one send (bounded by the time limit) and recording its result."""
    return now + timedelta(seconds=settings.timeout_s + settings.lease_margin_s)


def attempt_delivery(delivery_id: int) -> None:
    """Make one attempt of a pending delivery (a retry, a manual retry, or one the sweep found)."""
    if not activity.plugin_active():
        return  # held, never dropped: still pending, the sweep hands it on after reactivation
    delivery = _claim(delivery_id, timezone.now())
    if delivery is not None:
        send_all([delivery], [], get_settings())


def attempt_deliveries(delivery_ids: list[int]) -> None:
    """Attempt deliveries the sweep handed on together, through the sender pool.

    Those nobody ever held, or whose result was written, are claimed as senders free up (as a
    fan-out's are); the others (a claim that expired, a channel paused or deactivated since)
    go through :func:`_claim` one by one, which settles them as a single ``deliver`` would.
    """
    if not activity.plugin_active():
        return
    now = timezone.now()
    waiting: list[Delivery] = []
    alone: list[int] = []
    for d in Delivery.objects.select_related("event", "channel").filter(
        pk__in=delivery_ids, status=DeliveryStatus.PENDING
    ):
        channel = d.channel
        if d.lease_expires_at is None and channel is not None and channel.is_active and not channel.is_paused:
            waiting.append(d)
        else:
            alone.append(d.pk)
    claimed = [d for d in (_claim(pk, now) for pk in alone) if d is not None]
    send_all(claimed, waiting, get_settings())


def send_all(claimed: list[Delivery], waiting: list[Delivery], settings: NotifySettings) -> None:
    """Send claimed deliveries, claiming waiting ones as senders free up; record each result as it comes.

    The next wave is claimed in the statement that writes the results before it (on PostgreSQL):
    one round trip per wave, not two.
    """
    if len(claimed) == 1 and not waiting:
        record_results([(claimed[0], *_timed_send(claimed[0], settings))], settings)
        return
    queue = deque(waiting)
    pool = _send_pool()
    in_flight: dict[Any, Delivery] = {}

    def start(deliveries: list[Delivery]) -> None:
        for d in deliveries:  # each send runs in the pool as a child of the current span
            in_flight[pool.submit(telemetry.bind(_timed_send), d, settings)] = d

    def next_wave() -> list[Delivery]:
        free = MAX_PARALLEL_SENDS - len(in_flight)
        return [queue.popleft() for _ in range(min(free, len(queue)))]

    start(claimed)
    while in_flight or queue:
        if queue and len(in_flight) <= MAX_PARALLEL_SENDS // 2:
            # Senders idle and nothing about to finish: claim without waiting for results to write.
            start(_claim_waiting(next_wave(), settings))
            if not in_flight:
                continue
        done, _ = wait(in_flight, timeout=0.05, return_when=FIRST_COMPLETED)
        if done and len(done) < len(in_flight):
            # Those finishing a moment later are written with these: one transaction, not one each.
            more, _ = wait(set(in_flight) - done, timeout=RESULTS_GATHER_S)
            done |= more
        if done:
            results = [(in_flight.pop(f), *f.result()) for f in done]
            wave = next_wave()
            claim = _claim_statement(wave, settings) if wave else None
            rows = record_results(results, settings, claim)
            if wave:
                start(_claimed(wave, rows) if rows is not None else _claim_waiting(wave, settings))


def _timed_send(delivery: Delivery, settings: NotifySettings) -> tuple[datetime, Outcome]:
    """Send once; whatever goes wrong in our own code is an outcome too, never an exception."""
    started_at = timezone.now()
    try:
        assert delivery.channel is not None
        with telemetry.attempt(delivery) as observe:
            return started_at, observe(send.send(delivery.channel, delivery.event, settings))
    except Exception as exc:  # noqa: BLE001 - one unusable row must not take its batch down
        logger.exception("saleor-notify: delivery %s could not be sent", delivery.pk)
        elapsed_ms = int((timezone.now() - started_at).total_seconds() * 1000)
        return started_at, Outcome(
            duration_ms=max(0, elapsed_ms),
            error_kind=ErrorKind.INTERNAL_ERROR,
            error_message=f"the sender failed before sending: {type(exc).__name__}",
        )


def _claim_waiting(deliveries: list[Delivery], settings: NotifySettings) -> list[Delivery]:
    """Claim due deliveries nobody holds for their next attempt; those taken or rescheduled
    meanwhile are skipped. The attempt's number and trigger are the locked row's.

    Claimable: pending, due, and either never leased or leased by a fan-out that died before
    its first attempt (an expired lease with no attempt made). On PostgreSQL one statement locks
    (skipping rows another worker holds) and claims them (:func:`_claim_statement`); elsewhere a
    transaction does the same.
    """
    if not deliveries:
        return []
    connection = connections[router.db_for_write(Delivery)]
    if connection.vendor == "postgresql":
        sql, params = _claim_statement(deliveries, settings)
        with recordsets.bound_cursor(connection) as cursor:
            cursor.execute(sql, params)
            return _claimed(deliveries, cursor.fetchall())
    now = timezone.now()
    with transaction.atomic(using=connection.alias):
        free = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(pk__in=[d.pk for d in deliveries], status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
            .filter(Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lte=now, attempt_count=0))
            .values_list("pk", "attempt_count", "next_trigger")
        )
        Delivery.objects.filter(pk__in=[pk for pk, _, _ in free]).update(
            attempt_count=F("attempt_count") + 1, lease_expires_at=lease_until(now, settings)
        )
    return _claimed(deliveries, [(pk, count + 1, trigger) for pk, count, trigger in free])


def _claim_statement(deliveries: list[Delivery], settings: NotifySettings) -> tuple[str, list[Any]]:
    """PostgreSQL's claim of ``deliveries``, as a statement and its parameters (run alone, or after a
    batch's results in the same statement)."""
    now = timezone.now()
    using = router.db_for_write(Delivery)
    params = [lease_until(now, settings), [d.pk for d in deliveries], DeliveryStatus.PENDING.value, now, now]
    return _claim_sql(using), params


def _claimed(deliveries: list[Delivery], rows: list[tuple]) -> list[Delivery]:
    """The deliveries the claim's rows (id, attempt number, trigger) name, with the locked row's number and trigger."""
    by_pk = {d.pk: d for d in deliveries}
    taken = []
    for pk, count, trigger in rows:
        by_pk[pk].attempt_count, by_pk[pk].next_trigger = count, trigger
        taken.append(by_pk[pk])
    return taken


@functools.cache
def _claim_sql(using: str) -> str:
    """:func:`_claim_waiting`'s statement on PostgreSQL: lock, claim, and answer the claimed rows."""
    quote = connections[using].ops.quote_name
    table = quote(Delivery._meta.db_table)
    return f"""
        UPDATE {table} AS d SET attempt_count = d.attempt_count + 1, lease_expires_at = %s
        FROM (
            SELECT id FROM {table}
            WHERE id = ANY(%s) AND status = %s AND next_attempt_at <= %s
              AND (lease_expires_at IS NULL OR (lease_expires_at <= %s AND attempt_count = 0))
            ORDER BY id
            FOR UPDATE SKIP LOCKED
        ) AS free
        WHERE d.id = free.id
        RETURNING d.id, d.attempt_count, d.next_trigger
    """


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
    if delivery.channel.is_paused:
        return None  # held: still pending, released oldest first when the channel is resumed
    if _settle_lost_attempts(delivery, now):
        return None
    settings = get_settings()
    claimed = Delivery.objects.filter(
        pk=delivery_id, status=DeliveryStatus.PENDING, attempt_count=delivery.attempt_count
    ).update(attempt_count=delivery.attempt_count + 1, lease_expires_at=lease_until(now, settings))
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
        rows.append(attempt_row(delivery, number, trigger, started_at, unknown, decision))
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
