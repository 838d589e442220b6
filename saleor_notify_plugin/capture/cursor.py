"""Reading a Saleor table in id order without missing rows that commit late.

Ids are handed out when a row is inserted, but rows become visible when their transaction
commits, so a row can appear after rows with higher ids. A timestamp column does not help:
payment apps set ``created_at`` themselves (Saleor's Stripe app sends the Stripe event's
time). So each read remembers the database snapshot it ran in, and the next read takes the
rows above the highest id seen *plus* the rows at or below it that snapshot did not see.
The cursor's floor (``position``) only rises to a checkpoint once every transaction that was
running at the checkpoint has ended, so whatever they insert is read first.

Bound: a row is read however late its transaction commits, up to ``MAX_WAIT_S`` (an hour)
after the checkpoint taken while it was open; past that the floor moves on (and says so in
the log) so one forgotten open transaction cannot make every read grow.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from ..models import TransactionCursor

logger = logging.getLogger(__name__)

MAX_WAIT_S = 3600.0

_TWO_31, _TWO_32 = 2**31, 2**32


@dataclass
class NewRows:
    rows: list[Any]
    #: A lower bound for when each row was committed: the previous read, or the cursor's start.
    committed_after: datetime
    now: datetime
    #: The caller may stop early: rows above this id are read again next time.
    through: int | None = field(default=None)

    def stop_before(self, row: Any) -> None:
        """Leave ``row`` and every later one for the next read."""
        position = [r.pk for r in self.rows].index(row.pk)
        self.through = self.rows[position - 1].pk if position else 0
        self.rows = self.rows[:position]


def _not_seen_sql(table: str) -> str:
    """Rows whose inserting transaction the stored snapshot did not see (xmin widened to xid8)."""
    ref = "(pg_snapshot_xmax(%s::pg_snapshot)::text::bigint)"
    near = f"((({ref} >> 32) << 32) | {table}.xmin::text::bigint)"
    full = (
        f"({near} - CASE WHEN {near} - {ref} > {_TWO_31} THEN {_TWO_32} "
        f"WHEN {ref} - {near} > {_TWO_31} THEN -{_TWO_32} ELSE 0 END)"
    )
    xid = f"GREATEST({full}, 3)::text::xid8"
    # A row of the reading transaction itself counts as seen (only a test reads and writes in one).
    return (
        f"(NOT pg_visible_in_snapshot({xid}, %s::pg_snapshot)"
        f" AND {xid} IS DISTINCT FROM pg_current_xact_id_if_assigned())"
    )


def _snapshot() -> tuple[str, int, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s::text, pg_snapshot_xmin(s)::text::bigint, pg_snapshot_xmax(s)::text::bigint"
            " FROM pg_current_snapshot() AS s"
        )
        text, xmin, xmax = cursor.fetchone()
    return text, xmin, xmax


def start(name: str, model: Any) -> None:
    """Start reading ``model``'s table from its current end (history is not read), once."""
    position = model.objects.aggregate(m=Max("pk"))["m"] or 0
    TransactionCursor.objects.bulk_create(
        [TransactionCursor(name=name, position=position, seen_high=position)], ignore_conflicts=True
    )


@contextmanager
def new_rows(name: str, queryset: QuerySet, *, batch: int = 500, max_batches: int = 20) -> Iterator[NewRows | None]:
    """Yield the rows of ``queryset`` not read before (None if another reader holds the cursor).

    The block runs in the cursor's transaction; what it records commits with the cursor's move.
    A cursor nobody started (see ``start``) starts here, at the table's current end.
    """
    if not TransactionCursor.objects.filter(pk=name).exists():
        start(name, queryset.model)
    with transaction.atomic():
        cursor = TransactionCursor.objects.select_for_update(skip_locked=True).filter(pk=name).first()
        if cursor is None:
            yield None
            return
        snapshot, xmin, xmax = _snapshot()
        now = timezone.now()
        table = connection.ops.quote_name(queryset.model._meta.db_table)
        unread = queryset.filter(pk__gt=cursor.position)
        if cursor.snapshot:
            pk_column = f"{table}.{connection.ops.quote_name(queryset.model._meta.pk.column)}"
            unread = unread.extra(
                where=[f"({pk_column} > %s OR {_not_seen_sql(table)})"],
                params=[cursor.seen_high, *[cursor.snapshot] * 5, cursor.snapshot, *[cursor.snapshot] * 5],
            )
        rows: list[Any] = []
        after = cursor.position
        truncated = False
        for _ in range(max_batches):
            chunk = list(unread.filter(pk__gt=after).order_by("pk")[:batch])
            rows += chunk
            if len(chunk) < batch:
                break
            after = chunk[-1].pk
        else:
            truncated = True
        # Unread rows were committed after the previous read (or the cursor's start).
        found = NewRows(rows=rows, committed_after=cursor.updated_at, now=now)
        yield found

        # Up to which id every unread row was handed over (None: all of them).
        complete_through = found.through if found.through is not None else (after if truncated else None)
        changes: dict[str, Any] = {"updated_at": now}
        if complete_through is None or complete_through >= cursor.seen_high:
            read_high = complete_through if complete_through is not None else max((r.pk for r in rows), default=0)
            changes.update(seen_high=max(cursor.seen_high, read_high), snapshot=snapshot)
        # else: late rows below the old mark are still unread; keep the old mark and snapshot.
        checkpoint_high = cursor.checkpoint_high
        if checkpoint_high is not None and (complete_through is None or checkpoint_high <= complete_through):
            done = xmin >= (cursor.checkpoint_xmax or 0)
            overdue = cursor.checkpoint_at is not None and now - cursor.checkpoint_at > timedelta(seconds=MAX_WAIT_S)
            if done or overdue:
                if not done:
                    logger.warning(
                        "saleor-notify: %s: a transaction has been open for over %d s; reading on without it",
                        name, int(MAX_WAIT_S),
                    )
                changes["position"] = max(cursor.position, checkpoint_high)
                checkpoint_high = None
        if checkpoint_high is None:
            changes.update(
                checkpoint_high=changes.get("seen_high", cursor.seen_high), checkpoint_xmax=xmax, checkpoint_at=now
            )
        TransactionCursor.objects.filter(pk=name).update(**changes)
