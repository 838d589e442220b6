"""Recording in the shop's transaction: rollbacks, duplicates, switches, fan-out rules, the sweep."""

import json
import os
import subprocess
import sys
import threading
import time
import uuid
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from saleor_notify_plugin import channels, switches
from saleor_notify_plugin.errors import NotifyError, NotifyErrorCode
from saleor_notify_plugin.events import EventType, Source
from saleor_notify_plugin.models import Delivery, RecordedEvent
from saleor_notify_plugin.pipeline import broker, recording, upkeep
from tests.builders import attach, final_delivery, postback_channel, record
from tests.support.receiver import Reply
from tests.support.waiting import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_event_rolled_back_with_the_shop_transaction_is_never_delivered(live, receiver, path):
    channel = postback_channel(receiver.url(path))
    attach(EventType.ORDER_COMPLETED, channel)

    with pytest.raises(RuntimeError), transaction.atomic():
        recording.record_event(
            EventType.ORDER_COMPLETED, Source.SHOP, subject_type="order", subject_id="o-9",
            payload={}, idempotency_key="order_completed:o-9",
        )
        raise RuntimeError("the shop's request failed after the hook ran")

    record(key="marker")  # a later event proves the worker was running all along
    wait_for(lambda: final_delivery(channel), 10)
    assert RecordedEvent.objects.count() == 1
    assert len(receiver.received(path)) == 1


def test_the_same_business_event_recorded_twice_is_one_event(live, receiver, path):
    channel = postback_channel(receiver.url(path))
    attach(EventType.ORDER_COMPLETED, channel)
    assert record(key="order_completed:o-1") is not None
    assert record(key="order_completed:o-1") is None
    wait_for(lambda: final_delivery(channel), 10)
    assert RecordedEvent.objects.count() == 1 and len(receiver.received(path)) == 1


def test_any_text_in_a_payload_arrives_as_recorded_and_the_query_log_shows_the_values(live, receiver, path):
    """The recording's parameters are bound by PostgreSQL, not quoted into the statement: text that
    looks like SQL, placeholders or escapes must arrive as it was, and Django's query log (the debug
    toolbar's, a test's) still shows the statement with its values, not ``$1``."""
    channel = postback_channel(receiver.url(path))
    attach(EventType.ORDER_COMPLETED, channel)
    payload = {
        "note": "it's \"quoted\" \\ back\\slash %s %(x)s $1 ?; DROP TABLE x; --",
        "lines": ["\u00e9t\u00e9", "\U0001f600", "tab\tnew\nline", "\x7f\u2028", "z" * 20_000],
        "numbers": [0, -1, 2**53, 1.5, True, None],
    }
    key = "order_completed:it's-%s-$1"
    with CaptureQueriesContext(connection) as queries:
        assert record(key=key, payload=payload) is not None

    wait_for(lambda: final_delivery(channel), 10)
    data = json.loads(receiver.received(path)[0].body)["data"]
    assert {name: data[name] for name in payload} == payload
    assert RecordedEvent.objects.get().idempotency_key == key
    logged = [q["sql"] for q in queries.captured_queries if RecordedEvent._meta.db_table in q["sql"]]
    assert len(logged) == 1 and "order_completed:it''s-%s-$1" in logged[0] and "$2" not in logged[0]


def test_concurrent_duplicate_recordings_make_one_event():
    """Two hooks racing on the same key, in overlapping transactions: exactly one row."""
    switches.set_event_enabled(EventType.ORDER_COMPLETED, True)
    barrier = threading.Barrier(8)
    results = []

    def hook():
        try:
            barrier.wait()
            results.append(record(key="order_completed:race"))
        finally:
            connection.close()  # this thread's own connection; it would outlive the thread

    threads = [threading.Thread(target=hook) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r is not None for r in results) == 1
    assert RecordedEvent.objects.filter(idempotency_key="order_completed:race").count() == 1


def test_switched_off_event_records_nothing():
    switches.set_event_enabled(EventType.REFUND_APPLIED, False)
    assert record(EventType.REFUND_APPLIED) is None
    assert RecordedEvent.objects.count() == 0


def test_a_broker_less_shop_delivers_within_the_call_as_celery_s_setting_says_when_it_changes(
    live, receiver, path, settings
):
    """CELERY_TASK_ALWAYS_EAGER (a shop without a broker, Saleor's tests) runs the fan-out and its
    first attempt within the call. The plugin keeps Celery's answer per process; a changed Django
    setting and a value set on the app at run time count from the next call."""
    from celery import current_app

    channel = postback_channel(receiver.url(path))
    attach(EventType.ORDER_COMPLETED, channel)

    def sent_within_the_call(key: str) -> bool:
        broker.publisher.hold()  # as a request does: nothing reaches the worker before release()
        try:
            record(key=key)
            return Delivery.objects.filter(event__idempotency_key=key).exclude(status="PENDING").exists()
        finally:
            broker.publisher.release()

    assert not sent_within_the_call("worker-1")
    settings.CELERY_TASK_ALWAYS_EAGER = True
    assert sent_within_the_call("eager-1")
    settings.CELERY_TASK_ALWAYS_EAGER = False
    assert not sent_within_the_call("worker-2")
    current_app.conf.task_always_eager = True
    try:
        assert sent_within_the_call("eager-2")
    finally:
        current_app.conf.changes.pop("task_always_eager")
    assert not sent_within_the_call("worker-3")
    wait_for(lambda: Delivery.objects.exclude(status="PENDING").count() == 5, 10)
    assert len(receiver.received(path)) == 5


