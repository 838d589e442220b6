"""Saleor's real mutations produce the ten events, with their sources and valid payloads."""

from __future__ import annotations

import uuid
from decimal import Decimal

import graphene
import pytest

from saleor_notify_plugin import payloads
from saleor_notify_plugin.capture.tasks import capture
from saleor_notify_plugin.events import EventType

from .fixtures import events

pytestmark = pytest.mark.django_db

REPORT = """
mutation Report($id: ID, $type: TransactionEventTypeEnum!, $amount: PositiveDecimal!, $psp: String!,
                $message: String) {
  transactionEventReport(id: $id, type: $type, amount: $amount, pspReference: $psp, message: $message,
                         availableActions: []) {
    errors { field code message }
  }
}
"""

FUNNEL_COMPLETED = """
mutation($order: ID!, $token: String) {
  notificationFunnelCompleted(orderId: $order, token: $token) { fired errors { field code message } } }
"""


def assert_valid(event_row):
    """The recorded data validates against the event's published schema."""
    payloads.validate(event_row.event, event_row.payload)


def report(client, permission, item, type_, amount, psp="PSP-1", message="ok"):
    client.user.user_permissions.add(permission)
    response = client.post_graphql(
        REPORT,
        {
            "id": graphene.Node.to_global_id("TransactionItem", item.token),
            "type": type_,
            "amount": amount,
            "psp": psp,
            "message": message,
        },
    )
    content = response.json()
    assert not content["data"]["transactionEventReport"]["errors"], content
    return content


def test_charge_success_completes_a_shop_order_and_is_an_approved_transaction(
    notify, staff_api_client, permission_manage_payments, order_with_lines, transaction_item_generator
):
    """CHARGE_SUCCESS for the full amount: Order completed (SHOP, once) and, from the poller,
    one Approved transaction; the first purchase also makes the contact a customer."""
    order = order_with_lines
    item = transaction_item_generator(order_id=order.pk)
    report(staff_api_client, permission_manage_payments, item, "CHARGE_SUCCESS", order.total.gross.amount)
    capture.apply()  # the real task, through Saleor's writer-policing task class
    capture.apply()  # a second poll records nothing again

    [completed] = events(EventType.ORDER_COMPLETED)
    assert completed.source == "SHOP" and completed.payload["trigger"] == "payment"
    assert completed.payload["order"]["id"] == str(order.pk)
    [approved] = events(EventType.TRANSACTION_APPROVED)
    assert approved.source == "SHOP"
    assert approved.payload["transaction"]["amount"]["currency"] == "USD"
    [customer] = events(EventType.CUSTOMER_CREATED)
    assert customer.payload["contact"]["email"] == order.user_email.lower()
    for row in (completed, approved, customer):
        assert_valid(row)


def test_charge_failure_is_a_declined_transaction_each_time(
    notify, staff_api_client, permission_manage_payments, order_with_lines, transaction_item_generator
):
    """Two declined charges (no Saleor hook fires) are two Transaction declined events."""
    item = transaction_item_generator(order_id=order_with_lines.pk)
    report(staff_api_client, permission_manage_payments, item, "CHARGE_FAILURE", "10.00", "PSP-a", "insufficient")
    report(staff_api_client, permission_manage_payments, item, "CHARGE_FAILURE", "5.00", "PSP-b", "do not honor")
    assert events(EventType.TRANSACTION_DECLINED) == []  # nothing in the request: no hook
    capture.apply()  # the real task, through Saleor's writer-policing task class

    declined = events(EventType.TRANSACTION_DECLINED)
    assert sorted(e.payload["transaction"]["message"] for e in declined) == ["do not honor", "insufficient"]
    assert not events(EventType.ORDER_COMPLETED)
    for row in declined:
        assert row.source == "SHOP"
        assert_valid(row)


