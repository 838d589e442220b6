"""Transaction approved / declined and Refund applied, read from Saleor's payment records.

Saleor fires no hook for a declined charge (either API), none for a void, and its bulk paths
skip ``post_save``; so a poller reads the records themselves: ``TransactionEvent`` rows
(transactions API) and legacy ``payment.Transaction`` rows, each once, behind a cursor that
waits for late commits and ignores the rows' own timestamps (``cursor.py``). Every row maps
to at most one event with a key naming the row, so a row read twice (overlapping polls, a
retried task) is recorded once.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from .. import payloads
from ..activity import events_on_between
from ..events import EventType, Source
from ..models import RecordedEvent
from ..pipeline import recording
from . import cursor, serialize
from .config import ShopConfig
from .sources import checkout_source, order_source

logger = logging.getLogger(__name__)

BATCH = 500
MAX_BATCHES_PER_RUN = 20  # at most 10,000 records per run (every 5 s)

# TransactionEvent.type -> our event (declines: payment declines, not failed refunds)
TE_EVENTS = {
    "charge_success": EventType.TRANSACTION_APPROVED,
    "charge_failure": EventType.TRANSACTION_DECLINED,
    "authorization_failure": EventType.TRANSACTION_DECLINED,
    "refund_success": EventType.REFUND_APPLIED,
    "cancel_success": EventType.REFUND_APPLIED,
}
REFUND_KIND = {"refund_success": "refund", "cancel_success": "void", "refund": "refund", "void": "void"}
LEGACY_DECLINABLE = ("auth", "capture", "capture_failed")


def legacy_event(kind: str, is_success: bool) -> EventType | None:
    if kind == "capture" and is_success:
        return EventType.TRANSACTION_APPROVED
    if kind in LEGACY_DECLINABLE and not is_success or kind == "capture_failed":
        return EventType.TRANSACTION_DECLINED
    if kind in ("refund", "void") and is_success:
        return EventType.REFUND_APPLIED
    return None


def event_key(event: EventType, ref: str) -> str:
    return f"{event.value.lower()}:{ref}"


def _source(order: Any, checkout: Any, config: ShopConfig) -> Source:
    if order is not None:
        return order_source(order, config)
    if checkout is not None:
        return checkout_source(checkout, config)
    return Source.SHOP


def _record(event, ref, api, kind, amount, currency, psp, message, created_at, gateway, order, checkout, config, as_of):
    txn = payloads.transaction(
        id=ref,
        api=api,
        type=kind,
        amount=payloads.money(amount, currency),
        psp_reference=psp,
        message=message,
        created_at=created_at,
        gateway=gateway,
    )
    order_ref = serialize.order_ref(order) if order is not None else None
    if event is EventType.REFUND_APPLIED:
        data = payloads.refund_data(txn, kind=REFUND_KIND[kind], order=order_ref)
    else:
        token = order.checkout_token if order is not None else (str(checkout.token) if checkout else None)
        data = payloads.transaction_data(txn, order=order_ref, checkout_token=token)
    recording.record_event(
        event,
        _source(order, checkout, config),
        subject_type="transaction",
        subject_id=ref,
        order_id=str(order.pk) if order is not None else "",
        payload=data,
        idempotency_key=event_key(event, ref),
        occurred_at=created_at,
        as_of=as_of,
    )


def _transaction_events():
    from saleor.payment.models import TransactionEvent

    return TransactionEvent.objects.filter(type__in=list(TE_EVENTS)).select_related(
        "transaction__order__channel", "transaction__checkout__channel"
    )


def _legacy_transactions():
    from saleor.payment.models import Transaction

    return Transaction.objects.filter(kind__in=["auth", "capture", "capture_failed", "refund", "void"]).select_related(
        "payment__order__channel", "payment__checkout__channel"
    )


def _poll_table(name: str, config: ShopConfig) -> int:
    prefix = "te" if name == "transaction_event" else "tx"
    recorded = 0
    with cursor.new_rows(name, TABLES[name](), batch=BATCH, max_batches=MAX_BATCHES_PER_RUN) as found:
        if found is None:
            return 0  # another poller holds it
        # Recorded only if the switch was on when Saleor learnt of the row (since the previous
        # read): a switch turned off since must not hide what happened while it was on.
        enabled = {EventType(e) for e in events_on_between(found.committed_after, found.now)} & POLLED
        candidates = []
        for row in found.rows:
            event = TE_EVENTS.get(row.type) if prefix == "te" else legacy_event(row.kind, row.is_success)
            if event is not None and event in enabled:
                candidates.append((row, event, f"{prefix}:{row.pk}"))
        done = set(
            RecordedEvent.objects.filter(
                idempotency_key__in=[event_key(e, ref) for _, e, ref in candidates]
            ).values_list("idempotency_key", flat=True)
        )
        for row, event, ref in candidates:
            if event_key(event, ref) in done:
                continue
            # When Saleor learnt of it: not before the previous read (the app may back-date
            # created_at), not after now. The switch and the plugin must have been on then.
            learnt_at = min(found.now, max(row.created_at, found.committed_after))
            try:
                with transaction.atomic():
                    if prefix == "te":
                        item = row.transaction
                        _record(event, ref, "transactions", row.type, row.amount_value, row.currency,
                                row.psp_reference, row.message, row.created_at,
                                row.app_identifier or item.app_identifier or item.name,
                                item.order, item.checkout, config, learnt_at)
                    else:
                        payment = row.payment
                        _record(event, ref, "payments", row.kind, row.amount, row.currency,
                                row.token or payment.psp_reference, row.error, row.created_at, payment.gateway,
                                payment.order, payment.checkout, config, learnt_at)
                recorded += 1
            except Exception:  # noqa: BLE001 - one bad row must not stop the others
                logger.exception("saleor-notify: could not record %s %s", event.value, ref)
    return recorded


POLLED = {EventType.TRANSACTION_APPROVED, EventType.TRANSACTION_DECLINED, EventType.REFUND_APPLIED}
TABLES = {"transaction_event": _transaction_events, "payment_transaction": _legacy_transactions}


def start_reading() -> None:
    """At activation: read what happens from now on (the plugin never notifies history)."""
    for name, reader in TABLES.items():
        cursor.start(name, reader().model)


def poll(config: ShopConfig) -> dict[str, int]:
    """Read new payment records of both APIs; returns how many events were recorded."""
    # Run even with every switch off: the cursor moves on, and each row is read once, so
    # switching on later does not notify what happened while off.
    return {name: _poll_table(name, config) for name in TABLES}
