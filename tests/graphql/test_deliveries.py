"""The delivery log and manual retries through the API (real attempts to a real receiver)."""

import json
import uuid

import pytest

from saleor_notify_plugin import channels
from saleor_notify_plugin.events import EventType
from saleor_notify_plugin.graphql.ids import to_global_id
from saleor_notify_plugin.models import Delivery
from saleor_notify_plugin.pipeline import attempts, fan_out
from tests.builders import attach, final_delivery, postback_channel, record
from tests.graphql.operations import DELIVERIES, DELIVERY_RETRY, ORDER_RETRY
from tests.support.receiver import Reply
from tests.support.waiting import wait_for

pytestmark = pytest.mark.django_db

RETRYABLE = sorted(e.value for e in EventType if e.manual_retry)
NOT_RETRYABLE = sorted(e.value for e in EventType if not e.manual_retry)


def saleor_order(order_uuid: str) -> str:
    return to_global_id("Order", order_uuid)


def gid(delivery: Delivery) -> str:
    return to_global_id("NotificationDelivery", delivery.pk)


@pytest.fixture
def deliver(receiver):
    """``deliver(event, reply, order_id)``: record, fan out and attempt once, for real."""
    counter = iter(range(1000))

    def run(event=EventType.ORDER_COMPLETED, reply=Reply(400), order_id=None) -> Delivery:
        path = f"/graphql-log/{uuid.uuid4().hex[:10]}"
        channel = postback_channel(receiver.script(path, reply), name=f"CRM {next(counter)}")
        attachment = attach(EventType(event), channel)
        event_id = record(EventType(event), order_id=order_id or str(uuid.uuid4()))
        [delivery_id] = fan_out.fan_out(event_id)
        channels.detach(attachment.pk)  # the next event goes to the next channel only
        attempts.attempt_delivery(delivery_id)
        return Delivery.objects.select_related("event", "channel").get(pk=delivery_id)

    return run


def test_the_log_shows_deliveries_newest_first_with_attempts_and_payload(gql, deliver):
    order_uuid = str(uuid.uuid4())
    older = deliver(reply=Reply(200), order_id=order_uuid)
    newer = deliver(EventType.REFUND_APPLIED, reply=Reply(404, body=b"no such hook"))
    edges = gql(DELIVERIES).data["notificationDeliveries"]["edges"]
    assert [e["node"]["id"] for e in edges] == [gid(newer), gid(older)]

    failed, ok = (e["node"] for e in edges)
    assert (failed["status"], failed["failureKind"], failed["canRetry"]) == ("FAILED", "http_404", True)
    assert failed["attempts"][0]["statusCode"] == 404 and failed["attempts"][0]["trigger"] == "AUTOMATIC"
    assert failed["attempts"][0]["responseExcerpt"] == "no such hook"
    assert (ok["status"], ok["canRetry"], ok["failureKind"]) == ("SUCCESS", False, None)
    assert ok["event"]["type"] == "ORDER_COMPLETED" and ok["event"]["source"] == "SHOP"
    assert ok["event"]["orderId"] == saleor_order(order_uuid)
    assert ok["event"]["id"] == older.event.envelope_id
    payload = json.loads(ok["payload"])
    assert payload["id"] == older.event.envelope_id and payload["event"] == "order_completed"
    assert payload["data"]["number"] == "1001"


def test_the_log_filters_by_order_status_event_channel_and_creation_time(gql, deliver):
    order_uuid = str(uuid.uuid4())
    of_order = deliver(EventType.TRANSACTION_APPROVED, reply=Reply(200), order_id=order_uuid)
    failed = deliver(EventType.TRANSACTION_DECLINED, reply=Reply(400))
    other = deliver(EventType.CONTACT_CREATED, reply=Reply(200))

    def ids(filter_):
        edges = gql(DELIVERIES, {"filter": filter_}).data["notificationDeliveries"]["edges"]
        return {e["node"]["id"] for e in edges}

    assert ids({"orderId": saleor_order(order_uuid)}) == {gid(of_order)}
    assert ids({"statuses": ["FAILED"]}) == {gid(failed)}
    assert ids({"events": ["CONTACT_CREATED", "TRANSACTION_APPROVED"]}) == {gid(other), gid(of_order)}
    assert ids({"channel": to_global_id("NotificationChannel", other.channel_id)}) == {gid(other)}
    created = failed.created_at.isoformat()
    assert ids({"createdAfter": created}) == {gid(failed), gid(other)}
    assert ids({"createdBefore": created}) == {gid(of_order)}


