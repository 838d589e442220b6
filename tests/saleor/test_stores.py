"""Inside Saleor: events name the store (Saleor channel) they happened in, the shop lists its stores,
and an attachment is limited only to stores Saleor has."""

from __future__ import annotations

import pytest

from saleor_notify_plugin import channels, shop
from saleor_notify_plugin.capture.tasks import capture
from saleor_notify_plugin.errors import NotifyError, NotifyErrorCode
from saleor_notify_plugin.events import EventType

from .fixtures import events
from .test_events import assert_valid, report

pytestmark = pytest.mark.django_db


def test_a_paid_order_s_events_name_the_order_s_store(
    notify, staff_api_client, permission_manage_payments, order_with_lines, transaction_item_generator
):
    """Order completed, Approved transaction and Customer created: the order's channel, slug and name."""
    order = order_with_lines
    item = transaction_item_generator(order_id=order.pk)
    report(staff_api_client, permission_manage_payments, item, "CHARGE_SUCCESS", order.total.gross.amount)
    capture.apply()

    store = {"slug": order.channel.slug, "name": order.channel.name}
    for event in (EventType.ORDER_COMPLETED, EventType.TRANSACTION_APPROVED, EventType.CUSTOMER_CREATED):
        [row] = events(event)
        assert row.saleor_channel == order.channel.slug, event
        assert row.payload["saleor_channel"] == store, event
        assert_valid(row)


def test_the_shop_lists_saleor_s_channels_by_slug(notify, channel_USD, channel_PLN):
    listed = shop.installed().saleor_channels()
    assert {(c.slug, c.name) for c in listed} >= {
        (channel_USD.slug, channel_USD.name), (channel_PLN.slug, channel_PLN.name)
    }
    assert [c.slug for c in listed] == sorted(c.slug for c in listed)


def test_an_attachment_is_limited_only_to_a_store_saleor_has(notify, channel_USD):
    ops = channels.create_channel(name="Ops", kind="EMAIL", emails=["ops@example.com"])
    with pytest.raises(NotifyError) as refused:
        channels.attach_channel(EventType.ORDER_COMPLETED, ops.pk, ["SHOP"], saleor_channels=["no-such-store"])
    assert (refused.value.code, refused.value.field) == (NotifyErrorCode.INVALID, "saleorChannels")
    attached = channels.attach_channel(EventType.ORDER_COMPLETED, ops.pk, ["SHOP"], saleor_channels=[channel_USD.slug])
    assert attached.saleor_channels == [channel_USD.slug]
