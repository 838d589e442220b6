"""notificationChannelCreate: a new channel; its signing secret is returned here in full, once."""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict

import graphene

from ... import channels
from .. import enums
from ..info import Info
from ..requestor import Permission, Requestor
from ..types import NotificationChannel
from .base import NotificationMutation


class NotificationChannelCreateInput(graphene.InputObjectType):
    name = graphene.String(required=True, description="Shown when attaching the channel (at most 128 characters).")
    kind = enums.NotificationChannelKind(required=True)
    url = graphene.String(description="POSTBACK: the receiver's URL. SLACK: the incoming-webhook URL (https).")
    emails = graphene.List(graphene.NonNull(graphene.String), description="EMAIL: the addresses (at most 50).")
    is_active = graphene.Boolean(description="Default true.")
    pause_on_alert = graphene.Boolean(description="Pause the channel when it alerts (deliveries held). Default false.")


class ChannelCreateInput(TypedDict):
    """``NotificationChannelCreateInput`` as ``perform`` receives it."""

    name: str
    kind: str
    url: NotRequired[str | None]
    emails: NotRequired[list[str] | None]
    is_active: NotRequired[bool | None]
    pause_on_alert: NotRequired[bool | None]


class NotificationChannelCreate(NotificationMutation):
    channel = graphene.Field(NotificationChannel)
    secret = graphene.String(
        description="The full signing secret (whsec_...). Returned only here and by "
        "notificationChannelRotateSecret: store it now."
    )

    class Arguments:
        input = NotificationChannelCreateInput(required=True)

    class Meta:
        description = "Create a notification channel. Requires MANAGE_PLUGINS."

    permission = Permission.MANAGE_PLUGINS

    @classmethod
    def perform(cls, info: Info, requestor: Requestor, input: ChannelCreateInput) -> dict[str, Any]:  # noqa: A002 - the API's name
        channel = channels.create_channel(
            name=input.get("name"),
            kind=input.get("kind"),
            url=input.get("url"),
            emails=input.get("emails"),
            is_active=input.get("is_active") is not False,
            pause_on_alert=input.get("pause_on_alert") is True,
        )
        return {"channel": channel, "secret": channel.secret}
