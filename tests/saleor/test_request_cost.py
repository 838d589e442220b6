"""What the plugin adds to Saleor's request: queries per hook, and no broken responses."""

from __future__ import annotations

import graphene
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from saleor_notify_plugin.events import EventType

from .fixtures import PLUGIN_ID, events

pytestmark = pytest.mark.django_db


def _plugin():
    from saleor.plugins.manager import get_plugins_manager

    manager = get_plugins_manager(allow_replica=False)
    return manager.get_plugin(PLUGIN_ID)


def _queries(call) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        call()
    return [q["sql"] for q in ctx.captured_queries]


def test_queries_added_per_hook(notify, order_with_lines, fulfillment, customer_user, checkout_with_item, capsys):
    """Each hook's capture SQL, counted (printed with -s; bounds asserted). Saleor's eager Celery runs the
    capture in the hook; with a broker the request runs none of it (``test_deferred_capture``)."""
    from saleor.order import OrderChargeStatus

    order = order_with_lines
    plugin = _plugin()
    fulfillment.tracking_number = "TRK-1"
    fulfillment.save(update_fields=["tracking_number"])
    checkout_with_item.email = "someone@example.com"
    order.charge_status = OrderChargeStatus.FULL
    counts = {
        "order_created": _queries(lambda: plugin.order_created(order, previous_value=None)),
        "order_fully_paid": _queries(lambda: plugin.order_fully_paid(order, previous_value=None)),
        "order_paid (same order again)": _queries(lambda: plugin.order_paid(order, previous_value=None)),
        "tracking_number_updated": _queries(lambda: plugin.tracking_number_updated(fulfillment, previous_value=None)),
        "fulfillment_created (same number)": _queries(
            lambda: plugin.fulfillment_created(fulfillment, notify_customer=True, previous_value=None)
        ),
        "customer_created": _queries(lambda: plugin.customer_created(customer_user, previous_value=None)),
        "checkout_updated": _queries(lambda: plugin.checkout_updated(checkout_with_item, previous_value=None)),
        "order_cancelled (no subscription products)": _queries(
            lambda: plugin.order_cancelled(order, previous_value=None)
        ),
    }
    with capsys.disabled():
        print("\nqueries added per hook call:")
        for name, queries in counts.items():
            print(f"  {name}: {len(queries)}")
            for sql in queries:
                print(f"      {sql[:150]}")
    assert all(len(q) <= 12 for q in counts.values()), {k: len(v) for k, v in counts.items()}
    assert len(events(EventType.ORDER_COMPLETED)) == 1
    assert len(events(EventType.SHIPPING_TRACKING_UPDATED)) == 1
    assert [e.payload["contact"]["email"] for e in events(EventType.CONTACT_CREATED)][-1] == "someone@example.com"


def test_a_failing_hook_leaves_saleors_response_intact(
    notify, staff_api_client, permission_group_manage_orders, draft_order, monkeypatch, caplog
):
    """The capture code raising inside a hook is logged; Saleor's mutation succeeds."""

    def broken(*args, **kwargs):
        raise RuntimeError("capture bug")

    monkeypatch.setattr("saleor_notify_plugin.capture.payments.on_order_payment", broken)
    monkeypatch.setattr("saleor_notify_plugin.capture.contact_created.on_order_created", broken)
    permission_group_manage_orders.user_set.add(staff_api_client.user)
    order_id = graphene.Node.to_global_id("Order", draft_order.pk)
    content = staff_api_client.post_graphql(
        "mutation($id: ID!){ draftOrderComplete(id:$id){ errors{field message} order{status} } }", {"id": order_id}
    ).json()
    assert content["data"]["draftOrderComplete"]["errors"] == []
    assert content["data"]["draftOrderComplete"]["order"]["status"] == "UNCONFIRMED" or content["data"][
        "draftOrderComplete"
    ]["order"]["status"] == "UNFULFILLED"
    paid = staff_api_client.post_graphql(
        "mutation($id: ID!){ orderMarkAsPaid(id:$id){ errors{field message} order{chargeStatus} } }", {"id": order_id}
    ).json()
    assert paid["data"]["orderMarkAsPaid"]["errors"] == []
    assert paid["data"]["orderMarkAsPaid"]["order"]["chargeStatus"] == "FULL"
    assert "capture bug" in caplog.text
    assert events(EventType.ORDER_COMPLETED) == []


def test_dashboard_configuration_shows_and_writes_the_switch_rows(
    notify, staff_api_client, permission_manage_plugins
):
    """pluginUpdate writes the EventSwitch rows; the plugin query reads them back."""
    from saleor_notify_plugin import switches
    from saleor_notify_plugin.models import EventSwitch

    staff_api_client.user.user_permissions.add(permission_manage_plugins)
    content = staff_api_client.post_graphql(
        """mutation{ pluginUpdate(id:"saleor.notify", input:{active:true, configuration:[
             {name:"event_refund_applied", value:"false"}]}){ errors{field message} } }"""
    ).json()
    assert content["data"]["pluginUpdate"]["errors"] == []
    assert EventSwitch.objects.get(event="REFUND_APPLIED").is_enabled is False
    switches.set_event_enabled(EventType.SURVEY_COMPLETED, False)  # as the plugin API would
    query = '{ plugin(id:"saleor.notify"){ globalConfiguration{ configuration{ name value } } } }'
    config = staff_api_client.post_graphql(query).json()["data"]["plugin"]["globalConfiguration"]["configuration"]
    values = {c["name"]: c["value"] for c in config}
    assert values["event_refund_applied"] == "false" and values["event_survey_completed"] == "false"
    assert values["event_order_completed"] == "true"
    assert values["funnel_fallback_minutes"] == "30"
