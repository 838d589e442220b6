"""Attachments limited to stores (the shop's Saleor channels) through the API, and the store events carry."""

import pytest
from django.db import transaction

from saleor_notify_plugin import switches
from saleor_notify_plugin.events import EventType, Source
from saleor_notify_plugin.graphql.ids import to_global_id
from saleor_notify_plugin.graphql.requestor import ANONYMOUS
from saleor_notify_plugin.models import EventChannel, RecordedEvent
from saleor_notify_plugin.payloads import SaleorChannel
from saleor_notify_plugin.pipeline import fan_out, recording
from tests.builders import attach, postback_channel
from tests.graphql.operations import SALEOR_CHANNELS, SUBSCRIPTION_CANCEL, SURVEY_COMPLETE
from tests.support.fake_shop import no_shop

pytestmark = pytest.mark.django_db

URL = "https://crm.example.com/hooks/saleor"
ATTACH = (
    "mutation($event: NotificationEventType!, $channelId: ID!, $sources: [NotificationSource!]!, $stores: [String!])"
    " { notificationEventChannelAttach(event: $event, channelId: $channelId, sources: $sources,"
    " saleorChannels: $stores) { eventChannel { id sources saleorChannels } errors { field code message } } }"
)
EVENTS = "{ notificationEvents { type channels { id sources saleorChannels } } }"
UPDATE = (
    "mutation($id: ID!, $sources: [NotificationSource!]!, $stores: [String!]) {"
    " notificationEventChannelUpdate(id: $id, sources: $sources, saleorChannels: $stores) {"
    " eventChannel { id sources saleorChannels } errors { field code message } } }"
)


@pytest.fixture
def stores(shop):
    """A shop with two stores: Germany (de) and Wholesale (wholesale)."""
    shop.add_saleor_channel("wholesale", "Wholesale")
    shop.add_saleor_channel("de", "Germany")
    return shop


def attach_to(gql, stores_, channel=None, event="ORDER_COMPLETED"):
    channel = channel or postback_channel(URL)
    variables = {"event": event, "channelId": to_global_id("NotificationChannel", channel.pk), "sources": ["SHOP"]}
    if stores_ is not None:
        variables["stores"] = stores_
    return gql(ATTACH, variables)


def stored() -> list[list[str]]:
    return [a.saleor_channels for a in EventChannel.objects.order_by("pk")]


def test_the_shop_s_stores_are_listed_by_slug(gql, stores):
    assert gql(SALEOR_CHANNELS).data["notificationSaleorChannels"] == [
        {"slug": "de", "name": "Germany"},
        {"slug": "wholesale", "name": "Wholesale"},
    ]


def test_an_attachment_is_for_every_store_unless_limited_to_some(gql, stores):
    every = attach_to(gql, None).result("notificationEventChannelAttach")["eventChannel"]
    some = attach_to(gql, ["wholesale", "de", "wholesale"]).result("notificationEventChannelAttach")["eventChannel"]
    assert every["saleorChannels"] == [] and some["saleorChannels"] == ["wholesale", "de"]
    assert stored() == [[], ["wholesale", "de"]]
    listed = next(e for e in gql(EVENTS).data["notificationEvents"] if e["type"] == "ORDER_COMPLETED")
    assert [c["saleorChannels"] for c in listed["channels"]] == [[], ["wholesale", "de"]]


def test_an_unknown_store_is_refused_naming_the_shop_s_stores_and_nothing_is_attached(gql, stores):
    response = attach_to(gql, ["de", "retail"])
    [error] = response.errors_of("notificationEventChannelAttach")
    assert (error["field"], error["code"]) == ("saleorChannels", "INVALID")
    assert "'retail'" in error["message"] and "de, wholesale" in error["message"]
    assert not EventChannel.objects.exists()


@pytest.mark.parametrize("slug", ["", "   ", "x" * 256, "de\x00"])
def test_a_blank_overlong_or_unstorable_slug_is_refused(gql, stores, slug):
    response = attach_to(gql, [slug])
    assert [(e["field"], e["code"]) for e in response.errors_of("notificationEventChannelAttach")] == [
        ("saleorChannels", "INVALID")
    ]
    assert not EventChannel.objects.exists()


