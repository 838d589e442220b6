"""Order completed: one event per order, whichever path gets there first.

Admin and Shop orders are completed by their full payment (``payments``); funnel orders by
the thank-you page or the fallback timer (``funnel``). All paths share one key.
"""

from __future__ import annotations

from typing import Any

from .. import payloads
from ..events import EventType, Source
from ..pipeline import recording
from . import serialize
from .config import ShopConfig


def order_completed_key(order_id: Any) -> str:
    """One key for every path to Order completed: payment, thank-you page, fallback timer."""
    return f"order_completed:{order_id}"


def record_order_completed(
    order: Any, source: Source, config: ShopConfig, *, trigger: str, lines: list[Any] | None = None
) -> bool:
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
            saleor_channel=serialize.saleor_channel(order.channel),
        )
        is not None
    )
