"""What an attempt sent and got back, through the API: the same bytes and headers as the receiver got,
no secret anywhere, and a curl command that sends the request again."""

from __future__ import annotations

import hashlib
import json
import subprocess
import uuid
from datetime import UTC, datetime

import pytest
from standardwebhooks import Webhook

from saleor_notify_plugin import channels
from saleor_notify_plugin.events import EventType
from saleor_notify_plugin.graphql.ids import to_global_id
from saleor_notify_plugin.graphql.requestor import Permission
from saleor_notify_plugin.models import Delivery, NotificationChannel, RecordedEvent
from saleor_notify_plugin.pipeline import attempts, fan_out, send
from tests.builders import attach, record
from tests.graphql.conftest import ADMIN, staff
from tests.support.ports import free_port
from tests.support.receiver import Reply

pytestmark = pytest.mark.django_db

EXCHANGE = """query($id: ID!) { notificationDelivery(id: $id) { id channelKind attempts {
  number statusCode responseExcerpt responseHeaders { name value }
  request { method url headers { name value } body bodySize bodySha256 curl curlNote } } } }"""

ORDERS_ONLY = staff(Permission.MANAGE_ORDERS)
ORDERS_AND_USERS = staff(Permission.MANAGE_ORDERS, Permission.MANAGE_USERS)


def send_once(channel: NotificationChannel, event: EventType = EventType.ORDER_COMPLETED, **record_kwargs) -> Delivery:
    """Record ``event``, fan it out to ``channel`` and make one real attempt."""
    attachment = attach(event, channel)
    event_id = record(event, **record_kwargs)
    [delivery_id] = fan_out.fan_out(event_id)
    channels.detach(attachment.pk)
    attempts.attempt_delivery(delivery_id)
    return Delivery.objects.select_related("event", "channel").get(pk=delivery_id)


def exchange(gql, delivery: Delivery, requestor=ADMIN):
    response = gql(EXCHANGE, {"id": to_global_id("NotificationDelivery", delivery.pk)}, requestor)
    return response, response.body["data"]["notificationDelivery"]


def headers_of(items: list[dict]) -> dict[str, str]:
    return {h["name"].lower(): h["value"] for h in items}


def test_the_logged_request_is_what_the_receiver_got_and_curl_sends_it_again(gql, receiver):
    path = f"/exchange/{uuid.uuid4().hex[:10]}"
    channel = channels.create_channel(name="CRM", kind="POSTBACK", url=receiver.url(path))
    receiver.script(path, Reply(409, headers={"X-Request-Id": "req-77", "Set-Cookie": "session=cookie-value-1"},
                                body=b"duplicate order"), secret=channel.secret)
    delivery = send_once(channel)
    [got] = receiver.received(path)
    assert got.verified

    response, data = exchange(gql, delivery)
    [attempt] = data["attempts"]
    request = attempt["request"]
    # The body: the same bytes, its digest and size.
    assert request["body"].encode() == got.body
    assert (request["bodySha256"], request["bodySize"]) == (hashlib.sha256(got.body).hexdigest(), len(got.body))
    # The headers: every one the receiver got, with the same value, but the signature, masked.
    logged = headers_of(request["headers"])
    received = {name.lower(): value for name, value in got.headers.items()}
    assert set(logged) == set(received)
    assert {k: v for k, v in logged.items() if k != "webhook-signature"} == {
        k: v for k, v in received.items() if k != "webhook-signature"
    }
    assert logged["webhook-signature"] == "v1,[masked]"
    assert (request["method"], request["url"]) == ("POST", f"{receiver.base_url}/[redacted]")
    # The response: status, headers (the cookie not kept), excerpt.
    assert (attempt["statusCode"], attempt["responseExcerpt"]) == (409, "duplicate order")
    response_headers = headers_of(attempt["responseHeaders"])
    assert response_headers["x-request-id"] == "req-77" and response_headers["set-cookie"] == "[not kept]"
    # No secret anywhere: not the channel's secret, not the signature the receiver got, not the cookie.
    text = json.dumps(response.body)
    for secret in (channel.secret, channel.secret.removeprefix("whsec_"), received["webhook-signature"][3:],
                   "cookie-value-1"):
        assert secret not in text
    assert "WEBHOOK_SIGNATURE" in request["curlNote"]

    # The curl command, with the signature computed here from the channel's secret, reaches the
    # receiver with the same body and headers (and a signature that verifies).
    stamp = datetime.fromtimestamp(int(received["webhook-timestamp"]), UTC)
    signature = Webhook(channel.secret).sign(received["webhook-id"], stamp, got.body.decode())
    assert f" {receiver.url(path)} " in request["curl"]  # MANAGE_PLUGINS: the channel's own URL
    command = request["curl"].replace("$WEBHOOK_SIGNATURE", signature)
    run = subprocess.run(["bash", "-c", command], capture_output=True, timeout=30, check=False)
    assert run.returncode == 0, run.stderr
    assert b" 200 " in run.stdout.splitlines()[0]  # the receiver answered the second request with its default
    again = receiver.received(path)[1]
    assert again.body == got.body
    assert again.verified, again.verify_error
    resent = {name.lower(): value for name, value in again.headers.items()}
    for name in ("webhook-id", "webhook-timestamp", "content-type", "user-agent", "content-length"):
        assert resent[name] == received[name], name
    assert resent["webhook-signature"] == received["webhook-signature"]


