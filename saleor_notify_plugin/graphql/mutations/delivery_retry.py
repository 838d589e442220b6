"""notificationDeliveryRetry: one manual attempt of a failed delivery (four events only)."""

from __future__ import annotations

from typing import Any

import graphene

from ...models import Delivery
from ...pipeline import manual_retry
from ..ids import from_global_id
from ..info import Info
from ..requestor import Permission, Requestor
from ..types import NotificationDelivery
from .base import NotificationMutation


class NotificationDeliveryRetry(NotificationMutation):
    delivery = graphene.Field(NotificationDelivery)

    class Arguments:
        id = graphene.ID(required=True)

    class Meta:
        description = (
            "Queue one manual attempt of a failed delivery, with the same event id and the 30-second limit. "
            "Only Order completed, Approved transaction, Transaction declined and Refund applied can be retried "
            "(else MANUAL_RETRY_NOT_ALLOWED); the delivery must have failed (NOT_FAILED) and its channel must "
            "still be active (CHANNEL_UNAVAILABLE). Requires MANAGE_ORDERS."
        )

    permission = Permission.MANAGE_ORDERS

    @classmethod
    def perform(cls, info: Info, requestor: Requestor, id: str) -> dict[str, Any]:  # noqa: A002 - the API's name
        delivery = manual_retry.retry_delivery(from_global_id(id, "NotificationDelivery"))
        return {"delivery": Delivery.objects.select_related("event", "channel").get(pk=delivery.pk)}
