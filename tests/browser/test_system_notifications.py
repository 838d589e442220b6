"""The seed's procedure, click by click, in System notifications; and the errors of the forms."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from saleor_notify_plugin import channels
from saleor_notify_plugin.events import EventType
from saleor_notify_plugin.graphql.requestor import Permission
from saleor_notify_plugin.models import EventChannel, EventSwitch, NotificationChannel
from tests.browser.conftest import open_in_dashboard, shot
from tests.browser.server import dashboard_token
from tests.support.waiting import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def attachment_sources() -> list[tuple[str, bool, bool, bool]]:
    return list(
        EventChannel.objects.filter(event="ORDER_COMPLETED").values_list(
            "channel__name", "source_admin", "source_shop", "source_funnel"
        )
    )


def test_the_seed_procedure_click_by_click(page, site, receiver, path):
    token = dashboard_token("owner@example.com", Permission.MANAGE_PLUGINS, Permission.MANAGE_ORDERS)
    app = open_in_dashboard(page, site, "events", token, "Apps › Notifications")

    # 1. The list of the ten events, a switch each, their marks and channel counts.
    rows = app.locator('[data-testid^="event-row-"]')
    expect(rows).to_have_count(10)
    expect(app.get_by_role("switch")).to_have_count(10)
    order = app.get_by_test_id("event-row-ORDER_COMPLETED")
    expect(order.get_by_text("Manual retry")).to_be_visible()
    expect(order.get_by_test_id("channel-count")).to_have_text("0 channels")
    expect(app.get_by_test_id("event-row-CUSTOMER_CREATED").get_by_text("Postback only")).to_be_visible()
    expect(app.get_by_test_id("event-row-SURVEY_COMPLETED").get_by_text("Postback only")).to_be_visible()
    shot(page, "01-system-notifications")

    # 2. Order completed is disabled: enable it with the switch on its right.
    switch = order.get_by_role("switch", name="Enable Order completed")
    expect(switch).to_have_attribute("aria-checked", "false")
    switch.click()
    expect(switch).to_have_attribute("aria-checked", "true")
    wait_for(lambda: EventSwitch.objects.filter(event="ORDER_COMPLETED", is_enabled=True).exists(), 5, what="switch")

    # 3. Click the event's name: its channels (none yet).
    order.get_by_role("button", name="Order completed").click()
    expect(app.get_by_role("heading", name="Order completed")).to_be_visible()
    expect(app.get_by_test_id("no-attachments")).to_be_visible()
    shot(page, "02-event-empty")

    # 4. The bottom-right button opens the attach form; no channel yet: Save says so at the field.
    app.get_by_role("button", name="Attach channel").click()
    dialog = app.get_by_test_id("attach-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_text("You have no channels yet")).to_be_visible()
    dialog.get_by_role("button", name="Save").click()
    expect(dialog.get_by_test_id("field-error")).to_have_text(re.compile("Choose a channel"))
    shot(page, "03-attach-form-no-channel")

    # 5. None to choose from: the Add button on the right creates one (its secret is shown once).
    dialog.get_by_role("button", name="Add").click()
    create = app.get_by_test_id("create-channel-dialog")
    create.get_by_label("Name").fill("CRM postback")
    create.get_by_label("Postback URL").fill(receiver.url(path))
    shot(page, "04-add-channel")
    create.get_by_role("button", name="Add channel").click()
    secret = app.get_by_test_id("secret-dialog")
    expect(secret.get_by_test_id("secret-value")).to_have_text(re.compile(r"^whsec_"))
    shot(page, "05-channel-secret-shown-once")
    secret.get_by_role("button", name="I have stored it").click()

    # 6. Back in the form with the new channel chosen: Sources Shop and Funnel, Save.
    dialog = app.get_by_test_id("attach-dialog")
    expect(dialog.get_by_test_id("channel-select")).to_contain_text("CRM postback (Postback)")
    expect(dialog.get_by_test_id("field-error")).to_have_count(0)
    dialog.get_by_role("checkbox", name="Admin").click()
    expect(dialog.get_by_role("checkbox", name="Admin")).to_have_attribute("aria-checked", "false")
    shot(page, "06-attach-form-shop-funnel")
    dialog.get_by_role("button", name="Save").click()
    expect(app.get_by_test_id("success-message")).to_have_text("CRM postback is now linked to Order completed.")
    attachment = app.get_by_test_id("attachment")
    expect(attachment).to_have_count(1)
    expect(attachment.get_by_test_id("attachment-sources")).to_have_text("ShopFunnel")
    assert attachment_sources() == [("CRM postback", False, True, True)]
    shot(page, "07-event-attached")

    # 7. Three dots, Edit: sources Funnel only.
    attachment.get_by_role("button", name="Actions for CRM postback").click()
    expect(app.get_by_role("menuitem", name="Edit")).to_be_visible()
    shot(page, "08-three-dots-menu")
    app.get_by_role("menuitem", name="Edit").click()
    edit = app.get_by_test_id("edit-dialog")
    edit.get_by_role("checkbox", name="Shop").click()
    edit.get_by_role("button", name="Save").click()
    expect(attachment.get_by_test_id("attachment-sources")).to_have_text("Funnel")
    wait_for(lambda: attachment_sources() == [("CRM postback", False, False, True)], 5, what="sources updated")
    shot(page, "09-event-funnel-only")

    # 8. Three dots, Delete.
    attachment.get_by_role("button", name="Actions for CRM postback").click()
    app.get_by_role("menuitem", name="Delete").click()
    confirm = app.get_by_test_id("confirm-dialog")
    shot(page, "10-delete-confirm")
    confirm.get_by_role("button", name="Delete").click()
    expect(app.get_by_test_id("no-attachments")).to_be_visible()
    assert attachment_sources() == []
    assert NotificationChannel.objects.filter(name="CRM postback").exists()  # the channel itself stays

    # Back to the list: Order completed on, no channel.
    app.get_by_role("button", name="Back to System notifications").click()
    expect(app.get_by_test_id("event-row-ORDER_COMPLETED").get_by_role("switch")).to_have_attribute(
        "aria-checked", "true"
    )
    assert not page.page_errors, page.page_errors


def test_api_errors_are_shown_next_to_their_field(page, site, receiver, path):
    channels.create_channel(name="Ops mail", kind="EMAIL", emails=["ops@example.com"])
    crm = channels.create_channel(name="CRM", kind="POSTBACK", url=receiver.url(path))
    channels.attach_channel(EventType.CUSTOMER_CREATED, crm.pk, ["SHOP"])
    token = dashboard_token("owner@example.com", Permission.MANAGE_PLUGINS)
    app = open_in_dashboard(page, site, "events/CUSTOMER_CREATED", token, "Apps › Notifications")
    app.get_by_role("button", name="Attach channel").click()
    dialog = app.get_by_test_id("attach-dialog")

    def choose(name: str) -> None:
        dialog.get_by_test_id("channel-select").get_by_label("Channel").click()
        app.get_by_role("option", name=re.compile(name)).click()

    # An e-mail channel on a postback-only event: POSTBACK_ONLY, at the Channel field.
    choose("Ops mail")
    dialog.get_by_role("button", name="Save").click()
    expect(
        dialog.get_by_test_id("channel-select").locator("..").locator("..").get_by_test_id("field-error")
    ).to_have_text("Customer created can only be sent to postback channels.")
    shot(page, "11-error-postback-only")

    # The channel already attached: UNIQUE, at the Channel field.
    choose("CRM")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog.get_by_test_id("field-error")).to_have_text("This channel is already attached to this event.")

    # No source at all: the API's error, at the Sources field.
    choose("Ops mail")
    for name in ("Admin", "Shop", "Funnel"):
        dialog.get_by_role("checkbox", name=name).click()
    dialog.get_by_role("button", name="Save").click()
    expect(dialog.get_by_test_id("sources").get_by_test_id("field-error")).to_be_visible()
    shot(page, "12-error-sources")
    assert EventChannel.objects.filter(event="CUSTOMER_CREATED").count() == 1

    # The channel form: the API's URL error at the URL field.
    dialog.get_by_role("button", name="Add").click()
    create = app.get_by_test_id("create-channel-dialog")
    create.get_by_label("Name").fill("Broken")
    create.get_by_label("Postback URL").fill("ftp://example.com/hook")
    create.get_by_role("button", name="Add channel").click()
    url_error = create.get_by_test_id("field-error")
    expect(url_error).to_be_visible()
    assert "URL" in url_error.inner_text() or "url" in url_error.inner_text().lower()
    create.get_by_label("Name").fill("")
    create.get_by_role("button", name="Add channel").click()
    expect(create.get_by_test_id("field-error").first).to_have_text("A name is required.")
    shot(page, "13-error-channel-form")
    assert not NotificationChannel.objects.filter(name="Broken").exists()
