"""The hooks' questions about the shop's past, answered from the plugin's own rows.

Has Saleor seen this address? Has this customer paid before? Does an earlier paid order of
theirs hold this product? Orders Saleor had before the plugin was activated are read by the
history import (a Celery task, eager here as in Saleor's tests); until it has finished the
hooks ask Saleor's tables as before. Every answer is the one Saleor's tables give, without
their scan.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from saleor_notify_plugin import switches
from saleor_notify_plugin.capture import history
from saleor_notify_plugin.events import EventType
from saleor_notify_plugin.models import HistoryImport, KnownOrder

from .fixtures import PLUGIN_ID, PLUGIN_PATH, configure, events

pytestmark = pytest.mark.django_db


@pytest.fixture
def installed(settings, db):
    """The plugin installed but not yet activated: Saleor's orders so far are its history."""
    settings.PLUGINS = [PLUGIN_PATH]

    def activate(active: bool = True):
        configure({"funnel_marker_key": "funnel", "digital_metadata_key": "digital"}, active=active)

    return activate


def _plugin():
    from saleor.plugins.manager import get_plugins_manager

    return get_plugins_manager(allow_replica=False).get_plugin(PLUGIN_ID)


def _run(hook) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        hook()
    return [q["sql"] for q in ctx.captured_queries]


def _scans_of_saleors_tables(queries: list[str]) -> list[str]:
    """Case-insensitive address lookups and charge-status filters on Saleor's tables (reads by primary
    key, such as the worker reloading a hook's order, are not scans)."""
    return [
        q for q in queries
        if "UPPER(" in q
        or ('"order_order"."charge_status"' in q
            and '"order_order"."id" IN' not in q and 'WHERE "order_order"."id" = ' not in q)
    ]


def _checkout(checkout, email: str):
    checkout.email = email
    checkout.save(update_fields=["email"])
    return checkout


def _copy_lines(source, target):
    for line in source.lines.all():
        line.pk = line.id = None
        line.order = target
        line.save()


def _mark_paid(*orders, status: str = "full"):
    from saleor.order.models import Order

    Order.objects.filter(pk__in=[o.pk for o in orders]).update(charge_status=status)
    for order in orders:
        order.refresh_from_db()


def test_activation_imports_saleors_orders_in_chunks_across_tasks(installed, order_with_lines, order_generator,
                                                                   monkeypatch):
    """Activation starts the import; one task per chunk here (budget 0), each handing on to the next,
    until every order is read: address lower-cased, account, paid flag and the paid order's products."""
    monkeypatch.setattr(history, "CHUNK", 2)
    monkeypatch.setattr(history, "RUN_BUDGET_S", 0.0)
    paid = order_with_lines
    _mark_paid(paid)
    guests = [order_generator(user=None, user_email=f"Guest{i}@Example.COM") for i in range(4)]

    installed()

    state = HistoryImport.objects.get()
    assert state.finished_at is not None and state.orders_read == 5
    rows = {row.order_id: row for row in KnownOrder.objects.all()}
    assert set(rows) == {str(o.pk) for o in (paid, *guests)}
    assert rows[str(paid.pk)].paid is True and rows[str(paid.pk)].user_id == str(paid.user_id)
    assert rows[str(paid.pk)].product_ids == sorted({line.variant.product_id for line in paid.lines.all()})
    assert rows[str(guests[0].pk)].email == "guest0@example.com"
    assert rows[str(guests[0].pk)].paid is False and rows[str(guests[0].pk)].product_ids == []


def test_a_contact_whose_orders_predate_activation_comes_back_as_a_reactivation(
    installed, order_generator, checkout_with_item
):
    """An address known only from orders placed before activation: a checkout with it (other case) and a
    new order with another such address are reactivations; a never-seen address is a new contact.
    None of the three asks Saleor's tables by address."""
    order_generator(user=None, user_email="Returning@Example.com")
    order_generator(user=None, user_email="earlier-buyer@example.com")
    installed()
    plugin = _plugin()

    queries = _run(lambda: plugin.checkout_updated(_checkout(checkout_with_item, "returning@EXAMPLE.com"),
                                                   previous_value=None))
    new_order = order_generator(user=None, user_email="Earlier-Buyer@example.com")
    queries += _run(lambda: plugin.order_created(new_order, previous_value=None))
    fresh = order_generator(user=None, user_email="first-time@example.com")
    queries += _run(lambda: plugin.order_created(fresh, previous_value=None))

    contacts = [(e.payload["contact"]["email"], e.payload["reactivation"]) for e in events(EventType.CONTACT_CREATED)]
    assert contacts == [
        ("returning@example.com", True), ("earlier-buyer@example.com", True), ("first-time@example.com", False),
    ]
    assert _scans_of_saleors_tables(queries) == []


def test_a_checkout_address_with_an_account_is_a_reactivation(installed, customer_user, checkout_with_item):
    """An address with a Saleor account but no order: a checkout with it is a reactivation (Saleor's unique
    index on the account's address answers, not a scan)."""
    installed()
    queries = _run(lambda: _plugin().checkout_updated(_checkout(checkout_with_item, customer_user.email.upper()),
                                                      previous_value=None))
    [contact] = events(EventType.CONTACT_CREATED)
    assert contact.payload["reactivation"] is True
    assert _scans_of_saleors_tables(queries) == []


