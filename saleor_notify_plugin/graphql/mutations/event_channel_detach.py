"""notificationEventChannelDetach: remove a channel from an event (the dashboard's "Delete")."""

from __future__ import annotations

from typing import Any

import graphene

from ... import channels
from ..ids import from_global_id
from ..info import Info
from ..requestor import Permission, Requestor
from .base import NotificationMutation


class NotificationEventChannelDetach(NotificationMutation):
    deleted_id = graphene.ID(description="The ID of the removed attachment.")

    class Arguments:
        id = graphene.ID(required=True)

    class Meta:
        description = "Detach a channel from an event. Requires MANAGE_PLUGINS."

    permission = Permission.MANAGE_PLUGINS

    @classmethod
    def perform(cls, info: Info, requestor: Requestor, id: str) -> dict[str, Any]:  # noqa: A002 - the API's name
        channels.detach(from_global_id(id, "NotificationEventChannel"))
        return {"deleted_id": id}
