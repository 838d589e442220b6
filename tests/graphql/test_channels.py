"""Channels through the API: create, read, update, delete, rotate the secret, test-send."""

import pytest

from saleor_notify_plugin.graphql.ids import to_global_id
from saleor_notify_plugin.models import NotificationChannel
from tests.builders import attach, postback_channel
from tests.graphql.operations import (
    CHANNEL,
    CHANNEL_CREATE,
    CHANNEL_DELETE,
    CHANNEL_ROTATE,
    CHANNEL_TEST,
    CHANNEL_UPDATE,
    CHANNELS,
)
from tests.support.ports import free_port
from tests.support.receiver import Reply

pytestmark = pytest.mark.django_db

URL = "https://crm.example.com/hooks/saleor"


def channel_id(channel: NotificationChannel) -> str:
    return to_global_id("NotificationChannel", channel.pk)


def create(gql, **input_):
    return gql(CHANNEL_CREATE, {"input": {"name": "CRM", "kind": "POSTBACK", "url": URL, **input_}})


def test_create_returns_the_full_secret_once_and_only_its_last_chars_afterwards(gql):
    created = create(gql).result("notificationChannelCreate")
    stored = NotificationChannel.objects.get()
    assert created["secret"] == stored.secret and created["secret"].startswith("whsec_")
    assert created["channel"]["secretLastChars"] == stored.secret[-4:]

    fetched = gql(CHANNEL, {"id": created["channel"]["id"]}).data["notificationChannel"]
    listed = gql(CHANNELS).data["notificationChannels"]["edges"][0]["node"]
    for shown in (fetched, listed, created["channel"]):
        assert stored.secret not in str(shown)
        assert shown["secretLastChars"] == stored.secret[-4:]
    assert fetched == {**created["channel"]} and fetched["url"] == URL and fetched["isActive"] is True


def test_create_email_and_slack_channels(gql):
    email = create(gql, kind="EMAIL", url=None, emails=["ops@example.com", "OPS@example.com", "crm@example.com"])
    assert email.result("notificationChannelCreate")["channel"]["emails"] == ["ops@example.com", "crm@example.com"]
    assert email.result("notificationChannelCreate")["channel"]["url"] is None

    slack_url = "https://hooks.slack.com/services/T000/B000/abcdefghijklmnopqrstWXYZ"
    slack = create(gql, kind="SLACK", url=slack_url, isActive=False).result("notificationChannelCreate")["channel"]
    assert slack["url"] == "https://hooks.slack.com/…WXYZ"  # the webhook URL is a credential
    assert slack["isActive"] is False


@pytest.mark.parametrize(
    ("input_", "field", "code"),
    [
        ({"name": "  "}, "name", "REQUIRED"),
        ({"name": "x" * 129}, "name", "INVALID"),
        ({"url": ""}, "url", "REQUIRED"),
        ({"url": "ftp://crm.example.com/"}, "url", "INVALID_URL"),
        ({"url": "https://user:pw@crm.example.com/"}, "url", "INVALID_URL"),
        ({"kind": "EMAIL", "emails": ["not-an-address"]}, "emails", "INVALID_EMAIL"),
        ({"kind": "EMAIL", "emails": []}, "emails", "REQUIRED"),
        ({"kind": "EMAIL", "emails": [f"a{i}@example.com" for i in range(51)]}, "emails", "INVALID"),
    ],
)
def test_create_refuses_bad_input_with_field_and_code(gql, input_, field, code):
    response = create(gql, **input_)
    assert response.errors_of("notificationChannelCreate") == [
        {"field": field, "code": code, "message": response.errors_of("notificationChannelCreate")[0]["message"]}
    ]
    assert response.data["notificationChannelCreate"]["channel"] is None
    assert not NotificationChannel.objects.exists()


def test_private_targets_are_refused_unless_allowed(gql, settings):
    settings.SALEOR_NOTIFY = {**settings.SALEOR_NOTIFY, "ALLOW_PRIVATE_TARGETS": False}
    response = create(gql, url="http://127.0.0.1:8000/hook")
    assert response.codes("notificationChannelCreate") == ["PRIVATE_TARGET"]


def test_unknown_kind_is_a_clear_variable_error_not_a_500(gql):
    response = create(gql, kind="FAX")
    assert response.status == 400
    assert "FAX" in response.body["errors"][0]["message"]


def test_update_changes_only_the_given_fields(gql):
    channel = postback_channel(URL)
    response = gql(CHANNEL_UPDATE, {"id": channel_id(channel), "input": {"name": "Fulfilment", "isActive": False}})
    updated = response.result("notificationChannelUpdate")["channel"]
    assert (updated["name"], updated["isActive"], updated["url"]) == ("Fulfilment", False, URL)

    response = gql(CHANNEL_UPDATE, {"id": channel_id(channel), "input": {"url": "https://erp.example.com/in"}})
    assert response.result("notificationChannelUpdate")["channel"]["url"] == "https://erp.example.com/in"


@pytest.mark.parametrize(
    ("id_", "input_", "field", "code"),
    [
        (None, {"emails": ["a@example.com"]}, "emails", "INVALID"),
        (None, {"url": "javascript:alert(1)"}, "url", "INVALID_URL"),
        (to_global_id("NotificationChannel", 999999), {"name": "x"}, "id", "NOT_FOUND"),
        (to_global_id("NotificationEventChannel", 1), {"name": "x"}, "id", "INVALID"),
        ("not-base64!", {"name": "x"}, "id", "INVALID"),
        (to_global_id("NotificationChannel", "abc"), {"name": "x"}, "id", "INVALID"),
        (to_global_id("NotificationChannel", 2**70), {"name": "x"}, "id", "INVALID"),
    ],
)
def test_a_channel_update_with_an_invalid_value_or_id_is_refused(gql, id_, input_, field, code):
    channel = postback_channel(URL)
    response = gql(CHANNEL_UPDATE, {"id": id_ or channel_id(channel), "input": input_})
    assert [(e["field"], e["code"]) for e in response.errors_of("notificationChannelUpdate")] == [(field, code)]


