"""notificationSubscriptionCancel: the shop's subscription system reports a cancellation."""

from __future__ import annotations

import logging

import graphene

from ...errors import NotifyError, NotifyErrorCode
from ...events import Source
from ...inbound import clean_email, clean_text
from .. import enums
from ..ids import saleor_uuid
from ..requestor import Permission
from .base import NotificationMutation

logger = logging.getLogger(__name__)


class NotificationSubscriptionCancelInput(graphene.InputObjectType):
    subscription_id = graphene.String(
        required=True, description="The subscription system's id (at most 128 characters)."
    )
    email = graphene.String(required=True, description="The subscriber's e-mail address.")
    order_id = graphene.ID(description="Saleor's global ID of the order that started the subscription.")
    reason = graphene.String(description="Why it was canceled (at most 1,000 characters).")
    source = enums.NotificationSource(description="Where the subscription comes from (default SHOP).")


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
    def perform(cls, info, requestor, input):  # noqa: A002 - the API's name
        subscription_id = clean_text(input.get("subscription_id"), "subscriptionId", 128, required=True)
        email = clean_email(input.get("email"))
        order_id = input.get("order_id")
        order_uuid = saleor_uuid(order_id, "Order", "orderId") if order_id else None
        reason = clean_text(input.get("reason"), "reason", 1000)
        try:
            from ...capture.api import subscription_canceled

            recorded = subscription_canceled(
                subscription_id=subscription_id,
                email=email,
                order_id=order_uuid,
                reason=reason,
                source=input.get("source") or Source.SHOP.value,
            )
        except ImportError:
            logger.warning("saleor-notify: notificationSubscriptionCancel needs Saleor", exc_info=True)
            raise NotifyError(NotifyErrorCode.UNAVAILABLE, "This needs Saleor, which is not installed here.") from None
        return {"recorded": bool(recorded)}
