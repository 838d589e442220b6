"""Recovering a channel through the API: a dry run, the pace, what is chosen and what is refused.

The failed deliveries are made for real (one attempt each to a receiver that answers 400); in
these tests nothing is committed, so the re-opened deliveries' messages never leave: what the
API answers and what the rows hold is what is checked here. The sending itself, paced, is
``tests/integration/test_recover_since.py``.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from saleor_notify_plugin import channels
from saleor_notify_plugin.events import EventType
from saleor_notify_plugin.graphql.ids import to_global_id
from saleor_notify_plugin.models import Delivery, NotificationChannel
from saleor_notify_plugin.pipeline import alerts, attempts, fan_out, upkeep
from tests.builders import attach, postback_channel, record
from tests.graphql.operations import CHANNEL_RECOVER
from tests.support.receiver import Reply

pytestmark = pytest.mark.django_db

RETRYABLE = [e for e in EventType if e.manual_retry]
NOT_RETRYABLE = [e for e in EventType if not e.manual_retry]


class Shop:
    """One postback channel and a way to make its deliveries fail (or succeed) for real."""

    def __init__(self, receiver, path: str, name: str = "CRM") -> None:
        self.receiver, self.path = receiver, path
        self.channel = postback_channel(receiver.url(path), name=name)
        self.attached: set[EventType] = set()
        self.numbers = iter(range(1001, 9999))

    @property
    def id(self) -> str:
        return to_global_id("NotificationChannel", self.channel.pk)

    def deliver(self, event: EventType = EventType.ORDER_COMPLETED, reply: Reply | None = None) -> Delivery:
        if event not in self.attached:
            attach(event, self.channel)
            self.attached.add(event)
        self.receiver.script(self.path, reply or Reply(400))
        order = {"id": str(uuid.uuid4()), "number": str(next(self.numbers))}
        event_id = record(event, order_id=order["id"], payload={"order": order})
        [delivery_id] = [
            pk for pk in fan_out.fan_out(event_id) if Delivery.objects.get(pk=pk).channel_id == self.channel.pk
        ]
        attempts.attempt_delivery(delivery_id)
        return Delivery.objects.select_related("event").get(pk=delivery_id)


@pytest.fixture
def shop(receiver, path) -> Shop:
    return Shop(receiver, path)


def iso(moment: datetime) -> str:
    return moment.isoformat()


def parse(text: str) -> datetime:
    return datetime.fromisoformat(text)


def recover(gql, shop: Shop, since: datetime, dry_run: bool):
    return gql(CHANNEL_RECOVER, {"id": shop.id, "since": iso(since), "dryRun": dry_run})


def test_a_dry_run_counts_and_lists_the_first_failed_deliveries_and_changes_nothing(gql, shop, receiver, path):
    failed = [shop.deliver(event) for event in RETRYABLE]
    assert {d.status for d in failed} == {"FAILED"}
    sent_before = len(receiver.received(path))

    answer = recover(gql, shop, timezone.now() - timedelta(hours=1), dry_run=True)
    result = answer.result("notificationChannelRecover")["recovery"]

    assert (result["dryRun"], result["count"], result["ratePerS"]) == (True, 4, 5.0)
    assert [i["delivery"]["id"] for i in result["first"]] == [
        to_global_id("NotificationDelivery", d.pk) for d in failed
    ]
    first = result["first"][0]
    assert first["delivery"]["event"]["type"] == "ORDER_COMPLETED"
    assert (first["orderNumber"], first["delivery"]["status"], first["delivery"]["failureKind"]) == (
        "1001", "FAILED", "http_400"
    )
    assert parse(first["failedAt"]) == failed[0].updated_at
    send_at = [parse(i["sendAt"]) for i in result["first"]]
    assert [round((b - a).total_seconds(), 3) for a, b in zip(send_at, send_at[1:], strict=False)] == [0.2] * 3
    assert (parse(result["firstSendAt"]), parse(result["lastSendAt"])) == (send_at[0], send_at[-1])

    assert [Delivery.objects.get(pk=d.pk).status for d in failed] == ["FAILED"] * 4
    assert len(receiver.received(path)) == sent_before


def test_recovering_reopens_each_failed_delivery_for_one_manual_attempt_at_the_configured_pace(
    gql, shop, settings
):
    settings.SALEOR_NOTIFY = {**settings.SALEOR_NOTIFY, "RECOVER_RATE_PER_S": 2}
    failed = [shop.deliver() for _ in range(3)]

    result = recover(gql, shop, timezone.now() - timedelta(minutes=5), dry_run=False).result(
        "notificationChannelRecover"
    )["recovery"]

    assert (result["dryRun"], result["count"], result["ratePerS"]) == (False, 3, 2.0)
    assert {i["delivery"]["status"] for i in result["first"]} == {"PENDING"}
    rows = [Delivery.objects.get(pk=d.pk) for d in failed]
    assert [(r.status, r.next_trigger, r.attempt_count) for r in rows] == [("PENDING", "MANUAL", 1)] * 3
    due = [r.next_attempt_at for r in rows]
    assert [(b - a).total_seconds() for a, b in zip(due, due[1:], strict=False)] == [0.5, 0.5]
    assert parse(result["lastSendAt"]) == due[-1]
    assert [parse(i["sendAt"]) for i in result["first"]] == due


def test_only_the_channels_failed_deliveries_of_the_four_events_since_the_time_are_chosen(
    gql, shop, receiver
):
    shop.deliver()  # failed before the time
    since = timezone.now()
    chosen = [shop.deliver(event) for event in RETRYABLE]
    shop.deliver(reply=Reply(200))  # delivered: nothing to recover
    for event in NOT_RETRYABLE:
        assert shop.deliver(event).status == "FAILED"  # no manual retry for these
    other = Shop(receiver, f"/other/{uuid.uuid4().hex[:8]}", name="ERP")
    other.deliver()  # another channel's

    result = recover(gql, shop, since, dry_run=False).result("notificationChannelRecover")["recovery"]

    assert result["count"] == 4
    reopened = set(Delivery.objects.filter(status="PENDING").values_list("pk", flat=True))
    assert reopened == {d.pk for d in chosen}


def test_the_preview_lists_ten_and_the_count_says_how_many(gql, shop):
    for _ in range(12):
        shop.deliver()
    result = recover(gql, shop, timezone.now() - timedelta(hours=1), dry_run=True).result(
        "notificationChannelRecover"
    )["recovery"]
    assert result["count"] == 12 and len(result["first"]) == 10
    first, last = parse(result["firstSendAt"]), parse(result["lastSendAt"])
    assert (last - first).total_seconds() == pytest.approx(11 * 0.2)


def test_a_second_recovery_of_the_channel_is_scheduled_after_the_first(gql, shop, settings):
    settings.SALEOR_NOTIFY = {**settings.SALEOR_NOTIFY, "RECOVER_RATE_PER_S": 0.1}  # one every 10 s
    shop.deliver()
    shop.deliver()
    first = recover(gql, shop, timezone.now() - timedelta(hours=1), dry_run=False).result(
        "notificationChannelRecover"
    )["recovery"]
    since = timezone.now()
    shop.deliver()
    preview = recover(gql, shop, since, dry_run=True).result("notificationChannelRecover")["recovery"]
    second = recover(gql, shop, since, dry_run=False).result("notificationChannelRecover")["recovery"]
    assert second["count"] == 1
    gap = parse(second["firstSendAt"]) - parse(first["lastSendAt"])
    assert gap.total_seconds() == pytest.approx(10)
    assert parse(preview["firstSendAt"]) == parse(second["firstSendAt"])


def test_nothing_to_recover_is_an_empty_answer(gql, shop):
    shop.deliver(reply=Reply(200))
    result = recover(gql, shop, timezone.now() - timedelta(hours=1), dry_run=False).result(
        "notificationChannelRecover"
    )["recovery"]
    assert (result["count"], result["first"], result["firstSendAt"], result["lastSendAt"]) == (0, [], None, None)


def test_a_time_in_the_future_is_refused_and_changes_nothing(gql, shop):
    failed = shop.deliver()
    answer = recover(gql, shop, timezone.now() + timedelta(minutes=5), dry_run=False)
    assert [(e["field"], e["code"]) for e in answer.errors_of("notificationChannelRecover")] == [("since", "INVALID")]
    assert answer.body["data"]["notificationChannelRecover"]["recovery"] is None
    assert Delivery.objects.get(pk=failed.pk).status == "FAILED"


@pytest.mark.parametrize("dry_run", [True, False])
def test_a_deactivated_channel_is_refused_and_changes_nothing(gql, shop, dry_run):
    failed = shop.deliver()
    channels.update_channel(shop.channel.pk, is_active=False)
    answer = recover(gql, shop, timezone.now() - timedelta(hours=1), dry_run=dry_run)
    assert [(e["field"], e["code"]) for e in answer.errors_of("notificationChannelRecover")] == [
        ("id", "CHANNEL_UNAVAILABLE")
    ]
    assert Delivery.objects.get(pk=failed.pk).status == "FAILED"


def test_a_deleted_unknown_or_malformed_channel_is_a_clear_error(gql, shop):
    shop.deliver()
    channels.delete_channel(shop.channel.pk)
    assert not NotificationChannel.objects.filter(pk=shop.channel.pk).exists()
    since = iso(timezone.now() - timedelta(hours=1))
    deleted = gql(CHANNEL_RECOVER, {"id": shop.id, "since": since})
    assert deleted.codes("notificationChannelRecover") == ["NOT_FOUND"]
    malformed = gql(CHANNEL_RECOVER, {"id": to_global_id("NotificationDelivery", 1), "since": since})
    assert [(e["field"], e["code"]) for e in malformed.errors_of("notificationChannelRecover")] == [("id", "INVALID")]


def test_a_time_that_is_not_a_time_is_refused_by_the_schema(gql, shop):
    answer = gql(CHANNEL_RECOVER, {"id": shop.id, "since": "yesterday"})
    assert answer.body.get("errors") and answer.body.get("data") is None


def test_the_sweep_keeps_the_pace_of_a_recovery_whose_messages_were_lost(gql, shop):
    """Nothing is committed here, so the recovery's messages never left: as if its worker died.
    The sweep hands them on spaced at the rate, not all at once."""
    failed = [shop.deliver() for _ in range(4)]
    recover(gql, shop, timezone.now() - timedelta(hours=1), dry_run=False).result("notificationChannelRecover")
    later = timezone.now() + timedelta(minutes=10)

    assert upkeep.sweep(now=later)["deliveries"] == 4

    due = [Delivery.objects.get(pk=d.pk).next_attempt_at for d in failed]
    assert due[0] == later
    assert [(b - a).total_seconds() for a, b in zip(due, due[1:], strict=False)] == [0.2] * 3


def test_a_paused_channel_is_refused_until_it_is_resumed(gql, shop, shop_settings):
    """A channel the alert paused holds its deliveries; a recovery would be sent unpaced at release."""
    failed = shop.deliver()
    channels.update_channel(shop.channel.pk, pause_on_alert=True)
    shop_settings({"alert_after_minutes": 0})  # the first failure alerts, and pauses
    alerts.evaluate()
    assert NotificationChannel.objects.get(pk=shop.channel.pk).paused_at is not None
    answer = recover(gql, shop, timezone.now() - timedelta(hours=1), dry_run=True)
    assert [(e["field"], e["code"]) for e in answer.errors_of("notificationChannelRecover")] == [
        ("id", "CHANNEL_UNAVAILABLE")
    ]
    alerts.resume(shop.channel.pk)
    answer = recover(gql, shop, timezone.now() - timedelta(hours=1), dry_run=True)
    assert answer.body["data"]["notificationChannelRecover"]["recovery"]["count"] == 1
    assert Delivery.objects.get(pk=failed.pk).status == "FAILED"