def test_the_url_is_masked_and_curl_asks_for_it_unless_the_caller_may_read_it(gql, receiver):
    path = f"/exchange/key-{uuid.uuid4().hex[:10]}"
    url = receiver.url(path) + "?token=query-secret"
    channel = channels.create_channel(name="CRM", kind="POSTBACK", url=url)
    delivery = send_once(channel)

    response, data = exchange(gql, delivery, ORDERS_ONLY)
    request = data["attempts"][0]["request"]
    assert request["url"] == f"{receiver.base_url}/[redacted]"
    assert '"$URL"' in request["curl"] and "set URL" in request["curlNote"]
    text = json.dumps(response.body)
    assert "query-secret" not in text and path not in text

    # With MANAGE_PLUGINS the command has the URL; once the channel's URL changed, it asks again.
    assert f"'{url}' " in exchange(gql, delivery)[1]["attempts"][0]["request"]["curl"]
    channels.update_channel(channel.pk, url=receiver.url("/elsewhere"))
    assert '"$URL"' in exchange(gql, delivery)[1]["attempts"][0]["request"]["curl"]


def test_during_a_rotation_both_signatures_are_masked(gql, receiver, path):
    channel = channels.create_channel(name="CRM", kind="POSTBACK", url=receiver.url(path))
    rotated = channels.rotate_secret(channel.pk)
    delivery = send_once(rotated)
    response, data = exchange(gql, delivery)
    logged = headers_of(data["attempts"][0]["request"]["headers"])
    assert logged["webhook-signature"] == "v1,[masked] v1,[masked]"
    text = json.dumps(response.body)
    for secret in (rotated.secret, rotated.previous_secret):
        assert secret.removeprefix("whsec_") not in text
    for signature in receiver.received(path)[0].headers["webhook-signature"].split():
        assert signature[3:] not in text


def test_what_was_sent_needs_the_payloads_permission(gql, receiver, path):
    channel = channels.create_channel(name="CRM", kind="POSTBACK", url=receiver.url(path))
    delivery = send_once(channel, EventType.CONTACT_CREATED, payload={"email": "ann@example.com"})

    response, data = exchange(gql, delivery, ORDERS_ONLY)
    request = data["attempts"][0]["request"]
    assert (request["headers"], request["body"], request["curl"]) == (None, None, None)
    assert data["attempts"][0]["responseHeaders"] is None
    assert "PERMISSION_DENIED" in response.top_codes
    assert "ann@example.com" not in json.dumps(response.body)
    assert request["bodySize"] == len(receiver.received(path)[0].body)

    response, data = exchange(gql, delivery, ORDERS_AND_USERS)
    assert "errors" not in response.body
    assert "ann@example.com" in data["attempts"][0]["request"]["body"]


