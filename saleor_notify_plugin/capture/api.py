"""Entry points for the plugin's own API (the GraphQL layer calls these)."""

from __future__ import annotations

import uuid

from django.db import transaction
from django.utils import timezone

from ..errors import NotifyError, NotifyErrorCode
from ..events import Source
from ..models import FunnelTimer
from . import config as shop_config
from .order_completed import record_order_completed
from .order_states import NOT_PLACED
from .sources import order_source


def funnel_order_completed(order_id: str, checkout_token: str | None, *, trusted: bool) -> bool:
    """The shopper reached the funnel's thank-you page: Order completed (FUNNEL), once.

    An untrusted caller (the storefront) proves the order with its checkout token. The
    key is the fallback timer's, so whichever comes first wins. True if recorded now.
    """
    from saleor.order.models import Order

    # A storefront learns nothing about orders it cannot prove: unknown order and wrong
    # token get the same answer.
    unknown = (
        NotifyError(NotifyErrorCode.NOT_FOUND, "No such order.", "orderId")
        if trusted
        else NotifyError(NotifyErrorCode.PERMISSION_DENIED, "The order and checkout token do not match.", "token")
    )
    try:
        pk = uuid.UUID(str(order_id))
    except ValueError:
        raise unknown from None
    order = Order.objects.select_related("channel", "user", "billing_address").filter(pk=pk).first()
    if order is None:
        raise unknown
    if not trusted and (not checkout_token or str(checkout_token) != str(order.checkout_token or "")):
        raise unknown
    if order.status in NOT_PLACED:
        raise NotifyError(NotifyErrorCode.INVALID, "The order has not been placed.", "orderId")
    config = shop_config.load()
    if order_source(order, config) is not Source.FUNNEL:
        return False  # Admin and Shop orders are completed by their full payment, not by this signal
    with transaction.atomic():
        recorded = record_order_completed(order, Source.FUNNEL, config, trigger="thank_you")
        FunnelTimer.objects.filter(order_id=str(order.pk), fired_at__isnull=True).update(fired_at=timezone.now())
    return recorded


def storefront_reference_exists(*, checkout_token: str | None, order_id: str | None) -> bool:
    """Whether the checkout or order a storefront names exists: the proof of an anonymous caller.

    A completed checkout is gone from Saleor; its order keeps the checkout's token.
    """
    from saleor.checkout.models import Checkout
    from saleor.order.models import Order

    if checkout_token and (
        Checkout.objects.filter(token=checkout_token).exists()
        or Order.objects.filter(checkout_token=str(checkout_token)).exists()
    ):
        return True
    return bool(order_id) and Order.objects.filter(pk=order_id).exists()