@pytest.mark.parametrize(
    ("filter_", "field"), [({"orderId": "T3JkZXI6MTI="}, "orderId"), ({"channel": "x"}, "channel")]
)
def test_malformed_filter_ids_are_clear_errors(gql, filter_, field):
    response = gql(DELIVERIES, {"filter": filter_})
    assert response.top_codes == ["INVALID"] and response.body["errors"][0]["extensions"]["field"] == field


def test_the_log_is_paginated_newest_first(gql, deliver):
    made = [deliver(reply=Reply(200)) for _ in range(3)]
    page = gql(DELIVERIES, {"first": 2}).data["notificationDeliveries"]
    assert [e["node"]["id"] for e in page["edges"]] == [gid(made[2]), gid(made[1])]
    assert page["pageInfo"]["hasNextPage"]
    rest = gql(DELIVERIES, {"first": 2, "after": page["pageInfo"]["endCursor"]}).data["notificationDeliveries"]
    assert [e["node"]["id"] for e in rest["edges"]] == [gid(made[0])] and not rest["pageInfo"]["hasNextPage"]
    back = gql(DELIVERIES, {"last": 1, "before": rest["pageInfo"]["startCursor"]}).data["notificationDeliveries"]
    assert [e["node"]["id"] for e in back["edges"]] == [gid(made[1])]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("event", RETRYABLE)
def test_a_delivery_failed_four_times_is_sent_once_more_by_hand_with_the_same_webhook_id(
    gql, live, worker_idle, receiver, path, event
):
    """The worker gives up after four 503s; a retry from the API is one more request, same id and
    signature, and the log shows the four automatic attempts and the manual one."""
    channel = postback_channel(receiver.url(path))
    receiver.script(path, *[Reply(503)] * 4, Reply(200), secret=channel.secret)
    attach(EventType(event), channel)
    record(EventType(event), order_id=str(uuid.uuid4()))
    failed = wait_for(lambda: final_delivery(channel), 20, what=lambda: f"four attempts\n{live.log_tail()}")
    assert failed.status == "FAILED" and len(receiver.received(path)) == 4

    response = gql(DELIVERY_RETRY, {"id": gid(failed)})
    assert response.result("notificationDeliveryRetry")["delivery"]["status"] == "PENDING"
    wait_for(lambda: final_delivery(channel), 10, what=lambda: f"the manual attempt\n{live.log_tail()}")
    worker_idle()

    sent = receiver.received(path)
    assert len(sent) == 5
    assert {r.headers["webhook-id"] for r in sent} == {failed.event.envelope_id}
    assert all(r.verified for r in sent)
    [edge] = gql(DELIVERIES, {"filter": {"events": [event]}}).data["notificationDeliveries"]["edges"]
    shown = edge["node"]
    assert (shown["status"], shown["canRetry"], shown["failureKind"]) == ("SUCCESS", False, None)
    assert [(a["number"], a["trigger"], a["statusCode"]) for a in shown["attempts"]] == [
        (1, "AUTOMATIC", 503), (2, "AUTOMATIC", 503), (3, "AUTOMATIC", 503), (4, "AUTOMATIC", 503),
        (5, "MANUAL", 200),
    ]