def test_editing_changes_the_stores_only_when_given(gql, stores):
    attachment = attach(EventType.ORDER_COMPLETED, postback_channel(URL))
    gid = to_global_id("NotificationEventChannel", attachment.pk)

    limited = gql(UPDATE, {"id": gid, "sources": ["SHOP"], "stores": ["de"]})
    assert limited.result("notificationEventChannelUpdate")["eventChannel"]["saleorChannels"] == ["de"]
    kept = gql(UPDATE, {"id": gid, "sources": ["ADMIN"]})  # saleorChannels omitted: unchanged
    assert kept.result("notificationEventChannelUpdate")["eventChannel"] == {
        "id": gid, "sources": ["ADMIN"], "saleorChannels": ["de"]
    }
    refused = gql(UPDATE, {"id": gid, "sources": ["FUNNEL"], "stores": ["gone"]})
    assert refused.codes("notificationEventChannelUpdate") == ["INVALID"]
    assert EventChannel.objects.get(pk=attachment.pk).sources == ["ADMIN"]  # nothing of the refused edit
    assert stored() == [["de"]]
    everywhere = gql(UPDATE, {"id": gid, "sources": ["ADMIN"], "stores": []})
    assert everywhere.result("notificationEventChannelUpdate")["eventChannel"]["saleorChannels"] == []


def test_outside_saleor_a_well_formed_slug_is_taken_as_given_and_the_stores_cannot_be_listed(gql):
    with no_shop():
        attached = attach_to(gql, ["wholesale"]).result("notificationEventChannelAttach")["eventChannel"]
        listing = gql(SALEOR_CHANNELS)
    assert attached["saleorChannels"] == ["wholesale"]
    assert listing.top_codes == ["UNAVAILABLE"] and listing.body["data"] is None


def test_a_survey_about_a_purchase_names_its_store_and_one_without_a_purchase_none(gql, stores):
    switches.set_event_enabled(EventType.SURVEY_COMPLETED, True)
    token = stores.add_checkout("ann@example.com", saleor_channel="de")
    about_a_purchase = {"surveyId": "nps", "checkoutId": to_global_id("Checkout", token)}
    gql(SURVEY_COMPLETE, {"input": about_a_purchase}, ANONYMOUS).result("notificationSurveyComplete")
    gql(SURVEY_COMPLETE, {"input": {"surveyId": "nps", "email": "bob@example.com"}}).result(
        "notificationSurveyComplete"
    )
    by_email = {e.payload["email"]: e for e in RecordedEvent.objects.all()}
    assert by_email["ann@example.com"].saleor_channel == "de"
    assert by_email["ann@example.com"].payload["saleor_channel"] == {"slug": "de", "name": "Germany"}
    assert by_email["bob@example.com"].saleor_channel == ""
    assert by_email["bob@example.com"].payload["saleor_channel"] is None


def test_a_canceled_subscription_of_a_known_order_names_the_order_s_store(gql, stores):
    switches.set_event_enabled(EventType.SUBSCRIPTION_CANCELED, True)
    order = stores.place_order(stores.add_checkout("ann@example.com", saleor_channel="wholesale"))
    cancel = {"subscriptionId": "sub-1", "email": "ann@example.com", "orderId": to_global_id("Order", order)}
    gql(SUBSCRIPTION_CANCEL, {"input": cancel}).result("notificationSubscriptionCancel")
    [event] = RecordedEvent.objects.all()
    assert event.saleor_channel == "wholesale"
    assert event.payload["saleor_channel"] == {"slug": "wholesale", "name": "Wholesale"}


def test_the_delivery_log_names_each_event_s_store(gql, stores, receiver, path):
    attach(EventType.REFUND_APPLIED, postback_channel(receiver.url(path)))
    for key, store in (("de", SaleorChannel(slug="de", name="Germany")), ("none", None)):
        with transaction.atomic():
            event_id = recording.record_event(
                EventType.REFUND_APPLIED, Source.SHOP, subject_type="order", subject_id=key, payload={},
                idempotency_key=f"log:{key}", saleor_channel=store,
            )
        fan_out.fan_out(event_id)
    log = gql("{ notificationDeliveries { edges { node { event { subject { id } saleorChannel } } } } }")
    events = [edge["node"]["event"] for edge in log.data["notificationDeliveries"]["edges"]]
    assert sorted((e["subject"]["id"], e["saleorChannel"]) for e in events) == [("de", "de"), ("none", None)]
