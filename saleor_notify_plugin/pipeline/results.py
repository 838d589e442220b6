"""Writing what an attempt came to: its log row, and the delivery's next state.

Owns the attempt row (:func:`attempt_row`) and :func:`record_results`: the retry policy
(``delivery.policy.decide``) turns each outcome into success, a retry after N seconds, or
failure; results that end alike share one UPDATE, guarded by the attempt number so a worker
whose claim expired cannot overwrite a newer attempt.

Hands to the next stage: after commit, each retry to ``broker`` as a ``saleor_notify.deliver``
message with its countdown (``attempts`` makes that attempt).
"""

from __future__ import annotations

import functools
import logging
import operator
from collections import defaultdict
from dataclasses import replace
from datetime import datetime, timedelta
from functools import reduce
from typing import Any

from django.db import DatabaseError, connections, router, transaction
from django.db.models import Q
from django.utils import timezone

from .. import telemetry
from ..conf import NotifySettings
from ..delivery.outcome import Outcome, storable_text
from ..delivery.policy import Decision, Verdict, decide
from ..models import AttemptTrigger, Delivery, DeliveryAttempt, DeliveryStatus
from . import broker, recordsets

logger = logging.getLogger(__name__)

#: One finished send: the delivery (its ``attempt_count`` is this attempt's number), when it started, what came back.
Result = tuple[Delivery, datetime, Outcome]


#: A statement to run in the same round trip as a batch's results (its text, a single
#: ``UPDATE ... RETURNING``, and its parameters): the next wave's claim (``attempts``).
Then = tuple[str, list[Any]]


def record_results(results: list[Result], settings: NotifySettings, then: Then | None = None) -> list[tuple] | None:
    """Log the attempts and apply the retry rules; enqueue retries after commit.

    A batch is written in one transaction. If that fails, each result is written on its own,
    and a result whose response cannot be stored is logged without it: one bad result never
    costs the others theirs, and every exchange leaves an attempt row.

    ``then`` runs in the batch's own statement on PostgreSQL, and its rows are returned; None
    means it did not run (another database, or the batch's statement failed): the caller runs
    it on its own.
    """
    try:
        return _write_results(results, settings, then)
    except DatabaseError:
        if len(results) == 1 and not _usable_connection():
            logger.exception("saleor-notify: could not log the attempt of delivery %s", results[0][0].pk)
            return None
        logger.warning("saleor-notify: logging %d attempts together failed; one by one", len(results), exc_info=True)
    for delivery, started_at, outcome in results:
        for candidate in (outcome, _bare(outcome)):
            try:
                _write_results([(delivery, started_at, candidate)], settings)
                break
            except DatabaseError:
                if not _usable_connection():
                    logger.exception("saleor-notify: could not log the attempt of delivery %s", delivery.pk)
                    return None
        else:
            logger.error("saleor-notify: the attempt of delivery %s could not be logged at all", delivery.pk)
    return None


def attempt_row(
    delivery: Delivery, number: int, trigger: AttemptTrigger, started_at: datetime, outcome: Outcome, decision: Decision
) -> DeliveryAttempt:
    """The log row of attempt ``number`` of ``delivery`` (not saved)."""
    return DeliveryAttempt(**_attempt_values(delivery, number, trigger, started_at, outcome, decision))


def _attempt_values(
    delivery: Delivery, number: int, trigger: AttemptTrigger, started_at: datetime, outcome: Outcome, decision: Decision
) -> dict[str, Any]:
    """The columns of an attempt's log row, by field name (``delivery_id``, ``channel_id`` for the keys)."""
    return {
        "delivery_id": delivery.pk,
        "channel_id": delivery.channel_id,
        "number": number,
        "trigger": trigger.value,
        "started_at": started_at,
        "duration_ms": outcome.duration_ms,
        "status_code": outcome.status_code if outcome.status_code is None or 0 <= outcome.status_code < 1000 else None,
        "error_kind": outcome.error_kind.value if outcome.error_kind else "",
        "error_message": storable_text(outcome.error_message)[:255],
        "response_excerpt": storable_text(outcome.response_excerpt),
        "verdict": decision.verdict.value,
        "retry_in_s": decision.delay_s if decision.verdict is Verdict.RETRY else None,
        "request": outcome.request.as_json() if outcome.request is not None else None,
        "response_headers": [list(header) for header in outcome.response_headers],
    }