@pytest.mark.parametrize("event", NOT_RETRYABLE)
def test_delivery_retry_refuses_the_six_other_events(gql, deliver, event):
    delivery = deliver(event, reply=Reply(400))
    assert delivery.status == "FAILED"
    response = gql(DELIVERY_RETRY, {"id": gid(delivery)})
    assert [(e["field"], e["code"]) for e in response.errors_of("notificationDeliveryRetry")] == [
        ("id", "MANUAL_RETRY_NOT_ALLOWED")
    ]
    assert Delivery.objects.get(pk=delivery.pk).status == "FAILED"
    log = gql(DELIVERIES, {"filter": {"events": [event]}}).data["notificationDeliveries"]["edges"]
    assert log[0]["node"]["canRetry"] is False


def test_a_successful_delivery_cannot_be_retried(gql, deliver):
    succeeded = deliver(reply=Reply(200))
    assert gql(DELIVERY_RETRY, {"id": gid(succeeded)}).codes("notificationDeliveryRetry") == ["NOT_FAILED"]
    assert Delivery.objects.get(pk=succeeded.pk).status == "SUCCESS"


def test_a_failed_delivery_of_a_deactivated_channel_cannot_be_retried(gql, deliver):
    failed = deliver(reply=Reply(400))
    channels.update_channel(failed.channel_id, is_active=False)
    assert gql(DELIVERY_RETRY, {"id": gid(failed)}).codes("notificationDeliveryRetry") == ["CHANNEL_UNAVAILABLE"]
    assert Delivery.objects.get(pk=failed.pk).status == "FAILED"


def test_retrying_an_unknown_or_malformed_delivery_id_is_a_clear_error(gql):
    missing = to_global_id("NotificationDelivery", 999999)
    assert gql(DELIVERY_RETRY, {"id": missing}).codes("notificationDeliveryRetry") == ["NOT_FOUND"]
    assert gql(DELIVERY_RETRY, {"id": "@@"}).codes("notificationDeliveryRetry") == ["INVALID"]


def test_order_retry_queues_the_failed_retryable_deliveries_of_the_order(gql, deliver):
    order_uuid = str(uuid.uuid4())
    approved = deliver(EventType.TRANSACTION_APPROVED, reply=Reply(400), order_id=order_uuid)
    refunded = deliver(EventType.REFUND_APPLIED, reply=Reply(400), order_id=order_uuid)
    deliver(EventType.ORDER_COMPLETED, reply=Reply(200), order_id=order_uuid)  # succeeded: nothing to retry
    deliver(EventType.TRANSACTION_APPROVED, reply=Reply(400))  # another order

    response = gql(ORDER_RETRY, {"orderId": saleor_order(order_uuid)})
    queued = response.result("notificationOrderRetry")["deliveries"]
    assert {d["id"] for d in queued} == {gid(approved), gid(refunded)}
    assert {d["status"] for d in queued} == {"PENDING"}

    only = deliver(EventType.TRANSACTION_DECLINED, reply=Reply(400), order_id=order_uuid)
    response = gql(ORDER_RETRY, {"orderId": saleor_order(order_uuid), "events": ["TRANSACTION_DECLINED"]})
    assert [d["id"] for d in response.result("notificationOrderRetry")["deliveries"]] == [gid(only)]


@pytest.mark.parametrize("event", NOT_RETRYABLE)
def test_order_retry_refuses_the_six_other_events(gql, deliver, event):
    order_uuid = str(uuid.uuid4())
    delivery = deliver(event, reply=Reply(400), order_id=order_uuid)
    response = gql(ORDER_RETRY, {"orderId": saleor_order(order_uuid), "events": ["ORDER_COMPLETED", event]})
    assert [(e["field"], e["code"]) for e in response.errors_of("notificationOrderRetry")] == [
        ("events", "MANUAL_RETRY_NOT_ALLOWED")
    ]
    assert Delivery.objects.get(pk=delivery.pk).status == "FAILED"


@pytest.mark.parametrize(
    "order_id", ["T3JkZXI6bm90LWEtdXVpZA==", to_global_id("Checkout", str(uuid.uuid4())), "plain"]
)
def test_order_retry_needs_a_saleor_order_id(gql, order_id):
    response = gql(ORDER_RETRY, {"orderId": order_id})
    assert [(e["field"], e["code"]) for e in response.errors_of("notificationOrderRetry")] == [("orderId", "INVALID")]
