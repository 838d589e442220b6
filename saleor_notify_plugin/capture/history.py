"""The plugin's own index of Saleor's orders (``KnownOrder``) and the questions it answers.

The hooks ask, inside the shop's request: did Saleor know this address before the contact
registry did? has this customer paid before? does an earlier paid order of theirs hold this
product? Saleor's tables answer those only by a scan (its address lookups are
case-insensitive and unindexed). ``KnownOrder`` answers them from the customer's own rows:

* every hook that sees an order writes its row, whatever the switches: a placed order its
  address and account, a fully paid one also its products;
* the history import (a Celery task, in chunks of ``CHUNK`` orders) writes every order Saleor
  already had when the plugin was activated, and again at each activation (while the plugin
  is inactive no hook runs);
* until an import started at the latest activation has finished, the hooks ask Saleor's
  tables as before (``None`` from the questions below): the answers are then the old ones,
  only slower, and never wrong for a shop whose history is not read yet.

An answer about payment is confirmed against Saleor's current charge status by primary key
(a refunded order no longer counts), so the table only needs to hold a superset of them.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import timedelta
from typing import Any

from celery import current_app, shared_task
from django.db import connection, transaction
from django.utils import timezone

from ..models import HistoryImport, KnownOrder
from ..pipeline import broker
from ..tasks import run_in_task_context

logger = logging.getLogger(__name__)

PAID = ("full", "overcharged")  # OrderChargeStatus values of a fully paid order
IMPORT_TASK = "saleor_notify.import_history"
#: Orders per statement: ~0.1-0.3 s each on a loaded 2-core machine, so a chunk holds no lock long.
CHUNK = 5000
#: One task run reads chunks for this long, then hands on to a new task (other work can run between).
RUN_BUDGET_S = 10.0
#: An unfinished import that has not moved for this long is handed on again (lost message, killed worker).
STALLED_S = 120.0
#: A task that cannot see its generation yet (started inside a transaction not yet committed) waits.
WAIT_FOR_START_S, MAX_WAITS = 2.0, 30


def _email(value: str | None) -> str:
    return (value or "").strip().lower()


def _table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


# --- what the hooks write ---------------------------------------------------------------------


def record_placed(order: Any) -> None:
    """A placed order's address and account (one statement; an existing row is kept)."""
    KnownOrder.objects.bulk_create(
        [
            KnownOrder(
                order_id=str(order.pk),
                email=_email(order.user_email),
                user_id=str(order.user_id or ""),
                learnt_at=timezone.now(),
            )
        ],
        ignore_conflicts=True,
    )


def record_paid(order: Any, lines: list[Any]) -> None:
    """A fully paid order with the products of its lines (one statement)."""
    KnownOrder.objects.bulk_create(
        [
            KnownOrder(
                order_id=str(order.pk),
                email=_email(order.user_email),
                user_id=str(order.user_id or ""),
                paid=True,
                product_ids=sorted({line.variant.product_id for line in lines if line.variant_id and line.variant}),
                learnt_at=timezone.now(),
            )
        ],
        update_conflicts=True,
        unique_fields=["order_id"],
        update_fields=["email", "user_id", "paid", "product_ids", "learnt_at"],
    )


# --- the questions ------------------------------------------------------------------------------

_STATE_SQL = """
SELECT h.finished_at IS NOT NULL, h.progressed_at
  FROM (SELECT 1) one LEFT JOIN {history} h ON h.id = 1
"""


def _state_columns() -> str:
    return f"({_STATE_SQL.format(history=_table(HistoryImport)).strip()})"


def _ready(finished: bool | None, progressed_at: Any) -> bool:
    """True once the import has finished; otherwise make sure one runs, and say not yet."""
    if finished:
        return True
    try:
        _ensure_running(progressed_at)
    except Exception:  # noqa: BLE001 - the answer falls back either way
        logger.exception("saleor-notify: could not hand on the history import")
    return False


