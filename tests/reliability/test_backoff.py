"""Backoff between automatic retries, with the waiting switched on (0.4 s base instead of the tests' 0)."""

from __future__ import annotations

import uuid

import pytest
from django.conf import settings

from saleor_notify_plugin.events import EventType
from saleor_notify_plugin.models import Delivery
from tests.builders import attach, postback_channel, record
from tests.support.receiver import Reply
from tests.support.waiting import wait_for

pytestmark = pytest.mark.django_db(transaction=True)

BASE_S = 0.4


def test_retries_wait_longer_each_time_with_equal_jitter(spawn_worker, receiver, monkeypatch):
    """Three 503s then a 200: the waits are in [0.2, 0.4], [0.4, 0.8] and [0.8, 1.6] s (half fixed,
    half random), and the receiver saw the attempts at least that far apart."""
    worker = spawn_worker({"NOTIFY_TEST_RETRY_BASE_DELAY_S": str(BASE_S)})
    monkeypatch.setitem(settings.SALEOR_NOTIFY, "QUEUE", worker.queue)
    path = f"/backoff/{uuid.uuid4().hex[:8]}"
    channel = postback_channel(receiver.url(path))
    receiver.script(path, Reply(503), Reply(503), Reply(503), Reply(200), secret=channel.secret)
    attach(EventType.ORDER_COMPLETED, channel)

    record()
    delivery = wait_for(lambda: Delivery.objects.exclude(status="PENDING").first(), 30,
                        what=lambda: f"the delivery to finish\n{worker.log_tail()}")

    assert delivery.status == "SUCCESS"
    waits = [a.retry_in_s for a in delivery.attempts.all()][:3]
    arrivals = [r.at for r in receiver.received(path)]
    gaps = [b - a for a, b in zip(arrivals, arrivals[1:], strict=False)]
    print(f"\nbackoff with a {BASE_S} s base: waits {waits} s, seen by the receiver {[round(g, 2) for g in gaps]} s")
    for n, wait in enumerate(waits, start=1):
        nominal = BASE_S * 2 ** (n - 1)
        assert nominal / 2 <= wait <= nominal
    assert all(gap >= wait - 0.05 for gap, wait in zip(gaps, waits, strict=True))
