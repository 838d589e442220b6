"""The hooks hand their events to a worker through the real broker: Saleor's request runs none of
the plugin's queries, and the worker records what the hook saw, as at the hook's moment."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from saleor_notify_plugin.capture import deferred
from saleor_notify_plugin.capture.tasks import capture_hooks
from saleor_notify_plugin.events import EventType
from saleor_notify_plugin.pipeline import broker
from saleor_notify_plugin.switches import set_event_enabled
from tests.support import internals

from .bench_order_mutation import real_broker  # noqa: F401 - the fixture
from .fixtures import PLUGIN_ID, PLUGIN_PATH, configure, events

pytestmark = pytest.mark.django_db


def _plugin():
    from saleor.plugins.manager import get_plugins_manager

    return get_plugins_manager(allow_replica=False).get_plugin(PLUGIN_ID)


def _messages(queue: str) -> list[tuple[str, list]]:
    """The capture messages that reached the broker's queue: (task name, its items), taken off the
    queue (activation's history import is sent there too: left out)."""
    from celery import current_app as app

    found = []
    with app.connection_for_read() as conn:
        simple = conn.SimpleQueue(queue, no_ack=True)
        try:
            while True:
                try:
                    message = simple.get(timeout=1)
                except simple.Empty:
                    break
                args, _kwargs, _embed = message.decode()
                if message.headers["task"] != "saleor_notify.import_history":
                    found.append((message.headers["task"], args[0]))
        finally:
            simple.close()
    return found


@pytest.fixture
def queued(settings, real_broker):  # noqa: F811
    """The plugin active, every event on; its tasks go to a queue of the real broker that nobody reads."""
    settings.SALEOR_NOTIFY = {"QUEUE": real_broker}
    internals.close_broker_breaker()  # an earlier test's broker may have failed
    settings.PLUGINS = [PLUGIN_PATH]
    configure({"funnel_marker_key": "funnel", "digital_metadata_key": "digital"})
    return real_broker


def test_the_request_runs_none_of_the_plugins_queries(
    queued, django_capture_on_commit_callbacks, order_with_lines, fulfillment, customer_user, checkout_with_item
):
    from saleor.order import OrderChargeStatus, OrderStatus

    order = order_with_lines
    order.charge_status = OrderChargeStatus.FULL
    order.save(update_fields=["charge_status"])
    fulfillment.tracking_number = "TRK-9"
    fulfillment.save(update_fields=["tracking_number"])
    checkout_with_item.email = "new-lead@example.com"
    checkout_with_item.save(update_fields=["email"])
    checkout_channel = checkout_with_item.channel  # loaded, as Saleor's checkout mutations have it
    checkout_with_item.billing_address  # noqa: B018 - likewise
    plugin = _plugin()

    with CaptureQueriesContext(connection) as ctx, django_capture_on_commit_callbacks(execute=True):
        plugin.order_created(order, previous_value=None)
        plugin.order_fully_paid(order, previous_value=None)
        plugin.tracking_number_updated(fulfillment, previous_value=None)
        plugin.customer_created(customer_user, previous_value=None)
        plugin.checkout_updated(checkout_with_item, previous_value=None)
    ours = [q["sql"] for q in ctx.captured_queries if "saleor_notify_" in q["sql"]]
    assert ours == []
    assert events() == []  # nothing recorded in the request
    assert broker.publisher.flush()

    # The order moves on before the worker runs: the event still reports what the hook saw.
    order.status = OrderStatus.CANCELED
    order.save(update_fields=["status"])
    checkout_with_item.delete()  # as completing it does

    messages = _messages(queued)
    assert {name for name, _ in messages} == {deferred.CAPTURE_HOOKS_TASK}
    items = [item for _, batch in messages for item in batch]
    assert [i["hook"] for i in items] == ["order_created", "order_payment", "tracking", "customer_created", "checkout"]
    for _, batch in messages:
        capture_hooks.apply(args=[batch])

    (completed,) = events(EventType.ORDER_COMPLETED)
    assert completed.payload["order"]["status"] != OrderStatus.CANCELED
    (tracking,) = events(EventType.SHIPPING_TRACKING_UPDATED)
    assert tracking.payload["tracking_number"] == "TRK-9"
    contacts = {e.payload["contact"]["email"]: e for e in events(EventType.CONTACT_CREATED)}
    assert "new-lead@example.com" in contacts
    assert contacts["new-lead@example.com"].saleor_channel == checkout_channel.slug
    assert customer_user.email in contacts

    # Delivered twice (a redelivered message), still one event each.
    for _, batch in messages:
        capture_hooks.apply(args=[batch])
    assert len(events(EventType.ORDER_COMPLETED)) == 1 and len(events(EventType.SHIPPING_TRACKING_UPDATED)) == 1


def test_the_worker_records_as_at_the_hooks_moment(
    queued, django_capture_on_commit_callbacks, order_with_lines, fulfillment
):
    """A switch turned off after the hook ran, before the worker: the event is recorded; one that
    was off at the hook's moment and is on when the worker runs: it is not."""
    fulfillment.tracking_number = "TRK-ON"
    fulfillment.save(update_fields=["tracking_number"])
    set_event_enabled(EventType.SUBSCRIPTION_CANCELED, False)
    plugin = _plugin()
    with django_capture_on_commit_callbacks(execute=True):
        plugin.tracking_number_updated(fulfillment, previous_value=None)
        plugin.order_cancelled(order_with_lines, previous_value=None)
    assert broker.publisher.flush()
    set_event_enabled(EventType.SHIPPING_TRACKING_UPDATED, False)
    set_event_enabled(EventType.SUBSCRIPTION_CANCELED, True)

    for _, batch in _messages(queued):
        capture_hooks.apply(args=[batch])

    assert [e.payload["tracking_number"] for e in events(EventType.SHIPPING_TRACKING_UPDATED)] == ["TRK-ON"]
    assert events(EventType.SUBSCRIPTION_CANCELED) == []


def test_an_item_that_cannot_be_captured_does_not_stop_the_others(queued, fulfillment, caplog):
    fulfillment.tracking_number = "TRK-OK"
    fulfillment.save(update_fields=["tracking_number"])
    good = {"hook": "tracking", "at": timezone.now().isoformat(), "fulfillment": fulfillment.pk,
            "tracking_number": "TRK-OK"}
    forged = [
        {"hook": "no-such-hook", "at": good["at"]},
        {"hook": "order_payment", "at": "not a moment", "order": str(uuid.uuid4())},
        {"hook": "tracking", "at": good["at"], "fulfillment": "x'; DROP TABLE order_order; --"},
        {"hook": "order_created", "at": good["at"], "order": str(uuid.uuid4()), "status": "unfulfilled"},
    ]
    assert deferred.run_items([*forged, good]) == 2  # the unknown order is nothing to capture
    assert "could not capture" in caplog.text
    assert [e.payload["tracking_number"] for e in events(EventType.SHIPPING_TRACKING_UPDATED)] == ["TRK-OK"]

