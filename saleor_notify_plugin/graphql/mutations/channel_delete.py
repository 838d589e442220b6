"""notificationChannelDelete: remove a channel and its attachments; its deliveries stay logged."""

from __future__ import annotations

from typing import Any

import graphene

from ... import channels
from ..ids import from_global_id
from ..info import Info
from ..requestor import Permission, Requestor
from .base import NotificationMutation


class NotificationChannelDelete(NotificationMutation):
    deleted_id = graphene.ID(description="The ID of the deleted channel.")

    class Arguments:
        id = graphene.ID(required=True)

    class Meta:
        description = "Delete a channel. Requires MANAGE_PLUGINS."

    permission = Permission.MANAGE_PLUGINS

    @classmethod
    def perform(cls, info: Info, requestor: Requestor, id: str) -> dict[str, Any]:  # noqa: A002 - the API's name
        channels.delete_channel(from_global_id(id, "NotificationChannel"))
        return {"deleted_id": id}
