"""The failing-channels banner on System notifications, and the channel's health card with Resume."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from saleor_notify_plugin.events import EventType
from saleor_notify_plugin.graphql.ids import to_global_id
from saleor_notify_plugin.graphql.requestor import Permission
from saleor_notify_plugin.models import Delivery, NotificationChannel
from saleor_notify_plugin.pipeline import alerts
from tests.browser.conftest import open_in_dashboard, shot
from tests.browser.server import dashboard_token
from tests.builders import attach, final_delivery, postback_channel, record
from tests.support.receiver import Reply
from tests.support.waiting import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_banner_names_the_failing_channel_and_its_health_card_resumes_it(
    live, page, site, receiver, path, shop_settings
):
    shop_settings({"alert_after_minutes": 0})  # alert at the first failure
    failing = postback_channel(receiver.script(path, Reply(410)), name="Warehouse hook", pause_on_alert=True)
    healthy = postback_channel(receiver.url(path + "-ok"), name="Analytics")
    attach(EventType.ORDER_COMPLETED, failing)
    attach(EventType.ORDER_COMPLETED, healthy)
    record(order_id=str(uuid.uuid4()))
    wait_for(lambda: final_delivery(failing) and final_delivery(healthy), 20, what=live.log_tail)
    assert [a.channel.name for a in alerts.evaluate()] == ["Warehouse hook"]  # the sweep's step: alerts, pauses
    record(order_id=str(uuid.uuid4()))  # held by the pause
    wait_for(lambda: Delivery.objects.filter(channel=failing, status="PENDING").count() == 1, 20, what=live.log_tail)

    token = dashboard_token("owner@example.com", Permission.MANAGE_PLUGINS, Permission.MANAGE_ORDERS)
    app = open_in_dashboard(page, site, "events", token, "Apps › Notifications")
    banner = app.get_by_role("alert", name="Failing channels")
    expect(banner).to_contain_text("A channel is failing without a success")
    expect(banner.get_by_role("button", name="Warehouse hook")).to_be_visible()
    expect(banner).to_contain_text("paused: deliveries held until you resume it")
    expect(banner).not_to_contain_text("Analytics")
    shot(page, "20-failing-channel-banner")

    banner.get_by_role("button", name="Warehouse hook").click()
    expect(app.get_by_role("heading", name="Warehouse hook")).to_be_visible()
    health = app.get_by_test_id("health")
    expect(health).to_contain_text("Failing: staff alerted")
    expect(health).to_contain_text("Paused")
    expect(health).to_contain_text("1 delivery is held")
    expect(health).to_contain_text("Last 24 h: 1 attempt, 0% succeeded.")
    expect(health).to_contain_text("Consecutive failures: 1")
    expect(health).to_contain_text("Last success: —")
    expect(health).to_contain_text("Median latency:")
    shot(page, "21-health-card-paused")

    health.get_by_role("button", name="Resume").click()
    expect(health.get_by_role("button", name="Resume")).to_have_count(0)
    expect(health).not_to_contain_text("Paused")
    assert NotificationChannel.objects.get(pk=failing.pk).paused_at is None
    # The held delivery goes out (the receiver answers 200 now).
    wait_for(lambda: Delivery.objects.filter(channel=failing, status="SUCCESS").count() == 1, 20, what=live.log_tail)
    app = open_in_dashboard(page, site, f"channels/{to_global_id('NotificationChannel', failing.pk)}", token)
    expect(app.get_by_test_id("health")).to_contain_text("Recovering")
    expect(app.get_by_test_id("health")).to_contain_text("Last 24 h: 2 attempts, 50% succeeded.")
    assert not page.page_errors, page.page_errors
