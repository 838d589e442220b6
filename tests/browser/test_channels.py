"""Channels: list, create (secret shown once), edit, test send, rotate, recent deliveries and health."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from saleor_notify_plugin.events import EventType
from saleor_notify_plugin.graphql.requestor import Permission
from saleor_notify_plugin.models import Delivery, NotificationChannel
from tests.browser.conftest import open_in_dashboard, shot
from tests.browser.server import dashboard_token
from tests.builders import attach, record
from tests.support.receiver import Reply
from tests.support.waiting import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_channels_create_edit_test_rotate_and_health(live, page, site, receiver, path):
    token = dashboard_token("owner@example.com", Permission.MANAGE_PLUGINS, Permission.MANAGE_ORDERS)
    app = open_in_dashboard(page, site, "channels", token, "Apps › Notifications › Channels")
    expect(app.get_by_text("No channel yet")).to_be_visible()

    # Create: the secret is shown once.
    app.get_by_role("button", name="Create channel").click()
    form = app.get_by_test_id("create-channel-dialog")
    form.get_by_label("Name").fill("Fulfilment hook")
    form.get_by_label("Postback URL").fill(receiver.url(path))
    form.get_by_role("button", name="Create channel").click()
    secret_text = app.get_by_test_id("secret-value")
    expect(secret_text).to_have_text(re.compile(r"^whsec_"))
    first_secret = secret_text.inner_text()
    channel = NotificationChannel.objects.get(name="Fulfilment hook")
    assert channel.secret == first_secret
    shot(page, "14-channel-created-secret")
    app.get_by_role("button", name="I have stored it").click()
    row = app.get_by_test_id("channel-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Fulfilment hook")
    expect(row).to_contain_text(receiver.url(path))
    shot(page, "15-channels-list")

    # Deliveries for the log and the health: one delivered, one refused.
    receiver.script(path, Reply(200), Reply(410), secret=channel.secret)
    attach(EventType.ORDER_COMPLETED, channel)
    record(EventType.ORDER_COMPLETED, order_id=str(uuid.uuid4()))
    wait_for(lambda: Delivery.objects.filter(channel=channel, status="SUCCESS").exists(), 20, what=live.log_tail)
    record(EventType.ORDER_COMPLETED, order_id=str(uuid.uuid4()))
    wait_for(lambda: Delivery.objects.filter(channel=channel, status="FAILED").exists(), 20, what=live.log_tail)

    row.click()
    expect(app.get_by_role("heading", name="Fulfilment hook")).to_be_visible()
    expect(app.get_by_test_id("channel-deliveries").get_by_test_id("delivery-row")).to_have_count(2)
    health = app.get_by_test_id("health")
    expect(health).to_contain_text("Failing")
    expect(health).to_contain_text("Last 24 h: 2 attempts, 50% succeeded.")
    expect(health).to_contain_text("Consecutive failures: 1")

    # Send a test (the receiver answers 200 by default).
    app.get_by_role("button", name="Send test").click()
    expect(app.get_by_test_id("test-result")).to_have_text(re.compile(r"^Test delivered \(HTTP 200\)"))
    shot(page, "16-channel-detail")

    # Edit: the name; an invalid URL is refused at its field.
    settings = app.get_by_test_id("channel-form")
    settings.get_by_label("Postback URL").fill("not a url")
    settings.get_by_role("button", name="Save").click()
    expect(settings.get_by_test_id("field-error")).to_be_visible()
    settings.get_by_label("Postback URL").fill(receiver.url(path))
    settings.get_by_label("Name").fill("Fulfilment")
    settings.get_by_role("button", name="Save").click()
    expect(app.get_by_role("heading", name="Fulfilment", exact=True)).to_be_visible()
    assert NotificationChannel.objects.get(pk=channel.pk).name == "Fulfilment"

    # Rotate the secret: a new one, shown once. A double click rotates once, so the secret the
    # receivers hold now stays valid as the previous one (a second rotation would drop it).
    app.get_by_role("button", name="Rotate secret").click()
    app.get_by_test_id("confirm-dialog").get_by_role("button", name="Rotate").dblclick()
    expect(app.get_by_test_id("secret-value")).to_have_text(re.compile(r"^whsec_"))
    second_secret = app.get_by_test_id("secret-value").inner_text()
    assert second_secret != first_secret
    rotated = NotificationChannel.objects.get(pk=channel.pk)
    assert (rotated.secret, rotated.previous_secret) == (second_secret, first_secret)
    shot(page, "17-secret-rotated")
    app.get_by_role("button", name="I have stored it").click()
    expect(app.get_by_text(f"Signing secret: ••••{second_secret[-4:]}")).to_be_visible()
    assert not page.page_errors, page.page_errors
