"""notificationEventChannelUpdate: change the sources of an attachment (the dashboard's "Edit")."""

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

    class Meta:
        description = "Change which sources an attached channel receives. Requires MANAGE_PLUGINS."

    permission = Permission.MANAGE_PLUGINS

    @classmethod
    def perform(cls, info: Info, requestor: Requestor, id: str, sources: list[str]) -> dict[str, Any]:  # noqa: A002 - the API's name
        return {"event_channel": channels.update_attachment(from_global_id(id, "NotificationEventChannel"), sources)}
