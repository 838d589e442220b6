"""E-mail and Slack channels, delivered by the worker to real servers."""

import json

import pytest

from saleor_notify_plugin import channels
from saleor_notify_plugin.events import EventType
from tests.builders import attach, final_delivery, record
from tests.support.receiver import Reply
from tests.support.waiting import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_email_channel_sends_the_event_to_every_address(live, mail_server):
    channel = channels.create_channel(name="ops", kind="EMAIL", emails=["ops@example.com", "crm@example.com"])
    attach(EventType.REFUND_APPLIED, channel)
    event_id = record(EventType.REFUND_APPLIED, payload={"number": "1042", "amount": "12.50"})

    delivery = wait_for(lambda: final_delivery(channel), 10)
    assert delivery.status == "SUCCESS"
    sender, recipients, content = mail_server.messages[-1]
    assert recipients == ["ops@example.com", "crm@example.com"]
    assert b"Refund applied (shop): order 1042" in content
    assert f"evt_{event_id.hex}".encode() in content


def test_slack_channel_posts_a_text_message(live, receiver, path):
    channel = channels.create_channel(name="#orders", kind="SLACK", url=receiver.url(path))
    attach(EventType.ORDER_COMPLETED, channel)
    record(EventType.ORDER_COMPLETED, payload={"number": "1001"})

    assert wait_for(lambda: final_delivery(channel), 10).status == "SUCCESS"
    body = json.loads(receiver.received(path)[0].body)
    assert body == {"text": "Order completed (shop): order 1001"}


def test_summary_reads_nested_order_numbers(live, receiver, path):
    channel = channels.create_channel(name="#orders", kind="SLACK", url=receiver.url(path))
    attach(EventType.REFUND_APPLIED, channel)
    record(EventType.REFUND_APPLIED, payload={"order": {"number": "1042"}, "amount": {"amount": "5.00"}})
    assert wait_for(lambda: final_delivery(channel), 10).status == "SUCCESS"
    assert json.loads(receiver.received(path)[0].body) == {"text": "Refund applied (shop): order 1042"}


def test_slack_channel_follows_the_postback_retry_rules(live, receiver, path):
    channel = channels.create_channel(name="#orders", kind="SLACK", url=receiver.script(path, Reply(500), Reply(200)))
    attach(EventType.ORDER_COMPLETED, channel)
    record()
    assert wait_for(lambda: final_delivery(channel), 10).attempts.count() == 2