def test_refunds_and_voids_are_refund_applied_with_their_amounts(
    notify, staff_api_client, permission_manage_payments, order_with_lines, transaction_item_generator
):
    """Partial refund, full refund and a void: one Refund applied each, with its amount."""
    order = order_with_lines
    item = transaction_item_generator(order_id=order.pk, charged_value=order.total.gross.amount)
    report(staff_api_client, permission_manage_payments, item, "REFUND_SUCCESS", "3.00", "R-1")
    report(staff_api_client, permission_manage_payments, item, "REFUND_SUCCESS", "7.00", "R-2")
    other = transaction_item_generator(order_id=order.pk, authorized_value=Decimal("20.00"), psp_reference="A-1")
    report(staff_api_client, permission_manage_payments, other, "CANCEL_SUCCESS", "20.00", "V-1")
    capture.apply()  # the real task, through Saleor's writer-policing task class

    refunds = events(EventType.REFUND_APPLIED)
    assert sorted((e.payload["refund"]["kind"], Decimal(e.payload["amount"]["amount"])) for e in refunds) == [
        ("refund", Decimal(3)), ("refund", Decimal(7)), ("void", Decimal(20)),
    ]
    for row in refunds:
        assert_valid(row)


def test_bulk_created_legacy_transactions_are_read_by_the_poller(notify, payment_dummy):
    """Legacy rows made by bulk_create (no post_save, no hook): decline, capture, refund."""
    from saleor.payment.models import Transaction

    payment = payment_dummy
    common = {"payment": payment, "currency": payment.currency, "gateway_response": {}}
    Transaction.objects.bulk_create(
        [
            Transaction(kind="capture", is_success=False, amount=10, error="Card declined", **common),
            Transaction(kind="capture", is_success=True, amount=10, token="ch_1", **common),
            Transaction(kind="refund", is_success=True, amount=4, token="re_1", **common),
        ]
    )
    capture.apply()  # the real task, through Saleor's writer-policing task class
    [declined] = events(EventType.TRANSACTION_DECLINED)
    [approved] = events(EventType.TRANSACTION_APPROVED)
    [refund] = events(EventType.REFUND_APPLIED)
    assert declined.payload["transaction"]["api"] == "payments"
    assert declined.payload["transaction"]["message"] == "Card declined"
    assert refund.payload["amount"]["amount"] == "4.000"
    for row in (declined, approved, refund):
        assert_valid(row)


def test_a_burst_of_records_larger_than_one_batch_is_read_in_one_poll(notify, payment_dummy):
    """A busy shop: 600 captures at once (more than one read batch), all recorded by one poll."""
    from saleor.payment.models import Transaction

    from saleor_notify_plugin.capture.transactions import BATCH

    payment = payment_dummy
    count = BATCH + 100
    Transaction.objects.bulk_create(
        Transaction(kind="capture", is_success=True, amount=1, token=f"ch_{i}", payment=payment,
                    currency=payment.currency, gateway_response={})
        for i in range(count)
    )
    capture.apply()
    assert len(events(EventType.TRANSACTION_APPROVED)) == count


def test_draft_order_completed_by_staff_and_marked_paid_is_admin(
    notify, staff_api_client, permission_group_manage_orders, draft_order
):
    """draftOrderComplete + orderMarkAsPaid: Order completed with source ADMIN."""
    permission_group_manage_orders.user_set.add(staff_api_client.user)
    order_id = graphene.Node.to_global_id("Order", draft_order.pk)
    complete = staff_api_client.post_graphql(
        "mutation($id: ID!){ draftOrderComplete(id:$id){ errors{field message} order{status} } }", {"id": order_id}
    ).json()
    assert not complete["data"]["draftOrderComplete"]["errors"], complete
    paid = staff_api_client.post_graphql(
        "mutation($id: ID!){ orderMarkAsPaid(id:$id){ errors{field message} order{chargeStatus} } }", {"id": order_id}
    ).json()
    assert not paid["data"]["orderMarkAsPaid"]["errors"], paid
    [completed] = events(EventType.ORDER_COMPLETED)
    assert completed.source == "ADMIN"
    assert_valid(completed)


def test_funnel_order_is_completed_by_the_fallback_timer_once(
    notify, staff_api_client, permission_manage_payments, order_with_lines, transaction_item_generator
):
    """A funnel order is not completed at payment; the timer completes it (FUNNEL), once."""
    from datetime import timedelta

    from django.utils import timezone

    from saleor_notify_plugin.capture import config, funnel

    order = order_with_lines
    order.metadata = {"funnel": "summer-sale"}
    order.save(update_fields=["metadata"])
    item = transaction_item_generator(order_id=order.pk)
    report(staff_api_client, permission_manage_payments, item, "CHARGE_SUCCESS", order.total.gross.amount)
    assert events(EventType.ORDER_COMPLETED) == []
    assert funnel.fire_due_timers(config.load(), now=timezone.now() + timedelta(minutes=31)) == 1
    assert funnel.complete_funnel_order(str(order.pk)) is False  # the thank-you page after the timer
    [completed] = events(EventType.ORDER_COMPLETED)
    assert completed.source == "FUNNEL" and completed.payload["trigger"] == "fallback_timer"
    assert completed.payload["order"]["funnel_reference"] == "summer-sale"
    assert_valid(completed)


