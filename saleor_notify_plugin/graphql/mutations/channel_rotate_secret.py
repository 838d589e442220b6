"""notificationChannelRotateSecret: a new signing secret, returned in full once."""

from __future__ import annotations

from typing import Any

import graphene

from ... import channels
from ..ids import from_global_id
from ..info import Info
from ..requestor import Permission, Requestor
from ..types import NotificationChannel
from .base import NotificationMutation


class NotificationChannelRotateSecret(NotificationMutation):
    channel = graphene.Field(NotificationChannel)
    secret = graphene.String(
        description="The new signing secret in full (returned only here). The previous one still signs, as a "
        "second signature, for 24 hours."
    )

    class Arguments:
        id = graphene.ID(required=True)

    class Meta:
        description = "Replace a channel's signing secret. Requires MANAGE_PLUGINS."

    permission = Permission.MANAGE_PLUGINS

    @classmethod
    def perform(cls, info: Info, requestor: Requestor, id: str) -> dict[str, Any]:  # noqa: A002 - the API's name
        channel = channels.rotate_secret(from_global_id(id, "NotificationChannel"))
        return {"channel": channel, "secret": channel.secret}
