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