def test_a_new_install_has_every_event_switched_off():
    assert switches.enabled_events() == set()


def test_fan_out_respects_sources_active_channels_and_event(live, receiver):
    shop_only = postback_channel(receiver.url("/fan/shop"), name="shop only")
    funnel_only = postback_channel(receiver.url("/fan/funnel"), name="funnel only")
    inactive = postback_channel(receiver.url("/fan/inactive"), name="inactive", is_active=False)
    other_event = postback_channel(receiver.url("/fan/other"), name="other event")
    attach(EventType.ORDER_COMPLETED, shop_only, ("SHOP",))
    attach(EventType.ORDER_COMPLETED, funnel_only, ("FUNNEL",))
    attach(EventType.ORDER_COMPLETED, inactive)
    attach(EventType.REFUND_APPLIED, other_event)

    record(EventType.ORDER_COMPLETED, Source.SHOP)
    wait_for(lambda: final_delivery(shop_only), 10)
    assert list(Delivery.objects.values_list("channel_name", flat=True)) == ["shop only"]


def test_postback_only_events_refuse_other_channel_kinds():
    email = channels.create_channel(name="ops", kind="EMAIL", emails=["ops@example.com"])
    for event in (EventType.CUSTOMER_CREATED, EventType.SURVEY_COMPLETED):
        with pytest.raises(NotifyError) as refused:
            channels.attach_channel(event, email.pk, ["SHOP"])
        assert refused.value.code is NotifyErrorCode.POSTBACK_ONLY
    assert email.attachments.count() == 0


def test_attaching_the_same_channel_twice_is_refused(receiver):
    channel = postback_channel(receiver.url("/twice"))
    attach(EventType.ORDER_COMPLETED, channel)
    with pytest.raises(NotifyError) as refused:
        channels.attach_channel(EventType.ORDER_COMPLETED, channel.pk, ["SHOP"])
    assert refused.value.code is NotifyErrorCode.UNIQUE


RECORD_WITH_BROKER_DOWN = """
import django, os
django.setup()
from django.db import transaction
from saleor_notify_plugin.pipeline import fan_out, recording
with transaction.atomic():
    event_id = recording.record_event("ORDER_COMPLETED", "SHOP", subject_type="order", subject_id="o-lost",
                                     payload={{"number": "7"}}, idempotency_key="{key}")
if {fan_out}:
    fan_out.fan_out(event_id)  # this process delivers; a retry's message is lost
print(event_id)
"""


@pytest.mark.parametrize("lost", ["event", "retry"])
def test_work_whose_enqueue_was_lost_is_delivered_by_the_sweep(live, receiver, path, lost):
    """A process commits while its broker is unreachable: the call succeeds, the sweep delivers.

    "retry": that process also fans the event out itself; the first receiver answers 503 and
    the retry cannot be enqueued.
    """
    first = postback_channel(receiver.url(path), name="first")
    second = postback_channel(receiver.url(path + "-2"), name="second")
    receiver.script(path, Reply(503), secret=first.secret)
    attach(EventType.ORDER_COMPLETED, first)
    attach(EventType.ORDER_COMPLETED, second)
    key = f"order_completed:{uuid.uuid4()}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "NOTIFY_TEST_DB_NAME": connection.settings_dict["NAME"],
        "NOTIFY_TEST_BROKER_URL": "redis://127.0.0.1:1/0",  # nothing listens there
    }
    script = RECORD_WITH_BROKER_DOWN.format(key=key, fan_out=lost == "retry")
    shop = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert shop.returncode == 0, shop.stderr
    assert "could not enqueue" in shop.stderr  # logged, not raised
    event = RecordedEvent.objects.get(idempotency_key=key)
    sent_by_the_shop_process = 1 if lost == "retry" else 0
    assert len(receiver.received(path)) == sent_by_the_shop_process  # the 503
    assert len(receiver.received(path + "-2")) == sent_by_the_shop_process

    time.sleep(0.6)  # the tests' sweep treats work older than 0.5 s as lost
    expected = {"events": 1, "deliveries": 0} if lost == "event" else {"events": 0, "deliveries": 1}
    assert upkeep.sweep() == expected
    for channel, channel_path in [(first, path), (second, path + "-2")]:
        assert wait_for(lambda c=channel: final_delivery(c), 10).status == "SUCCESS"
        received = receiver.received(channel_path)
        assert {r.headers["webhook-id"] for r in received} == {event.envelope_id}
    assert [r.verified for r in receiver.received(path)] == [True, True]


def test_retention_removes_old_attempts_then_old_finished_events(live, receiver, path):
    channel = postback_channel(receiver.url(path))
    attach(EventType.ORDER_COMPLETED, channel)
    record()
    wait_for(lambda: final_delivery(channel), 10)
    now = timezone.now()

    assert upkeep.purge_old(now) == {"attempts": 0, "events": 0}
    assert upkeep.purge_old(now + timedelta(days=31)) == {"attempts": 1, "events": 0}
    assert Delivery.objects.count() == 1  # the log entry stays, its attempt details are gone
    assert upkeep.purge_old(now + timedelta(days=91)) == {"attempts": 0, "events": 1}
    assert Delivery.objects.count() == 0
