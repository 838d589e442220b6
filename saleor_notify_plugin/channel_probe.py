"""Test sends: one signed postback (or Slack message) to a channel, now, reported as an Outcome."""

from __future__ import annotations

import logging
import uuid

from django.utils import timezone

from .conf import get_settings
from .delivery import envelope
from .delivery.outcome import Outcome
from .errors import NotifyError, NotifyErrorCode
from .events import ChannelKind
from .models import NotificationChannel
from .pipeline import send

logger = logging.getLogger(__name__)

TEST_EVENT = "test"


def probe_envelope(channel: NotificationChannel) -> dict:
    """The envelope of a test notification to ``channel``: event ``test``, a fresh id, nothing recorded."""
    return envelope.build_envelope(
        event_id=f"evt_test_{uuid.uuid4().hex}",
        event=TEST_EVENT,
        source="admin",
        occurred_at=timezone.now(),
        data={"message": "A test notification from the Saleor shop.", "channel": channel.name},
    )


def send_test(channel_id: int) -> Outcome:
    """Send a test to a postback or Slack channel (active or not) and return what came back.

    Synchronous, bounded by the usual time limit, recorded nowhere but the log (without the
    URL or the secret).
    """
    channel = NotificationChannel.objects.filter(pk=channel_id).first()
    if channel is None:
        raise NotifyError(NotifyErrorCode.NOT_FOUND, "No such channel.", "id")
    settings = get_settings()
    kind = ChannelKind(channel.kind)
    if kind is ChannelKind.POSTBACK:
        data = probe_envelope(channel)
        outcome = send.send_postback(channel, data["id"], envelope.encode(data), settings)
    elif kind is ChannelKind.SLACK:
        outcome = send.send_slack_text(channel, f"Test notification for channel {channel.name!r}.", settings)
    else:
        raise NotifyError(
            NotifyErrorCode.INVALID, "Test sends exist for postback and Slack channels, not e-mail channels.", "id"
        )
    logger.info(
        "saleor-notify: test send to channel %s (%s): status=%s error=%s in %d ms",
        channel.pk,
        kind.value,
        outcome.status_code,
        outcome.error_kind.value if outcome.error_kind else "-",
        outcome.duration_ms,
    )
    return outcome
