"""Recover since a time, end to end: a real worker, a receiver that counts, the API's mutation.

Deliveries fail as a user's do (the receiver answers 503 until the automatic retries are spent,
or 400 at once); then the receiver is healthy again and the channel is recovered from a time.
"""

from __future__ import annotations

import statistics
import time
import uuid

import pytest
from django.utils import timezone

from saleor_notify_plugin.conf import get_settings
from saleor_notify_plugin.events import EventType
from saleor_notify_plugin.graphql.ids import to_global_id
from saleor_notify_plugin.models import Delivery, NotificationChannel
from tests.builders import attach, postback_channel, record
from tests.graphql.conftest import ADMIN, post
from tests.graphql.operations import CHANNEL_RECOVER
from tests.support.receiver import Reply
from tests.support.waiting import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def _fail(channel: NotificationChannel, receiver, path: str, events: list[EventType], replies: list[Reply], live):
    """Record ``events`` while the receiver answers ``replies``; returns their deliveries once all failed."""
    receiver.script(path, *replies)
    ids = [record(event, order_id=str(uuid.uuid4())) for event in events]
    deliveries = Delivery.objects.filter(channel=channel, event_id__in=ids)

    def all_failed():
        return deliveries.count() == len(ids) and not deliveries.exclude(status="FAILED").exists()

    wait_for(all_failed, 30, what=lambda: f"{len(ids)} failed deliveries\n{live.log_tail()}")
    return list(deliveries.select_related("event"))


def _recover(channel: NotificationChannel, since, dry_run: bool) -> dict:
    variables = {"id": to_global_id("NotificationChannel", channel.pk), "since": since.isoformat(), "dryRun": dry_run}
    return post({"query": CHANNEL_RECOVER, "variables": variables}, ADMIN).result("notificationChannelRecover")[
        "recovery"
    ]


def test_recover_since_sends_exactly_the_failures_after_the_time_once_each_at_the_rate(
    live, worker_idle, receiver, path
):
    channel = postback_channel(receiver.url(path))
    receiver.script(path, secret=channel.secret)
    attach(EventType.ORDER_COMPLETED, channel)
    attach(EventType.REFUND_APPLIED, channel)
    before = _fail(channel, receiver, path, [EventType.ORDER_COMPLETED] * 2, [Reply(503)] * 8, live)
    since = timezone.now()
    after = _fail(channel, receiver, path, [EventType.ORDER_COMPLETED] * 3, [Reply(503)] * 12, live)
    after += _fail(channel, receiver, path, [EventType.REFUND_APPLIED] * 3, [Reply(400)] * 3, live)
    worker_idle()
    failures = len(receiver.received(path))
    assert failures == 8 + 12 + 3  # four attempts per 503 delivery, one per 400
    # From here on the receiver answers 200.

    dry = _recover(channel, since, dry_run=True)
    assert dry["count"] == 6 and len(dry["first"]) == 6
    time.sleep(1.0)  # the first would have gone at once
    worker_idle()
    assert len(receiver.received(path)) == failures, "a dry run sent something"
    assert not Delivery.objects.filter(channel=channel).exclude(status="FAILED").exists()

    queued = _recover(channel, since, dry_run=False)
    assert queued["count"] == 6
    wait_for(
        lambda: Delivery.objects.filter(channel=channel, status="SUCCESS").count() == 6,
        30, what=lambda: f"the six re-deliveries\n{live.log_tail()}",
    )
    worker_idle()

    resent = receiver.received(path)[failures:]
    assert sorted(r.headers["webhook-id"] for r in resent) == sorted(d.event.envelope_id for d in after)
    assert all(r.verified for r in resent)
    assert {d.status for d in Delivery.objects.filter(pk__in=[d.pk for d in before])} == {"FAILED"}
    for delivery in Delivery.objects.filter(pk__in=[d.pk for d in after]):
        last = delivery.attempts.order_by("number").last()
        manual = delivery.attempts.filter(trigger="MANUAL").count()
        assert (last.trigger, last.status_code, manual) == ("MANUAL", 200, 1)

    interval_s = 1 / get_settings().recover_rate_per_s
    arrivals = sorted(r.at for r in resent)
    gaps = [b - a for a, b in zip(arrivals, arrivals[1:], strict=False)]
    print(
        f"\nrecover since: 6 re-deliveries at {1 / interval_s:g}/s: gaps min {min(gaps) * 1000:.0f} ms, "
        f"median {statistics.median(gaps) * 1000:.0f} ms, max {max(gaps) * 1000:.0f} ms; "
        f"span {(arrivals[-1] - arrivals[0]):.2f} s (schedule {5 * interval_s:.2f} s)"
    )
    # No more than the rate: the six span the five intervals of their schedule. (The pace is a
    # schedule kept by countdowns: a worker late on one send can bring it near the next, so a
    # single gap is reported, not asserted.)
    assert arrivals[-1] - arrivals[0] >= 5 * interval_s * 0.9
    assert statistics.median(gaps) >= 0.8 * interval_s
