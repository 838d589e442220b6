"""A hook called twice at once, when the first call's transaction is rolled back or commits late.

tests/integration/test_recording.py covers eight racers that all commit and a plain rollback;
here the first recording holds its row uncommitted while the second waits on it.
"""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import connection, transaction

from saleor_notify_plugin.events import EventType, Source
from saleor_notify_plugin.models import RecordedEvent
from saleor_notify_plugin.pipeline import recording
from tests.builders import attach, final_delivery, postback_channel, record
from tests.reliability.conftest import tally
from tests.support.waiting import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


class FirstHookFailed(Exception):
    pass


def race(key: str, first_commits: bool) -> tuple[object, object]:
    """The first hook records and holds its transaction open; the second records the same key, then
    the first commits or rolls back. Returns what each ``record_event`` call returned."""
    recorded, results = threading.Event(), {}

    def first() -> None:
        try:
            with transaction.atomic():
                results["first"] = recording.record_event(
                    EventType.ORDER_COMPLETED, Source.SHOP, subject_type="order", subject_id="o-race",
                    payload={"number": "77"}, idempotency_key=key,
                )
                recorded.set()
                second_thread.join(timeout=0.5)  # the second is now blocked on our uncommitted row
                if not first_commits:
                    raise FirstHookFailed
        except FirstHookFailed:
            pass
        finally:
            connection.close()  # this thread's own connection; it would outlive the thread

    def second() -> None:
        recorded.wait(10)
        try:
            results["second"] = record(key=key)
        finally:
            connection.close()  # this thread's own connection; it would outlive the thread

    second_thread = threading.Thread(target=second)
    first_thread = threading.Thread(target=first)
    first_thread.start()
    second_thread.start()
    first_thread.join(20)
    second_thread.join(20)
    return results["first"], results["second"]


@pytest.mark.parametrize("first_commits", [True, False], ids=["first-commits", "first-rolls-back"])
def test_a_hook_called_twice_concurrently_sends_one_notification(live, receiver, path, first_commits,
                                                                   fault_report):
    """Whichever transaction survives, exactly one event is recorded and delivered once."""
    channel = postback_channel(receiver.url(path))
    attach(EventType.ORDER_COMPLETED, channel)
    first, second = race(f"order_completed:{uuid.uuid4()}", first_commits)

    assert first is not None  # the first call always inserted (in its own transaction)
    assert (second is None) is first_commits  # the second waited, then saw the row, or took over
    delivery = wait_for(lambda: final_delivery(channel), 15, what=lambda: f"the delivery\n{live.log_tail()}")
    assert delivery.status == "SUCCESS"
    event = RecordedEvent.objects.get()
    counts = tally({path: receiver.received(path)}, {event.envelope_id})
    assert counts.received == 1 and counts.lost == 0
    fault_report(
        "the same business event recorded twice concurrently"
        + ("" if first_commits else ", the first transaction rolled back"),
        "the second call blocked on the first's uncommitted row, then "
        + ("found it recorded" if first_commits else "recorded the event itself"),
        1,
        counts,
    )


def test_events_of_a_rolled_back_transaction_are_never_sent(live, receiver, path, fault_report):
    """Ten hooks run in one shop transaction that fails at the end: nothing recorded, nothing sent."""
    channel = postback_channel(receiver.url(path))
    attach(EventType.ORDER_COMPLETED, channel)
    with pytest.raises(FirstHookFailed), transaction.atomic():
        for i in range(10):
            assert recording.record_event(
                EventType.ORDER_COMPLETED, Source.SHOP, subject_type="order", subject_id=f"o-{i}",
                payload={}, idempotency_key=f"rolled-back:{uuid.uuid4()}:{i}",
            ) is not None
        raise FirstHookFailed
    marker = record(key=f"marker:{uuid.uuid4()}")  # delivered: proves the worker was running all along
    wait_for(lambda: final_delivery(channel), 15, what=lambda: f"the marker\n{live.log_tail()}")
    assert RecordedEvent.objects.count() == 1
    counts = tally({path: receiver.received(path)}, {RecordedEvent.objects.get(pk=marker).envelope_id})
    assert counts.received == 1 and counts.phantom == 0
    fault_report("transaction rolled back after recording 10 events",
                 "nothing recorded; only the later marker event was sent (phantom = 0)", 1, counts)
