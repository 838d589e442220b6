"""A recovery whose worker is SIGKILLed part-way and stays down past the recovery's schedule:
after a restart the rest still arrives, once each, and still at the rate (not all at once)."""

from __future__ import annotations

import statistics
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from saleor_notify_plugin.events import EventType
from saleor_notify_plugin.models import Delivery
from saleor_notify_plugin.pipeline import recovery, upkeep
from tests.builders import attach, postback_channel, record
from tests.support.receiver import Reply
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.reliability]

FAILED = 10
RATE_PER_S = 2.0  # slow enough that the kill lands between two sends, not on one
KILL_AFTER = 3  # re-deliveries that arrive before the worker is killed


@pytest.mark.timeout(180)
def test_a_recovery_survives_a_worker_killed_part_way(spawn_worker, receiver, path, settings):
    queue = f"saleor-notify-recover-{uuid.uuid4().hex[:8]}"
    settings.SALEOR_NOTIFY = {**settings.SALEOR_NOTIFY, "QUEUE": queue, "RECOVER_RATE_PER_S": RATE_PER_S}
    worker = spawn_worker(queue=queue)
    channel = postback_channel(receiver.url(path))
    receiver.script(path, *[Reply(400)] * FAILED, secret=channel.secret)
    attach(EventType.ORDER_COMPLETED, channel)
    since = timezone.now() - timedelta(seconds=1)
    for _ in range(FAILED):
        record(EventType.ORDER_COMPLETED, order_id=str(uuid.uuid4()))
    deliveries = Delivery.objects.filter(channel=channel)
    wait_for(lambda: deliveries.filter(status="FAILED").count() == FAILED, 30, what=worker.log_tail)
    expected = {d.event.envelope_id for d in deliveries.select_related("event")}
    failures = len(receiver.received(path))

    queued = recovery.recover(channel.pk, since, dry_run=False)
    assert queued.count == FAILED
    wait_for(lambda: deliveries.filter(status="SUCCESS").count() >= KILL_AFTER, 20, what=worker.log_tail)
    worker.kill()  # its countdown messages die with it (unacknowledged, held for the broker's hour)
    sent_before_kill = deliveries.filter(status="SUCCESS").count()
    assert sent_before_kill < FAILED, "the recovery finished before the kill"

    # Down until the whole schedule has passed: all the rest is overdue when a worker is back.
    assert queued.last_send_at is not None
    wait_for(lambda: timezone.now() > queued.last_send_at + timedelta(seconds=1), 30)
    restarted = spawn_worker(queue=queue)
    arrived_at_restart = len(receiver.received(path))

    def swept_until_done() -> bool:
        upkeep.sweep()
        return deliveries.filter(status="SUCCESS").count() == FAILED

    wait_for(swept_until_done, 60, interval_s=0.3, what=restarted.log_tail)

    resent = receiver.received(path)[failures:]
    ids = [r.headers["webhook-id"] for r in resent]
    assert sorted(ids) == sorted(expected), "each failed delivery sent again exactly once"
    after_restart = sorted(r.at for r in receiver.received(path)[arrived_at_restart:])
    gaps = [b - a for a, b in zip(after_restart, after_restart[1:], strict=False)]
    interval_s = 1 / RATE_PER_S
    span_s = after_restart[-1] - after_restart[0]
    print(
        f"\nrecovery across a kill: {sent_before_kill} sent before it, {len(after_restart)} after the restart "
        f"over {span_s:.2f} s, gaps min {min(gaps) * 1000:.0f} ms, median {statistics.median(gaps) * 1000:.0f} ms "
        f"(pace {interval_s * 1000:.0f} ms)"
    )
    assert len(after_restart) == FAILED - sent_before_kill
    # Sent at once, the rest would arrive within a few tens of milliseconds.
    assert span_s >= len(gaps) * interval_s * 0.8, "the sweep sent the recovery's rest at once"
    assert statistics.median(gaps) >= 0.8 * interval_s
