"""``NotificationChannel.health``: how a channel's deliveries go, from its own attempts."""

from __future__ import annotations

import graphene

from .. import channel_health, models
from . import enums
from .info import Info


class NotificationChannelHealth(graphene.ObjectType):
    status = graphene.Field(enums.NotificationChannelHealthStatus, required=True)
    window_hours = graphene.Float(required=True, description="The window of the figures below (24 hours).")
    attempt_count = graphene.Int(
        required=True, description=f"Attempts in the window (its latest {channel_health.SAMPLE_LIMIT} at most)."
    )
    success_count = graphene.Int(required=True, description="Of those, the successful ones.")
    success_rate = graphene.Float(description="success_count / attempt_count, 0 to 1; null without attempts.")
    median_latency_ms = graphene.Float(description="The median duration of those attempts.")
    consecutive_failures = graphene.Int(
        required=True,
        description=f"Failed attempts since the last success (counted up to {channel_health.CONSECUTIVE_LIMIT}).",
    )
    last_success_at = graphene.DateTime(description="When the last successful attempt started (any time).")
    last_failure_at = graphene.DateTime(description="When the last failed attempt in the window started.")
    failing_since = graphene.DateTime(
        description="The current failing spell's first attempt: after the last success (or the last resume, if "
        "later), all attempts failed. Null when the channel is not failing."
    )
    is_alerting = graphene.Boolean(
        required=True, description="Failing for ALERT_AFTER_MINUTES or longer: staff are told, once per spell."
    )
    held_deliveries = graphene.Int(required=True, description="Deliveries held by a pause (0 when not paused).")


def resolve_health(root: models.NotificationChannel, info: Info) -> channel_health.ChannelHealth:
    return channel_health.channel_health(root)
