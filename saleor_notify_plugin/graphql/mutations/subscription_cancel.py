"""notificationSubscriptionCancel: the shop's subscription system reports a cancellation."""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict

import graphene

from ... import inbound, references, shop
from ...events import Source
from ...payloads import SaleorChannel
from .. import enums
from ..ids import saleor_uuid
from ..info import Info
from ..requestor import Permission, Requestor
from .base import NotificationMutation


class NotificationSubscriptionCancelInput(graphene.InputObjectType):
    subscription_id = graphene.String(
        required=True, description="The subscription system's id (at most 128 characters)."
    )
    email = graphene.String(required=True, description="The subscriber's e-mail address.")
    order_id = graphene.ID(description="Saleor's global ID of the order that started the subscription.")
    reason = graphene.String(description="Why it was canceled (at most 1,000 characters).")
    source = enums.NotificationSource(description="Where the subscription comes from (default SHOP).")


class SubscriptionCancelInput(TypedDict):
    """``NotificationSubscriptionCancelInput`` as ``perform`` receives it."""

    subscription_id: str
    email: str
    order_id: NotRequired[str | None]
    reason: NotRequired[str | None]
    source: NotRequired[str | None]


class NotificationSubscriptionCancel(NotificationMutation):
    recorded = graphene.Boolean(
        description="True when Subscription canceled was recorded; false when it had been before (or is off)."
    )

    class Arguments:
        input = NotificationSubscriptionCancelInput(required=True)

    class Meta:
        description = "Record that a subscription was canceled. Requires MANAGE_ORDERS."

    permission = Permission.MANAGE_ORDERS

    @classmethod
    def perform(cls, info: Info, requestor: Requestor, input: SubscriptionCancelInput) -> dict[str, Any]:  # noqa: A002 - the API's name
        order_id = input.get("order_id")
        order_uuid = saleor_uuid(order_id, "Order", "orderId") if order_id else None
        recorded = inbound.cancel_subscription(
            subscription_id=input.get("subscription_id"),
            email=input.get("email"),
            order_id=order_uuid,
            reason=input.get("reason"),
            source=input.get("source") or Source.SHOP,
            saleor_channel=_store_of(order_uuid),
        )
        return {"recorded": recorded}


def _store_of(order_uuid: str | None) -> SaleorChannel | None:
    """The store the order was placed in, if the shop knows the order (the subscription's store)."""
    if order_uuid is None:
        return None
    try:
        order = references.lookup().order(order_uuid)
    except shop.ShopUnavailable:
        return None
    return order.saleor_channel if order is not None else None
