"""The dashboard app installed into Saleor from its manifest, with the token exchange, and the
tokens the dashboard hands the pages accepted by the plugin's API with the right permissions.

Saleor's installation fetches the manifest and POSTs the token over HTTP; here its HTTP client
is pointed at Saleor's own URL routing in the process (Django's test client), so the requests
go through ``/plugins/global/saleor.notify/`` and the plugin's ``webhook()`` as over the network.
"""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
import requests
from django.test import Client

from saleor_notify_plugin.models import DashboardApp

from .fixtures import PLUGIN_ID

HOST = "shop.example.com"
BASE = f"http://{HOST}/plugins/global/{PLUGIN_ID}"
MANIFEST_URL = f"{BASE}/app/manifest/"

APP_INSTALL = """
mutation Install($url: String!) {
  appInstall(input: {appName: "Notifications", manifestUrl: $url, activateAfterInstallation: true,
                     permissions: [MANAGE_PLUGINS, MANAGE_ORDERS]}) {
    appInstallation { id status message } errors { field code message }
  }
}"""

APP_TOKENS = """
query App($id: ID!) {
  app(id: $id) { id accessToken extensions { id mountName targetName url accessToken } }
}"""


class _InProcessHTTP:
    """Saleor's ``HTTPClient.send_request``, answered by Saleor's URL routing in this process."""

    def __init__(self) -> None:
        self.client = Client(HTTP_HOST=HOST)
        self.calls: list[tuple[str, str]] = []

    def __call__(self, method, url, **kwargs):
        assert url.startswith(f"http://{HOST}/"), url
        self.calls.append((method, url))
        headers = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in (kwargs.get("headers") or {}).items()}
        headers.pop("HTTP_CONTENT_TYPE", None)
        if method == "GET":
            answer = self.client.get(url, **headers)
        else:
            answer = self.client.post(
                url, data=json.dumps(kwargs.get("json")), content_type="application/json", **headers
            )
        response = requests.models.Response()
        response.status_code = answer.status_code
        response._content = answer.content
        response.headers.update({k: v for k, v in answer.items()})
        response.url = url
        response.request = requests.Request(method, url).prepare()
        return response


