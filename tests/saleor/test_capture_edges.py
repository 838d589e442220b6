"""What the capture layer meets in a live shop: back-dated and late-committing payment records,
hooks that never ran, an inactive plugin, switches turned on later.

The poller and the reconciliation run as beat runs them: the ``saleor_notify.capture`` task,
through Saleor's task class.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import graphene
import pytest
from django.db import connections, transaction
from django.utils import timezone

from saleor_notify_plugin.capture.tasks import capture
from saleor_notify_plugin.events import EventType
from saleor_notify_plugin.models import RecordedEvent
from saleor_notify_plugin.pipeline import fan_out, recording, upkeep

from .fixtures import PLUGIN_PATH, configure, events
from .test_events import FULFILL, report

pytestmark = pytest.mark.django_db

DECLINE = "charge_failure"


def _transaction_event(item, *, psp: str, created_at):
    from saleor.payment.models import TransactionEvent

    return TransactionEvent.objects.create(
        transaction=item, type=DECLINE, amount_value=Decimal("9.00"), currency="USD",
        psp_reference=psp, message="declined", created_at=created_at,
    )


@pytest.mark.django_db(transaction=True)
def test_a_back_dated_record_committing_after_a_later_one_is_not_lost(
    settings, order_with_lines, transaction_item_generator
):
    """A decline reported with the PSP's own (older) time, whose transaction commits after a newer
    record has been read, is still recorded: the cursor does not trust created_at."""
    settings.PLUGINS = [PLUGIN_PATH]
    configure()
    item = transaction_item_generator(order_id=order_with_lines.pk)
    day_ago = timezone.now() - timedelta(days=1)
    inserted, release, done = threading.Event(), threading.Event(), threading.Event()

    def slow_payment_app() -> None:
        try:
            with transaction.atomic():
                _transaction_event(item, psp="PSP-late", created_at=day_ago)  # takes the lower id
                inserted.set()
                release.wait(30)
        finally:
            connections.close_all()
            done.set()

    threading.Thread(target=slow_payment_app).start()
    assert inserted.wait(10)
    _transaction_event(item, psp="PSP-early", created_at=day_ago)  # a higher id, committed first
    capture.apply()
    capture.apply()
    assert [e.payload["transaction"]["psp_reference"] for e in events(EventType.TRANSACTION_DECLINED)] == [
        "PSP-early"
    ]

    release.set()
    assert done.wait(10)
    capture.apply()
    capture.apply()

    declined = sorted(e.payload["transaction"]["psp_reference"] for e in events(EventType.TRANSACTION_DECLINED))
    print(f"\ndeclines recorded: {declined} (the first committed a day 'late' by its created_at)")
    assert declined == ["PSP-early", "PSP-late"]


def test_switching_an_event_on_does_not_notify_what_happened_while_it_was_off(
    notify, staff_api_client, permission_manage_payments, order_with_lines, transaction_item_generator
):
    """Every event off, a paid order read by the poller; switched on: that payment is never notified,
    the next one is."""
    configure(all_on=False)
    order = order_with_lines
    item = transaction_item_generator(order_id=order.pk)
    report(staff_api_client, permission_manage_payments, item, "CHARGE_SUCCESS", "1.00", "PSP-off")
    capture.apply()
    configure(all_on=True)
    capture.apply()
    assert events() == []

    report(staff_api_client, permission_manage_payments, item, "CHARGE_SUCCESS", "1.00", "PSP-on")
    capture.apply()
    assert [e.payload["transaction"]["psp_reference"] for e in events(EventType.TRANSACTION_APPROVED)] == ["PSP-on"]


def test_an_inactive_plugin_is_silent_and_resumes_without_replaying(
    notify, client, staff_api_client, permission_manage_payments, order_with_lines, transaction_item_generator
):
    """Deactivated: payments are not recorded by the poller, deliveries are held, the legacy route
    answers 404. Reactivated: what happened meanwhile stays silent, held work goes on."""
    order = order_with_lines
    item = transaction_item_generator(order_id=order.pk)
    with transaction.atomic():
        held = recording.record_event(
            EventType.TRANSACTION_APPROVED, "SHOP", subject_type="transaction", subject_id="held",
            payload={"n": 1}, idempotency_key="test:held-before-deactivation",
        )
    configure(active=False)

    report(staff_api_client, permission_manage_payments, item, "CHARGE_FAILURE", "2.00", "PSP-inactive")
    capture.apply()
    assert events(EventType.TRANSACTION_DECLINED) == []
    assert fan_out.fan_out_many([held]) == [] and RecordedEvent.objects.get(pk=held).fanned_out_at is None
    assert upkeep.sweep() == {"events": 0, "deliveries": 0}
    for route in ("/plugins/saleor.notify/graphql/", "/plugins/global/saleor.notify/graphql/"):
        assert client.post(route, {"query": "{ notificationEvents { type } }"},
                           content_type="application/json").status_code == 404, route

    configure(active=True)
    capture.apply()
    assert events(EventType.TRANSACTION_DECLINED) == []  # happened while inactive
    fan_out.fan_out_many([held])
    assert RecordedEvent.objects.get(pk=held).fanned_out_at is not None  # held, not dropped
    report(staff_api_client, permission_manage_payments, item, "CHARGE_FAILURE", "3.00", "PSP-active")
    capture.apply()
    assert [e.payload["transaction"]["psp_reference"] for e in events(EventType.TRANSACTION_DECLINED)] == [
        "PSP-active"
    ]


@pytest.fixture
def hooks_lost(notify):
    """Saleor commits, but the plugin's hooks never run (the process died right after the commit)."""
    notify.PLUGINS = []
    yield notify
    notify.PLUGINS = [PLUGIN_PATH]


