"""notificationChannelRecover: send a channel's failed deliveries since a time again, paced (or count them)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import graphene

from ...pipeline import recovery
from ..ids import from_global_id
from ..info import Info
from ..requestor import Permission, Requestor
from ..types import NotificationDelivery
from .base import NotificationMutation


class NotificationRecoveryItem(graphene.ObjectType):
    delivery = graphene.Field(NotificationDelivery, required=True)
    order_number = graphene.String(description="The order's number, when the event concerns an order.")
    failed_at = graphene.DateTime(required=True, description="When its last attempt failed.")
    send_at = graphene.DateTime(required=True, description="When it is sent again (a dry run: would be).")

    class Meta:
        description = "One delivery of a recovery."

    @staticmethod
    def resolve_order_number(root: recovery.Planned, info: Info) -> str | None:
        order = (root.delivery.event.payload or {}).get("order")
        number = order.get("number") if isinstance(order, dict) else None
        return str(number) if number is not None else None


class NotificationChannelRecovery(graphene.ObjectType):
    dry_run = graphene.Boolean(required=True, description="True: nothing was queued; this is what would be.")
    since = graphene.DateTime(required=True)
    count = graphene.Int(
        required=True, description="How many failed deliveries it concerns: queued, or (a dry run) that would be."
    )
    first = graphene.List(
        graphene.NonNull(NotificationRecoveryItem),
        required=True,
        description=f"The first {recovery.PREVIEW_SIZE} at most, in the order they are sent (their events' order).",
    )
    rate_per_s = graphene.Float(
        required=True, description="The pace: at most this many per second (RECOVER_RATE_PER_S)."
    )
    first_send_at = graphene.DateTime(description="When the first is sent (null when there is none).")
    last_send_at = graphene.DateTime(description="When the last is sent (null when there is none).")

    class Meta:
        description = "A channel's recovery: its failed deliveries since a time, sent again at a set pace."


class NotificationChannelRecover(NotificationMutation):
    recovery = graphene.Field(NotificationChannelRecovery)

    class Arguments:
        id = graphene.ID(required=True, description="The channel.")
        since = graphene.DateTime(
            required=True, description="Deliveries whose last attempt failed at or after this time (not in the future)."
        )
        dry_run = graphene.Boolean(default_value=False, description="Only count and list them; nothing is sent.")

    class Meta:
        description = (
            "Send again every failed delivery of the channel since a time: Order completed, Approved transaction, "
            "Transaction declined and Refund applied (the events a manual retry exists for). One manual attempt "
            "each (same event id, the 30-second limit), paced at RECOVER_RATE_PER_S per channel, after whatever "
            "the channel already has scheduled. dryRun: the count and the first few, nothing sent. Refused: "
            "`since` in the future (INVALID), an unknown or deleted channel (NOT_FOUND), a deactivated one "
            "(CHANNEL_UNAVAILABLE). Requires MANAGE_ORDERS."
        )

    permission = Permission.MANAGE_ORDERS

    @classmethod
    def perform(
        cls, info: Info, requestor: Requestor, id: str, since: datetime, dry_run: bool = False  # noqa: A002
    ) -> dict[str, Any]:
        channel_id = from_global_id(id, "NotificationChannel")
        return {"recovery": recovery.recover(channel_id, since, dry_run=bool(dry_run))}