def _gql(token: str, query: str) -> dict:
    answer = Client(HTTP_HOST=HOST).post(
        f"/plugins/global/{PLUGIN_ID}/graphql/",
        data=json.dumps({"query": query}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    return json.loads(answer.content)


@pytest.fixture
def installed(
    notify,
    settings,
    monkeypatch,
    staff_api_client,
    permission_manage_apps,
    permission_manage_plugins,
    permission_manage_orders,
    django_capture_on_commit_callbacks,
):
    from saleor.app.models import App

    settings.ALLOWED_HOSTS = [HOST, "testserver"]
    http = _InProcessHTTP()
    monkeypatch.setattr("saleor.app.installation_utils.HTTPClient", SimpleNamespace(send_request=http))
    staff = staff_api_client.user
    staff.user_permissions.add(permission_manage_apps, permission_manage_plugins, permission_manage_orders)
    with django_capture_on_commit_callbacks(execute=True):
        body = staff_api_client.post_graphql(APP_INSTALL, {"url": MANIFEST_URL}).json()
    assert body["data"]["appInstall"]["errors"] == [], body
    app = App.objects.get(identifier="saleor.notify")
    return app, http, staff_api_client


def test_the_app_installs_from_its_manifest_with_the_token_exchange(installed):
    from saleor.app.models import AppInstallation

    app, http, _ = installed
    assert app.is_installed and app.is_active and app.type == "thirdparty"
    assert app.manifest_url == MANIFEST_URL
    assert app.app_url == f"{BASE}/app/"
    assert sorted(p.codename for p in app.permissions.all()) == ["manage_orders", "manage_plugins"]
    assert not AppInstallation.objects.exists()  # the installation job finished
    extensions = {(e.mount, e.target): e for e in app.extensions.all()}
    assert set(extensions) == {
        ("navigation_orders", "app_page"),
        ("order_details_widgets", "widget"),
        ("order_details_more_actions", "popup"),
    }
    assert [p.codename for p in extensions["navigation_orders", "app_page"].permissions.all()] == ["manage_plugins"]
    assert [p.codename for p in extensions["order_details_widgets", "widget"].permissions.all()] == ["manage_orders"]

    # Saleor fetched the manifest, then POSTed the app's token to tokenTargetUrl: the plugin
    # checked it against Saleor's app tokens and registered the app.
    assert http.calls == [("GET", MANIFEST_URL), ("POST", f"{BASE}/app/register/")]
    registered = DashboardApp.objects.get()
    assert registered.saleor_app_id == app.pk and registered.app_identifier == "saleor.notify"
    assert registered.token_last_4 == app.tokens.get().token_last_4
    assert registered.saleor_api_url.endswith("/graphql/")


def test_installing_twice_is_refused(installed, django_capture_on_commit_callbacks):
    from saleor.app.models import App, AppInstallation

    _, _, staff_api_client = installed
    with django_capture_on_commit_callbacks(execute=True):
        staff_api_client.post_graphql(APP_INSTALL, {"url": MANIFEST_URL})
    assert App.objects.filter(identifier="saleor.notify").count() == 1
    failed = AppInstallation.objects.get()
    assert failed.status == "failed" and "already installed" in failed.message


def test_a_forged_registration_is_refused(notify):
    answer = Client().post(
        f"/plugins/global/{PLUGIN_ID}/app/register/",
        data=json.dumps({"auth_token": "x" * 30}),
        content_type="application/json",
    )
    assert answer.status_code == 403
    assert not DashboardApp.objects.exists()


def test_the_tokens_the_dashboard_hands_the_pages_are_accepted_with_the_users_permissions(installed):
    app, _, staff_api_client = installed
    app_id = __import__("graphene").Node.to_global_id("App", app.pk)
    data = staff_api_client.post_graphql(APP_TOKENS, {"id": app_id}).json()["data"]["app"]
    page_token = data["accessToken"]  # what the dashboard hands the app's page (AppBridge handshake)
    assert page_token

    events = _gql(page_token, "{ notificationEvents { type isEnabled } }")
    assert "errors" not in events, events
    assert len(events["data"]["notificationEvents"]) == 10
    deliveries = _gql(page_token, "{ notificationDeliveries(first: 1) { edges { node { id } } } }")
    assert "errors" not in deliveries, deliveries

    # Saleor keeps the menu entry's route relative (the dashboard joins it to appUrl).
    menu = next(e for e in data["extensions"] if e["mountName"] == "NAVIGATION_ORDERS")
    assert menu["targetName"] == "APP_PAGE" and menu["url"] == "/events"
    widget = next(e for e in data["extensions"] if e["mountName"] == "ORDER_DETAILS_WIDGETS")
    assert widget["targetName"] == "WIDGET" and widget["url"] == f"{BASE}/app/order"
    widget_answer = _gql(widget["accessToken"], "{ notificationDeliveries(first: 1) { edges { node { id } } } }")
    assert "errors" not in widget_answer, widget_answer
    # The widget's token carries the extension's permissions only (MANAGE_ORDERS).
    refused = _gql(widget["accessToken"], "{ notificationEvents { type } }")
    assert refused["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"


def test_a_staff_user_without_the_permission_gets_a_token_the_api_refuses(installed):
    from saleor.account.models import User
    from saleor.core.jwt import create_access_token_for_app

    app, _, _ = installed
    # Another staff member, without MANAGE_PLUGINS/MANAGE_ORDERS: the app token's permissions
    # are the intersection of the app's and the user's, so none.
    clerk = User.objects.create(email="clerk@example.com", is_staff=True, is_active=True)
    token = create_access_token_for_app(app, clerk)
    for query in ("{ notificationEvents { type } }", "{ notificationDeliveries(first: 1) { edges { node { id } } } }"):
        answer = _gql(token, query)
        assert answer["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED", answer
