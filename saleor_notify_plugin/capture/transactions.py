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
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

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


@dataclass(frozen=True, slots=True)
class PaymentRecord:
    """One row of either payment API, reduced to what its event reports."""

    ref: str  # te:<pk> or tx:<pk>: the row, in the event's idempotency key
    api: str  # "transactions" (TransactionEvent) or "payments" (legacy Transaction)
    kind: str  # the row's type (transactions) or kind (payments)
    amount: payloads.Amount
    currency: str
    psp_reference: str | None
    message: str | None
    created_at: datetime
    gateway: str | None
    order: Any  # Saleor's Order, or None
    checkout: Any  # Saleor's Checkout, or None


def _record(event: EventType, record: PaymentRecord, config: ShopConfig, as_of: datetime) -> None:
    order, checkout = record.order, record.checkout
    txn = payloads.transaction(
        id=record.ref,
        api=record.api,
        type=record.kind,
        amount=payloads.money(record.amount, record.currency),
        psp_reference=record.psp_reference,
        message=record.message,
        created_at=record.created_at,
        gateway=record.gateway,
    )
    order_ref = serialize.order_ref(order) if order is not None else None
    if event is EventType.REFUND_APPLIED:
        data = payloads.refund_data(txn, kind=REFUND_KIND[record.kind], order=order_ref)
    else:
        token = order.checkout_token if order is not None else (str(checkout.token) if checkout else None)
        data = payloads.transaction_data(txn, order=order_ref, checkout_token=token)
    recording.record_event(
        event,
        _source(order, checkout, config),
        subject_type="transaction",
        subject_id=record.ref,
        order_id=str(order.pk) if order is not None else "",
        payload=data,
        idempotency_key=event_key(event, record.ref),
        occurred_at=record.created_at,
        as_of=as_of,
        saleor_channel=serialize.saleor_channel(
            order.channel if order is not None else (checkout.channel if checkout is not None else None)
        ),
    )


def _transaction_events() -> QuerySet[Any]:
    from saleor.payment.models import TransactionEvent

    return TransactionEvent.objects.filter(type__in=list(TE_EVENTS)).select_related(
        "transaction__order__channel", "transaction__checkout__channel"
    )


def _legacy_transactions() -> QuerySet[Any]:
    from saleor.payment.models import Transaction

    return Transaction.objects.filter(kind__in=["auth", "capture", "capture_failed", "refund", "void"]).select_related(
        "payment__order__channel", "payment__checkout__channel"
    )


def _payment_record(prefix: str, row: Any, ref: str) -> PaymentRecord:
    """``row``: Saleor's TransactionEvent (prefix "te") or legacy payment Transaction ("tx")."""
    if prefix == "te":
        item = row.transaction
        return PaymentRecord(
            ref=ref,
            api="transactions",
            kind=row.type,
            amount=row.amount_value,
            currency=row.currency,
            psp_reference=row.psp_reference,
            message=row.message,
            created_at=row.created_at,
            gateway=row.app_identifier or item.app_identifier or item.name,
            order=item.order,
            checkout=item.checkout,
        )
    payment = row.payment
    return PaymentRecord(
        ref=ref,
        api="payments",
        kind=row.kind,
        amount=row.amount,
        currency=row.currency,
        psp_reference=row.token or payment.psp_reference,
        message=row.error,
        created_at=row.created_at,
        gateway=payment.gateway,
        order=payment.order,
        checkout=payment.checkout,
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
                    _record(event, _payment_record(prefix, row, ref), config, learnt_at)
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