def test_thank_you_signal_completes_a_funnel_order_and_checks_the_token(notify, order_with_lines):
    """The thank-you API: a wrong token is refused; the right one records once (FUNNEL)."""
    from .fixtures_api import call, notify_client

    storefront = notify_client()

    def thank_you(order_id, token):
        answer = call(storefront, FUNNEL_COMPLETED, {"order": graphene.Node.to_global_id("Order", order_id),
                                                     "token": token})
        return answer.data("notificationFunnelCompleted")

    order = order_with_lines
    order.checkout_token = "4b7d6f84-0000-4000-8000-000000000001"
    order.save(update_fields=["checkout_token"])
    # Not a funnel order (no marker): the signal does not complete it.
    assert thank_you(order.pk, order.checkout_token) == {"fired": False, "errors": []}
    assert events(EventType.ORDER_COMPLETED) == []

    order.metadata = {"funnel": "summer-sale"}
    order.save(update_fields=["metadata"])
    for order_id, token in [(order.pk, str(uuid.uuid4())), (uuid.uuid4(), order.checkout_token)]:
        refused = thank_you(order_id, token)  # a wrong token and an unknown order look alike
        assert [e["code"] for e in refused["errors"]] == ["PERMISSION_DENIED"]
    assert thank_you(order.pk, order.checkout_token) == {"fired": True, "errors": []}
    assert thank_you(order.pk, order.checkout_token) == {"fired": False, "errors": []}
    [completed] = events(EventType.ORDER_COMPLETED)
    assert completed.source == "FUNNEL" and completed.payload["trigger"] == "thank_you"
    assert_valid(completed)


FULFILL = """
mutation($order: ID!, $input: OrderFulfillInput!){
  orderFulfill(order:$order, input:$input){ errors{field code message} fulfillments{ id } }
}
"""
UPDATE_TRACKING = """
mutation($id: ID!, $number: String!){
  orderFulfillmentUpdateTracking(id:$id, input:{trackingNumber:$number}){ errors{field message} }
}
"""


def test_fulfillment_with_tracking_then_a_tracking_update_are_two_events(
    notify, staff_api_client, permission_group_manage_orders, order_with_lines, warehouse
):
    """orderFulfill with a number (two Saleor hooks) is one event; a changed number another."""
    permission_group_manage_orders.user_set.add(staff_api_client.user)
    order = order_with_lines
    lines = [
        {"orderLineId": graphene.Node.to_global_id("OrderLine", line.pk),
         "stocks": [{"quantity": line.quantity, "warehouse": graphene.Node.to_global_id("Warehouse", warehouse.pk)}]}
        for line in order.lines.all()
    ]
    content = staff_api_client.post_graphql(
        FULFILL,
        {"order": graphene.Node.to_global_id("Order", order.pk),
         "input": {"lines": lines, "trackingNumber": "1Z999", "notifyCustomer": False}},
    ).json()
    assert not content["data"]["orderFulfill"]["errors"], content
    fulfillment_id = content["data"]["orderFulfill"]["fulfillments"][0]["id"]
    assert [e.payload["tracking_number"] for e in events(EventType.SHIPPING_TRACKING_UPDATED)] == ["1Z999"]
    content = staff_api_client.post_graphql(UPDATE_TRACKING, {"id": fulfillment_id, "number": "1Z1000"}).json()
    assert not content["data"]["orderFulfillmentUpdateTracking"]["errors"], content

    tracking = events(EventType.SHIPPING_TRACKING_UPDATED)
    assert [e.payload["tracking_number"] for e in tracking] == ["1Z999", "1Z1000"]
    for row in tracking:
        assert row.source == "SHOP"
        assert_valid(row)