def ordered_elsewhere(email: str, order_id: Any) -> bool | None:
    """Whether Saleor has an order with ``email`` other than ``order_id`` (None: not known yet)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT s.*, EXISTS (SELECT 1 FROM {_table(KnownOrder)} WHERE email = %s AND order_id <> %s) "
            f"FROM {_state_columns()} s",
            [_email(email), str(order_id)],
        )
        finished, progressed_at, known = cursor.fetchone()
    return bool(known) if _ready(finished, progressed_at) else None


def has_account(email: str) -> bool:
    """Whether a Saleor account has ``email``: one probe of Saleor's unique index on ``User.email``.

    Saleor lower-cases every address it stores through its API (registration, customer and
    staff creation, e-mail change), so the exact lookup is the case-insensitive one; the
    address as typed is probed too, for accounts created by other means.
    """
    from saleor.account.models import User

    return User.objects.filter(email__in={_email(email), (email or "").strip()}).exists()


def earlier_paid_orders(order: Any) -> dict[str, list[int]] | None:
    """The customer's other orders fully paid now, each with its product ids (None: not known yet).

    The same customer: the same address (any case) or the same account. Candidates come from
    ``KnownOrder`` (the customer's rows only); Saleor confirms by primary key that they are
    still fully paid.
    """
    email, user_id = _email(order.user_email), str(order.user_id or "")
    if not email and not user_id:
        return {}
    same = []
    params: list[Any] = [str(order.pk)]
    if email:
        same.append("k.email = %s")
        params.append(email)
    if user_id:
        same.append("k.user_id = %s")
        params.append(user_id)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT s.*, k.order_id, k.product_ids FROM {_state_columns()} s "
            f"LEFT JOIN {_table(KnownOrder)} k ON k.paid AND k.order_id <> %s AND ({' OR '.join(same)})",
            params,
        )
        rows = cursor.fetchall()
    finished, progressed_at = rows[0][0], rows[0][1]
    if not _ready(finished, progressed_at):
        return None
    candidates = {row[2]: _ids(row[3]) for row in rows if row[2] is not None}
    if not candidates:
        return {}
    from saleor.order.models import Order

    still_paid = Order.objects.filter(pk__in=list(candidates), charge_status__in=PAID).values_list("pk", flat=True)
    return {str(pk): candidates[str(pk)] for pk in still_paid}


def _ids(value: Any) -> list[int]:
    return json.loads(value) if isinstance(value, str) else list(value or [])


# --- the import ---------------------------------------------------------------------------------


def start_import() -> int:
    """Read Saleor's orders again from the start, in a worker (on activation). Returns the generation."""
    now = timezone.now()
    with transaction.atomic():
        state, _ = HistoryImport.objects.select_for_update().get_or_create(
            pk=1, defaults={"started_at": now, "progressed_at": now}
        )
        state.generation += 1
        state.position = state.orders_read = 0
        state.started_at = state.progressed_at = now
        state.finished_at = None
        state.save()
    _enqueue(state.generation)
    return state.generation


def _ensure_running(progressed_at: Any) -> None:
    """No import row (installed before it existed): start one. A stalled one: hand it on."""
    from ..activity import plugin_active

    if progressed_at is None:
        if plugin_active():
            start_import()
        return
    stalled_before = timezone.now() - timedelta(seconds=STALLED_S)
    if progressed_at >= stalled_before:
        return
    claimed = (
        HistoryImport.objects.filter(pk=1, finished_at__isnull=True, progressed_at__lt=stalled_before)
        .update(progressed_at=timezone.now())
    )
    if claimed:
        generation = HistoryImport.objects.values_list("generation", flat=True).get(pk=1)
        logger.warning("saleor-notify: the history import had stalled; handing it on")
        _enqueue(generation)


def _enqueue(generation: int, waited: int = 0, countdown: float | None = None) -> None:
    from ..conf import get_settings

    try:
        if broker.runs_eagerly():
            current_app.tasks[IMPORT_TASK].apply(args=[generation, waited])
        else:
            current_app.send_task(
                IMPORT_TASK, args=[generation, waited], countdown=countdown, queue=get_settings().queue, retry=False
            )
    except Exception:  # noqa: BLE001 - a stalled import is handed on by the next hook that asks
        logger.exception("saleor-notify: could not enqueue the history import")


_CHUNK_SQL = """
WITH chunk AS (
    SELECT o.id, o.number, o.user_email, o.user_id, o.charge_status
      FROM {order} o
     WHERE o.number > %s
     ORDER BY o.number
     LIMIT %s
), written AS (
    INSERT INTO {known} (order_id, email, user_id, paid, product_ids, learnt_at)
    SELECT c.id::text, lower(btrim(c.user_email)), COALESCE(c.user_id::text, ''), c.charge_status = ANY(%s),
           CASE WHEN c.charge_status = ANY(%s) THEN COALESCE(
               (SELECT jsonb_agg(DISTINCT v.product_id ORDER BY v.product_id)
                  FROM {line} l JOIN {variant} v ON v.id = l.variant_id
                 WHERE l.order_id = c.id),
               '[]'::jsonb) ELSE '[]'::jsonb END,
           %s
      FROM chunk c
     WHERE c.user_email <> '' OR c.user_id IS NOT NULL
    ON CONFLICT (order_id) DO UPDATE
       SET paid = {known}.paid OR EXCLUDED.paid,
           product_ids = CASE WHEN EXCLUDED.paid AND NOT {known}.paid THEN EXCLUDED.product_ids
                              ELSE {known}.product_ids END
    RETURNING 1
)
SELECT max(number), count(*) FROM chunk
"""


def import_chunk(generation: int) -> str:
    """Read the next ``CHUNK`` orders into ``KnownOrder``: "more", "done", "stale", "busy" or "not_yet"."""
    from saleor.order.models import Order, OrderLine
    from saleor.product.models import ProductVariant

    with transaction.atomic():
        state = HistoryImport.objects.select_for_update(skip_locked=True).filter(pk=1).first()
        if state is None:  # another worker holds it (it carries on), or the start is not committed yet
            return "busy" if HistoryImport.objects.filter(pk=1, generation__gte=generation).exists() else "not_yet"
        if state.generation != generation or state.finished_at is not None:
            return "not_yet" if state.generation < generation else "stale"
        sql = _CHUNK_SQL.format(
            order=_table(Order), known=_table(KnownOrder), line=_table(OrderLine), variant=_table(ProductVariant)
        )
        now = timezone.now()
        with connection.cursor() as cursor:
            cursor.execute(sql, [state.position, CHUNK, list(PAID), list(PAID), now])
            high, count = cursor.fetchone()
        state.orders_read += count
        state.progressed_at = now
        if high is not None:
            state.position = high
        if count < CHUNK:
            state.finished_at = now
        state.save(update_fields=["position", "orders_read", "progressed_at", "finished_at"])
    return "done" if count < CHUNK else "more"


def run_import(generation: int, waited: int = 0) -> str:
    """One task's share of the import: chunks for up to ``RUN_BUDGET_S``, then hand on."""
    deadline = time.monotonic() + RUN_BUDGET_S
    while True:
        outcome = import_chunk(generation)
        if outcome != "more" or time.monotonic() >= deadline:
            break
    if outcome == "more":
        _enqueue(generation)
    elif outcome == "not_yet" and waited < MAX_WAITS:
        _enqueue(generation, waited + 1, countdown=WAIT_FOR_START_S)
    elif outcome == "done":
        logger.info("saleor-notify: history import %s finished", generation)
    return outcome


@shared_task(name=IMPORT_TASK, ignore_result=True, acks_late=True)
def import_history(generation: int, waited: int = 0) -> None:
    run_in_task_context(run_import, generation, waited)
