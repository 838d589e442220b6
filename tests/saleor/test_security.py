"""Security inside Saleor: the survey proof against Saleor's own checkouts and orders, and the
private-targets setting that the plugin page shows but cannot change."""

from __future__ import annotations

import uuid

import graphene
import pytest

from saleor_notify_plugin.events import EventType
from saleor_notify_plugin.saleor_shop import SaleorShop

from .fixtures import events
from .fixtures_api import call, notify_client

pytestmark = pytest.mark.django_db

SURVEY = """
mutation($email: String, $checkout: ID, $order: ID, $survey: String!) {
  notificationSurveyComplete(input: {surveyId: $survey, email: $email, checkoutId: $checkout, orderId: $order}) {
    recorded errors { field code message } } }
"""


def test_saleors_checkouts_and_orders_are_the_proof(notify, checkout, order):
    """A checkout is found by its token with its customer's address; once placed, its order keeps the token."""
    references = SaleorShop()
    found = references.checkout(str(checkout.token))
    assert (found.checkout_token, found.order_id, found.email) == (str(checkout.token), None, checkout.email)
    assert references.checkout(str(uuid.uuid4())) is None
    assert references.checkout("not-a-uuid") is None

    token = str(checkout.token)
    order.checkout_token = token
    order.save(update_fields=["checkout_token"])
    checkout.delete()  # Saleor deletes a checkout when it completes
    placed = references.checkout(token)
    assert (placed.order_id, placed.email) == (str(order.pk), order.get_customer_email())
    assert references.order(str(order.pk)).checkout_token == token
    assert references.order(str(uuid.uuid4())) is None


def test_an_anonymous_survey_is_its_checkouts_customers(notify, checkout, order):
    """Over Saleor's plugin URL: the checkout's address, never one the caller names; one event per purchase."""
    client = notify_client()
    checkout_id = graphene.Node.to_global_id("Checkout", checkout.token)
    forged = call(client, SURVEY, {"email": "victim@example.com", "checkout": checkout_id, "survey": "nps"})
    assert forged.error_codes("notificationSurveyComplete") == ["PERMISSION_DENIED"]
    first = call(client, SURVEY, {"checkout": checkout_id, "survey": "nps"})
    assert first.data("notificationSurveyComplete") == {"recorded": True, "errors": []}, first.text
    again = call(client, SURVEY, {"email": checkout.email, "checkout": checkout_id, "survey": "nps"})
    assert again.data("notificationSurveyComplete")["recorded"] is False
    (event,) = events(EventType.SURVEY_COMPLETED)
    assert event.payload["email"] == checkout.email

    # The order of another purchase is no proof for this checkout.
    order_id = graphene.Node.to_global_id("Order", order.pk)
    mixed = call(client, SURVEY, {"checkout": checkout_id, "order": order_id, "survey": "csat"})
    assert mixed.error_codes("notificationSurveyComplete") == ["PERMISSION_DENIED"]


def test_the_plugin_page_cannot_allow_private_targets(notify, settings, staff_api_client, permission_manage_plugins):
    """pluginUpdate with allow_private_targets=true changes nothing; the page shows the deployment's value."""
    from saleor_notify_plugin.conf import forget_shop_settings, get_settings

    settings.SALEOR_NOTIFY = {}
    forget_shop_settings()
    staff_api_client.user.user_permissions.add(permission_manage_plugins)
    content = staff_api_client.post_graphql(
        """mutation{ pluginUpdate(id:"saleor.notify", input:{active:true, configuration:[
             {name:"allow_private_targets", value:"true"}]}){ errors{field message} } }"""
    ).json()
    assert content["data"]["pluginUpdate"]["errors"] == []
    forget_shop_settings()
    assert get_settings().allow_private_targets is False
    query = '{ plugin(id:"saleor.notify"){ globalConfiguration{ configuration{ name value type } } } }'
    config = staff_api_client.post_graphql(query).json()["data"]["plugin"]["globalConfiguration"]["configuration"]
    shown = {c["name"]: c for c in config}["allow_private_targets"]
    assert shown["type"] == "OUTPUT" and shown["value"] == "refused"

    notify_api = notify_client(user=staff_api_client.user)
    created = call(notify_api, """mutation { notificationChannelCreate(input: {name: "x", kind: POSTBACK,
        url: "http://169.254.169.254/latest/meta-data/"}) { errors { code } } }""")
    assert created.error_codes("notificationChannelCreate") == ["PRIVATE_TARGET"]
