"""The permission table: every operation against every kind of caller."""

import uuid

import pytest

from saleor_notify_plugin.graphql.ids import to_global_id
from saleor_notify_plugin.graphql.requestor import ANONYMOUS, Permission, Requestor, RequestorKind
from tests.graphql import operations as ops
from tests.graphql.conftest import REQUESTORS

pytestmark = pytest.mark.django_db

PLUGINS, ORDERS, USERS = Permission.MANAGE_PLUGINS, Permission.MANAGE_ORDERS, Permission.MANAGE_USERS
CHANNEL = to_global_id("NotificationChannel", 999999)
ATTACHMENT = to_global_id("NotificationEventChannel", 999999)
ORDER = to_global_id("Order", str(uuid.uuid4()))

#: name -> (document, variables, permission needed)
OPERATIONS = {
    "notificationEvents": (ops.EVENTS, {}, PLUGINS),
    "notificationChannels": (ops.CHANNELS, {}, PLUGINS),
    "notificationChannel": (ops.CHANNEL, {"id": CHANNEL}, PLUGINS),
    "notificationDeliveries": (ops.DELIVERIES, {}, ORDERS),
    "notificationDelivery": (ops.DELIVERY, {"id": to_global_id("NotificationDelivery", 999999)}, ORDERS),
    "notificationHealth": ("{ notificationHealth { healthy } }", {}, PLUGINS),
    "notificationSaleorChannels": (ops.SALEOR_CHANNELS, {}, PLUGINS),
    "notificationChannelCreate": (ops.CHANNEL_CREATE, {"input": {"name": "", "kind": "POSTBACK"}}, PLUGINS),
    "notificationChannelUpdate": (ops.CHANNEL_UPDATE, {"id": CHANNEL, "input": {}}, PLUGINS),
    "notificationChannelDelete": (ops.CHANNEL_DELETE, {"id": CHANNEL}, PLUGINS),
    "notificationChannelRotateSecret": (ops.CHANNEL_ROTATE, {"id": CHANNEL}, PLUGINS),
    "notificationChannelTest": (ops.CHANNEL_TEST, {"id": CHANNEL}, PLUGINS),
    "notificationChannelResume": (ops.CHANNEL_RESUME, {"id": CHANNEL}, PLUGINS),
    "notificationChannelRecover": (
        ops.CHANNEL_RECOVER, {"id": CHANNEL, "since": "2026-01-01T00:00:00+00:00", "dryRun": True}, ORDERS
    ),
    "notificationEventUpdate": (ops.EVENT_UPDATE, {"event": "ORDER_COMPLETED", "on": False}, PLUGINS),
    "notificationEventChannelAttach": (
        ops.ATTACH, {"event": "ORDER_COMPLETED", "channelId": CHANNEL, "sources": ["SHOP"]}, PLUGINS
    ),
    "notificationEventChannelUpdate": (ops.ATTACHMENT_UPDATE, {"id": ATTACHMENT, "sources": ["SHOP"]}, PLUGINS),
    "notificationEventChannelDetach": (ops.DETACH, {"id": ATTACHMENT}, PLUGINS),
    "notificationDeliveryRetry": (ops.DELIVERY_RETRY, {"id": to_global_id("NotificationDelivery", 999999)}, ORDERS),
    "notificationOrderRetry": (ops.ORDER_RETRY, {"orderId": ORDER}, ORDERS),
    "notificationSubscriptionCancel": (
        ops.SUBSCRIPTION_CANCEL, {"input": {"subscriptionId": "", "email": "a@example.com"}}, ORDERS
    ),
}

#: Who holds which permission, as the API must see it.
HOLDS = {
    "anonymous": set(),
    "customer_with_perms": set(),  # a customer never holds permissions (not staff)
    "staff_without_perm": set(),
    "staff_manage_plugins": {PLUGINS},
    "staff_manage_orders": {ORDERS},
    "staff_manage_orders_and_users": {ORDERS, USERS},
    "staff_plugins_and_orders": {PLUGINS, ORDERS},
    "inactive_staff_with_perms": set(),
    "app_manage_plugins": {PLUGINS},
    "app_manage_orders": {ORDERS},
    "app_manage_users": {USERS},
    "inactive_app_with_perms": set(),  # inactive apps have no permissions
}


