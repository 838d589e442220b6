"""notificationOrderRetry: a manual attempt of every failed, retryable delivery of one order."""

from __future__ import annotations

from typing import Any

import graphene

from ...models import Delivery
from ...pipeline import manual_retry
from .. import enums
from ..ids import saleor_uuid
from ..info import Info
from ..requestor import Permission, Requestor
from ..types import NotificationDelivery
from .base import NotificationMutation


class NotificationOrderRetry(NotificationMutation):
    deliveries = graphene.List(
        graphene.NonNull(NotificationDelivery), description="The deliveries queued for a retry (may be empty)."
    )

    class Arguments:
        order_id = graphene.ID(required=True, description="Saleor's global ID of the order.")
        events = graphene.List(
            graphene.NonNull(enums.NotificationEventType),
            description="Default: the four retryable events. Any other event is refused (MANUAL_RETRY_NOT_ALLOWED).",
        )

    class Meta:
        description = "Retry the failed deliveries of an order (the Orders UI's retry). Requires MANAGE_ORDERS."

    permission = Permission.MANAGE_ORDERS

    @classmethod
    def perform(
        cls, info: Info, requestor: Requestor, order_id: str, events: list[str] | None = None
    ) -> dict[str, Any]:
        queued = manual_retry.retry_order(saleor_uuid(order_id, "Order", "orderId"), events or None)
        deliveries = Delivery.objects.select_related("event", "channel").filter(pk__in=[d.pk for d in queued])
        return {"deliveries": list(deliveries)}
