"""Reading a Saleor table in id order without missing rows that commit late.

Ids are handed out when a row is inserted, but rows become visible when their transaction
commits, so a row can appear after rows with higher ids. A timestamp column does not help:
payment apps set ``created_at`` themselves (Saleor's Stripe app sends the Stripe event's
time). So the cursor keeps a floor (``position``) below which nothing new can appear, and
above it the ids it has already handed over (``decided``): each read takes the rows above the
floor that were not handed over before, so every row is handed over exactly once, however
late it appears. The floor only rises to a checkpoint once every transaction that was running
at the checkpoint has ended (PostgreSQL's snapshot ``xmin``), so whatever they insert is read
first; the ids below the new floor are then forgotten.

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


def _snapshot() -> tuple[int, int]:
    """The oldest transaction still running, and the next to start (top-level ids)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_snapshot_xmin(s)::text::bigint, pg_snapshot_xmax(s)::text::bigint"
            " FROM pg_current_snapshot() AS s"
        )
        xmin, xmax = cursor.fetchone()
    return xmin, xmax


def start(name: str, model: Any) -> None:  # Saleor's model class
    """Start reading ``model``'s table from its current end (history is not read), once."""
    position = model.objects.aggregate(m=Max("pk"))["m"] or 0
    TransactionCursor.objects.bulk_create(
        [TransactionCursor(name=name, position=position, seen_high=position)], ignore_conflicts=True
    )


@contextmanager
def new_rows(
    name: str, queryset: QuerySet[Any], *, batch: int = 500, max_batches: int = 20
) -> Iterator[NewRows | None]:
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
        xmin, xmax = _snapshot()
        now = timezone.now()
        decided = set(cursor.decided)
        rows: list[Any] = []
        after = cursor.position
        truncated = False
        for _ in range(max_batches):
            chunk = list(queryset.filter(pk__gt=after).order_by("pk")[:batch])
            rows += [row for row in chunk if row.pk not in decided]
            if len(chunk) < batch:
                break
            after = chunk[-1].pk
        else:
            truncated = True
        # Unread rows were committed after the previous read (or the cursor's start).
        found = NewRows(rows=rows, committed_after=cursor.updated_at, now=now)
        yield found

        # Up to which id every row above the floor was handed over (None: all of them).
        complete_through = found.through if found.through is not None else (after if truncated else None)
        decided |= {r.pk for r in found.rows}
        changes: dict[str, Any] = {"updated_at": now}
        checkpoint_high = cursor.checkpoint_high
        position = cursor.position
        if checkpoint_high is not None and (complete_through is None or checkpoint_high <= complete_through):
            done = xmin >= (cursor.checkpoint_xmax or 0)
            overdue = cursor.checkpoint_at is not None and now - cursor.checkpoint_at > timedelta(seconds=MAX_WAIT_S)
            if done or overdue:
                if not done:
                    logger.warning(
                        "saleor-notify: %s: a transaction has been open for over %d s; reading on without it",
                        name, int(MAX_WAIT_S),
                    )
                position = max(position, checkpoint_high)
                changes["position"] = position
                checkpoint_high = None
        seen_high = max([cursor.seen_high, *decided])
        changes.update(seen_high=seen_high, decided=sorted(pk for pk in decided if pk > position))
        if checkpoint_high is None:
            # Rows up to the highest id handed over were allocated before now: once every
            # transaction running now has ended, none of them can still appear.
            changes.update(checkpoint_high=seen_high, checkpoint_xmax=xmax, checkpoint_at=now)
        TransactionCursor.objects.filter(pk=name).update(**changes)
