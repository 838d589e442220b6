"""The reconciliation: business events Saleor committed whose hook never recorded them.

Saleor 3.24 calls plugin hooks after its own commit, so a process that dies between that
commit and the hook's insert loses the call. Saleor writes an ``OrderEvent`` (order fully
paid or marked as paid, tracking updated, items fulfilled, order cancelled) and a ``CustomerEvent`` (account
created) in the business change's own transaction; this reader goes through those rows once
each, behind the same late-commit-safe cursor as the payment poller, and records whatever
the hooks did not, with the hooks' own capture code and keys (so a hook and the
reconciliation together still record one event).

It waits ``RECONCILE_DELAY_S`` (60 s) before looking at a row, so hooks go first; the
switches and the plugin are taken as they were at the row's time
(``activity.recording_as_of``). Bound: an event whose hook was lost is recorded at most
``RECONCILE_DELAY_S`` + one capture interval (5 s) after Saleor committed it (while beat and
a worker run). Cost per run: an index range scan over the rows since the last run, one query
for the keys already recorded, and the capture code only for what is missing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from ..activity import events_on_between, recording_as_of
from ..conf import get_settings
from ..events import EventType
from ..models import Contact, RecordedEvent
from . import contact_created, cursor, payments, shipping_tracking, subscription_canceled
from .config import ShopConfig
from .order_completed import order_completed_key

logger = logging.getLogger(__name__)

BATCH = 500
MAX_BATCHES_PER_RUN = 4

PAID = ("order_fully_paid", "order_marked_as_paid")  # the second: orderMarkAsPaid's transaction flow
TRACKING = ("tracking_updated", "fulfillment_fulfilled_items")
CANCELED = "canceled"
ACCOUNT_CREATED = "account_created"
PAYMENT_EVENTS = {e.value for e in (EventType.ORDER_COMPLETED, EventType.CUSTOMER_CREATED, EventType.PRODUCT_CONFLICT)}


def _order_events() -> QuerySet[Any]:
    from saleor.order.models import OrderEvent

    return OrderEvent.objects.filter(type__in=[*PAID, CANCELED, *TRACKING]).select_related(
        "order__channel", "order__user", "order__billing_address"
    )


def _customer_events() -> QuerySet[Any]:
    from saleor.account.models import CustomerEvent

    return CustomerEvent.objects.filter(type=ACCOUNT_CREATED).select_related("user__default_billing_address")


TABLES = {"order_event": _order_events, "customer_event": _customer_events}


def start_reading() -> None:
    for name, reader in TABLES.items():
        cursor.start(name, reader().model)


def _recorded(keys: list[str]) -> set[str]:
    return set(RecordedEvent.objects.filter(idempotency_key__in=keys).values_list("idempotency_key", flat=True))


def _before_the_delay(queryset: QuerySet[Any]) -> QuerySet[Any]:
    """Only rows below the first one still inside the delay: the read stops there (index on date)."""
    from django.db.models import Min
    from django.utils import timezone

    cutoff = timezone.now() - timedelta(seconds=get_settings().reconcile_delay_s)
    first_recent = queryset.model.objects.filter(date__gt=cutoff).aggregate(m=Min("pk"))["m"]
    return queryset if first_recent is None else queryset.filter(pk__lt=first_recent)


def _settled(found: cursor.NewRows) -> list[Any]:
    """The rows old enough for their hooks to have run; later ones wait for the next run."""
    cutoff = found.now - timedelta(seconds=get_settings().reconcile_delay_s)
    for row in found.rows:
        if row.date > cutoff:
            found.stop_before(row)
            break
    return found.rows


def _guarded(what: str, row: Any, work: Callable[[], object]) -> int:
    try:
        with transaction.atomic(), recording_as_of(row.date):
            work()
        return 1
    except Exception:  # noqa: BLE001 - one bad row must not stop the others
        logger.exception("saleor-notify: reconciliation could not check %s %s", what, row.pk)
        return 0


def _reconcile_orders(config: ShopConfig) -> int:
    checked = 0
    order_events = _before_the_delay(_order_events())
    with cursor.new_rows("order_event", order_events, batch=BATCH, max_batches=MAX_BATCHES_PER_RUN) as found:
        if found is None:
            return 0
        rows = [r for r in _settled(found) if r.order is not None]
        if not rows:
            return 0
        live = events_on_between(min(r.date for r in rows), found.now)
        completed = _recorded([order_completed_key(r.order_id) for r in rows if r.type in PAID])
        for row in rows:
            order = row.order
            if row.type in PAID and live & PAYMENT_EVENTS:
                if order_completed_key(order.pk) not in completed:
                    checked += _guarded("order", row, partial(payments.on_order_payment, order, config))
            elif row.type in TRACKING and EventType.SHIPPING_TRACKING_UPDATED.value in live:
                tracked = {
                    shipping_tracking.tracking_key(f.pk, f.tracking_number.strip()): f
                    for f in order.fulfillments.all()
                    if (f.tracking_number or "").strip()
                }
                for key in set(tracked) - _recorded(list(tracked)):
                    work = partial(shipping_tracking.on_tracking, tracked[key], config)
                    checked += _guarded("fulfillment", row, work)
            elif row.type == CANCELED and EventType.SUBSCRIPTION_CANCELED.value in live:
                work = partial(subscription_canceled.on_order_cancelled, order, config)
                checked += _guarded("cancellation", row, work)
    return checked


def _reconcile_customers(config: ShopConfig) -> int:
    checked = 0
    customer_events = _before_the_delay(_customer_events())
    with cursor.new_rows("customer_event", customer_events, batch=BATCH, max_batches=MAX_BATCHES_PER_RUN) as found:
        if found is None:
            return 0
        rows = [r for r in _settled(found) if r.user is not None and r.user.email]
        if not rows or EventType.CONTACT_CREATED.value not in events_on_between(min(r.date for r in rows), found.now):
            return 0
        # A hook that ran left the address in the registry (new or known): only never-seen ones are missing.
        emails = [r.user.email.lower() for r in rows]
        known = set(Contact.objects.filter(email__in=emails).values_list("email", flat=True))
        for row in rows:
            if row.user.email.lower() not in known:
                work = partial(contact_created.on_customer_created, row.user, config, staff=False)
                checked += _guarded("customer", row, work)
    return checked


def reconcile(config: ShopConfig) -> dict[str, int]:
    """One pass over what Saleor committed since the last: how many rows needed recording."""
    return {"orders": _reconcile_orders(config), "customers": _reconcile_customers(config)}
