"""The order page's widget and popup (deliveries, Retry, reasons) and callers without the permission."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from saleor_notify_plugin.events import EventType
from saleor_notify_plugin.graphql.ids import saleor_order_id
from saleor_notify_plugin.graphql.requestor import Permission
from saleor_notify_plugin.models import Delivery
from tests.browser.conftest import open_in_dashboard, shot
from tests.builders import attach, postback_channel, record
from tests.support.receiver import Reply
from tests.support.waiting import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_failed_delivery_is_retried_from_the_order_page(live, page, site, receiver, path):
    order_id = str(uuid.uuid4())
    channel = postback_channel(receiver.url(path), name="CRM postback")
    # Both first postbacks are refused with a 404 (no automatic retry); the manual retry gets a 200.
    receiver.script(path, Reply(404), Reply(404), secret=channel.secret)
    attach(EventType.ORDER_COMPLETED, channel)
    attach(EventType.SHIPPING_TRACKING_UPDATED, channel)
    record(EventType.ORDER_COMPLETED, order_id=order_id)
    record(EventType.SHIPPING_TRACKING_UPDATED, order_id=order_id)
    wait_for(
        lambda: Delivery.objects.filter(event__order_id=order_id, status="FAILED").count() == 2,
        20,
        what=lambda: f"both deliveries to fail\n{live.log_tail()}",
    )

    token = dashboard_token_orders()
    app = open_in_dashboard(
        page, site, "order", token, "Orders › #1042 › Notifications widget", orderId=saleor_order_id(order_id)
    )
    rows = app.get_by_test_id("delivery-row")
    expect(rows).to_have_count(2)
    completed = app.locator('[data-testid="delivery-row"][data-event="ORDER_COMPLETED"]')
    tracking = app.locator('[data-testid="delivery-row"][data-event="SHIPPING_TRACKING_UPDATED"]')
    expect(completed.get_by_test_id("delivery-status")).to_have_attribute("data-status", "FAILED")
    expect(completed.get_by_test_id("attempt-count")).to_have_text("1")
    expect(completed).to_contain_text("CRM postback")
    expect(completed).to_contain_text("HTTP 404")
    # Shipping tracking is not one of the four: no Retry, and the reason.
    expect(tracking.get_by_role("button", name="Retry")).to_have_count(0)
    expect(tracking.get_by_test_id("retry-blocked")).to_have_text(re.compile("only for Order completed"))
    shot(page, "20-order-widget-failed")

    completed.get_by_role("button", name="Retry").click()
    expect(completed.get_by_test_id("delivery-status")).to_have_attribute("data-status", "SUCCESS", timeout=20_000)
    expect(completed.get_by_test_id("attempt-count")).to_have_text("2")
    delivery = Delivery.objects.get(event__order_id=order_id, event__event="ORDER_COMPLETED")
    assert delivery.status == "SUCCESS"
    assert [a.trigger for a in delivery.attempts.order_by("number")] == ["AUTOMATIC", "MANUAL"]
    assert len(receiver.received(path)) == 3
    notifications = page.evaluate("window.__notifications")
    assert any(n.get("title") == "Retry queued" for n in notifications), notifications
    shot(page, "21-order-widget-retried")

    # The order page's "more actions" popup: the same log, full size.
    app = open_in_dashboard(
        page,
        site,
        "order/deliveries",
        token,
        "Orders › #1042 › Notification deliveries",
        orderId=saleor_order_id(order_id),
    )
    expect(app.get_by_test_id("delivery-row")).to_have_count(2)
    shot(page, "22-order-popup")
    assert not page.page_errors, page.page_errors


def dashboard_token_orders() -> str:
    from tests.browser.server import dashboard_token

    return dashboard_token("support@example.com", Permission.MANAGE_ORDERS)


def test_a_caller_without_the_permission_sees_a_clear_refusal(page, site):
    from tests.browser.server import dashboard_token

    # Staff who may manage orders but not plugins: System notifications is refused, with the reason.
    orders_only = dashboard_token("support@example.com", Permission.MANAGE_ORDERS)
    app = open_in_dashboard(page, site, "events", orders_only, "Apps › Notifications")
    refusal = app.get_by_test_id("permission-denied")
    expect(refusal).to_contain_text("You don't have access to this page")
    expect(refusal).to_contain_text("Manage plugins (MANAGE_PLUGINS)")
    expect(app.get_by_role("switch")).to_have_count(0)
    shot(page, "30-refused-system-notifications")

    app.get_by_role("button", name="Channels").click()
    expect(app.get_by_test_id("permission-denied")).to_contain_text("Manage plugins (MANAGE_PLUGINS)")

    # Staff who may manage plugins but not orders: the order widget is refused.
    plugins_only = dashboard_token("admin@example.com", Permission.MANAGE_PLUGINS)
    app = open_in_dashboard(
        page, site, "order", plugins_only, "Orders › #1042", orderId=saleor_order_id(str(uuid.uuid4()))
    )
    expect(app.get_by_test_id("permission-denied")).to_contain_text("Manage orders (MANAGE_ORDERS)")
    shot(page, "31-refused-order-widget")

    # A token the API does not accept at all.
    page.goto(site.dashboard_url("events", "not.a.token", "Apps › Notifications"))
    frame = page.frame_locator("#app")
    # AppBridge cannot read a non-JWT token: the page says to open it from the dashboard.
    expect(frame.get_by_test_id("standalone").or_(frame.get_by_test_id("error"))).to_be_visible(timeout=15_000)


def test_opened_outside_the_dashboard_the_page_says_where_to_open_it(page, site):
    page.goto(site.app_url("events"))
    expect(page.get_by_test_id("standalone")).to_contain_text("Open this page from the Saleor dashboard")
