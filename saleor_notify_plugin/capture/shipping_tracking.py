"""Shipping tracking info updated: from a fulfillment's creation and its tracking number's updates."""

from __future__ import annotations

from typing import Any

from .. import payloads
from ..events import EventType
from ..pipeline import recording
from . import serialize
from .config import ShopConfig
from .sources import order_source


def tracking_key(fulfillment_id: Any, tracking_number: str) -> str:
    """Saleor calls tracking_number_updated *and* fulfillment_created for one new number:
    the key (fulfillment, number) makes them one event; a changed number is a new one."""
    return f"shipping_tracking_updated:{fulfillment_id}:{tracking_number}"


def on_tracking(fulfillment: Any, config: ShopConfig) -> None:
    number = (fulfillment.tracking_number or "").strip()
    if not number:
        return
    order = fulfillment.order
    lines = [
        {
            "order_line_id": str(fl.order_line_id),
            "product_name": fl.order_line.product_name,
            "sku": fl.order_line.product_sku,
            "quantity": fl.quantity,
        }
        for fl in fulfillment.lines.select_related("order_line").order_by("pk")
    ]
    recording.record_event(
        EventType.SHIPPING_TRACKING_UPDATED,
        order_source(order, config),
        subject_type="fulfillment",
        subject_id=str(fulfillment.pk),
        order_id=str(order.pk),
        payload=payloads.tracking_data(
            tracking_number=number,
            fulfillment_id=str(fulfillment.pk),
            fulfillment_number=fulfillment.fulfillment_order,
            fulfillment_status=fulfillment.status,
            order=serialize.order_ref(order),
            lines=lines,
        ),
        idempotency_key=tracking_key(fulfillment.pk, number),
        saleor_channel=serialize.saleor_channel(order.channel),
    )
