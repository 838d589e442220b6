"""notificationFunnelCompleted: the funnel's thank-you page fires Order completed (once)."""

from __future__ import annotations

import uuid
from typing import Any

import graphene

from ... import references, shop
from ...errors import NotifyError, NotifyErrorCode
from ..ids import saleor_uuid
from ..info import Info
from ..requestor import Permission, Requestor
from .base import NotificationMutation


def _token(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    try:
        return str(uuid.UUID(value))
    except (ValueError, AttributeError, TypeError):
        raise NotifyError(
            NotifyErrorCode.INVALID, "The token must be the checkout's token (a UUID).", "token"
        ) from None


class NotificationFunnelCompleted(NotificationMutation):
    fired = graphene.Boolean(
        description="True when this call recorded Order completed; false when it had been recorded before."
    )

    class Arguments:
        order_id = graphene.ID(required=True, description="Saleor's global ID of the order.")
        token = graphene.String(description="The token of the checkout the order was made from: the proof.")

    class Meta:
        description = (
            "Report that the shopper reached the funnel's thank-you page. Anyone may call it with the order's "
            "checkout token; staff or apps with MANAGE_ORDERS may omit the token."
        )

    @classmethod
    def perform(
        cls, info: Info, requestor: Requestor, order_id: str, token: str | None = None
    ) -> dict[str, Any]:
        order_uuid = saleor_uuid(order_id, "Order", "orderId")
        checkout_token = _token(token)
        trusted = requestor.has_perm(Permission.MANAGE_ORDERS)
        if checkout_token is None and not trusted:
            raise NotifyError(
                NotifyErrorCode.REQUIRED,
                "The checkout token is required (only staff or apps with MANAGE_ORDERS may omit it).",
                "token",
            )
        the_shop = shop.installed()
        references.prove_order(order_uuid, checkout_token, trusted=trusted)
        return {"fired": bool(the_shop.complete_funnel_order(order_uuid))}
