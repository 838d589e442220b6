"""The Saleor App's HTTP side, over HTTP: manifest, token registration, pages and their files."""

from __future__ import annotations

import json

import pytest
import requests

from saleor_notify_plugin.catalog import catalog_json
from saleor_notify_plugin.dashboard.views import VerifiedApp
from saleor_notify_plugin.models import DashboardApp
from tests.browser.server import APP_TOKENS

pytestmark = pytest.mark.django_db(transaction=True)


def test_manifest_describes_the_app_and_its_pages(site):
    response = requests.get(f"{site.plugin_url}/app/manifest/", timeout=5)
    assert response.status_code == 200
    manifest = response.json()
    assert manifest["id"] == "saleor.notify"
    assert manifest["permissions"] == ["MANAGE_PLUGINS", "MANAGE_ORDERS"]
    assert manifest["appUrl"] == f"{site.plugin_url}/app/"
    assert manifest["tokenTargetUrl"] == f"{site.plugin_url}/app/register/"
    mounts = {(e["mount"], e["target"], tuple(e["permissions"])) for e in manifest["extensions"]}
    assert mounts == {
        ("NAVIGATION_ORDERS", "APP_PAGE", ("MANAGE_PLUGINS",)),
        ("ORDER_DETAILS_WIDGETS", "WIDGET", ("MANAGE_ORDERS",)),
        ("ORDER_DETAILS_MORE_ACTIONS", "POPUP", ("MANAGE_ORDERS",)),
    }
    urls = {e["target"]: e["url"] for e in manifest["extensions"]}
    # The dashboard wants an APP_PAGE route relative to appUrl; the widget and popup are absolute.
    assert urls == {
        "APP_PAGE": "/events",
        "WIDGET": f"{site.plugin_url}/app/order",
        "POPUP": f"{site.plugin_url}/app/order/deliveries",
    }
    assert requests.post(f"{site.plugin_url}/app/manifest/", timeout=5).status_code == 405


def test_the_event_catalog_is_served_to_anyone(site):
    """No token needed (it holds the published schemas and examples only); AsyncAPI tools may fetch it."""
    url = f"{site.plugin_url}/app/asyncapi.json"
    response = requests.get(url, timeout=5)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    # Opened from the dashboard's sandboxed app frame: a tab that inherits the sandbox shows it only
    # without a cross-origin opener policy of its own (the real-dashboard tier clicks the link).
    assert response.headers["Cross-Origin-Opener-Policy"] == "unsafe-none"
    assert response.json() == json.loads(catalog_json())
    assert response.json()["asyncapi"] == "3.0.0" and len(response.json()["channels"]) == 10
    assert requests.head(url, timeout=5).status_code == 200
    assert requests.post(url, timeout=5).status_code == 405


def test_registration_keeps_the_app_of_a_genuine_token_and_refuses_others(site):
    APP_TOKENS["genuine-token-abcd"] = VerifiedApp(pk=7, identifier="saleor.notify")
    headers = {"Saleor-Api-Url": "https://shop.example.com/graphql/", "Saleor-Domain": "shop.example.com"}
    url = f"{site.plugin_url}/app/register/"

    refused = requests.post(url, json={"auth_token": "forged-token-zzzz"}, headers=headers, timeout=5)
    assert refused.status_code == 403 and "error" in refused.json()
    assert requests.post(url, json={"token": "x"}, timeout=5).status_code == 400
    assert requests.post(url, data=b"not json", timeout=5).status_code == 400
    assert requests.get(url, timeout=5).status_code == 405
    assert not DashboardApp.objects.exists()

    accepted = requests.post(url, json={"auth_token": "genuine-token-abcd"}, headers=headers, timeout=5)
    assert accepted.status_code == 200 and accepted.json() == {"success": True}
    app = DashboardApp.objects.get()
    assert (app.saleor_app_id, app.app_identifier, app.token_last_4) == (7, "saleor.notify", "abcd")
    assert (app.saleor_api_url, app.domain) == ("https://shop.example.com/graphql/", "shop.example.com")
    # The token itself is not kept.
    assert "genuine-token" not in str(DashboardApp.objects.values().get())


def test_pages_and_files(site):
    page = requests.get(f"{site.plugin_url}/app/events/ORDER_COMPLETED", timeout=5)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert '<base href="/plugins/global/saleor.notify/app/">' in page.text
    assert '"apiUrl": "/plugins/global/saleor.notify/graphql/"' in page.text
    assert page.headers["Cache-Control"] == "no-store"
    script = page.text.split('src="./assets/', 1)[1].split('"', 1)[0]
    asset = requests.get(f"{site.plugin_url}/app/assets/{script}", timeout=5)
    assert asset.status_code == 200 and asset.headers["Content-Type"].startswith("text/javascript")
    assert "immutable" in asset.headers["Cache-Control"]
    assert requests.get(f"{site.plugin_url}/app/assets/..%2F..%2Fviews.py", timeout=5).status_code == 404
    assert requests.get(f"{site.plugin_url}/app/assets/missing.js", timeout=5).status_code == 404
    assert requests.get(f"{site.plugin_url}/elsewhere", timeout=5).status_code == 404
