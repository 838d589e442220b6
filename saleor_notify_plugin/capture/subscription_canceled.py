"""Subscription canceled by convention: cancelling an order cancels what its subscription products started."""

from __future__ import annotations

from typing import Any

from .. import payloads
from ..events import EventType
from ..inbound import subscription_canceled_key
from ..pipeline import recording
from ..switches import enabled_events
from . import serialize
from .config import ShopConfig
from .sources import order_source


def on_order_cancelled(order: Any, config: ShopConfig) -> None:
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
            saleor_channel=serialize.saleor_channel(order.channel),
        )
