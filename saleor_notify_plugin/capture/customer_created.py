"""Customer created: a customer's first fully paid order."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from saleor.order.models import Order

from ..events import Source
from . import contacts, serialize
from .config import ShopConfig
from .order_states import PAID


def record_first_purchase(
    order: Any, source: Source, config: ShopConfig, lines: list[Any], paid_orders: dict[str, list[int]] | None
) -> None:
    """``paid_orders``: the customer's other fully paid orders (the history's; None until it is imported)."""
    if not (_paid_before(order) if paid_orders is None else paid_orders):
        contacts.record_customer(
            serialize.contact_from_order(order),
            source,
            serialize.order_summary(order, config, lines),
            saleor_channel=serialize.saleor_channel(order.channel),
        )


def _same_customer(order: Any) -> Q:
    q = Q(user_email__iexact=order.user_email) if order.user_email else Q(pk__in=[])
    if order.user_id:
        q |= Q(user_id=order.user_id)
    return q


def _paid_before(order: Any) -> bool:
    """Saleor's tables asked directly (a scan): only until the history import has finished."""
    return Order.objects.filter(_same_customer(order), charge_status__in=PAID).exclude(pk=order.pk).exists()
