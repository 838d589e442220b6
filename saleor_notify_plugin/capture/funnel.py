"""Order completed for funnel orders: the thank-you page's signal, or the fallback timer.

A funnel order is not completed by its payment: its first successful payment arms a timer
(``start_funnel_timer``); the thank-you page (``complete_funnel_order``, the plugin API's
``notificationFunnelCompleted`` once the caller proved the order) or, if it never comes, the
timer falling due (``fire_due_timers``, worker side) records Order completed, once.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from saleor.order.models import Order

from ..activity import recording_as_of
from ..errors import NotifyError, NotifyErrorCode
from ..events import Source
from ..models import FunnelTimer
from . import config as shop_config
from .config import ShopConfig
from .order_completed import record_order_completed
from .order_states import NOT_PLACED
from .sources import order_source


def _orders() -> Any:
    return Order.objects.select_related("channel", "user", "billing_address")


def complete_funnel_order(order_id: str) -> bool:
    """The shopper reached the funnel's thank-you page: Order completed (FUNNEL), once.

    The key is the fallback timer's, so whichever comes first wins. True if recorded now.
    """
    order = _orders().filter(pk=_uuid(order_id)).first()
    if order is None:
        raise NotifyError(NotifyErrorCode.NOT_FOUND, "No such order.", "orderId")
    if order.status in NOT_PLACED:
        raise NotifyError(NotifyErrorCode.INVALID, "The order has not been placed.", "orderId")
    config = shop_config.load()
    if order_source(order, config) is not Source.FUNNEL:
        return False  # Admin and Shop orders are completed by their full payment, not by this signal
    with transaction.atomic():
        recorded = record_order_completed(order, Source.FUNNEL, config, trigger="thank_you")
        FunnelTimer.objects.filter(order_id=str(order.pk), fired_at__isnull=True).update(fired_at=timezone.now())
    return recorded


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


def fire_due_timers(config: ShopConfig, now: datetime | None = None, batch: int = 100) -> int:
    """Complete funnel orders whose thank-you signal never came (worker side)."""
    now = now or timezone.now()
    fired = 0
    with transaction.atomic():
        timers = list(
            FunnelTimer.objects.select_for_update(skip_locked=True)
            .filter(fired_at__isnull=True, due_at__lte=now)
            .order_by("due_at")[:batch]
        )
        orders = _orders().in_bulk([t.order_id for t in timers])
        for timer in timers:
            order = orders.get(_uuid(timer.order_id))
            if order is not None and order.status not in NOT_PLACED and order.status != "canceled":
                # Completed when the timer fell due: the switch and the plugin as they were then.
                with recording_as_of(min(now, timer.due_at)):
                    fired += record_order_completed(order, Source.FUNNEL, config, trigger="fallback_timer")
        FunnelTimer.objects.filter(pk__in=[t.pk for t in timers]).update(fired_at=now)
    return fired


def _uuid(value: str) -> Any:
    try:
        return uuid.UUID(value)
    except ValueError:
        return value
