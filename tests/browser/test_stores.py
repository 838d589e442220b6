"""An attachment limited to some of the shop's stores, from the sources dialog: tick, save, see it; a
store the shop no longer has is shown, refused at save with a clear error, and can be unticked."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from saleor_notify_plugin import channels
from saleor_notify_plugin.events import EventType
from saleor_notify_plugin.graphql.requestor import Permission
from saleor_notify_plugin.models import EventChannel
from tests.browser.conftest import open_in_dashboard, shot
from tests.browser.server import dashboard_token
from tests.support.fake_shop import SHOP
from tests.support.waiting import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def stores():
    """The shop's stores: Germany and Wholesale."""
    SHOP.add_saleor_channel("de", "Germany")
    SHOP.add_saleor_channel("wholesale", "Wholesale")
    yield SHOP
    SHOP.clear()


def stored_stores() -> list[list[str]]:
    return [a.saleor_channels for a in EventChannel.objects.filter(event="ORDER_COMPLETED").order_by("pk")]


def test_an_attachment_is_limited_to_a_store_from_its_sources_dialog(page, site, receiver, path, stores):
    crm = channels.create_channel(name="CRM", kind="POSTBACK", url=receiver.url(path))
    channels.attach_channel(EventType.ORDER_COMPLETED, crm.pk, ["SHOP", "FUNNEL"])
    token = dashboard_token("owner@example.com", Permission.MANAGE_PLUGINS)
    app = open_in_dashboard(page, site, "events/ORDER_COMPLETED", token, "Apps › Notifications")
    attachment = app.get_by_test_id("attachment")
    expect(attachment.get_by_test_id("attachment-stores")).to_have_count(0)  # every store: nothing to say

    attachment.get_by_role("button", name="Actions for CRM").click()
    app.get_by_role("menuitem", name="Edit").click()
    edit = app.get_by_test_id("edit-dialog")
    store_boxes = edit.get_by_test_id("stores").get_by_role("checkbox")
    expect(store_boxes).to_have_count(2)
    for name in ("Germany", "Wholesale"):
        expect(edit.get_by_role("checkbox", name=name, exact=True)).to_have_attribute("aria-checked", "false")
    edit.get_by_role("checkbox", name="Wholesale", exact=True).click()
    shot(page, "stores-01-edit-dialog")
    edit.get_by_role("button", name="Save").click()

    expect(attachment.get_by_test_id("attachment-stores")).to_have_text("Wholesale")
    expect(attachment.get_by_test_id("attachment-sources")).to_have_text("ShopFunnel")  # sources untouched
    wait_for(lambda: stored_stores() == [["wholesale"]], 5, what="the store saved")
    shot(page, "stores-02-limited-to-wholesale")
    assert not page.page_errors, page.page_errors


def test_a_store_the_shop_no_longer_has_is_refused_at_save_and_can_be_unticked(page, site, receiver, path, stores):
    crm = channels.create_channel(name="CRM", kind="POSTBACK", url=receiver.url(path))
    attachment = channels.attach_channel(EventType.ORDER_COMPLETED, crm.pk, ["SHOP"], saleor_channels=["de"])
    EventChannel.objects.filter(pk=attachment.pk).update(saleor_channels=["de", "retail"])  # "retail" was deleted
    token = dashboard_token("owner@example.com", Permission.MANAGE_PLUGINS)
    app = open_in_dashboard(page, site, "events/ORDER_COMPLETED", token, "Apps › Notifications")
    row = app.get_by_test_id("attachment")
    expect(row.get_by_test_id("attachment-stores")).to_have_text("Germanyretail")

    row.get_by_role("button", name="Actions for CRM").click()
    app.get_by_role("menuitem", name="Edit").click()
    edit = app.get_by_test_id("edit-dialog")
    gone = edit.get_by_role("checkbox", name="retail (not in the shop)")
    expect(gone).to_have_attribute("aria-checked", "true")
    edit.get_by_role("button", name="Save").click()
    error = edit.get_by_test_id("stores").get_by_test_id("field-error")
    expect(error).to_contain_text("retail")
    shot(page, "stores-03-unknown-store-refused")
    assert stored_stores() == [["de", "retail"]]  # nothing changed

    gone.click()
    edit.get_by_role("button", name="Save").click()
    expect(edit).to_be_hidden()
    expect(row.get_by_test_id("attachment-stores")).to_have_text("Germany")
    wait_for(lambda: stored_stores() == [["de"]], 5, what="the store unticked")
    assert not page.page_errors, page.page_errors


def test_the_attach_dialog_limits_a_new_attachment_to_a_store(page, site, receiver, path, stores):
    channels.create_channel(name="CRM", kind="POSTBACK", url=receiver.url(path))
    token = dashboard_token("owner@example.com", Permission.MANAGE_PLUGINS)
    app = open_in_dashboard(page, site, "events/ORDER_COMPLETED", token, "Apps › Notifications")
    app.get_by_role("button", name="Attach channel").click()
    dialog = app.get_by_test_id("attach-dialog")
    dialog.get_by_test_id("channel-select").get_by_label("Channel").click()
    app.get_by_role("option", name="CRM (Postback)").click()
    dialog.get_by_role("checkbox", name="Germany", exact=True).click()
    dialog.get_by_role("button", name="Save").click()
    expect(app.get_by_test_id("attachment").get_by_test_id("attachment-stores")).to_have_text("Germany")
    assert stored_stores() == [["de"]]
