"""notificationEventChannelUpdate: change the sources (and stores) of an attachment (the dashboard's "Edit")."""

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


class NotificationEventChannelUpdate(NotificationMutation):
    event_channel = graphene.Field(NotificationEventChannel)

    class Arguments:
        id = graphene.ID(required=True)
        sources = graphene.List(graphene.NonNull(enums.NotificationSource), required=True)
        saleor_channels = graphene.List(
            graphene.NonNull(graphene.String),
            description="The stores (Saleor channel slugs) it receives events of from now on; empty: every store; "
            "omitted: unchanged. A slug the shop does not have is refused (INVALID).",
        )

    class Meta:
        description = "Change which sources (and stores) an attached channel receives. Requires MANAGE_PLUGINS."

    permission = Permission.MANAGE_PLUGINS

    @classmethod
    def perform(
        cls,
        info: Info,
        requestor: Requestor,
        id: str,  # noqa: A002 - the API's name
        sources: list[str],
        saleor_channels: list[str] | None = None,
    ) -> dict[str, Any]:
        attachment_pk = from_global_id(id, "NotificationEventChannel")
        return {"event_channel": channels.update_attachment(attachment_pk, sources, saleor_channels)}
