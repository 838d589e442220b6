"""``NotificationChannel.health``, ``pauseOnAlert`` and ``notificationChannelResume`` through the API,
over attempts a real worker made to a real receiver."""

from __future__ import annotations

from datetime import datetime

import pytest

from saleor_notify_plugin.events import EventType
from saleor_notify_plugin.graphql.ids import to_global_id
from saleor_notify_plugin.models import Delivery, DeliveryAttempt
from tests.builders import attach, postback_channel, record
from tests.support.receiver import Reply
from tests.support.waiting import wait_for

pytestmark = pytest.mark.django_db(transaction=True)

HEALTH = (
    "query($id: ID!) { notificationChannel(id: $id) { pauseOnAlert isPaused pausedAt health { status windowHours "
    "attemptCount successCount successRate medianLatencyMs consecutiveFailures lastSuccessAt lastFailureAt "
    "failingSince isAlerting heldDeliveries } } }"
)
CREATE = (
    "mutation($input: NotificationChannelCreateInput!) { notificationChannelCreate(input: $input) {"
    " channel { id pauseOnAlert isPaused health { status attemptCount successRate } } errors { field code } } }"
)
UPDATE = (
    "mutation($id: ID!, $input: NotificationChannelUpdateInput!) { notificationChannelUpdate(id: $id, input: $input) {"
    " channel { pauseOnAlert } errors { field code } } }"
)
RESUME = "mutation($id: ID!) { notificationChannelResume(id: $id) { channel { isPaused } released errors { code } } }"


def parse(value: str) -> datetime:
    return datetime.fromisoformat(value)


def test_health_counts_the_attempts_the_worker_made(live, gql, receiver, path, shop_settings):
    channel = postback_channel(receiver.script(path, Reply(200), Reply(200), Reply(410), Reply(410)))
    attach(EventType.ORDER_COMPLETED, channel)
    for n in range(4):  # one at a time: the receiver's answers go in this order
        record(order_id=f"o-{n}")
        wait_for(lambda n=n: Delivery.objects.filter(channel=channel).exclude(status="PENDING").count() == n + 1, 15,
                 what=live.log_tail)
    attempts = list(DeliveryAttempt.objects.filter(channel=channel).order_by("started_at"))
    gid = to_global_id("NotificationChannel", channel.pk)

    node = gql(HEALTH, {"id": gid}).data["notificationChannel"]
    health = node["health"]
    assert (node["pauseOnAlert"], node["isPaused"], node["pausedAt"]) == (False, False, None)
    assert health["status"] == "FAILING" and health["isAlerting"] is False
    assert (health["attemptCount"], health["successCount"], health["successRate"]) == (4, 2, 0.5)
    assert health["consecutiveFailures"] == 2 and health["windowHours"] == 24 and health["heldDeliveries"] == 0
    assert parse(health["lastSuccessAt"]) == attempts[1].started_at
    assert parse(health["failingSince"]) == attempts[2].started_at
    assert parse(health["lastFailureAt"]) == attempts[3].started_at
    durations = sorted(a.duration_ms for a in attempts)
    assert health["medianLatencyMs"] == (durations[1] + durations[2]) / 2

    shop_settings({"alert_after_minutes": 0})  # the owner wants to hear at the first failure
    health = gql(HEALTH, {"id": gid}).data["notificationChannel"]["health"]
    assert health["status"] == "ALERTING" and health["isAlerting"] is True

    record(order_id="o-4")  # the receiver answers 200 again: the spell is over
    wait_for(lambda: Delivery.objects.filter(channel=channel, status="SUCCESS").count() == 3, 15)
    health = gql(HEALTH, {"id": gid}).data["notificationChannel"]["health"]
    assert health["status"] == "RECOVERING" and health["consecutiveFailures"] == 0
    assert health["failingSince"] is None and health["isAlerting"] is False and health["successRate"] == 0.6


def test_pause_on_alert_is_set_at_create_and_update_and_a_new_channel_has_no_health_yet(gql, receiver, path):
    created = gql(CREATE, {"input": {"name": "CRM", "kind": "POSTBACK", "url": receiver.url(path),
                                     "pauseOnAlert": True}}).result("notificationChannelCreate")["channel"]
    assert created["pauseOnAlert"] is True and created["isPaused"] is False
    assert created["health"] == {"status": "UNKNOWN", "attemptCount": 0, "successRate": None}
    updated = gql(UPDATE, {"id": created["id"], "input": {"pauseOnAlert": False}}).result("notificationChannelUpdate")
    assert updated["channel"] == {"pauseOnAlert": False}
    untouched = gql(UPDATE, {"id": created["id"], "input": {"name": "CRM 2"}}).result("notificationChannelUpdate")
    assert untouched["channel"] == {"pauseOnAlert": False}


def test_resume_of_a_channel_that_is_not_paused_changes_nothing_and_an_unknown_one_is_not_found(gql, receiver, path):
    channel = postback_channel(receiver.url(path))
    payload = gql(RESUME, {"id": to_global_id("NotificationChannel", channel.pk)}).result("notificationChannelResume")
    assert payload == {"channel": {"isPaused": False}, "released": 0, "errors": []}
    response = gql(RESUME, {"id": to_global_id("NotificationChannel", channel.pk + 1000)})
    assert response.codes("notificationChannelResume") == ["NOT_FOUND"]
    assert response.data["notificationChannelResume"]["channel"] is None
