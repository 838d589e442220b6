"""notificationEventChannelAttach: attach a channel to an event for some sources (and maybe some stores)."""

from __future__ import annotations

from typing import Any

import graphene

from ... import channels
from .. import enums
from ..ids import from_global_id
from ..info import Info
from ..requestor import Permission, Requestor
from ..types import NotificationEventChannel
from .base import NotificationMutation


class NotificationEventChannelAttach(NotificationMutation):
    event_channel = graphene.Field(NotificationEventChannel)

    class Arguments:
        event = enums.NotificationEventType(required=True)
        channel_id = graphene.ID(required=True)
        sources = graphene.List(graphene.NonNull(enums.NotificationSource), required=True)
        saleor_channels = graphene.List(
            graphene.NonNull(graphene.String),
            description="Slugs of the stores (Saleor channels, see notificationSaleorChannels) whose events it "
            "receives; omitted or empty: every store. A slug the shop does not have is refused (INVALID).",
        )

    class Meta:
        description = (
            "Attach a channel to an event. Customer created and Survey completed accept postback channels only "
            "(POSTBACK_ONLY); a channel is attached to an event once (UNIQUE). Requires MANAGE_PLUGINS."
        )

    permission = Permission.MANAGE_PLUGINS

    @classmethod
    def perform(
        cls,
        info: Info,
        requestor: Requestor,
        event: str,
        channel_id: str,
        sources: list[str],
        saleor_channels: list[str] | None = None,
    ) -> dict[str, Any]:
        channel_pk = from_global_id(channel_id, "NotificationChannel", "channelId")
        return {"event_channel": channels.attach_channel(event, channel_pk, sources, saleor_channels or [])}