def test_customer_created_by_staff_is_an_admin_contact(notify, staff_api_client, permission_manage_users):
    """customerCreate by staff: Contact created, ADMIN, not a reactivation."""
    staff_api_client.user.user_permissions.add(permission_manage_users)
    content = staff_api_client.post_graphql(
        'mutation{ customerCreate(input:{email:"lead@example.com", firstName:"Ada"}){ errors{field message} } }',
    ).json()
    assert not content["data"]["customerCreate"]["errors"], content
    [contact] = events(EventType.CONTACT_CREATED)
    assert contact.source == "ADMIN" and contact.payload["reactivation"] is False
    assert contact.payload["contact"]["email"] == "lead@example.com"
    assert_valid(contact)


def test_account_register_is_a_shop_contact_and_a_known_guest_is_a_reactivation(
    notify, api_client, channel_USD, order_with_lines
):
    """accountRegister (customer_created from Saleor's Celery task): SHOP; an address seen
    before (a guest's order) is reported as a reactivation."""
    from saleor_notify_plugin.capture import contacts
    from saleor_notify_plugin.events import Source

    contacts.touch("guest@example.com", Source.SHOP, user_id=None, context="order:earlier")
    for email in ("new@example.com", "guest@example.com"):
        content = api_client.post_graphql(
            """mutation($email: String!, $channel: String!){ accountRegister(input:{email:$email,
               password:"Secret-pass-1", redirectUrl:"https://www.example.com/confirm", channel:$channel}){
               errors{field message} } }""",
            {"email": email, "channel": channel_USD.slug},
        ).json()
        assert not content["data"]["accountRegister"]["errors"], content
    contacts_rows = events(EventType.CONTACT_CREATED)
    assert [(c.payload["contact"]["email"], c.source, c.payload["reactivation"]) for c in contacts_rows] == [
        ("new@example.com", "SHOP", False), ("guest@example.com", "SHOP", True),
    ]
    for row in contacts_rows:
        assert_valid(row)


def test_order_cancel_cancels_the_subscriptions_it_holds(
    notify, staff_api_client, permission_group_manage_orders, order_with_lines
):
    """orderCancel of an order holding a subscription product: Subscription canceled per line."""
    permission_group_manage_orders.user_set.add(staff_api_client.user)
    order = order_with_lines
    line = order.lines.first()
    product = line.variant.product
    product.metadata = {"subscription": "monthly"}
    product.save(update_fields=["metadata"])
    content = staff_api_client.post_graphql(
        "mutation($id: ID!){ orderCancel(id:$id){ errors{field message} } }",
        {"id": graphene.Node.to_global_id("Order", order.pk)},
    ).json()
    assert not content["data"]["orderCancel"]["errors"], content
    [canceled] = events(EventType.SUBSCRIPTION_CANCELED)
    assert canceled.payload["subscription_id"] == f"{order.pk}:{line.pk}"
    assert canceled.payload["reason"] == "order_canceled"
    assert_valid(canceled)


def test_second_purchase_of_a_digital_product_is_a_product_conflict(
    notify, staff_api_client, permission_manage_payments, order_with_lines, order_generator,
    transaction_item_generator,
):
    """The same customer buys a digital product again: Product conflicts, once."""
    first = order_with_lines
    line = first.lines.first()
    line.variant.product.metadata = {"digital": "true"}
    line.variant.product.save(update_fields=["metadata"])
    for order in (first,):
        item = transaction_item_generator(order_id=order.pk)
        report(staff_api_client, permission_manage_payments, item, "CHARGE_SUCCESS", order.total.gross.amount)
    # the second order: same customer, same lines
    second = order_generator(user=first.user, user_email=first.user_email)
    for old in first.lines.all():
        old.pk = None
        old.id = None
        old.order = second
        old.save()
    second.total_gross_amount = first.total_gross_amount
    second.total_net_amount = first.total_net_amount
    second.save(update_fields=["total_gross_amount", "total_net_amount"])
    item = transaction_item_generator(order_id=second.pk, psp_reference="second")
    report(staff_api_client, permission_manage_payments, item, "CHARGE_SUCCESS", second.total.gross.amount)

    [conflict] = events(EventType.PRODUCT_CONFLICT)
    assert conflict.payload["order"]["id"] == str(second.pk)
    assert conflict.payload["products"][0]["previous_order_ids"] == [str(first.pk)]
    assert len(events(EventType.CUSTOMER_CREATED)) == 1  # the first purchase only
    assert_valid(conflict)