def test_a_slack_request_never_shows_its_url(gql, receiver, path):
    channel = channels.create_channel(name="#orders", kind="SLACK", url=receiver.url(path + "/T000/B000/slack-token"))
    delivery = send_once(channel)
    response, data = exchange(gql, delivery)
    request = data["attempts"][0]["request"]
    assert request["url"] == f"{receiver.base_url}/[redacted]"
    assert request["body"].encode() == receiver.received(path + "/T000/B000/slack-token")[0].body
    assert '"$URL"' in request["curl"] and "WEBHOOK_SIGNATURE" not in request["curl"]
    assert "slack-token" not in json.dumps(response.body)


def test_an_email_request_shows_its_headers_and_body(gql, mail_server):
    channel = channels.create_channel(name="ops", kind="EMAIL", emails=["ops@example.com"])
    delivery = send_once(channel, EventType.REFUND_APPLIED, payload={"number": "1042"})
    _, data = exchange(gql, delivery)
    request = data["attempts"][0]["request"]
    assert (request["method"], request["url"], request["curl"]) == ("SMTP", None, None)
    logged = headers_of(request["headers"])
    assert logged["to"] == "ops@example.com" and logged["subject"] == "Refund applied (shop): order 1042"
    # The payload as recorded: the store is named (none here: the event was recorded without one).
    assert json.loads(request["body"])["data"] == {"number": "1042", "saleor_channel": None}
    # Who may not read the channel's addresses sees how many there were.
    _, data = exchange(gql, delivery, ORDERS_ONLY)
    assert headers_of(data["attempts"][0]["request"]["headers"])["to"] == "[1 address]"


def test_a_hostile_responses_headers_are_kept_bounded_and_storable(gql, receiver, path):
    many = {f"X-Filler-{i:03d}": "v" * 300 for i in range(60)}
    reply = Reply(200, headers={"X-Odd": b"a\x00b\x01c", **many})
    channel = channels.create_channel(name="CRM", kind="POSTBACK", url=receiver.script(path, reply))
    delivery = send_once(channel)
    assert delivery.status == "SUCCESS"
    kept = exchange(gql, delivery)[1]["attempts"][0]["responseHeaders"]
    values = headers_of(kept)
    assert values["x-odd"] == "a\\x00b\\x01c"
    assert len(kept) <= 33 and kept[-1]["name"] == "…" and kept[-1]["value"].endswith("more headers not kept")
    assert sum(len(h["name"]) + len(h["value"]) for h in kept[:-1]) <= 2048


def test_a_request_that_reached_nobody_is_kept_without_a_response(gql):
    channel = channels.create_channel(name="CRM", kind="POSTBACK", url=f"http://127.0.0.1:{free_port()}/hook")
    delivery = send_once(channel)
    attempt = exchange(gql, delivery)[1]["attempts"][0]  # a refused connection (retried: nothing was sent)
    assert attempt["statusCode"] is None and attempt["responseHeaders"] == []
    assert headers_of(attempt["request"]["headers"])["webhook-signature"] == "v1,[masked]"
    assert attempt["request"]["body"].encode() == send.postback_body(delivery.event)


def test_a_body_that_no_longer_matches_its_digest_is_not_shown(gql, receiver, path):
    channel = channels.create_channel(name="CRM", kind="POSTBACK", url=receiver.url(path))
    delivery = send_once(channel)
    RecordedEvent.objects.filter(pk=delivery.event.pk).update(payload={"number": "9999"})  # not what was sent
    request = exchange(gql, delivery)[1]["attempts"][0]["request"]
    assert (request["body"], request["curl"]) == (None, None)
    assert request["bodySha256"] == hashlib.sha256(receiver.received(path)[0].body).hexdigest()
