"""An order's payment (``order_paid`` / ``order_fully_paid``, also an order created paid): what it records.

The first successful payment of a funnel order arms its fallback completion (``funnel``).
The full payment records Order completed for Admin and Shop orders (``order_completed``),
Customer created for a first purchase (``customer_created``) and Product conflicts for
digital products bought before (``product_conflict``).
"""

from __future__ import annotations

from typing import Any

from ..events import EventType, Source
from ..switches import enabled_events
from . import customer_created, funnel, history, product_conflict, serialize
from .config import ShopConfig
from .order_completed import record_order_completed
from .order_states import CHARGED, NOT_PLACED, PAID
from .sources import order_source


def on_order_payment(order: Any, config: ShopConfig) -> None:
    if order.status in NOT_PLACED:
        return
    source = order_source(order, config)
    if source is Source.FUNNEL and order.charge_status in CHARGED:
        funnel.start_funnel_timer(order, config)
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
    if EventType.CUSTOMER_CREATED in wanted:
        customer_created.record_first_purchase(order, source, config, lines, earlier)
    if EventType.PRODUCT_CONFLICT in wanted:
        product_conflict.record_product_conflict(order, source, config, lines, earlier)
