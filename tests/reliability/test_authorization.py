"""Authorisation with real objects, and secrets kept out of responses, logs and the attempt log.

tests/graphql/test_permissions.py holds the table (every operation against every caller, on
unknown IDs); this reuses that table on real IDs and checks that a refused call changes nothing.
"""

from __future__ import annotations

import json
import logging
import uuid

import pytest

from saleor_notify_plugin import channel_probe, channels, switches
from saleor_notify_plugin.events import EventType
from saleor_notify_plugin.graphql.ids import to_global_id
from saleor_notify_plugin.graphql.requestor import ANONYMOUS
from saleor_notify_plugin.models import (
    Delivery,
    DeliveryAttempt,
    EventChannel,
    EventSwitch,
    NotificationChannel,
    RecordedEvent,
)
from saleor_notify_plugin.pipeline import attempts, fan_out
from tests.builders import attach, postback_channel, record
from tests.graphql import operations as ops
from tests.graphql.conftest import ADMIN, REQUESTORS, post
from tests.graphql.test_permissions import HOLDS, OPERATIONS
from tests.support.receiver import Reply

pytestmark = pytest.mark.django_db

SLACK_TOKEN = "T0SECRET/B0SECRET/xoxbSlackTokenDoNotLeak"


@pytest.fixture
def world(receiver, settings):
    """A postback channel with a rotated secret, a Slack channel, an attachment and a failed delivery."""
    settings.SALEOR_NOTIFY = {**settings.SALEOR_NOTIFY, "TIMEOUT_S": 1.0}
    order = str(uuid.uuid4())
    path = f"/authz/{uuid.uuid4().hex[:8]}"
    channel = postback_channel(receiver.script(path, Reply(404, body=b"no such hook")))
    channel = channels.rotate_secret(channel.pk)
    slack = channels.create_channel(name="ops", kind="SLACK", url=f"http://127.0.0.1:1/services/{SLACK_TOKEN}")
    attachment = attach(EventType.ORDER_COMPLETED, channel)
    attach(EventType.REFUND_APPLIED, slack)
    deliveries = fan_out.fan_out(record(EventType.ORDER_COMPLETED, order_id=order))
    deliveries += fan_out.fan_out(record(EventType.REFUND_APPLIED, order_id=order))
    for pk in deliveries:
        attempts.attempt_delivery(pk)  # 404, then a refused connection: both logged as attempts
    delivery = Delivery.objects.get(channel=channel)
    assert delivery.status == "FAILED"
    secrets = [channel.secret, channel.previous_secret, SLACK_TOKEN]
    return {
        "channel": channel, "attachment": attachment, "delivery": delivery, "order": order, "secrets": secrets,
        "ids": {
            "channel": to_global_id("NotificationChannel", channel.pk),
            "attachment": to_global_id("NotificationEventChannel", attachment.pk),
            "delivery": to_global_id("NotificationDelivery", delivery.pk),
            "order": to_global_id("Order", order),
        },
    }


def real_variables(name: str, ids: dict[str, str]) -> dict:
    """The table's variables, with the IDs of objects that exist."""
    return {
        "notificationChannel": {"id": ids["channel"]},
        "notificationChannelCreate": {"input": {"name": "intruder", "kind": "POSTBACK", "url": "http://10.0.0.1/"}},
        "notificationChannelUpdate": {"id": ids["channel"], "input": {"name": "hijacked", "url": "http://10.0.0.9/"}},
        "notificationChannelDelete": {"id": ids["channel"]},
        "notificationChannelRotateSecret": {"id": ids["channel"]},
        "notificationChannelTest": {"id": ids["channel"]},
        "notificationEventUpdate": {"event": "ORDER_COMPLETED", "on": False},
        "notificationEventChannelAttach": {"event": "REFUND_APPLIED", "channelId": ids["channel"], "sources": ["SHOP"]},
        "notificationEventChannelUpdate": {"id": ids["attachment"], "sources": ["FUNNEL"]},
        "notificationEventChannelDetach": {"id": ids["attachment"]},
        "notificationDeliveryRetry": {"id": ids["delivery"]},
        "notificationOrderRetry": {"orderId": ids["order"]},
        "notificationSubscriptionCancel": {"input": {"subscriptionId": "sub-1", "email": "a@example.com"}},
    }.get(name, OPERATIONS[name][1])


def stored() -> tuple:
    return (
        list(NotificationChannel.objects.order_by("pk").values()),
        list(EventChannel.objects.order_by("pk").values()),
        list(EventSwitch.objects.order_by("pk").values()),
        list(RecordedEvent.objects.order_by("pk").values_list("pk", flat=True)),
        list(Delivery.objects.order_by("pk").values()),
        DeliveryAttempt.objects.count(),
    )


