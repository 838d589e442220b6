"""Orders: Order completed (Admin/Shop on full payment, Funnel by signal or timer),
Customer created, Product conflicts, Subscription canceled, and contacts from orders."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from .. import payloads
from ..activity import recording_as_of
from ..events import EventType, Source
from ..inbound import subscription_canceled_key
from ..models import FunnelTimer
from ..pipeline import recording
from ..switches import enabled_events
from . import contacts, history, serialize
from .config import ShopConfig
from .sources import order_source

logger = logging.getLogger(__name__)

PAID = ("full", "overcharged")  # OrderChargeStatus values of a fully paid order
CHARGED = ("partial", "full", "overcharged")
NOT_PLACED = ("draft", "expired")


def order_completed_key(order_id: Any) -> str:
    """One key for every path to Order completed: payment, thank-you page, fallback timer."""
    return f"order_completed:{order_id}"


def record_order_completed(order: Any, source: Source, config: ShopConfig, *, trigger: str, lines=None) -> bool:
    summary = serialize.order_summary(order, config, lines)
    return (
        recording.record_event(
            EventType.ORDER_COMPLETED,
            source,
            subject_type="order",
            subject_id=str(order.pk),
            order_id=str(order.pk),
            payload=payloads.order_completed_data(summary, trigger=trigger),
            idempotency_key=order_completed_key(order.pk),
        )
        is not None
    )


def on_order_created(order: Any, config: ShopConfig) -> None:
    """A placed order gives its e-mail: a new contact, or a reactivation (shop and funnel)."""
    if order.status in NOT_PLACED or not order.user_email:
        return
    history.record_placed(order)  # whatever the switches: later answers need it
    if EventType.CONTACT_CREATED not in enabled_events():
        return
    source = order_source(order, config)
    context = ("checkout", order.checkout_token) if order.checkout_token else ("order", str(order.pk))

    def known_elsewhere() -> bool:
        known = history.ordered_elsewhere(order.user_email, order.pk)
        if known is not None:
            return known
        from saleor.order.models import Order  # until the history import has finished

        return Order.objects.filter(user_email__iexact=order.user_email).exclude(pk=order.pk).exists()

    contacts.record_contact(
        serialize.contact_from_order(order), source, context_kind=context[0], context_id=context[1],
        known_elsewhere=known_elsewhere,
    )


def on_order_payment(order: Any, config: ShopConfig) -> None:
    """order_paid / order_fully_paid (and created-paid): completion and first purchase."""
    if order.status in NOT_PLACED:
        return
    source = order_source(order, config)
    if source is Source.FUNNEL and order.charge_status in CHARGED:
        start_funnel_timer(order, config)
    if order.charge_status not in PAID:
        return
    lines = serialize.order_lines(order)
    history.record_paid(order, lines)  # whatever the switches: later answers need it
    wanted = enabled_events() & {EventType.ORDER_COMPLETED, EventType.CUSTOMER_CREATED, EventType.PRODUCT_CONFLICT}
    if not wanted:
        return
    if EventType.ORDER_COMPLETED in wanted and source is not Source.FUNNEL:
        record_order_completed(order, source, config, trigger="payment", lines=lines)
    earlier = None  # the customer's other fully paid orders; None until the history import has finished
    if wanted & {EventType.CUSTOMER_CREATED, EventType.PRODUCT_CONFLICT}:
        earlier = history.earlier_paid_orders(order)
    if EventType.CUSTOMER_CREATED in wanted and not (_paid_before(order) if earlier is None else earlier):
        contacts.record_customer(
            serialize.contact_from_order(order), source, serialize.order_summary(order, config, lines)
        )
    if EventType.PRODUCT_CONFLICT in wanted:
        _record_product_conflict(order, source, config, lines, earlier)


def _same_customer(order: Any) -> Q:
    q = Q(user_email__iexact=order.user_email) if order.user_email else Q(pk__in=[])
    if order.user_id:
        q |= Q(user_id=order.user_id)
    return q


def _paid_before(order: Any) -> bool:
    """Saleor's tables asked directly (a scan): only until the history import has finished."""
    from saleor.order.models import Order

    return Order.objects.filter(_same_customer(order), charge_status__in=PAID).exclude(pk=order.pk).exists()


def is_digital(line: Any, config: ShopConfig) -> bool:
    if config.digital_rule == "no_shipping":
        return not line.is_shipping_required and not line.is_gift_card
    if config.digital_rule == "metadata":
        return serialize.has_metadata_flag(line, config.digital_metadata_key)
    return False


