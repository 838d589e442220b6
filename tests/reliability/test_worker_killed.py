"""A worker SIGKILLed in the middle of 1,000 events' deliveries: after a restart nothing is lost."""

from __future__ import annotations

import time
import uuid
from collections import Counter

import pytest

from saleor_notify_plugin.events import EventType
from saleor_notify_plugin.models import Delivery, DeliveryAttempt, RecordedEvent
from tests.builders import attach, postback_channel
from tests.reliability.conftest import complete, tally
from tests.support.receiver import Reply
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.reliability]

EVENTS = 1000
FAST = EVENTS // 3  # each channel answers this many at once, then SLOW ones take a second and a half
SLOW = 10
#: An exchange may take TIMEOUT_S (the slow replies' 1.5 s, with room for a loaded machine: a
#: reply past it ends its delivery as failed); the killed worker's claims expire after TIMEOUT_S
#: + LEASE_MARGIN_S, then the sweep hands them on.
SHORT_LEASE = {"NOTIFY_TEST_TIMEOUT_S": "4", "NOTIFY_TEST_LEASE_MARGIN_S": "1"}
LEASE_S = 5.0
SWEEP_EVERY_S = 0.5


@pytest.mark.timeout(300)
def test_worker_killed_mid_delivery_loses_nothing(private_redis, spawn_worker, start_shop, receiver, fault_report):
    """1,000 events to two channels; SIGKILL the whole worker at a third; restart: every event arrives.

    Around the kill both receivers answer slowly, so the kill lands on exchanges in flight: those
    are sent again after the restart (same webhook-id), and counted as duplicates.
    """
    prefix = uuid.uuid4().hex[:8]
    paths = [f"/kill/{prefix}/crm", f"/kill/{prefix}/erp"]
    for name, path in zip(("crm", "erp"), paths, strict=True):
        channel = postback_channel(receiver.url(path), name=name)
        receiver.script(path, *[Reply()] * FAST, *[Reply(delay_s=1.5)] * SLOW, secret=channel.secret)
        attach(EventType.ORDER_COMPLETED, channel)
    worker = spawn_worker({"NOTIFY_TEST_BROKER_URL": private_redis.url(), **SHORT_LEASE}, concurrency=4)
    shop = start_shop(private_redis.url(), worker.queue)

    recorded = shop.record(EVENTS, prefix)
    assert recorded["recorded"] == EVENTS and recorded["failures"] == []

    def received() -> int:
        return sum(len(receiver.received(p)) for p in paths)

    def slow_ones_in_flight() -> bool:
        return all(len(receiver.received(p)) > FAST + 1 for p in paths)

    wait_for(slow_ones_in_flight, 120, interval_s=0.02, what=lambda: f"a third of the deliveries\n{worker.log_tail()}")
    worker.kill()
    killed_at = time.monotonic()  # the receiver stamps requests with the same clock
    at_kill = received()
    ids_before_kill = {r.headers["webhook-id"] for p in paths for r in receiver.received(p) if complete(r)}
    pending_at_kill = Delivery.objects.filter(status="PENDING").count()
    claimed_at_kill = Delivery.objects.filter(status="PENDING", lease_expires_at__isnull=False).count()
    assert at_kill < 2 * EVENTS, "the kill came too late to prove anything"

    worker.start()
    restarted_after_s = time.monotonic() - killed_at

    def all_finished() -> bool:
        shop.sweep()  # the periodic sweep, run here every half second
        return Delivery.objects.filter(status__in=("SUCCESS", "FAILED")).count() == 2 * EVENTS

    def stuck() -> str:
        states = Counter(
            (d["status"], d["lease_expires_at"] is not None, d["attempt_count"])
            for d in Delivery.objects.values("status", "lease_expires_at", "attempt_count")
        )
        unfanned = RecordedEvent.objects.filter(fanned_out_at__isnull=True).count()
        return (f"every delivery to finish; deliveries by (status, claimed, attempts): {dict(states)}, "
                f"events not fanned out: {unfanned}\n{worker.diagnosis()}")

    wait_for(all_finished, 150, interval_s=0.5, what=stuck)
    failed = list(DeliveryAttempt.objects.filter(delivery__status="FAILED").values_list("error_kind", "error_message"))
    assert not failed, f"deliveries failed (their attempts: {Counter(failed)})\n{worker.log_tail(100)}"

    envelope_ids = {e.envelope_id for e in RecordedEvent.objects.all()}
    assert len(envelope_ids) == EVENTS
    assert Delivery.objects.count() == 2 * EVENTS and not Delivery.objects.exclude(status="SUCCESS").exists()
    requests = {p: receiver.received(p) for p in paths}
    assert all(r.verified for rs in requests.values() for r in rs if complete(r))  # resends are signed too
    counts = tally(requests, envelope_ids)
    assert counts.lost == 0 and counts.phantom == 0
    # A duplicate is a resend of a claim the kill interrupted: at most the deliveries then in flight.
    assert counts.duplicates <= claimed_at_kill
    # Recovery: a claim of the dead worker is handed on once its lease (TIMEOUT_S + LEASE_MARGIN_S,
    # 5 s here) has run out, at the next sweep (every 0.5 s here); it is then sent when the
    # restarted worker reaches it in its queue, behind the fan-outs of the events it never started.
    resent_after_s = sorted(
        r.at - killed_at for p in paths for r in receiver.received(p)
        if complete(r) and r.at > killed_at and r.headers["webhook-id"] in ids_before_kill
    )
    print(f"\nrestart took {restarted_after_s:.1f} s; in-flight deliveries re-sent "
          f"{resent_after_s[0] if resent_after_s else 0:.1f}-{resent_after_s[-1] if resent_after_s else 0:.1f} s "
          f"after the kill (lease {LEASE_S} s, sweep every {SWEEP_EVERY_S} s); all delivered "
          f"{time.monotonic() - killed_at:.1f} s after the kill")
    fault_report(
        "worker SIGKILLed under load",
        f"killed with {at_kill} of {2 * EVENTS} requests received ({pending_at_kill} pending, "
        f"{claimed_at_kill} claimed); restarted; the sweep re-enqueued the rest",
        EVENTS,
        counts,
    )
