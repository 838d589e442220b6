"""The pages fit the frames the dashboard gives them, read well in both themes, and hand over a new secret."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from saleor_notify_plugin.events import EventType
from saleor_notify_plugin.graphql.ids import saleor_order_id
from saleor_notify_plugin.graphql.requestor import Permission
from saleor_notify_plugin.models import Delivery
from tests.browser.conftest import CONTRAST, open_in_dashboard, shot
from tests.browser.server import dashboard_token
from tests.builders import attach, postback_channel, record
from tests.support.receiver import Reply
from tests.support.waiting import wait_for

pytestmark = pytest.mark.django_db(transaction=True)

#: The order page's widget column in saleor-dashboard 3.23 (measured in Chromium at 1280 px).
WIDGET_COLUMN_PX = 344


def test_the_order_widget_fits_the_widget_column_with_retry_in_reach(live, page, site, receiver, path):
    order_id = str(uuid.uuid4())
    channel = postback_channel(receiver.url(path), name="Warehouse system postback")
    receiver.script(path, Reply(404), secret=channel.secret)
    attach(EventType.ORDER_COMPLETED, channel)
    record(EventType.ORDER_COMPLETED, order_id=order_id)
    wait_for(
        lambda: Delivery.objects.filter(event__order_id=order_id, status="FAILED").exists(),
        20,
        what=lambda: f"the delivery to fail\n{live.log_tail()}",
    )
    token = dashboard_token("support@example.com", Permission.MANAGE_ORDERS)
    app = open_in_dashboard(
        page,
        site,
        "order",
        token,
        "Orders › #1042",
        orderId=saleor_order_id(order_id),
        frameWidth=str(WIDGET_COLUMN_PX),
    )
    row = app.get_by_test_id("delivery-row")
    expect(row).to_have_count(1)
    frame = page.frame(url=re.compile(r"/app/order"))
    # Nothing to scroll sideways or by a body margin: the page is as wide as the column.
    size = frame.evaluate(
        "() => ({w: document.documentElement.scrollWidth, cw: document.documentElement.clientWidth,"
        " margin: getComputedStyle(document.body).margin})"
    )
    assert size["w"] <= size["cw"] == WIDGET_COLUMN_PX, size
    assert size["margin"] == "0px", size
    retry = row.get_by_role("button", name="Retry")
    box = retry.bounding_box()
    frame_box = page.locator("#app").bounding_box()
    assert box and frame_box and box["x"] + box["width"] <= frame_box["x"] + WIDGET_COLUMN_PX, (box, frame_box)
    expect(row).to_contain_text("HTTP 404")
    expect(row).to_contain_text(re.compile(r"\d{4}"))  # when: the date is shown, not cut off
    shot(page, "23-order-widget-column")

    retry.click()
    expect(row.get_by_test_id("delivery-status")).to_have_attribute("data-status", "SUCCESS", timeout=20_000)
    assert not page.page_errors, page.page_errors


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_marks_are_readable_in_both_themes(page, site, theme):
    token = dashboard_token("owner@example.com", Permission.MANAGE_PLUGINS)
    app = open_in_dashboard(page, site, "events", token, "Apps › Notifications", theme=theme)
    postback_only = app.get_by_test_id("event-row-CUSTOMER_CREATED").get_by_test_id("mark")
    expect(postback_only).to_have_text("Postback only")
    for mark in app.get_by_test_id("mark").all():
        ratio = mark.evaluate(CONTRAST)
        assert ratio >= 4.5, f"{mark.inner_text()!r} in the {theme} theme: contrast {ratio:.2f}"
    shot(page, f"24-marks-{theme}")


def test_copy_of_a_new_secret_leaves_it_selected_and_says_what_happened(page, site, receiver, path):
    token = dashboard_token("owner@example.com", Permission.MANAGE_PLUGINS)
    app = open_in_dashboard(page, site, "channels", token, "Apps › Notifications")
    app.get_by_role("button", name="Create channel").click()
    create = app.get_by_test_id("create-channel-dialog")
    create.get_by_label("Name").fill("CRM postback")
    create.get_by_label("Postback URL").fill(receiver.url(path))
    create.get_by_role("button", name="Create channel").click()
    secret_dialog = app.get_by_test_id("secret-dialog")
    secret = secret_dialog.get_by_test_id("secret-value").inner_text()
    assert secret.startswith("whsec_")

    # The stand-in's frame, like the dashboard's, does not allow clipboard writes.
    secret_dialog.get_by_role("button", name="Copy").click()
    result = secret_dialog.get_by_test_id("copy-result")
    expect(result).to_be_visible()
    if result.get_attribute("data-copied") == "false":
        expect(result).to_contain_text("The secret is selected: press")
    frame = page.frame(url=re.compile(r"/app/channels"))
    assert frame.evaluate("() => window.getSelection().toString()") == secret
    shot(page, "25-secret-copy")
