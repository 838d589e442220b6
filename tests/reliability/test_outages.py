"""The broker and the database taken away for real: a private Redis stopped, PostgreSQL sockets cut."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

import pytest

from saleor_notify_plugin.events import EventType
from saleor_notify_plugin.models import Delivery, RecordedEvent
from tests.builders import attach, postback_channel
from tests.reliability.conftest import complete, tally
from tests.support.receiver import Reply
from tests.support.tcp_proxy import TcpProxy
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.reliability]

SHORT_LEASE = {"NOTIFY_TEST_LEASE_MARGIN_S": "1"}


def channel_on(receiver, path: str, *replies: Reply) -> None:
    channel = postback_channel(receiver.url(path))
    receiver.script(path, *replies, secret=channel.secret)
    attach(EventType.ORDER_COMPLETED, channel)


def sweep_until_all_succeeded(shop, expected: int, timeout_s: float, what: Callable[[], str]) -> None:
    def done() -> bool:
        shop.sweep()
        return Delivery.objects.filter(status="SUCCESS").count() == expected

    wait_for(done, timeout_s, interval_s=0.5, what=what)


def test_redis_stopped_while_events_are_recorded(private_redis, spawn_worker, start_shop, receiver, path,
                                                 fault_report):
    """The shop keeps recording while its broker is down; once it is back the sweep delivers everything."""
    channel_on(receiver, path)
    worker = spawn_worker({"NOTIFY_TEST_BROKER_URL": private_redis.url()})
    shop = start_shop(private_redis.url(), worker.queue)
    prefix = uuid.uuid4().hex[:8]

    before = shop.record(10, f"{prefix}-before")
    wait_for(lambda: len(receiver.received(path)) == 10, 30,
             what=lambda: f"delivery before the outage\n{worker.log_tail()}")

    private_redis.stop()
    during = shop.record(40, f"{prefix}-during")
    assert during["recorded"] == 40 and during["failures"] == []  # the shop-side call never failed
    assert during["slowest_ms"] < 2500  # no call waited longer than the broker's connect timeout (2 s)
    assert during["calls_over_500_ms"] <= 1  # and only the first paid it: the others left it to the sweep
    assert "could not enqueue" in shop.log()
    assert len(receiver.received(path)) == 10

    private_redis.start()  # an empty Redis, as after a restart without persistence
    after = shop.record(10, f"{prefix}-after")
    assert before["failures"] == after["failures"] == []
    sweep_until_all_succeeded(shop, 60, 60, lambda: f"every delivery after the outage\n{worker.log_tail()}")

    counts = tally({path: receiver.received(path)}, {e.envelope_id for e in RecordedEvent.objects.all()})
    assert RecordedEvent.objects.count() == 60
    assert counts.lost == counts.phantom == counts.duplicates == 0
    fault_report(
        "Redis stopped while events are recorded",
        f"40 of 60 events recorded with the broker down (every call succeeded; {during['calls_over_500_ms']} "
        f"waited for the broker, {during['slowest_ms']:.0f} ms); "
        "Redis restarted empty; the sweep re-enqueued them",
        60,
        counts,
    )


def test_postgresql_connections_cut_during_delivery(private_redis, spawn_worker, start_shop, receiver, path,
                                                    fault_report):
    """Cut the worker's database sockets while its requests are in flight, refuse it for a while: it recovers.

    A delivery is marked done only if its request arrived; one whose result could not be written
    is sent again (same webhook-id) once its lease expires.
    """
    channel_on(receiver, path, *[Reply(delay_s=1.0)] * 4)
    with TcpProxy(("127.0.0.1", 5432)) as proxy:
        worker = spawn_worker({"NOTIFY_TEST_BROKER_URL": private_redis.url(), "NOTIFY_TEST_DB_PORT": str(proxy.port),
                               **SHORT_LEASE})
        shop = start_shop(private_redis.url(), worker.queue)
        prefix = uuid.uuid4().hex[:8]
        shop.record(20, f"{prefix}-a")
        wait_for(lambda: len(receiver.received(path)) >= 2, 30, interval_s=0.02, what="requests in flight")

        proxy.refuse(True)
        cut = proxy.cut()
        done_at_cut = set(Delivery.objects.filter(status="SUCCESS").values_list("event__id", flat=True))
        time.sleep(1.5)  # the database stays unreachable for the worker meanwhile
        proxy.refuse(False)
        assert cut >= 1

        shop.record(20, f"{prefix}-b")  # recorded after the cut: the same worker must deliver them
        sweep_until_all_succeeded(shop, 40, 60, lambda: f"every delivery after the cut\n{worker.log_tail()}")
        assert worker.process.poll() is None and worker.starts == 1  # recovered without a restart

    events = {e.id: e.envelope_id for e in RecordedEvent.objects.all()}
    received_ids = {r.headers["webhook-id"] for r in receiver.received(path) if complete(r)}
    assert {events[pk] for pk in done_at_cut} <= received_ids  # nothing was marked done that was not
    for delivery in Delivery.objects.prefetch_related("attempts"):
        assert delivery.status == "SUCCESS" and delivery.attempts.filter(verdict="success").exists()
    counts = tally({path: receiver.received(path)}, set(events.values()))
    assert counts.lost == counts.phantom == 0
    fault_report(
        "PostgreSQL connections cut during delivery",
        f"{cut} worker connections reset with requests in flight, new ones refused for 1.5 s; the same worker "
        "went on; results it could not write were sent again after the lease",
        40,
        counts,
    )
