"""The delivery rules, end to end: hook records, real worker delivers to a real receiver."""

import pytest

from saleor_notify_plugin.errors import NotifyError, NotifyErrorCode
from saleor_notify_plugin.events import EventType
from saleor_notify_plugin.models import Delivery
from saleor_notify_plugin.pipeline import manual_retry
from tests.builders import attach, final_delivery, postback_channel, record
from tests.support.ports import free_port
from tests.support.receiver import Reply
from tests.support.waiting import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def deliver_one(live, receiver, path, *replies, event=EventType.ORDER_COMPLETED, url=None, timeout_s=20):
    channel = postback_channel(url or receiver.url(path))
    receiver.script(path, *replies, secret=channel.secret)  # every postback's signature is verified
    attach(event, channel)
    record(event, order_id="order-1")
    return wait_for(lambda: final_delivery(channel), timeout_s, what=lambda: f"delivery to finish\n{live.log_tail()}")


@pytest.mark.parametrize("code", [408, 429, 500, 503, 599])
def test_retryable_status_is_retried_three_times_then_fails(live, receiver, path, code):
    delivery = deliver_one(live, receiver, path, *[Reply(code)] * 5)
    assert delivery.status == "FAILED" and delivery.failure_kind == f"http_{code}"
    assert [a.status_code for a in delivery.attempts.all()] == [code] * 4
    assert len(receiver.received(path)) == 4


def test_retry_stops_at_the_first_success(live, receiver, path):
    delivery = deliver_one(live, receiver, path, Reply(503), Reply(503), Reply(200))
    assert delivery.status == "SUCCESS"
    assert [a.verdict for a in delivery.attempts.all()] == ["retry", "retry", "success"]


def test_every_attempt_carries_the_same_event_id_and_a_valid_signature(live, receiver, path):
    deliver_one(live, receiver, path, Reply(500), Reply(200))
    requests = receiver.received(path)
    assert len({r.headers["webhook-id"] for r in requests}) == 1
    assert [r.verified for r in requests] == [True, True]


@pytest.mark.parametrize("code", [301, 400, 404, 410])
def test_other_status_fails_without_retry(live, receiver, path, code):
    delivery = deliver_one(live, receiver, path, Reply(code))
    assert delivery.status == "FAILED" and delivery.failure_kind == f"http_{code}"
    assert delivery.attempts.count() == 1


def test_retry_after_is_honoured(live, receiver, path):
    """Retry-After: 1 (backoff itself is ~0 in the tests) puts a second between the attempts."""
    deliver_one(live, receiver, path, Reply(429, headers={"Retry-After": "1"}), Reply(200))
    first, second = receiver.received(path)
    assert second.at - first.at >= 1.0


def test_retry_after_is_bounded(live, receiver, path):
    """A receiver asking for an hour is retried after the configured bound (2 s in the tests)."""
    delivery = deliver_one(live, receiver, path, Reply(503, headers={"Retry-After": "3600"}), Reply(200))
    first, second = receiver.received(path)
    assert 2.0 <= second.at - first.at < 10
    assert delivery.attempts.first().retry_in_s == pytest.approx(2.0)


def test_connection_refused_is_retried(live):
    channel = postback_channel(f"http://127.0.0.1:{free_port()}/hook")  # nobody listens there
    attach(EventType.ORDER_COMPLETED, channel)
    record()
    delivery = wait_for(lambda: final_delivery(channel), 20, what="refused delivery to fail")
    assert delivery.status == "FAILED" and delivery.failure_kind == "connect_error"
    assert [a.error_kind for a in delivery.attempts.all()] == ["connect_error"] * 4


def test_timeout_fails_and_is_not_retried(live, receiver, path):
    """The test worker's limit is 2 s; the receiver answers after 4 s."""
    delivery = deliver_one(live, receiver, path, Reply(200, delay_s=4))
    assert delivery.status == "FAILED" and delivery.failure_kind == "timeout"
    attempt = delivery.attempts.get()
    assert attempt.error_kind == "timeout" and 1900 <= attempt.duration_ms < 3500
    assert len(receiver.received(path)) == 1


@pytest.mark.parametrize("event", sorted(e for e in EventType if e.manual_retry))
def test_manual_retry_is_one_attempt_with_the_same_event_id(live, receiver, path, event):
    delivery = deliver_one(live, receiver, path, Reply(404), Reply(503), Reply(200), event=event)
    assert delivery.status == "FAILED"

    manual_retry.retry_delivery(delivery.pk)
    retried = wait_for(lambda: final_delivery(delivery.channel), 10, what="manual retry")
    assert retried.status == "FAILED"  # the 503 is not retried automatically after a manual attempt
    assert [a.trigger for a in retried.attempts.all()] == ["AUTOMATIC", "MANUAL"]

    manual_retry.retry_delivery(delivery.pk)
    assert wait_for(lambda: Delivery.objects.get(pk=delivery.pk).status == "SUCCESS", 10)
    requests = receiver.received(path)
    assert len({r.headers["webhook-id"] for r in requests}) == 1
    assert all(r.verified for r in requests)


@pytest.mark.parametrize("event", sorted(e for e in EventType if not e.manual_retry))
def test_manual_retry_is_refused_for_the_other_six_events(live, receiver, path, event):
    delivery = deliver_one(live, receiver, path, Reply(400), event=event)
    with pytest.raises(NotifyError) as refused:
        manual_retry.retry_delivery(delivery.pk)
    assert refused.value.code is NotifyErrorCode.MANUAL_RETRY_NOT_ALLOWED
    assert Delivery.objects.get(pk=delivery.pk).status == "FAILED"
    assert len(receiver.received(path)) == 1


def test_successful_delivery_cannot_be_retried(live, receiver, path):
    delivery = deliver_one(live, receiver, path, Reply(200))
    with pytest.raises(NotifyError) as refused:
        manual_retry.retry_delivery(delivery.pk)
    assert refused.value.code is NotifyErrorCode.NOT_FAILED


def test_order_retry_retries_the_failed_deliveries_of_that_order(live, receiver, path):
    delivery = deliver_one(live, receiver, path, Reply(410), Reply(200))
    retried = manual_retry.retry_order("order-1")
    assert [d.pk for d in retried] == [delivery.pk]
    assert wait_for(lambda: Delivery.objects.get(pk=delivery.pk).status == "SUCCESS", 10)
    with pytest.raises(NotifyError) as refused:
        manual_retry.retry_order("order-1", [EventType.CONTACT_CREATED])
    assert refused.value.code is NotifyErrorCode.MANUAL_RETRY_NOT_ALLOWED
