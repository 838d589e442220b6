"""Event switches and attachments through the API: the enable / attach / edit / delete procedure."""

import pytest

from saleor_notify_plugin.events import EventType
from saleor_notify_plugin.graphql.ids import to_global_id
from saleor_notify_plugin.models import EventChannel, EventSwitch, NotificationChannel
from tests.builders import attach, postback_channel
from tests.graphql.operations import ATTACH, ATTACHMENT_UPDATE, CHANNEL, DETACH, EVENT_UPDATE, EVENTS

pytestmark = pytest.mark.django_db

URL = "https://crm.example.com/hooks/saleor"


def gid(obj) -> str:
    return to_global_id(
        "NotificationChannel" if isinstance(obj, NotificationChannel) else "NotificationEventChannel", obj.pk
    )


def test_events_lists_the_ten_events_with_their_rules(gql):
    events = gql(EVENTS).data["notificationEvents"]
    assert [e["type"] for e in events] == [e.value for e in EventType]
    by_type = {e["type"]: e for e in events}
    assert by_type["CUSTOMER_CREATED"]["postbackOnly"] and by_type["SURVEY_COMPLETED"]["postbackOnly"]
    assert {t for t, e in by_type.items() if e["manualRetry"]} == {
        "ORDER_COMPLETED", "TRANSACTION_APPROVED", "TRANSACTION_DECLINED", "REFUND_APPLIED"
    }
    assert by_type["SHIPPING_TRACKING_UPDATED"]["name"] == "Shipping tracking info updated"
    assert not any(e["isEnabled"] or e["channels"] for e in events)


def test_the_seed_procedure_enable_attach_edit_delete(gql):
    """Enable an event, attach a channel with sources, edit the sources, delete the attachment."""
    channel = postback_channel(URL)

    switched = gql(EVENT_UPDATE, {"event": "ORDER_COMPLETED", "on": True}).result("notificationEventUpdate")
    assert switched["event"] == {"type": "ORDER_COMPLETED", "isEnabled": True}
    assert EventSwitch.objects.get(event="ORDER_COMPLETED").is_enabled  # the dashboard's setting too

    attached = gql(ATTACH, {"event": "ORDER_COMPLETED", "channelId": gid(channel), "sources": ["SHOP", "FUNNEL"]})
    attachment = attached.result("notificationEventChannelAttach")["eventChannel"]
    assert attachment["sources"] == ["SHOP", "FUNNEL"] and attachment["channel"]["id"] == gid(channel)

    event = next(e for e in gql(EVENTS).data["notificationEvents"] if e["type"] == "ORDER_COMPLETED")
    assert event["isEnabled"] and [c["id"] for c in event["channels"]] == [attachment["id"]]
    on_channel = gql(CHANNEL, {"id": gid(channel)}).data["notificationChannel"]["events"]
    assert on_channel == [{"id": attachment["id"], "event": "ORDER_COMPLETED", "sources": ["SHOP", "FUNNEL"]}]

    edited = gql(ATTACHMENT_UPDATE, {"id": attachment["id"], "sources": ["ADMIN"]})
    assert edited.result("notificationEventChannelUpdate")["eventChannel"]["sources"] == ["ADMIN"]

    deleted = gql(DETACH, {"id": attachment["id"]})
    assert deleted.result("notificationEventChannelDetach")["deletedId"] == attachment["id"]
    assert not EventChannel.objects.exists()

    off = gql(EVENT_UPDATE, {"event": "ORDER_COMPLETED", "on": False}).result("notificationEventUpdate")
    assert off["event"]["isEnabled"] is False


def test_attach_refuses_a_second_attachment_of_the_same_channel(gql):
    channel = postback_channel(URL)
    variables = {"event": "REFUND_APPLIED", "channelId": gid(channel), "sources": ["SHOP"]}
    gql(ATTACH, variables).result("notificationEventChannelAttach")
    again = gql(ATTACH, variables)
    errors = again.errors_of("notificationEventChannelAttach")
    assert [(e["field"], e["code"]) for e in errors] == [("channelId", "UNIQUE")]


@pytest.mark.parametrize("event", ["CUSTOMER_CREATED", "SURVEY_COMPLETED"])
@pytest.mark.parametrize("kind", ["EMAIL", "SLACK"])
def test_postback_only_events_refuse_other_kinds(gql, event, kind):
    channel = NotificationChannel.objects.create(
        name="Other", kind=kind, target_url="https://hooks.slack.com/services/x" if kind == "SLACK" else "",
        email_recipients=["ops@example.com"] if kind == "EMAIL" else [],
    )
    response = gql(ATTACH, {"event": event, "channelId": gid(channel), "sources": ["SHOP"]})
    assert response.codes("notificationEventChannelAttach") == ["POSTBACK_ONLY"]
    assert not EventChannel.objects.exists()


@pytest.mark.parametrize(
    ("channel_id", "sources", "field", "code"),
    [
        (None, [], "sources", "REQUIRED"),
        (to_global_id("NotificationChannel", 999999), ["SHOP"], "id", "NOT_FOUND"),
        ("Zm9v", ["SHOP"], "channelId", "INVALID"),
        (to_global_id("NotificationDelivery", 1), ["SHOP"], "channelId", "INVALID"),
    ],
)
def test_an_attachment_without_sources_or_with_a_bad_channel_id_is_refused(gql, channel_id, sources, field, code):
    channel = postback_channel(URL)
    response = gql(ATTACH, {"event": "ORDER_COMPLETED", "channelId": channel_id or gid(channel), "sources": sources})
    assert [(e["field"], e["code"]) for e in response.errors_of("notificationEventChannelAttach")] == [(field, code)]


def test_unknown_event_or_source_is_a_clear_variable_error(gql):
    channel = postback_channel(URL)
    for variables in (
        {"event": "ORDER_SHIPPED", "channelId": gid(channel), "sources": ["SHOP"]},
        {"event": "ORDER_COMPLETED", "channelId": gid(channel), "sources": ["POS"]},
    ):
        response = gql(ATTACH, variables)
        assert response.status == 400 and "Variable" in response.body["errors"][0]["message"]


def test_an_attachment_cannot_be_updated_to_no_sources_nor_an_unknown_one_updated(gql):
    missing = to_global_id("NotificationEventChannel", 999999)
    assert gql(ATTACHMENT_UPDATE, {"id": missing, "sources": ["SHOP"]}).codes("notificationEventChannelUpdate") == [
        "NOT_FOUND"
    ]
    attachment = attach(EventType.ORDER_COMPLETED, postback_channel(URL))
    empty = gql(ATTACHMENT_UPDATE, {"id": gid(attachment), "sources": []})
    assert empty.codes("notificationEventChannelUpdate") == ["REQUIRED"]
    assert EventChannel.objects.get(pk=attachment.pk).sources == attachment.sources


def test_detaching_an_unknown_attachment_or_another_kind_of_id_is_refused(gql):
    channel = postback_channel(URL)
    missing = to_global_id("NotificationEventChannel", 999999)
    assert gql(DETACH, {"id": missing}).codes("notificationEventChannelDetach") == ["NOT_FOUND"]
    assert gql(DETACH, {"id": gid(channel)}).codes("notificationEventChannelDetach") == ["INVALID"]
