"""Saleor's real checkout and legacy payment mutations, and the plugin's storefront and
subscription mutations through its endpoint: the events they record, with their sources."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import graphene
import pytest
from django.utils import timezone

from saleor_notify_plugin import payloads
from saleor_notify_plugin.capture.tasks import capture
from saleor_notify_plugin.events import EventType

from .fixtures import PLUGIN_PATH, events
from .fixtures_api import call, notify_client

pytestmark = pytest.mark.django_db

BUYER = "new-buyer@example.com"

CHECKOUT_CREATE = """
mutation($input: CheckoutCreateInput!) {
  checkoutCreate(input: $input) { checkout { id token } errors { field code message } } }
"""
DELIVERY_METHOD = """
mutation($id: ID!, $method: ID!) {
  checkoutDeliveryMethodUpdate(id: $id, deliveryMethodId: $method) {
    checkout { totalPrice { gross { amount currency } } } errors { field code message } } }
"""
TRANSACTION_CREATE = """
mutation($id: ID!, $amount: PositiveDecimal!, $currency: String!) {
  transactionCreate(id: $id, transaction: {name: "Card", pspReference: "PSP-CHECKOUT-1",
                                           amountCharged: {amount: $amount, currency: $currency}}) {
    transaction { id chargedAmount { amount } } errors { field code message } } }
"""
CHECKOUT_COMPLETE = """
mutation($id: ID!) {
  checkoutComplete(id: $id) { order { id number status chargeStatus } errors { field code message } } }
"""
FUNNEL_COMPLETED = """
mutation($order: ID!, $token: String) {
  notificationFunnelCompleted(orderId: $order, token: $token) { fired errors { field code message } } }
"""


def assert_valid(row):
    payloads.validate(row.event, row.payload)


def _ok(response, field: str) -> dict:
    content = response.json()
    assert not content.get("errors"), content
    data = content["data"][field]
    assert data["errors"] == [], content
    return data


@pytest.fixture
def buy(
    notify,
    api_client,
    app_api_client,
    permission_manage_payments,
    stock,
    shipping_method,
    graphql_address_data,
    channel_USD,
):
    """A shopper's checkout, paid in full through the transactions API and completed."""
    app_api_client.app.permissions.add(permission_manage_payments)  # HANDLE_PAYMENTS

    def run(email: str = BUYER, metadata: dict | None = None):
        from saleor.order.models import Order

        address = {k: v for k, v in graphql_address_data.items() if k != "metadata"}
        checkout_input = {
            "channel": channel_USD.slug,
            "email": email,
            "lines": [
                {"quantity": 2, "variantId": graphene.Node.to_global_id("ProductVariant", stock.product_variant_id)}
            ],
            "shippingAddress": address,
            "billingAddress": address,
        }
        if metadata:
            checkout_input["metadata"] = [{"key": k, "value": v} for k, v in metadata.items()]
        checkout = _ok(api_client.post_graphql(CHECKOUT_CREATE, {"input": checkout_input}), "checkoutCreate")[
            "checkout"
        ]
        method = graphene.Node.to_global_id("ShippingMethod", shipping_method.pk)
        total = _ok(
            api_client.post_graphql(DELIVERY_METHOD, {"id": checkout["id"], "method": method}),
            "checkoutDeliveryMethodUpdate",
        )["checkout"]["totalPrice"]["gross"]
        assert Decimal(str(total["amount"])) > 0
        paid = _ok(
            app_api_client.post_graphql(
                TRANSACTION_CREATE, {"id": checkout["id"], "amount": total["amount"], "currency": total["currency"]}
            ),
            "transactionCreate",
        )
        assert paid["transaction"]["chargedAmount"]["amount"] == total["amount"]
        order = _ok(api_client.post_graphql(CHECKOUT_COMPLETE, {"id": checkout["id"]}), "checkoutComplete")["order"]
        assert order["chargeStatus"] == "FULL", order
        _, pk = graphene.Node.from_global_id(order["id"])
        return Order.objects.get(pk=pk), order["id"], checkout["token"]

    return run


def test_checkout_paid_with_a_transaction_and_completed_is_a_shop_order(buy):
    """checkoutCreate → delivery method → transactionCreate (full charge, by an app) →
    checkoutComplete: Order completed (SHOP) once, Approved transaction once after the
    poller, Contact created for the new address, Customer created for the first purchase."""
    order, _, checkout_token = buy()
    assert str(order.checkout_token) == checkout_token

    [contact] = events(EventType.CONTACT_CREATED)
    assert contact.source == "SHOP" and contact.payload["contact"]["email"] == BUYER
    assert contact.payload["reactivation"] is False
    [completed] = events(EventType.ORDER_COMPLETED)  # order_paid and order_fully_paid both fired
    assert completed.source == "SHOP" and completed.payload["trigger"] == "payment"
    assert completed.payload["order"]["id"] == str(order.pk)
    assert completed.payload["order"]["checkout_token"] == checkout_token
    assert events(EventType.TRANSACTION_APPROVED) == []  # the CHARGE_SUCCESS row waits for the poller
    capture.apply()
    capture.apply()
    [approved] = events(EventType.TRANSACTION_APPROVED)
    assert approved.source == "SHOP" and approved.order_id == str(order.pk)
    assert Decimal(approved.payload["transaction"]["amount"]["amount"]) == order.total_gross_amount
    assert approved.payload["transaction"]["api"] == "transactions"
    [customer] = events(EventType.CUSTOMER_CREATED)
    assert customer.payload["contact"]["email"] == BUYER
    assert events(EventType.TRANSACTION_DECLINED) == [] and events(EventType.PRODUCT_CONFLICT) == []
    for row in (contact, completed, approved, customer):
        assert_valid(row)


