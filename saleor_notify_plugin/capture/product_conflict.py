"""Product conflicts: a customer pays for a digital product they paid for before."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from saleor.order.models import OrderLine

from .. import payloads
from ..events import EventType, Source
from ..pipeline import recording
from . import serialize
from .config import ShopConfig
from .order_states import PAID


def is_digital(line: Any, config: ShopConfig) -> bool:
    if config.digital_rule == "no_shipping":
        return not line.is_shipping_required and not line.is_gift_card
    if config.digital_rule == "metadata":
        return serialize.has_metadata_flag(line, config.digital_metadata_key)
    return False


def record_product_conflict(
    order: Any, source: Source, config: ShopConfig, lines: list[Any], paid_orders: dict[str, list[int]] | None
) -> None:
    """``paid_orders``: the customer's other fully paid orders (the history's; None until it is imported)."""
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
        saleor_channel=serialize.saleor_channel(order.channel),
    )


def _earlier_holders_in_saleor(order: Any, digital: dict[int, Any]) -> dict[int, list[str]]:
    """Saleor's tables asked directly (a scan): only until the history import has finished."""
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