def test_until_the_import_has_finished_the_hooks_ask_saleors_tables(installed, order_generator, checkout_with_item):
    """While the import runs, an address it has not read yet is still known (Saleor's table answers, as before);
    once it has finished the same kind of answer comes from the plugin's rows."""
    order_generator(user=None, user_email="early@example.com")
    order_generator(user=None, user_email="later@example.com")
    installed()
    KnownOrder.objects.all().delete()  # the import has not reached them yet
    HistoryImport.objects.update(finished_at=None, position=0, progressed_at=timezone.now())
    plugin = _plugin()

    during = _run(lambda: plugin.checkout_updated(_checkout(checkout_with_item, "early@example.com"),
                                                  previous_value=None))
    assert history.run_import(HistoryImport.objects.get().generation) == "done"
    after = _run(lambda: plugin.checkout_updated(_checkout(checkout_with_item, "later@example.com"),
                                                 previous_value=None))

    assert [(e.payload["contact"]["email"], e.payload["reactivation"]) for e in events(EventType.CONTACT_CREATED)] == [
        ("early@example.com", True), ("later@example.com", True),
    ]
    assert any('UPPER("order_order"."user_email"' in q for q in during)
    assert _scans_of_saleors_tables(after) == []


def test_a_buyer_who_paid_before_activation_is_no_new_customer_and_a_digital_rebuy_conflicts(
    installed, order_with_lines, order_generator
):
    """A first purchase made before activation: paying a second order (address in another case) records no
    Customer created, and Product conflicts names the earlier order for the digital product it holds.
    Saleor is asked only by primary key (is the earlier order still fully paid?)."""
    first = order_with_lines
    product = first.lines.first().variant.product
    product.metadata = {"digital": "true"}
    product.save(update_fields=["metadata"])
    _mark_paid(first)
    installed()
    second = order_generator(user=first.user, user_email=first.user_email.upper())
    _copy_lines(first, second)
    _mark_paid(second)

    queries = _run(lambda: _plugin().order_fully_paid(second, previous_value=None))

    assert events(EventType.CUSTOMER_CREATED) == []
    [conflict] = events(EventType.PRODUCT_CONFLICT)
    assert [p["product_id"] for p in conflict.payload["products"]] == [str(product.pk)]
    assert conflict.payload["products"][0]["previous_order_ids"] == [str(first.pk)]
    assert len(events(EventType.ORDER_COMPLETED)) == 1
    assert _scans_of_saleors_tables(queries) == []


def test_an_earlier_order_no_longer_fully_paid_does_not_count(installed, order_with_lines, order_generator):
    """The earlier order was paid, then refunded (its charge status is no longer full): the next paid order
    is the customer's first purchase and no conflict, as Saleor's tables say."""
    first = order_with_lines
    product = first.lines.first().variant.product
    product.metadata = {"digital": "true"}
    product.save(update_fields=["metadata"])
    _mark_paid(first)
    installed()
    _mark_paid(first, status="none")
    second = order_generator(user=first.user, user_email=first.user_email)
    _copy_lines(first, second)
    _mark_paid(second)

    _plugin().order_fully_paid(second, previous_value=None)

    [customer] = events(EventType.CUSTOMER_CREATED)
    assert customer.payload["first_order"]["id"] == str(second.pk)
    assert events(EventType.PRODUCT_CONFLICT) == []


def test_an_order_placed_while_contact_created_was_off_still_makes_its_address_known(
    installed, order_generator, checkout_with_item
):
    """Contact created switched off: the order hook records nothing but keeps the address; switched on, a
    checkout with that address is a reactivation (as Saleor's order table says)."""
    installed()
    plugin = _plugin()
    switches.set_event_enabled(EventType.CONTACT_CREATED, False)
    quiet = order_generator(user=None, user_email="quiet@example.com")
    plugin.order_created(quiet, previous_value=None)
    assert events(EventType.CONTACT_CREATED) == []

    switches.set_event_enabled(EventType.CONTACT_CREATED, True)
    plugin.checkout_updated(_checkout(checkout_with_item, "quiet@example.com"), previous_value=None)

    [contact] = events(EventType.CONTACT_CREATED)
    assert contact.payload["reactivation"] is True


def test_orders_of_an_inactive_spell_are_read_at_reactivation(installed, order_generator, checkout_with_item):
    """No hook runs while the plugin is inactive; activating it again reads Saleor's orders again, so an
    address first seen meanwhile is known."""
    installed()
    installed(active=False)
    meanwhile = order_generator(user=None, user_email="meanwhile@example.com")
    installed(active=True)

    assert KnownOrder.objects.filter(order_id=str(meanwhile.pk), email="meanwhile@example.com").exists()
    assert HistoryImport.objects.get().generation == 2
    _plugin().checkout_updated(_checkout(checkout_with_item, "meanwhile@example.com"), previous_value=None)
    [contact] = events(EventType.CONTACT_CREATED)
    assert contact.payload["reactivation"] is True


def test_a_plugin_active_before_the_import_existed_starts_it_from_the_first_hook(
    installed, order_generator, checkout_with_item
):
    """Upgraded while active (no import yet): the first hook that asks answers from Saleor's tables and starts
    the import; the next answers from the plugin's rows."""
    order_generator(user=None, user_email="old-guest@example.com")
    installed()
    HistoryImport.objects.all().delete()
    KnownOrder.objects.all().delete()
    plugin = _plugin()

    first = _run(lambda: plugin.checkout_updated(_checkout(checkout_with_item, "old-guest@example.com"),
                                                 previous_value=None))
    assert HistoryImport.objects.get().finished_at is not None  # started by that hook (eager here)
    assert KnownOrder.objects.filter(email="old-guest@example.com").exists()
    [contact] = events(EventType.CONTACT_CREATED)
    assert contact.payload["reactivation"] is True
    assert any("UPPER(" in q for q in first)
