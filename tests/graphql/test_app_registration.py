"""The dashboard app's token registration asks the installed shop whose token it was sent."""

import json

import pytest
from django.test import RequestFactory

from saleor_notify_plugin.dashboard.views import route
from saleor_notify_plugin.models import DashboardApp
from saleor_notify_plugin.shop import VerifiedApp
from tests.support.fake_shop import no_shop

pytestmark = pytest.mark.django_db

PATH = "/app/register/"


def register(token: str):
    request = RequestFactory().post(
        f"/plugins/global/saleor.notify{PATH}", data=json.dumps({"auth_token": token}),
        content_type="application/json", HTTP_SALEOR_API_URL="https://shop.example.com/graphql/",
    )
    response = route(request, PATH)
    return response.status_code, json.loads(response.content)


def test_the_shops_app_token_registers_the_app(shop):
    shop.app_tokens["genuine-token-wxyz"] = VerifiedApp(pk=12, identifier="saleor.notify")
    assert register("genuine-token-wxyz") == (200, {"success": True})
    app = DashboardApp.objects.get()
    assert (app.saleor_app_id, app.token_last_4, app.saleor_api_url) == (12, "wxyz", "https://shop.example.com/graphql/")


def test_a_token_the_shop_does_not_know_is_refused(shop):
    status, body = register("forged-token-wxyz")
    assert (status, body["error"]["code"]) == (403, "FORBIDDEN")
    assert not DashboardApp.objects.exists()


def test_without_a_shop_the_registration_is_unavailable():
    with no_shop():
        status, body = register("genuine-token-wxyz")
    assert (status, body["error"]["code"]) == (503, "UNAVAILABLE")
    assert not DashboardApp.objects.exists()