def _record_product_conflict(
    order: Any, source: Source, config: ShopConfig, lines: list[Any], paid_orders: dict[str, list[int]] | None
) -> None:
    digital = {line.variant.product_id: line for line in lines if line.variant and is_digital(line, config)}
    if not digital:
        return
    if paid_orders is None:
        earlier = _earlier_holders_in_saleor(order, digital)
    else:
        earlier = {}
        for order_id, product_ids in paid_orders.items():
            for product_id in set(product_ids) & set(digital):
                earlier.setdefault(product_id, []).append(order_id)
    if not earlier:
        return
    products = [
        {
            "product_id": str(product_id),
            "product_name": digital[product_id].product_name,
            "sku": digital[product_id].product_sku,
            "previous_order_ids": sorted(order_ids),
        }
        for product_id, order_ids in sorted(earlier.items())
    ]
    recording.record_event(
        EventType.PRODUCT_CONFLICT,
        source,
        subject_type="order",
        subject_id=str(order.pk),
        order_id=str(order.pk),
        payload=payloads.product_conflict_data(
            order=serialize.order_ref(order), customer=serialize.contact_from_order(order), products=products
        ),
        idempotency_key=f"product_conflict:{order.pk}",
    )


def _earlier_holders_in_saleor(order: Any, digital: dict[int, Any]) -> dict[int, list[str]]:
    """Saleor's tables asked directly (a scan): only until the history import has finished."""
    from saleor.order.models import OrderLine

    earlier: dict[int, list[str]] = {}
    customer_orders = OrderLine.objects.filter(
        variant__product_id__in=list(digital), order__charge_status__in=PAID
    ).exclude(order_id=order.pk)
    customer_q = Q(order__user_email__iexact=order.user_email) if order.user_email else Q(pk__in=[])
    if order.user_id:
        customer_q |= Q(order__user_id=order.user_id)
    for product_id, order_id in customer_orders.filter(customer_q).values_list("variant__product_id", "order_id"):
        earlier.setdefault(product_id, [])
        if str(order_id) not in earlier[product_id]:
            earlier[product_id].append(str(order_id))
    return earlier


# --- funnel completion ---------------------------------------------------------------------


def start_funnel_timer(order: Any, config: ShopConfig) -> None:
    """Arm the fallback completion once, at the first successful payment (one statement)."""
    now = timezone.now()
    FunnelTimer.objects.bulk_create(
        [
            FunnelTimer(
                order_id=str(order.pk),
                first_paid_at=now,
                due_at=now + timedelta(minutes=config.funnel_fallback_minutes),
            )
        ],
        ignore_conflicts=True,
    )


def fire_due_timers(config: ShopConfig, now=None, batch: int = 100) -> int:
    """Complete funnel orders whose thank-you signal never came (worker side)."""
    from django.db import transaction
    from saleor.order.models import Order

    now = now or timezone.now()
    fired = 0
    with transaction.atomic():
        timers = list(
            FunnelTimer.objects.select_for_update(skip_locked=True)
            .filter(fired_at__isnull=True, due_at__lte=now)
            .order_by("due_at")[:batch]
        )
        orders = Order.objects.select_related("channel", "user", "billing_address").in_bulk(
            [t.order_id for t in timers]
        )
        for timer in timers:
            order = orders.get(_uuid(timer.order_id))
            if order is not None and order.status not in NOT_PLACED and order.status != "canceled":
                # Completed when the timer fell due: the switch and the plugin as they were then.
                with recording_as_of(min(now, timer.due_at)):
                    fired += record_order_completed(order, Source.FUNNEL, config, trigger="fallback_timer")
        FunnelTimer.objects.filter(pk__in=[t.pk for t in timers]).update(fired_at=now)
    return fired


def _uuid(value: str) -> Any:
    import uuid

    try:
        return uuid.UUID(value)
    except ValueError:
        return value


# --- subscriptions by convention -------------------------------------------------------------


def on_order_cancelled(order: Any, config: ShopConfig) -> None:
    """Cancelling an order cancels the subscriptions its subscription products started."""
    key = config.subscription_metadata_key
    if not key or EventType.SUBSCRIPTION_CANCELED not in enabled_events():
        return
    source = order_source(order, config)
    for line in serialize.order_lines(order):
        if not serialize.has_metadata_flag(line, key):
            continue
        subscription_id = f"{order.pk}:{line.pk}"
        recording.record_event(
            EventType.SUBSCRIPTION_CANCELED,
            source,
            subject_type="subscription",
            subject_id=subscription_id,
            order_id=str(order.pk),
            payload=payloads.subscription_canceled_data(
                subscription_id=subscription_id,
                email=order.user_email,
                order_id=str(order.pk),
                reason="order_canceled",
                product={
                    "product_id": str(line.variant.product_id) if line.variant else None,
                    "product_name": line.product_name,
                    "sku": line.product_sku,
                },
            ),
            idempotency_key=subscription_canceled_key(subscription_id),
        )