def test_the_reconciliation_records_what_lost_hooks_missed_once(
    hooks_lost, staff_api_client, permission_group_manage_orders, permission_manage_users, draft_order, warehouse
):
    """A staff order completed and paid, fulfilled with tracking, and a customer created by staff,
    all while no hook ran: the reconciliation records Order completed (ADMIN), Customer created,
    Shipping tracking info updated and Contact created, with the hooks' keys; a second run adds nothing."""
    hooks_lost.SALEOR_NOTIFY = {**hooks_lost.SALEOR_NOTIFY, "RECONCILE_DELAY_S": 0}
    permission_group_manage_orders.user_set.add(staff_api_client.user)
    staff_api_client.user.user_permissions.add(permission_manage_users)
    order_id = graphene.Node.to_global_id("Order", draft_order.pk)
    for mutation in ("draftOrderComplete", "orderMarkAsPaid"):
        content = staff_api_client.post_graphql(
            f"mutation($id: ID!){{ {mutation}(id:$id){{ errors{{field message}} }} }}", {"id": order_id}
        ).json()
        assert not content["data"][mutation]["errors"], content
    lines = [
        {"orderLineId": graphene.Node.to_global_id("OrderLine", line.pk),
         "stocks": [{"quantity": line.quantity, "warehouse": graphene.Node.to_global_id("Warehouse", warehouse.pk)}]}
        for line in draft_order.lines.all()
    ]
    content = staff_api_client.post_graphql(
        FULFILL, {"order": order_id, "input": {"lines": lines, "trackingNumber": "1Z-LOST", "notifyCustomer": False}}
    ).json()
    assert not content["data"]["orderFulfill"]["errors"], content
    content = staff_api_client.post_graphql(
        'mutation{ customerCreate(input:{email:"lost-hook@example.com"}){ errors{field message} } }'
    ).json()
    assert not content["data"]["customerCreate"]["errors"], content
    assert events() == []  # no hook ran

    hooks_lost.PLUGINS = [PLUGIN_PATH]
    capture.apply()
    capture.apply()

    recorded = {e.event: e for e in events()}
    print(f"\nreconciled: {sorted(recorded)}")
    assert recorded[EventType.ORDER_COMPLETED.value].idempotency_key == f"order_completed:{draft_order.pk}"
    assert recorded[EventType.ORDER_COMPLETED.value].source == "ADMIN"
    assert recorded[EventType.SHIPPING_TRACKING_UPDATED.value].payload["tracking_number"] == "1Z-LOST"
    assert recorded[EventType.CONTACT_CREATED.value].payload["contact"]["email"] == "lost-hook@example.com"
    assert EventType.CUSTOMER_CREATED.value in recorded
    assert len(events()) == len(recorded)  # one each, a second run added nothing


def test_the_reconciliation_adds_nothing_where_the_hooks_ran(
    notify, staff_api_client, permission_group_manage_orders, draft_order
):
    """Hooks recorded the order; the reconciliation, reading the same Saleor rows, finds nothing missing."""
    notify.SALEOR_NOTIFY = {**notify.SALEOR_NOTIFY, "RECONCILE_DELAY_S": 0}
    permission_group_manage_orders.user_set.add(staff_api_client.user)
    order_id = graphene.Node.to_global_id("Order", draft_order.pk)
    for mutation in ("draftOrderComplete", "orderMarkAsPaid"):
        staff_api_client.post_graphql(f"mutation($id: ID!){{ {mutation}(id:$id){{ errors{{message}} }} }}",
                                      {"id": order_id})
    before = sorted(e.idempotency_key for e in events())
    assert f"order_completed:{draft_order.pk}" in before
    capture.apply()
    assert sorted(e.idempotency_key for e in events()) == before
