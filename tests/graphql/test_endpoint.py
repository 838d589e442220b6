"""GraphQL over HTTP: what any client sends, including mistakes, gets a JSON answer, never a 500."""

import json

import pytest
from django.test import RequestFactory

from saleor_notify_plugin.graphql.endpoint import MAX_BODY_BYTES, handle
from saleor_notify_plugin.graphql.requestor import InvalidToken
from tests.graphql.conftest import ADMIN, ENDPOINT, post
from tests.support.fake_shop import no_shop

pytestmark = pytest.mark.django_db

EVENTS = "{ notificationEvents { type isEnabled } }"


def test_post_json_with_variables_and_operation_name():
    body = {
        "query": "query A { notificationEvents { type } } query B($first: Int) "
        "{ notificationChannels(first: $first) { edges { cursor } } }",
        "variables": {"first": 1},
        "operationName": "B",
    }
    response = post(body)
    assert response.status == 200 and response.body == {"data": {"notificationChannels": {"edges": []}}}


def test_variables_may_be_a_json_string():
    response = post({"query": "query($first: Int) { notificationChannels(first: $first) { edges { cursor } } }",
                     "variables": json.dumps({"first": 2})})
    assert response.status == 200 and "errors" not in response.body


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        (b"{not json", 400),
        (b"[]", 400),
        (json.dumps({"query": ""}).encode(), 400),
        (json.dumps({"query": EVENTS, "variables": [1]}).encode(), 400),
        (json.dumps({"query": EVENTS, "operationName": 5}).encode(), 400),
        (json.dumps({"query": "{ notificationEvents { type "}).encode(), 400),
        (json.dumps({"query": "{ nothingHere }"}).encode(), 400),
        (json.dumps({"query": EVENTS, "variables": "{bad"}).encode(), 400),
        (b"\xff\xfe", 400),
    ],
)
def test_malformed_requests_get_a_json_error(raw, status):
    response = post(None, raw=raw)
    assert response.status == status and response.body["errors"][0]["message"]


def test_a_body_over_the_limit_is_refused():
    raw = json.dumps({"query": EVENTS, "variables": {"x": "y" * MAX_BODY_BYTES}}).encode()
    response = post(None, raw=raw)
    assert response.status == 413 and response.body["errors"][0]["extensions"]["code"] == "TOO_LARGE"


def test_get_explains_how_to_call_the_api():
    response = handle(RequestFactory().get(ENDPOINT), authenticate=lambda request: ADMIN)
    assert response.status_code == 405 and response["Allow"] == "OPTIONS, POST"
    assert "POST" in json.loads(response.content)["errors"][0]["message"]


def test_handle_authenticates_then_executes():
    request = RequestFactory().post(ENDPOINT, data={"query": EVENTS}, content_type="application/json")
    response = handle(request, authenticate=lambda request: ADMIN)
    assert response.status_code == 200 and len(json.loads(response.content)["data"]["notificationEvents"]) == 10


def test_an_invalid_token_is_a_401():
    def refuse(request):
        raise InvalidToken("Signature has expired")

    request = RequestFactory().post(ENDPOINT, data={"query": EVENTS}, content_type="application/json")
    response = handle(request, authenticate=refuse)
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Bearer"
    assert json.loads(response.content)["errors"][0]["extensions"]["code"] == "INVALID_TOKEN"


def test_the_installed_shop_says_who_is_calling(shop):
    """Without ``authenticate``, the shop's answer: a token it gave out, a token it refuses, no token."""
    shop.tokens["staff-token"] = ADMIN

    def call(**headers):
        request = RequestFactory().post(ENDPOINT, data={"query": EVENTS}, content_type="application/json", **headers)
        return handle(request)

    assert call(HTTP_AUTHORIZATION="Bearer staff-token").status_code == 200
    refused = call(HTTP_AUTHORIZATION="Bearer forged-token")
    assert refused.status_code == 401
    assert json.loads(refused.content)["errors"][0]["extensions"]["code"] == "INVALID_TOKEN"
    anonymous = json.loads(call().content)
    assert anonymous["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"


def test_without_a_shop_the_endpoint_says_authentication_is_unavailable():
    request = RequestFactory().post(ENDPOINT, data={"query": EVENTS}, content_type="application/json",
                                    HTTP_AUTHORIZATION="Bearer x")
    with no_shop():
        response = handle(request)
    assert response.status_code == 503
    assert json.loads(response.content)["errors"][0]["extensions"]["code"] == "UNAVAILABLE"