def test_the_table_covers_every_operation_of_the_schema():
    from saleor_notify_plugin.graphql.schema import schema

    fields = set(schema.get_query_type().fields) | set(schema.get_mutation_type().fields)
    storefront = {"notificationFunnelCompleted", "notificationSurveyComplete"}
    assert fields == set(OPERATIONS) | storefront


@pytest.mark.parametrize("who", sorted(REQUESTORS))
@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_each_operation_is_refused_exactly_to_the_callers_without_its_permission(gql, name, who):
    document, variables, needed = OPERATIONS[name]
    response = gql(document, variables, REQUESTORS[who])
    assert response.status == 200
    data = (response.body["data"] or {}).get(name)
    if not document.startswith("mutation"):
        denied = response.top_codes == ["PERMISSION_DENIED"]
        assert data is None or not denied
    else:
        denied = [e["code"] for e in data["errors"]] == ["PERMISSION_DENIED"]
    assert denied is (needed not in HOLDS[who]), response.body
    if denied:
        message = response.body["errors"][0]["message"] if "errors" in response.body else data["errors"][0]["message"]
        assert needed.name in message


@pytest.mark.parametrize("who", sorted(REQUESTORS))
def test_storefront_mutations_need_proof_unless_the_caller_manages_orders(gql, shop, who):
    requestor = REQUESTORS[who]
    trusted = ORDERS in HOLDS[who]
    survey = gql(ops.SURVEY_COMPLETE, {"input": {"surveyId": "nps", "email": "a@example.com"}}, requestor)
    assert survey.codes("notificationSurveyComplete") == ([] if trusted else ["REQUIRED"])
    with_proof = gql(
        ops.SURVEY_COMPLETE,
        {"input": {"surveyId": "nps", "checkoutId": to_global_id("Checkout", shop.add_checkout("a@example.com"))}},
        requestor,
    )
    assert with_proof.codes("notificationSurveyComplete") == []
    unknown = gql(
        ops.SURVEY_COMPLETE,
        {"input": {"surveyId": "nps", "email": "a@example.com", "checkoutId": to_global_id("Checkout", uuid.uuid4())}},
        requestor,
    )
    assert unknown.codes("notificationSurveyComplete") == ([] if trusted else ["PERMISSION_DENIED"])

    token = shop.add_checkout("a@example.com")
    order = to_global_id("Order", shop.place_order(token, funnel=True))

    def funnel(**variables):
        return gql(ops.FUNNEL_COMPLETED, variables, requestor).codes("notificationFunnelCompleted")

    assert funnel(orderId=order) == ([] if trusted else ["REQUIRED"])
    assert funnel(orderId=order, token=str(uuid.uuid4())) == ([] if trusted else ["PERMISSION_DENIED"])
    assert funnel(orderId=ORDER, token=token) == (["NOT_FOUND"] if trusted else ["PERMISSION_DENIED"])
    assert funnel(orderId=order, token=token) == []


def test_only_active_staff_and_active_apps_hold_their_permissions():
    both = frozenset({PLUGINS.value, ORDERS.value})
    assert not ANONYMOUS.has_perm(PLUGINS)
    assert not Requestor(RequestorKind.ANONYMOUS, permissions=both).has_perm(PLUGINS)
    assert not Requestor(RequestorKind.USER, is_staff=False, permissions=both).has_perm(PLUGINS)
    assert not Requestor(RequestorKind.USER, is_staff=True, is_active=False, permissions=both).has_perm(PLUGINS)
    assert not Requestor(RequestorKind.APP, is_active=False, permissions=both).has_perm(ORDERS)
    assert Requestor(RequestorKind.USER, is_staff=True, permissions=both).has_perm(ORDERS)
    assert Requestor(RequestorKind.APP, permissions=frozenset({ORDERS.value})).has_perm("order.manage_orders")
    assert not Requestor(RequestorKind.APP, permissions=frozenset({ORDERS.value})).has_perm(PLUGINS)
