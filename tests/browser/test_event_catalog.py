"""The event catalog from System notifications: the link is there and opens the document."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from saleor_notify_plugin.catalog import catalog_json
from saleor_notify_plugin.graphql.requestor import Permission
from tests.browser.conftest import open_in_dashboard, shot
from tests.browser.server import dashboard_token

pytestmark = pytest.mark.django_db(transaction=True)


def test_system_notifications_links_the_event_catalog(page, site):
    token = dashboard_token("owner@example.com", Permission.MANAGE_PLUGINS)
    app = open_in_dashboard(page, site, "events", token, "Apps › Notifications")
    link = app.get_by_role("link", name="event catalog (AsyncAPI 3.0)")
    expect(link).to_be_visible()
    shot(page, "event-catalog-link")

    with page.context.expect_page() as opened:
        link.click()
    tab = opened.value
    tab.wait_for_load_state()
    assert tab.url == site.app_url("asyncapi.json")
    expect(tab.locator("body")).to_contain_text('"asyncapi": "3.0.0"')
    served = tab.evaluate("() => fetch(location.href).then((r) => r.json())")
    assert served == json.loads(catalog_json())
