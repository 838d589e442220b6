"""notificationEventUpdate: the event's switch (the same setting as the dashboard's toggle)."""

from __future__ import annotations

from typing import Any

import graphene

from ... import switches
from ...events import EventType
from .. import enums
from ..info import Info
from ..requestor import Permission, Requestor
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
    def perform(cls, info: Info, requestor: Requestor, event: str, is_enabled: bool) -> dict[str, Any]:
        switch = switches.set_event_enabled(event, is_enabled)
        return {"event": EventInfo.load(only=EventType(switch.event))[0]}
