"""notificationChannelResume: lift a channel's pause; its held deliveries go out, oldest first."""

from __future__ import annotations

from typing import Any

import graphene

from ...pipeline import alerts
from ..ids import from_global_id
from ..info import Info
from ..requestor import Permission, Requestor
from ..types import NotificationChannel
from .base import NotificationMutation


class NotificationChannelResume(NotificationMutation):
    channel = graphene.Field(NotificationChannel)
    released = graphene.Int(description="How many held deliveries are being sent, oldest first.")

    class Arguments:
        id = graphene.ID(required=True)

    class Meta:
        description = (
            "Resume a channel paused by an alert: its held deliveries are sent one at a time, in the order they "
            "were created. A channel that keeps failing alerts (and pauses) again after ALERT_AFTER_MINUTES. "
            "Resuming a channel that is not paused changes nothing. Requires MANAGE_PLUGINS."
        )

    permission = Permission.MANAGE_PLUGINS

    @classmethod
    def perform(cls, info: Info, requestor: Requestor, id: str) -> dict[str, Any]:  # noqa: A002 - the API's name
        channel, released = alerts.resume(from_global_id(id, "NotificationChannel"))
        return {"channel": channel, "released": released}