def test_funnel_checkout_is_completed_by_the_thank_you_page_only(buy):
    """The same checkout carrying the funnel marker: FUNNEL everywhere, no Order completed at
    payment; notificationFunnelCompleted (anonymous, the checkout token as proof) records it once."""
    order, order_id, checkout_token = buy(metadata={"funnel": "summer-sale"})
    assert order.metadata.get("funnel") == "summer-sale"  # Saleor copied the checkout metadata
    capture.apply()
    assert events(EventType.ORDER_COMPLETED) == []
    [contact] = events(EventType.CONTACT_CREATED)
    [approved] = events(EventType.TRANSACTION_APPROVED)
    assert contact.source == "FUNNEL" and approved.source == "FUNNEL"

    storefront = notify_client()
    wrong = call(storefront, FUNNEL_COMPLETED, {"order": order_id, "token": "6f1c3a52-1d0e-4a53-9a54-1f6f2b0e7c11"})
    assert wrong.error_codes("notificationFunnelCompleted") == ["PERMISSION_DENIED"]
    missing = call(storefront, FUNNEL_COMPLETED, {"order": order_id})
    assert missing.error_codes("notificationFunnelCompleted") == ["REQUIRED"]
    assert events(EventType.ORDER_COMPLETED) == []

    first = call(storefront, FUNNEL_COMPLETED, {"order": order_id, "token": checkout_token})
    assert first.data("notificationFunnelCompleted") == {"fired": True, "errors": []}, first.text
    again = call(storefront, FUNNEL_COMPLETED, {"order": order_id, "token": checkout_token})
    assert again.data("notificationFunnelCompleted") == {"fired": False, "errors": []}
    [completed] = events(EventType.ORDER_COMPLETED)
    assert completed.source == "FUNNEL" and completed.payload["trigger"] == "thank_you"
    assert completed.payload["order"]["funnel_reference"] == "summer-sale"

    # The fallback timer armed at the payment finds the order completed: nothing more.
    from saleor_notify_plugin.capture import config, funnel

    assert funnel.fire_due_timers(config.load(), now=timezone.now() + timedelta(minutes=31)) == 0
    assert len(events(EventType.ORDER_COMPLETED)) == 1
    for row in (contact, approved, completed):
        assert_valid(row)


def test_funnel_checkout_without_thank_you_is_completed_by_the_timer(buy, staff_user, permission_manage_orders):
    """No thank-you signal: the timer armed at payment completes the order (FUNNEL) once it is
    due, not before; a late signal (staff, MANAGE_ORDERS, no token) then records nothing."""
    from saleor_notify_plugin.capture import config, funnel

    order, order_id, _ = buy(metadata={"funnel": "summer-sale"})
    assert funnel.fire_due_timers(config.load(), now=timezone.now() + timedelta(minutes=29)) == 0
    assert events(EventType.ORDER_COMPLETED) == []
    assert funnel.fire_due_timers(config.load(), now=timezone.now() + timedelta(minutes=31)) == 1
    [completed] = events(EventType.ORDER_COMPLETED)
    assert completed.source == "FUNNEL" and completed.payload["trigger"] == "fallback_timer"
    assert completed.payload["order"]["id"] == str(order.pk)
    assert_valid(completed)

    staff_user.user_permissions.add(permission_manage_orders)
    late = call(notify_client(user=staff_user), FUNNEL_COMPLETED, {"order": order_id})
    assert late.data("notificationFunnelCompleted") == {"fired": False, "errors": []}, late.text
    assert len(events(EventType.ORDER_COMPLETED)) == 1


# --- legacy payments (the Payment API, Saleor's dummy gateway from its own tests) ------------

DUMMY_GATEWAY = "saleor.plugins.tests.gateways.dummy.DummyGatewayPlugin"
ORDER_CAPTURE = """
mutation($id: ID!, $amount: PositiveDecimal!) {
  orderCapture(id: $id, amount: $amount) { order { paymentStatus } errors { field code message } } }
"""
ORDER_REFUND = """
mutation($id: ID!, $amount: PositiveDecimal!) {
  orderRefund(id: $id, amount: $amount) { order { paymentStatus } errors { field code message } } }
"""


@pytest.fixture
def with_dummy_gateway(notify):
    """Saleor's test gateway next to the plugin (the notify fixture set PLUGINS to ours alone)."""
    notify.PLUGINS = [DUMMY_GATEWAY, PLUGIN_PATH]
    return notify


