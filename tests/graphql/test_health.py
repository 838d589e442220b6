"""``notificationHealth``: what an operator asks the API when notifications seem late."""

from datetime import timedelta

import pytest
from django.utils import timezone

from saleor_notify_plugin import health

pytestmark = pytest.mark.django_db

HEALTH = (
    "{ notificationHealth { healthy backlog pendingEvents dueDeliveries oldestPendingAgeSeconds backlogGrowing"
    " beatLastRunAt sweepLastRunAt pollerLastRunAt pollerLagSeconds problems { code message } } }"
)


def test_health_of_a_running_installation(gql):
    for name in ("beat", "sweep"):
        health.stamp(name, value=0)
    body = gql(HEALTH).data["notificationHealth"]
    assert body["healthy"] is True and body["problems"] == [] and body["backlog"] == 0
    assert body["beatLastRunAt"] is not None and body["pollerLastRunAt"] is None and body["pollerLagSeconds"] is None


def test_health_names_a_stopped_beat(gql):
    health.stamp("beat", now=timezone.now() - timedelta(minutes=30))
    health.stamp("sweep", now=timezone.now() - timedelta(minutes=30))
    body = gql(HEALTH).data["notificationHealth"]
    assert body["healthy"] is False
    assert [p["code"] for p in body["problems"]] == ["BEAT_STOPPED"]
    assert "beat" in body["problems"][0]["message"]