def _usable_connection() -> bool:
    connection = connections[router.db_for_write(DeliveryAttempt)]
    return connection.connection is None or connection.is_usable()


def _bare(outcome: Outcome) -> Outcome:
    """The outcome without anything the receiver chose (its body, its words): always storable."""
    return replace(
        outcome,
        response_excerpt="[the response could not be stored]",
        error_message="",
        retry_after=None,
        response_headers=(),
    )


def _write_results(results: list[Result], settings: NotifySettings, then: Then | None = None) -> list[tuple] | None:
    now = timezone.now()
    retries: list[tuple[int, float]] = []
    settled: list[tuple[Delivery, dict[str, Any]]] = []  # each delivery's new state
    attempts: list[dict[str, Any]] = []
    verdicts = []
    timing = settings.retry_timing
    for delivery, started_at, outcome in results:
        trigger = AttemptTrigger(delivery.next_trigger)
        decision = decide(
            outcome, attempt_number=delivery.attempt_count, manual=trigger is AttemptTrigger.MANUAL, timing=timing
        )
        verdicts.append((delivery, decision))
        attempts.append(_attempt_values(delivery, delivery.attempt_count, trigger, started_at, outcome, decision))
        state: dict[str, Any]
        if decision.verdict is Verdict.SUCCESS:
            state = {"status": DeliveryStatus.SUCCESS.value, "failure_kind": "", "next_attempt_at": None}
        elif decision.verdict is Verdict.RETRY:
            state = {"failure_kind": decision.reason, "next_attempt_at": now + timedelta(seconds=decision.delay_s)}
            retries.append((delivery.pk, decision.delay_s))
        else:
            state = {"status": DeliveryStatus.FAILED.value, "failure_kind": decision.reason, "next_attempt_at": None}
        settled.append((delivery, state))
    connection = connections[router.db_for_write(Delivery)]
    then_rows = None
    if connection.vendor == "postgresql":
        then_rows = _write_postgresql(connection, now, settled, attempts, then)
    else:
        _write_orm(now, settled, attempts)
    if retries:  # at once when no transaction is open (the statement above was atomic on its own)
        transaction.on_commit(lambda: _enqueue_retries(retries), using=connection.alias, robust=True)
    for delivery, decision in verdicts:  # counted once written (a retried write is not counted twice)
        telemetry.count_verdict(delivery, decision.verdict, decision.reason)
    return then_rows


def _write_postgresql(
    connection: Any,
    now: datetime,
    settled: list[tuple[Delivery, dict[str, Any]]],
    attempts: list[dict[str, Any]],
    then: Then | None = None,
) -> list[tuple] | None:
    """One statement for the whole batch, atomic on its own: every delivery's new state (guarded by
    its attempt number: a worker whose claim expired cannot overwrite a newer attempt) and every
    attempt row, each list passed as one JSON document (no per-row statement, no per-row parameter);
    with ``then``, that statement too, whose rows are returned."""
    states = [{"id": delivery.pk, "attempt_count": delivery.attempt_count, **state} for delivery, state in settled]
    # The ids once more, as an array: the planner cannot tell how many rows a JSON document holds
    # (it assumes 100), and in a table of a few thousand deliveries it then scanned the whole
    # table for every batch; with the array it looks each one up by its key.
    params: list[Any] = [
        now, recordsets.document(states), [delivery.pk for delivery, _ in settled], recordsets.document(attempts)
    ]
    with recordsets.bound_cursor(connection) as cursor:
        if then is None:
            cursor.execute(_results_sql(connection.alias), params)
            return None
        sql, then_params = then
        cursor.execute(_results_then_sql(connection.alias, sql), [*params, *then_params])
        return cursor.fetchall()


