"""notificationChannelUpdate: rename, retarget or (de)activate a channel."""

from __future__ import annotations

from typing import Any, TypedDict

import graphene

from ... import channels
from ..ids import from_global_id
from ..info import Info
from ..requestor import Permission, Requestor
from ..types import NotificationChannel
from .base import NotificationMutation


class NotificationChannelUpdateInput(graphene.InputObjectType):
    name = graphene.String()
    url = graphene.String(description="POSTBACK and SLACK channels.")
    emails = graphene.List(graphene.NonNull(graphene.String), description="EMAIL channels.")
    is_active = graphene.Boolean()
    pause_on_alert = graphene.Boolean(description="Pause the channel when it alerts (deliveries held).")


class ChannelUpdateInput(TypedDict, total=False):
    """``NotificationChannelUpdateInput`` as ``perform`` receives it: what is absent stays as it is."""

    name: str | None
    url: str | None
    emails: list[str] | None
    is_active: bool | None
    pause_on_alert: bool | None


class NotificationChannelUpdate(NotificationMutation):
    channel = graphene.Field(NotificationChannel)

    class Arguments:
        id = graphene.ID(required=True)
        input = NotificationChannelUpdateInput(required=True)

    class Meta:
        description = "Update a channel; omitted fields keep their value. Requires MANAGE_PLUGINS."

    permission = Permission.MANAGE_PLUGINS

    @classmethod
    def perform(cls, info: Info, requestor: Requestor, id: str, input: ChannelUpdateInput) -> dict[str, Any]:  # noqa: A002 - the API's names
        channel = channels.update_channel(
            from_global_id(id, "NotificationChannel"),
            name=input.get("name"),
            url=input.get("url"),
            emails=input.get("emails"),
            is_active=input.get("is_active"),
            pause_on_alert=input.get("pause_on_alert"),
        )
        return {"channel": channel}