def leaked(text: str, secrets: list[str]) -> list[str]:
    return [s for s in secrets if s and s in text]


@pytest.mark.parametrize("who", sorted(w for w in REQUESTORS if not {p for _, _, p in OPERATIONS.values()} <= HOLDS[w]))
def test_a_refused_caller_changes_nothing_and_sees_no_secret(world, who):
    """Every operation the caller may not run, on real objects: denied, nothing changed, nothing leaked."""
    before = stored()
    for name, (document, _, needed) in sorted(OPERATIONS.items()):
        if needed in HOLDS[who]:
            continue
        response = post({"query": document, "variables": real_variables(name, world["ids"])}, REQUESTORS[who])
        text = json.dumps(response.body)
        assert "PERMISSION_DENIED" in text, (name, response.body)
        assert not leaked(text, world["secrets"]), name
        assert stored() == before, f"{name} by {who} changed stored data"


def test_secrets_never_appear_in_responses_logs_or_attempts(world, caplog):
    """Every query of an authorised caller; test sends; the attempt log: no secret, no Slack token."""
    caplog.set_level(logging.DEBUG)
    secrets = world["secrets"]
    for name in ("notificationEvents", "notificationChannels", "notificationChannel", "notificationDeliveries"):
        response = post({"query": OPERATIONS[name][0], "variables": real_variables(name, world["ids"])}, ADMIN)
        assert response.status == 200 and not leaked(json.dumps(response.body), secrets), name
    for channel in NotificationChannel.objects.all():
        channel_probe.send_test(channel.pk)  # logged, with its outcome
    tested = post({"query": ops.CHANNEL_TEST, "variables": {"id": world["ids"]["channel"]}}, ADMIN)
    assert not leaked(json.dumps(tested.body), secrets)
    for attempt in DeliveryAttempt.objects.all():
        assert not leaked(f"{attempt.error_message} {attempt.response_excerpt}", secrets)
    assert DeliveryAttempt.objects.filter(error_kind="connect_error").exists()  # the Slack failure was logged
    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    assert not leaked(logged, secrets)


def test_only_create_and_rotate_return_the_full_secret(world):
    new = {"name": "new", "kind": "POSTBACK", "url": "http://127.0.0.1:9/hook"}
    created = post({"query": ops.CHANNEL_CREATE, "variables": {"input": new}}, ADMIN).result(
        "notificationChannelCreate"
    )
    rotated = post({"query": ops.CHANNEL_ROTATE, "variables": {"id": world["ids"]["channel"]}}, ADMIN).result(
        "notificationChannelRotateSecret"
    )
    assert created["secret"] == NotificationChannel.objects.get(name="new").secret
    assert rotated["secret"] == NotificationChannel.objects.get(pk=world["channel"].pk).secret


@pytest.mark.parametrize(
    ("document", "variables", "field", "code"),
    [
        (ops.SURVEY_COMPLETE, {"input": {"surveyId": "nps", "email": "a@example.com"}},
         "notificationSurveyComplete", "REQUIRED"),
        (ops.SURVEY_COMPLETE, {"input": {"surveyId": "nps", "email": "a@example.com",
                                         "checkoutId": to_global_id("NotificationChannel", 1)}},
         "notificationSurveyComplete", "INVALID"),
        (ops.SURVEY_COMPLETE, {"input": {"surveyId": "nps", "email": "a@example.com", "orderId": "Order:1"}},
         "notificationSurveyComplete", "INVALID"),
        (ops.FUNNEL_COMPLETED, {"orderId": to_global_id("Order", uuid.uuid4())}, "notificationFunnelCompleted",
         "REQUIRED"),
        (ops.FUNNEL_COMPLETED, {"orderId": to_global_id("Order", uuid.uuid4()), "token": "not-a-token"},
         "notificationFunnelCompleted", "INVALID"),
        (ops.FUNNEL_COMPLETED, {"orderId": "garbage", "token": str(uuid.uuid4())}, "notificationFunnelCompleted",
         "INVALID"),
    ],
    ids=["survey-no-proof", "survey-proof-of-wrong-type", "survey-malformed-order", "funnel-no-token",
         "funnel-malformed-token", "funnel-malformed-order"],
)
def test_a_storefront_mutation_without_a_valid_proof_does_nothing(world, document, variables, field, code):
    switches.set_event_enabled(EventType.SURVEY_COMPLETED, True)
    before = stored()
    response = post({"query": document, "variables": variables}, ANONYMOUS)
    assert response.codes(field) == [code]
    assert stored() == before
