"""Saleor's side of :mod:`.references`: checkouts and orders as Saleor stores them."""

from __future__ import annotations

import uuid

from saleor.checkout.models import Checkout
from saleor.order.models import Order

from .references import Reference


def _order_reference(order: Order) -> Reference:
    return Reference(
        checkout_token=str(order.checkout_token) if order.checkout_token else None,
        order_id=str(order.pk),
        email=order.get_customer_email() or "",
    )


class SaleorReferences:
    """A completed checkout is gone from Saleor; its order keeps the checkout's token."""

    def checkout(self, token: str) -> Reference | None:
        try:
            token = str(uuid.UUID(str(token)))
        except ValueError:
            return None
        checkout = Checkout.objects.select_related("user").filter(token=token).first()
        if checkout is not None:
            return Reference(checkout_token=token, order_id=None, email=checkout.get_customer_email() or "")
        order = Order.objects.select_related("user").filter(checkout_token=token).order_by("created_at").first()
        return None if order is None else _order_reference(order)

    def order(self, order_id: str) -> Reference | None:
        try:
            pk = uuid.UUID(str(order_id))
        except ValueError:
            return None
        order = Order.objects.select_related("user").filter(pk=pk).first()
        return None if order is None else _order_reference(order)
