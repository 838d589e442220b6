"""What a delivery sent and got back, on the channel's page and in the order widget, with its curl command."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from saleor_notify_plugin.events import EventType
from saleor_notify_plugin.graphql.ids import saleor_order_id, to_global_id
from saleor_notify_plugin.graphql.requestor import Permission
from saleor_notify_plugin.models import Delivery
from tests.browser.conftest import open_in_dashboard, shot
from tests.builders import attach, postback_channel, record
from tests.support.receiver import Reply
from tests.support.waiting import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_channels_delivery_opens_its_request_and_response_and_copies_the_curl_command(
    live, page, site, receiver, path
):
    from tests.browser.server import dashboard_token

    order_id = str(uuid.uuid4())
    channel = postback_channel(receiver.url(path), name="CRM postback")
    receiver.script(path, Reply(422, headers={"X-Request-Id": "req-9"}, body=b"missing field"), secret=channel.secret)
    attach(EventType.ORDER_COMPLETED, channel)
    record(EventType.ORDER_COMPLETED, order_id=order_id)
    wait_for(lambda: Delivery.objects.filter(channel=channel, status="FAILED").exists(), 20, what=live.log_tail)
    [got] = receiver.received(path)

    token = dashboard_token("owner@example.com", Permission.MANAGE_PLUGINS, Permission.MANAGE_ORDERS)
    app = open_in_dashboard(
        page, site, f"channels/{to_global_id('NotificationChannel', channel.pk)}", token, "Apps › Notifications"
    )
    row = app.get_by_test_id("channel-deliveries").get_by_test_id("delivery-row")
    expect(row).to_have_count(1)
    row.get_by_role("button", name="View attempts").click()
    attempt = app.get_by_role("region", name="Attempt 1")
    expect(attempt).to_be_visible()
    expect(attempt.get_by_test_id("request-headers")).to_contain_text("webhook-signature: v1,[masked]")
    expect(attempt.get_by_test_id("request-headers")).to_contain_text(f"webhook-id: {got.headers['webhook-id']}")
    assert attempt.get_by_test_id("request-body").inner_text() == got.body.decode()
    expect(attempt.get_by_test_id("response-headers")).to_contain_text("Status 422")
    expect(attempt.get_by_test_id("response-headers")).to_contain_text("X-Request-Id: req-9")
    expect(attempt.get_by_test_id("response-excerpt")).to_have_text("missing field")
    expect(attempt.get_by_test_id("curl-note")).to_contain_text("WEBHOOK_SIGNATURE")
    frame = page.frame(url=re.compile(r"/app/channels"))
    html = frame.content()
    assert channel.secret.removeprefix("whsec_") not in html
    assert got.headers["webhook-signature"][3:] not in html
    attempt.scroll_into_view_if_needed()
    shot(page, "40-channel-delivery-exchange")

    # Copy: the clipboard, or (the dashboard's frame refuses it) the command selected.
    command = attempt.get_by_test_id("curl-command").inner_text()
    assert command.startswith("printf '%s' ") and '"webhook-signature: $WEBHOOK_SIGNATURE"' in command
    attempt.get_by_role("button", name="Copy curl command").click()
    result = attempt.get_by_test_id("copy-result")
    expect(result).to_be_visible()
    if result.get_attribute("data-copied") == "false":
        expect(result).to_contain_text("The command is selected: press")
    assert frame.evaluate("() => window.getSelection().toString()") == command
    attempt.get_by_role("button", name="Copy curl command").scroll_into_view_if_needed()
    shot(page, "41-channel-delivery-curl-copied")

    # The order widget, in the width of the order page's widget column: the same behind "View payload".
    orders = dashboard_token("support@example.com", Permission.MANAGE_ORDERS)
    app = open_in_dashboard(
        page, site, "order", orders, "Orders › #1001", orderId=saleor_order_id(order_id), frameWidth="344"
    )
    row = app.get_by_test_id("delivery-row")
    expect(row).to_have_count(1)
    row.get_by_role("button", name="View payload").click()
    attempt = app.get_by_role("region", name="Attempt 1")
    assert attempt.get_by_test_id("request-body").inner_text() == got.body.decode()
    widget = page.frame(url=re.compile(r"/app/order"))
    size = widget.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert size[0] <= size[1] == 344, size  # long lines wrap: nothing to scroll sideways
    # Without MANAGE_PLUGINS the URL is not in the command: it asks for it.
    expect(attempt.get_by_test_id("curl-command")).to_contain_text('"$URL"')
    expect(attempt.get_by_test_id("curl-command")).not_to_contain_text(path)
    shot(page, "42-order-widget-payload")
    assert not page.page_errors, page.page_errors
