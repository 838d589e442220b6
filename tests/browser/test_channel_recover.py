"""A channel's "Recover since…": pick a time, see the dry run, confirm; the receiver gets them again."""

from __future__ import annotations

import uuid
from datetime import UTC, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from saleor_notify_plugin.events import EventType
from saleor_notify_plugin.graphql.requestor import Permission
from saleor_notify_plugin.models import Delivery
from tests.browser.conftest import open_in_dashboard, shot
from tests.browser.server import dashboard_token
from tests.builders import attach, postback_channel, record
from tests.support.receiver import Reply
from tests.support.waiting import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def local_input(moment) -> str:
    """What a datetime-local input holds (the browser runs in UTC)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")


def test_recover_since_shows_the_dry_run_then_sends_the_failed_deliveries_again(
    live, worker_idle, page, site, receiver, path
):
    channel = postback_channel(receiver.url(path), name="Warehouse")
    receiver.script(path, *[Reply(400)] * 3, secret=channel.secret)
    attach(EventType.ORDER_COMPLETED, channel)
    for number in (1001, 1002, 1003):
        order = {"id": str(uuid.uuid4()), "number": str(number)}
        record(EventType.ORDER_COMPLETED, order_id=order["id"], payload={"order": order})
    failed = Delivery.objects.filter(channel=channel, status="FAILED")
    wait_for(lambda: failed.count() == 3, 20, what=live.log_tail)
    worker_idle()

    token = dashboard_token("owner@example.com", Permission.MANAGE_PLUGINS, Permission.MANAGE_ORDERS)
    app = open_in_dashboard(page, site, "channels", token, "Apps › Notifications › Channels")
    app.get_by_test_id("channel-row").click()
    expect(app.get_by_role("heading", name="Warehouse")).to_be_visible()
    app.get_by_role("button", name="Recover since…").click()
    dialog = app.get_by_test_id("recover-dialog")
    expect(dialog.get_by_role("button", name="Send again")).to_be_disabled()

    # A time in the future is refused at its field.
    dialog.get_by_label("Failed since").fill(local_input(timezone.now() + timedelta(days=2)))
    dialog.get_by_role("button", name="Preview").click()
    expect(dialog.get_by_test_id("field-error")).to_contain_text("in the future")

    # The dry run: how many, the first few, and nothing sent.
    dialog.get_by_label("Failed since").fill(local_input(timezone.now() - timedelta(hours=1)))
    dialog.get_by_role("button", name="Preview").click()
    preview = dialog.get_by_test_id("recover-preview")
    expect(preview).to_contain_text("3 failed deliveries will be sent again, at most 5 per second")
    rows = dialog.get_by_test_id("recover-row")
    expect(rows).to_have_count(3)
    for row, number in zip((rows.nth(0), rows.nth(1), rows.nth(2)), (1001, 1002, 1003), strict=True):
        expect(row).to_contain_text("Order completed")
        expect(row).to_contain_text(f"#{number}")
        expect(row).to_contain_text("HTTP 400")
    shot(page, "recover-since-preview")
    assert len(receiver.received(path)) == 3 and failed.count() == 3

    # Confirm: queued, then sent again, once each, same webhook-id.
    dialog.get_by_role("button", name="Send 3 again").click()
    expect(app.get_by_test_id("recover-result")).to_contain_text("3 deliveries queued to be sent again")
    expect(dialog).to_have_count(0)
    wait_for(lambda: Delivery.objects.filter(channel=channel, status="SUCCESS").count() == 3, 20, what=live.log_tail)
    worker_idle()
    sent = receiver.received(path)
    assert len(sent) == 6
    assert sorted(r.headers["webhook-id"] for r in sent[3:]) == sorted(r.headers["webhook-id"] for r in sent[:3])
    shot(page, "recover-since-queued")
    assert not page.page_errors, page.page_errors