def test_order_capture_declined_by_the_gateway_is_transaction_declined(
    with_dummy_gateway, staff_api_client, permission_group_manage_orders, payment_txn_preauth, monkeypatch
):
    """orderCapture that the dummy gateway declines (a card token it rejects; then any
    operation failing, as Saleor's own tests do): no hook fires; the poller records one
    Transaction declined per failed capture row, with the gateway's message."""
    from saleor.plugins.tests.gateways import dummy

    permission_group_manage_orders.user_set.add(staff_api_client.user)
    payment = payment_txn_preauth
    payment.transactions.filter(kind="auth").update(token=dummy.TOKEN_DECLINE)
    order = payment.order
    variables = {"id": graphene.Node.to_global_id("Order", order.pk), "amount": str(payment.total)}

    first = staff_api_client.post_graphql(ORDER_CAPTURE, variables).json()
    assert first["data"]["orderCapture"]["errors"], first  # Saleor reports the decline
    monkeypatch.setattr(dummy, "dummy_success", lambda: False)
    payment.transactions.filter(kind="auth").update(token="")
    second = staff_api_client.post_graphql(ORDER_CAPTURE, variables).json()
    assert second["data"]["orderCapture"]["errors"], second
    assert events(EventType.TRANSACTION_DECLINED) == []  # nothing in the request: no hook

    capture.apply()
    capture.apply()
    declined = events(EventType.TRANSACTION_DECLINED)
    assert sorted(d.payload["transaction"]["message"] for d in declined) == [
        "Card declined",
        "Unable to process capture",
    ]
    for row in declined:
        assert row.source == "SHOP" and row.order_id == str(order.pk)
        assert row.payload["transaction"]["api"] == "payments"
        assert row.payload["transaction"]["gateway"] == "mirumee.payments.dummy"
        assert_valid(row)
    assert events(EventType.TRANSACTION_APPROVED) == [] and events(EventType.ORDER_COMPLETED) == []


def test_order_refund_is_refund_applied_with_its_amount(
    with_dummy_gateway, staff_api_client, permission_group_manage_orders, payment_txn_captured
):
    """orderRefund (partial, then the rest): one Refund applied per refund row, each with its
    amount, from the poller (Saleor's order_refunded hook carries no amount)."""
    permission_group_manage_orders.user_set.add(staff_api_client.user)
    payment = payment_txn_captured
    order = payment.order
    order_id = graphene.Node.to_global_id("Order", order.pk)
    rest = payment.total - Decimal("3.00")
    for amount in (Decimal("3.00"), rest):
        content = staff_api_client.post_graphql(ORDER_REFUND, {"id": order_id, "amount": str(amount)}).json()
        assert content["data"]["orderRefund"]["errors"] == [], content
    assert events(EventType.REFUND_APPLIED) == []
    capture.apply()

    refunds = events(EventType.REFUND_APPLIED)
    assert sorted(Decimal(r.payload["amount"]["amount"]) for r in refunds) == sorted([Decimal("3.00"), rest])
    for row in refunds:
        assert row.source == "SHOP" and row.order_id == str(order.pk)
        assert row.payload["refund"]["kind"] == "refund"
        assert row.payload["amount"]["currency"] == order.currency
        assert_valid(row)


# --- the subscription system, through the plugin's endpoint ----------------------------------

SUBSCRIPTION_CANCEL = """
mutation($input: NotificationSubscriptionCancelInput!) {
  notificationSubscriptionCancel(input: $input) { recorded errors { field code message } } }
"""


def test_subscription_cancel_by_an_app_is_recorded_once(notify, app, permission_manage_orders, order_with_lines):
    """An app with MANAGE_ORDERS reports a cancellation: Subscription canceled once per id,
    with the caller's source and Saleor's order; an app without the permission is refused."""
    input_ = {
        "subscriptionId": "sub_123",
        "email": "ann@example.com",
        "orderId": graphene.Node.to_global_id("Order", order_with_lines.pk),
        "reason": "too expensive",
        "source": "FUNNEL",
    }
    client = notify_client(app=app)
    refused = call(client, SUBSCRIPTION_CANCEL, {"input": input_})
    assert refused.error_codes("notificationSubscriptionCancel") == ["PERMISSION_DENIED"]
    assert events(EventType.SUBSCRIPTION_CANCELED) == []

    app.permissions.add(permission_manage_orders)
    first = call(client, SUBSCRIPTION_CANCEL, {"input": input_})
    assert first.data("notificationSubscriptionCancel") == {"recorded": True, "errors": []}, first.text
    again = call(client, SUBSCRIPTION_CANCEL, {"input": {**input_, "reason": "asked twice"}})
    assert again.data("notificationSubscriptionCancel") == {"recorded": False, "errors": []}
    [canceled] = events(EventType.SUBSCRIPTION_CANCELED)
    assert canceled.source == "FUNNEL" and canceled.order_id == str(order_with_lines.pk)
    assert canceled.payload["subscription_id"] == "sub_123" and canceled.payload["reason"] == "too expensive"
    assert_valid(canceled)
