"""Models and migrations agree (no forgotten makemigrations)."""

import io

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_missing_migrations():
    out = io.StringIO()
    call_command("makemigrations", "saleor_notify", "--check", "--dry-run", stdout=out)


@pytest.mark.django_db(transaction=True)
def test_the_existing_log_gives_its_attempts_their_channel():
    """Migration 0012: an attempt logged before it is its delivery's channel's, so the channel's
    health counts it."""
    from django.utils import timezone

    from saleor_notify_plugin import channel_health
    from saleor_notify_plugin.models import NotificationChannel
    from tests.support.migrations import just_before

    now = timezone.now()
    with just_before("0012_channel_alerts") as old:
        channel = old.get_model("saleor_notify", "NotificationChannel").objects.create(
            name="CRM", kind="POSTBACK", target_url="https://crm.example.com/hook", secret="whsec_x")
        event = old.get_model("saleor_notify", "RecordedEvent").objects.create(
            event="ORDER_COMPLETED", source="SHOP", subject_type="order", subject_id="1", idempotency_key="k",
            payload={}, occurred_at=now, dispatch_requested_at=now, fanned_out_at=now)
        delivery = old.get_model("saleor_notify", "Delivery").objects.create(
            event=event, channel=channel, channel_name="CRM", channel_kind="POSTBACK", status="SUCCESS",
            attempt_count=1)
        old.get_model("saleor_notify", "DeliveryAttempt").objects.create(
            delivery=delivery, number=1, trigger="AUTOMATIC", started_at=now, duration_ms=12, verdict="success")
    health = channel_health.channel_health(NotificationChannel.objects.get(pk=channel.pk))
    assert (health.status, health.attempt_count, health.last_success_at, health.median_latency_ms) == (
        "HEALTHY", 1, now, 12.0)


@pytest.mark.django_db(transaction=True)
def test_an_outbox_of_the_release_before_still_refuses_a_second_copy_of_an_event_with_fewer_indexes():
    """Migration 0015: the outbox's indexes are renamed or dropped, not rebuilt; an event recorded
    before it is still known (recording it again records nothing), the deliveries of an order are
    still found, and no insert pays for an index nothing reads."""
    from django.db import connection
    from django.utils import timezone

    from saleor_notify_plugin import switches
    from saleor_notify_plugin.events import EventType
    from saleor_notify_plugin.models import Delivery, DeliveryAttempt, RecordedEvent
    from tests.builders import record
    from tests.support.migrations import just_before

    now = timezone.now()
    with just_before("0015_fewer_indexes") as old:
        channel = old.get_model("saleor_notify", "NotificationChannel").objects.create(
            name="CRM", kind="POSTBACK", target_url="https://crm.example.com/hook", secret="whsec_x")
        event = old.get_model("saleor_notify", "RecordedEvent").objects.create(
            event="ORDER_COMPLETED", source="SHOP", subject_type="order", subject_id="1", order_id="o-1",
            idempotency_key="order_completed:o-1", payload={}, occurred_at=now, dispatch_requested_at=now,
            fanned_out_at=now)
        old.get_model("saleor_notify", "Delivery").objects.create(
            event=event, channel=channel, channel_name="CRM", channel_kind="POSTBACK", status="SUCCESS",
            attempt_count=1)
    switches.set_event_enabled(EventType.ORDER_COMPLETED, True)
    assert record(key="order_completed:o-1") is None
    assert record(key="order_completed:o-2") is not None
    assert list(Delivery.objects.filter(event__order_id="o-1").values_list("channel_name", flat=True)) == ["CRM"]
    outbox = ["id", "idempotency_key", "order_id", "saleor_channel", "created_at", "dispatch_requested_at"]
    # A channel's health reads its latest attempts and, from a partial index, its latest success.
    attempts = ["id", "delivery_id,number", "started_at", "channel_id,started_at", "channel_id,started_at"]
    with connection.cursor() as cursor:
        for model, expected in [
            (RecordedEvent, outbox),
            (Delivery, ["id", "event_id,channel_id", "channel_id", "next_attempt_at", "status,created_at"]),
            (DeliveryAttempt, attempts),
        ]:
            constraints = connection.introspection.get_constraints(cursor, model._meta.db_table).values()
            indexes = [",".join(spec["columns"]) for spec in constraints if spec["index"] or spec["unique"]]
            assert sorted(indexes) == sorted(expected), model
