"""Alerts, end to end: a receiver failing for the alert period, the e-mail a real SMTP server gets
(once per failing spell), the pause that holds deliveries, and the resume that releases them in order."""

from __future__ import annotations

import email
import json
import time
from datetime import timedelta
from email.message import Message

import pytest
from django.utils import timezone

from saleor_notify_plugin import tasks
from saleor_notify_plugin.events import EventType
from saleor_notify_plugin.graphql.ids import to_global_id
from saleor_notify_plugin.models import Delivery, DeliveryAttempt, Heartbeat, NotificationChannel
from saleor_notify_plugin.pipeline import broker
from tests.builders import attach, final_delivery, postback_channel, record
from tests.graphql.conftest import post
from tests.support.receiver import Reply
from tests.support.waiting import wait_for

pytestmark = pytest.mark.django_db(transaction=True)

#: The alert period, shortened from an hour to seconds (the dashboard page saves it as minutes).
PERIOD = timedelta(seconds=4)
STAFF = "ops@example.com"
RESUME = ("mutation($id: ID!) { notificationChannelResume(id: $id) { channel { isPaused } released "
          "errors { code message } } }")


@pytest.fixture
def alert_settings(shop_settings):
    """The shop owner's alert settings, as the dashboard page saves them (the worker reads them)."""
    shop_settings({"alert_after_minutes": PERIOD.total_seconds() / 60, "alert_emails": (STAFF,)})


def sweep(live) -> None:
    """Beat's periodic sweep, run by the worker; returns once it finished (its heartbeat moved)."""
    started = timezone.now()
    broker.send_task(tasks.SWEEP_TASK, [])
    wait_for(lambda: Heartbeat.objects.filter(name="sweep", beat_at__gte=started).exists(), 20,
             what=lambda: "the sweep " + live.log_tail())


def first_failure(channel: NotificationChannel):
    return DeliveryAttempt.objects.filter(channel=channel).exclude(verdict="success").earliest("started_at").started_at


def wait_out_the_period(since) -> None:
    time.sleep(max(0.0, (since + PERIOD - timezone.now()).total_seconds()) + 0.2)


def mails_to_staff(mail_server, after: int) -> list[Message]:
    return [email.message_from_bytes(content) for _, to, content in mail_server.messages[after:] if to == [STAFF]]


def test_a_channel_failing_for_the_alert_period_is_reported_by_email_once_per_spell(
    live, alert_settings, receiver, path, mail_server
):
    channel = postback_channel(receiver.script(path, *[Reply(503)] * 4), name="CRM hook")
    attach(EventType.ORDER_COMPLETED, channel)
    before = len(mail_server.messages)

    record(order_id="o-1")  # four attempts, all 503: failed
    assert wait_for(lambda: final_delivery(channel), 15, what=live.log_tail).status == "FAILED"
    since = first_failure(channel)
    sweep(live)
    if timezone.now() < since + PERIOD:  # (on a slow machine the period may be over already)
        assert mails_to_staff(mail_server, before) == []

    wait_out_the_period(since)
    sweep(live)
    [mail] = wait_for(lambda: mails_to_staff(mail_server, before), 10)
    assert "CRM hook is failing" in mail["Subject"]
    body = mail.get_payload()
    assert "CRM hook (postback): failing since" in body and "4 failed attempts in a row" in body
    assert "last error HTTP 503" in body and "last success never" in body

    sweep(live)  # still failing, same spell: not told again
    assert len(mails_to_staff(mail_server, before)) == 1

    # A success ends the spell; the next failures start a new one, reported once it lasts.
    record(order_id="o-2")
    wait_for(lambda: Delivery.objects.filter(channel=channel, status="SUCCESS").exists(), 15)
    receiver.script(path, Reply(410))
    record(order_id="o-3")
    wait_for(lambda: Delivery.objects.filter(channel=channel, status="FAILED").count() == 2, 15)
    second_spell = DeliveryAttempt.objects.filter(channel=channel).latest("started_at").started_at
    wait_out_the_period(second_spell)
    sweep(live)
    mails = wait_for(lambda: len(mails_to_staff(mail_server, before)) == 2 and mails_to_staff(mail_server, before), 10)
    assert "last error HTTP 410" in mails[1].get_payload() and "last success never" not in mails[1].get_payload()


def test_a_paused_channel_holds_its_deliveries_and_resume_releases_them_oldest_first(
    live, alert_settings, receiver, path, mail_server
):
    channel = postback_channel(receiver.script(path, Reply(410)), name="Fulfilment", pause_on_alert=True)
    attach(EventType.ORDER_COMPLETED, channel)
    record(order_id="o-0")
    assert wait_for(lambda: final_delivery(channel), 15, what=live.log_tail).status == "FAILED"
    wait_out_the_period(first_failure(channel))
    sweep(live)
    channel.refresh_from_db()
    assert channel.paused_at is not None and channel.alerted_at is not None
    seen = len(receiver.received(path))

    # Events go on: their deliveries are created and held, never attempted, never dropped.
    for n in range(1, 6):
        record(order_id=f"o-{n}", payload={"number": str(n)})
    held = Delivery.objects.filter(channel=channel, status="PENDING")
    wait_for(lambda: held.count() == 5, 15, what=live.log_tail)
    sweep(live)  # the sweep does not hand held deliveries on
    time.sleep(0.5)
    assert held.count() == 5 and not DeliveryAttempt.objects.filter(delivery__in=held).exists()
    assert len(receiver.received(path)) == seen

    response = post({"query": RESUME, "variables": {"id": to_global_id("NotificationChannel", channel.pk)}})
    assert response.result("notificationChannelResume") == {"channel": {"isPaused": False}, "released": 5,
                                                             "errors": []}
    wait_for(lambda: Delivery.objects.filter(channel=channel, status="SUCCESS").count() == 5, 20, what=live.log_tail)
    numbers = [json.loads(r.body)["data"]["number"] for r in receiver.received(path)[seen:]]
    assert numbers == ["1", "2", "3", "4", "5"]