@functools.cache
def _results_sql(using: str) -> str:
    """:func:`_write_postgresql`'s statement (column names from the models)."""
    settle, log = _results_parts(using)
    return f"WITH settled AS ({settle}) {log}"


@functools.lru_cache(maxsize=8)
def _results_then_sql(using: str, then: str) -> str:
    """The batch's statement with ``then`` (an ``UPDATE ... RETURNING``) after it, answering its rows.

    Every data-modifying part of a ``WITH`` runs to completion, whether the query reads it or not.
    """
    settle, log = _results_parts(using)
    return f"WITH settled AS ({settle}), logged AS ({log}), then_rows AS ({then}) SELECT * FROM then_rows"


def _results_parts(using: str) -> tuple[str, str]:
    """A batch's two writes: the deliveries' UPDATE and the attempts' INSERT (column names from the models)."""
    quote = connections[using].ops.quote_name

    def column(model: Any, name: str) -> str:
        return recordsets.column(using, model, name)

    delivery = quote(Delivery._meta.db_table)
    state_names = ["id", "attempt_count", "status", "failure_kind", "next_attempt_at"]
    attempt_names = [
        "delivery",
        "channel",
        "number",
        "trigger",
        "started_at",
        "duration_ms",
        "status_code",
        "error_kind",
        "error_message",
        "response_excerpt",
        "verdict",
        "retry_in_s",
        "request",
        "response_headers",
    ]
    attempt_columns = ", ".join(column(DeliveryAttempt, name) for name in attempt_names)
    settle = f"""
            UPDATE {delivery} AS d
            SET {column(Delivery, "status")} = COALESCE(r.{column(Delivery, "status")}, d.{column(Delivery, "status")}),
                {column(Delivery, "failure_kind")} = r.{column(Delivery, "failure_kind")},
                {column(Delivery, "next_attempt_at")} = r.{column(Delivery, "next_attempt_at")},
                {column(Delivery, "lease_expires_at")} = NULL,
                {column(Delivery, "updated_at")} = %s
            FROM jsonb_to_recordset(%s::jsonb) AS r({recordsets.columns(using, Delivery, state_names)})
            WHERE d.{column(Delivery, "id")} = ANY(%s)
              AND d.{column(Delivery, "id")} = r.{column(Delivery, "id")}
              AND d.{column(Delivery, "attempt_count")} = r.{column(Delivery, "attempt_count")}
    """
    log = f"""
        INSERT INTO {quote(DeliveryAttempt._meta.db_table)} ({attempt_columns})
        SELECT {attempt_columns}
        FROM jsonb_to_recordset(%s::jsonb) AS a({recordsets.columns(using, DeliveryAttempt, attempt_names)})
        ON CONFLICT DO NOTHING
    """
    return settle, log


def _write_orm(now: datetime, settled: list[tuple[Delivery, dict[str, Any]]], attempts: list[dict[str, Any]]) -> None:
    """The same writes through the ORM, for other databases: deliveries that end alike share one UPDATE."""
    updates: dict[tuple[tuple[str, Any], ...], list[Q]] = defaultdict(list)
    for delivery, state in settled:
        key = tuple(sorted({**state, "lease_expires_at": None, "updated_at": now}.items()))
        updates[key].append(Q(pk=delivery.pk, attempt_count=delivery.attempt_count))
    with transaction.atomic():
        for changes_key, conditions in updates.items():
            Delivery.objects.filter(reduce(operator.or_, conditions)).update(**dict(changes_key))
        DeliveryAttempt.objects.bulk_create([DeliveryAttempt(**values) for values in attempts], ignore_conflicts=True)


def _enqueue_retries(retries: list[tuple[int, float]]) -> None:
    for pk, delay_s in retries:
        broker.send_task(broker.DELIVER_TASK, [pk], delay_s)
