"""Heartbeats, the backlog, and what the system check and the health query make of them."""

from __future__ import annotations

import io
import uuid
from datetime import timedelta

import pytest
from celery import current_app
from django.core.management import call_command
from django.utils import timezone

from saleor_notify_plugin import health
from saleor_notify_plugin.events import EventType
from saleor_notify_plugin.models import Heartbeat, RecordedEvent
from tests.builders import attach, postback_channel, record

pytestmark = pytest.mark.django_db


def beats(**ages_s: float) -> None:
    now = timezone.now()
    for name, age_s in ages_s.items():
        health.stamp(name, now=now - timedelta(seconds=age_s))


def codes(**kwargs) -> list[str]:
    return [p.code for p in health.snapshot(**kwargs).problems]


def check_output() -> str:
    err = io.StringIO()
    call_command("check", "--database", "default", stdout=io.StringIO(), stderr=err)
    return err.getvalue()


def test_running_beat_worker_and_poller_are_healthy():
    beats(beat=5, sweep=30, poller=3)
    snapshot = health.snapshot()
    assert snapshot.healthy and snapshot.backlog == 0 and snapshot.poller_lag_s == pytest.approx(3, abs=1)


def test_a_stopped_beat_is_reported_by_the_check_and_the_snapshot():
    beats(beat=600, sweep=600)
    assert codes() == ["BEAT_STOPPED"]
    output = check_output()
    assert "saleor_notify.W101" in output and "is beat running?" in output


def test_beat_that_never_ran_is_reported_once_events_were_recorded():
    assert codes() == []  # a fresh install: nothing to say yet
    RecordedEvent.objects.create(
        event="order_completed", source="SHOP", subject_type="order", subject_id="1", idempotency_key="k",
        payload={}, occurred_at=timezone.now(), dispatch_requested_at=timezone.now(), fanned_out_at=timezone.now(),
    )
    assert codes() == ["BEAT_STOPPED"]


def test_beat_running_without_a_worker_is_a_stopped_worker():
    beats(beat=2, sweep=900)
    assert codes() == ["WORKER_STOPPED"]
    assert "saleor_notify.W102" in check_output()


def test_a_stopped_poller_is_reported_where_a_poller_runs():
    beats(beat=2, sweep=10, poller=120)
    assert codes() == ["POLLER_STOPPED"]
    assert codes(expect_poller=False) == []
    Heartbeat.objects.filter(name="poller").delete()
    assert codes(expect_poller=True) == ["POLLER_STOPPED"]  # inside Saleor, never ran


def test_an_old_growing_backlog_is_reported():
    beats(beat=2, poller=2)
    health.stamp("sweep", value=1)
    attach(EventType.ORDER_COMPLETED, postback_channel("http://127.0.0.1:9/never"))
    for n in range(2):
        record(EventType.ORDER_COMPLETED, order_id=f"o-{n}")  # never fanned out: no worker in this test
    RecordedEvent.objects.update(created_at=timezone.now() - timedelta(minutes=10), fanned_out_at=None)
    snapshot = health.snapshot()
    assert snapshot.pending_events == 2 and snapshot.backlog_growing
    assert snapshot.oldest_pending_age_s >= 600
    assert [p.code for p in snapshot.problems] == ["BACKLOG_GROWING"]
    assert "saleor_notify.W104" in check_output()


def test_a_shrinking_backlog_is_not_a_problem():
    beats(beat=2, poller=2)
    health.stamp("sweep", value=50)
    attach(EventType.ORDER_COMPLETED, postback_channel("http://127.0.0.1:9/never"))
    record(EventType.ORDER_COMPLETED, order_id="o-1")
    RecordedEvent.objects.update(created_at=timezone.now() - timedelta(minutes=10), fanned_out_at=None)
    assert codes() == []


def test_beat_sending_a_periodic_task_stamps_its_heartbeat():
    """Publishing the sweep (what beat does every minute) to the real broker stamps ``beat``."""
    from saleor_notify_plugin import tasks

    queue = f"saleor-notify-nobody-{uuid.uuid4().hex[:8]}"
    current_app.send_task(tasks.SWEEP_TASK, queue=queue)
    stamped = Heartbeat.objects.get(name="beat").beat_at
    assert timezone.now() - stamped < timedelta(seconds=5)