def test_delete_removes_channel_and_attachments(gql):
    from saleor_notify_plugin.events import EventType
    from saleor_notify_plugin.models import EventChannel

    channel = postback_channel(URL)
    attach(EventType.ORDER_COMPLETED, channel)
    response = gql(CHANNEL_DELETE, {"id": channel_id(channel)})
    assert response.result("notificationChannelDelete")["deletedId"] == channel_id(channel)
    assert not NotificationChannel.objects.exists() and not EventChannel.objects.exists()

    again = gql(CHANNEL_DELETE, {"id": channel_id(channel)})
    assert again.codes("notificationChannelDelete") == ["NOT_FOUND"]


def test_rotate_returns_the_new_secret_once(gql):
    channel = postback_channel(URL)
    old = channel.secret
    rotated = gql(CHANNEL_ROTATE, {"id": channel_id(channel)}).result("notificationChannelRotateSecret")
    channel.refresh_from_db()
    assert rotated["secret"] == channel.secret != old
    assert channel.previous_secret == old
    assert rotated["channel"]["secretLastChars"] == channel.secret[-4:]
    assert gql(CHANNEL_ROTATE, {"id": to_global_id("NotificationChannel", 999999)}).codes(
        "notificationChannelRotateSecret"
    ) == ["NOT_FOUND"]


def test_channel_query_returns_null_for_unknown_and_an_error_for_malformed_ids(gql):
    assert gql(CHANNEL, {"id": to_global_id("NotificationChannel", 999999)}).data == {"notificationChannel": None}
    malformed = gql(CHANNEL, {"id": "%%%"})
    assert malformed.status == 200 and malformed.top_codes == ["INVALID"]
    assert malformed.body["data"] == {"notificationChannel": None}


def test_channels_are_paginated_forwards_and_backwards(gql):
    names = [f"ch{i}" for i in range(5)]
    for name in names:
        postback_channel(URL, name=name)

    def page(**args):
        connection = gql(CHANNELS, args).data["notificationChannels"]
        return [e["node"]["name"] for e in connection["edges"]], connection["pageInfo"]

    first, info = page(first=2)
    assert first == ["ch0", "ch1"] and info["hasNextPage"] and not info["hasPreviousPage"]
    second, info = page(first=2, after=info["endCursor"])
    assert second == ["ch2", "ch3"] and info["hasNextPage"] and info["hasPreviousPage"]
    third, info = page(first=2, after=info["endCursor"])
    assert third == ["ch4"] and not info["hasNextPage"]

    last, info = page(last=2)
    assert last == ["ch3", "ch4"] and info["hasPreviousPage"] and not info["hasNextPage"]
    before, info = page(last=2, before=info["startCursor"])
    assert before == ["ch1", "ch2"] and info["hasPreviousPage"] and info["hasNextPage"]
    assert page()[0] == names  # default page size: 20


@pytest.mark.parametrize(
    "args",
    [{"first": 101}, {"first": -1}, {"first": 1, "last": 1}, {"after": "garbage"}, {"before": "WyJ4Il0="}],
)
def test_bad_pagination_arguments_are_clear_errors(gql, args):
    response = gql(CHANNELS, args)
    assert response.status == 200 and response.top_codes == ["INVALID"]
    assert response.body["data"] == {"notificationChannels": None}


def test_channel_test_sends_a_signed_test_postback(gql, receiver, path):
    channel = postback_channel(receiver.url(path))
    receiver.script(path, Reply(202, body=b"accepted"), secret=channel.secret)
    result = gql(CHANNEL_TEST, {"id": channel_id(channel)}).result("notificationChannelTest")["result"]
    assert result["success"] is True and result["statusCode"] == 202 and result["responseExcerpt"] == "accepted"
    [request] = receiver.received(path)
    assert request.verified is True
    assert b'"event":"test"' in request.body


def test_channel_test_reports_a_failing_receiver(gql, receiver, path):
    channel = postback_channel(receiver.script(path, Reply(500, body=b"boom")))
    result = gql(CHANNEL_TEST, {"id": channel_id(channel)}).result("notificationChannelTest")["result"]
    assert (result["success"], result["statusCode"], result["errorKind"]) == (False, 500, None)


def test_channel_test_reports_an_unreachable_receiver(gql):
    channel = postback_channel(f"http://127.0.0.1:{free_port()}/hook")  # nobody listens there
    result = gql(CHANNEL_TEST, {"id": channel_id(channel)}).result("notificationChannelTest")["result"]
    assert (result["success"], result["statusCode"], result["errorKind"]) == (False, None, "CONNECT_ERROR")


def test_only_a_postback_channel_can_be_test_sent(gql):
    email = NotificationChannel.objects.create(name="Ops", kind="EMAIL", email_recipients=["ops@example.com"])
    assert gql(CHANNEL_TEST, {"id": channel_id(email)}).codes("notificationChannelTest") == ["INVALID"]


def test_test_sending_an_unknown_channel_is_not_found(gql):
    missing = gql(CHANNEL_TEST, {"id": to_global_id("NotificationChannel", 999999)})
    assert missing.codes("notificationChannelTest") == ["NOT_FOUND"]
