"""Attachments limited to stores: a real worker delivers each event to the attachments of its store
(and to those of every store), never to another store's, and a store-less event to the unlimited ones only."""

import json
import uuid

import pytest
from django.db import transaction

from saleor_notify_plugin import channels, payloads, switches
from saleor_notify_plugin.events import EventType, Source
from saleor_notify_plugin.models import Delivery, RecordedEvent
from saleor_notify_plugin.payloads import SaleorChannel
from saleor_notify_plugin.pipeline import recording
from tests.builders import attach, postback_channel
from tests.support.fake_shop import SHOP
from tests.support.waiting import wait_for

pytestmark = pytest.mark.django_db(transaction=True)

GERMANY = SaleorChannel(slug="de", name="Germany")
WHOLESALE = SaleorChannel(slug="wholesale", name="Wholesale")


@pytest.fixture
def stores():
    """The shop's two stores (attachments may be limited to stores the shop knows)."""
    for store in (GERMANY, WHOLESALE):
        SHOP.add_saleor_channel(store.slug, store.name)
    yield
    SHOP.clear()


def record(number: str, store: SaleorChannel | None, event: EventType = EventType.ORDER_COMPLETED) -> None:
    """One event in its own transaction, as a hook in the shop's request records it."""
    with transaction.atomic():
        recording.record_event(
            event, Source.SHOP, subject_type="order", subject_id=number, order_id="",
            payload={"number": number}, idempotency_key=f"test:{event.value}:{number}", saleor_channel=store,
        )


def received(receiver, path: str) -> dict[str, dict]:
    """What a receiver got: each delivery's data by its order number."""
    datas = [json.loads(r.body)["data"] for r in receiver.received(path)]
    return {data["number"]: data for data in datas}


def test_each_store_s_events_reach_its_attachments_and_the_unlimited_ones_only(live, worker_idle, receiver, stores):
    paths = {name: f"/hook/{name}-{uuid.uuid4().hex[:8]}" for name in ("every", "germany", "both")}
    every = postback_channel(receiver.url(paths["every"]), name="Every store")
    germany = postback_channel(receiver.url(paths["germany"]), name="Germany only")
    both = postback_channel(receiver.url(paths["both"]), name="Germany and wholesale")
    attach(EventType.ORDER_COMPLETED, every)
    channels.attach_channel(EventType.ORDER_COMPLETED, germany.pk, ["SHOP"], saleor_channels=["de"])
    channels.attach_channel(EventType.ORDER_COMPLETED, both.pk, ["SHOP"], saleor_channels=["de", "wholesale"])

    record("de-1", GERMANY)
    record("ws-1", WHOLESALE)
    record("none-1", None)  # no store known

    wait_for(lambda: Delivery.objects.filter(status="SUCCESS").count() == 6, 15, what="six deliveries")
    worker_idle()
    assert sorted(received(receiver, paths["every"])) == ["de-1", "none-1", "ws-1"]
    assert sorted(received(receiver, paths["germany"])) == ["de-1"]
    assert sorted(received(receiver, paths["both"])) == ["de-1", "ws-1"]
    assert Delivery.objects.count() == 6  # none to another store's attachment, none failed
    # The receiver is told the store; a store-less event says so with null.
    assert received(receiver, paths["germany"])["de-1"]["saleor_channel"] == {"slug": "de", "name": "Germany"}
    assert received(receiver, paths["every"])["none-1"]["saleor_channel"] is None
    assert dict(RecordedEvent.objects.values_list("subject_id", "saleor_channel")) == {
        "de-1": "de", "ws-1": "wholesale", "none-1": ""
    }


def test_an_attachment_narrowed_to_a_store_receives_only_that_store_s_later_events(
    live, worker_idle, receiver, stores, path
):
    channel = postback_channel(receiver.url(path))
    attachment = attach(EventType.REFUND_APPLIED, channel, ("SHOP",))
    record("before", WHOLESALE, EventType.REFUND_APPLIED)
    wait_for(lambda: len(receiver.received(path)) == 1, 10, what="the first refund")

    channels.update_attachment(attachment.pk, ["SHOP"], saleor_channels=["de"])
    record("ws-after", WHOLESALE, EventType.REFUND_APPLIED)
    record("de-after", GERMANY, EventType.REFUND_APPLIED)
    wait_for(lambda: "de-after" in received(receiver, path), 10, what="Germany's refund")
    wait_for(lambda: RecordedEvent.objects.filter(fanned_out_at__isnull=True).count() == 0, 10, what="fan-out")
    worker_idle()
    assert sorted(received(receiver, path)) == ["before", "de-after"]


@pytest.mark.parametrize("store", [GERMANY, None])
def test_what_is_recorded_with_its_store_or_none_matches_each_event_s_published_schema(store):
    """record_event puts the store in the data it records (slug and name, or null), as the schemas say."""
    for event in EventType:
        switches.set_event_enabled(event, True)
        example = {k: v for k, v in payloads.load_example(event).items() if k != "saleor_channel"}
        with transaction.atomic():
            recording.record_event(
                event, Source.SHOP, subject_type="test", subject_id="1", payload=example,
                idempotency_key=f"schema:{event.value}", saleor_channel=store,
            )
        row = RecordedEvent.objects.get(idempotency_key=f"schema:{event.value}")
        payloads.validate(event, row.payload)
        assert row.payload["saleor_channel"] == (store.data() if store else None)
        assert row.saleor_channel == (store.slug if store else "")


def test_rows_written_by_the_previous_release_mean_every_store_and_no_store(receiver, path):
    """Mid-deploy, a process of the previous release writes attachments and events without the new
    columns: the database fills them in (every store; no store), and nothing it writes fails."""
    from django.db import connection

    channel = postback_channel(receiver.url(path))
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO saleor_notify_eventchannel (event, channel_id, source_admin, source_shop, source_funnel,"
            " created_at) VALUES ('REFUND_APPLIED', %s, true, true, true, now())",
            [channel.pk],
        )
        cursor.execute(
            "INSERT INTO saleor_notify_notificationevent (id, event, source, subject_type, subject_id, order_id,"
            " idempotency_key, payload, occurred_at, created_at, dispatch_requested_at)"
            " VALUES (%s, 'REFUND_APPLIED', 'SHOP', 'order', '1', '', 'previous-release', '{}', now(), now(), now())",
            [uuid.uuid4()],
        )
    [attachment] = channel.attachments.all()
    assert attachment.saleor_channels == [] and attachment.receives_saleor_channel("")
    assert RecordedEvent.objects.get(idempotency_key="previous-release").saleor_channel == ""
