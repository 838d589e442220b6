"""notificationEventUpdate: the event's switch (the same setting as the dashboard's toggle)."""

from __future__ import annotations

import graphene

from ... import switches
from ...events import EventType
from .. import enums
from ..requestor import Permission
from ..types import EventInfo, NotificationEvent
from .base import NotificationMutation


class NotificationEventUpdate(NotificationMutation):
    event = graphene.Field(NotificationEvent)

    class Arguments:
        event = enums.NotificationEventType(required=True)
        is_enabled = graphene.Boolean(required=True)

    class Meta:
        description = "Switch an event on or off. Requires MANAGE_PLUGINS."

    permission = Permission.MANAGE_PLUGINS

    @classmethod
    def perform(cls, info, requestor, event, is_enabled):
        switch = switches.set_event_enabled(event, is_enabled)
        return {"event": EventInfo.load(only=EventType(switch.event))[0]}
