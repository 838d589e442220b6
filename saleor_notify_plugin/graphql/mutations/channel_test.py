"""notificationChannelTest: send a test notification now and report what the receiver said."""

from __future__ import annotations

from typing import Any

import graphene

from ... import channel_probe
from ..ids import from_global_id
from ..info import Info
from ..requestor import Permission, Requestor
from ..types import NotificationChannelTestResult
from .base import NotificationMutation


class NotificationChannelTest(NotificationMutation):
    result = graphene.Field(NotificationChannelTestResult)

    class Arguments:
        id = graphene.ID(required=True)

    class Meta:
        description = (
            "Send a signed test postback (event 'test') to a postback channel, or a test message to a Slack "
            "channel, synchronously (30-second limit); nothing is logged as a delivery. Requires MANAGE_PLUGINS."
        )

    permission = Permission.MANAGE_PLUGINS

    @classmethod
    def perform(cls, info: Info, requestor: Requestor, id: str) -> dict[str, Any]:  # noqa: A002 - the API's name
        outcome = channel_probe.send_test(from_global_id(id, "NotificationChannel"))
        return {
            "result": NotificationChannelTestResult(
                success=outcome.succeeded,
                status_code=outcome.status_code,
                error_kind=outcome.error_kind.value if outcome.error_kind else None,
                error_message=outcome.error_message or None,
                duration_ms=outcome.duration_ms,
                response_excerpt=outcome.response_excerpt or None,
            )
        }
