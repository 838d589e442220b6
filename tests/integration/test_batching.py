"""Work that piles up is done in batches: a fan-out takes along the events waiting, and the
sweep's lists of deliveries go through the sender pool, each still sent exactly once."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from saleor_notify_plugin.conf import get_settings
from saleor_notify_plugin.delivery.outcome import Outcome
from saleor_notify_plugin.events import EventType
from saleor_notify_plugin.models import Delivery, DeliveryAttempt, RecordedEvent
from saleor_notify_plugin.pipeline import attempts, fan_out, recordsets, results
from tests.builders import attach, postback_channel, record
from tests.support.receiver import Reply
from tests.support.waiting import wait_for


@pytest.mark.django_db
def test_a_fan_out_takes_along_the_events_recorded_meanwhile(receiver, path):
    attach(EventType.ORDER_COMPLETED, postback_channel(receiver.url(path)))
    ids = [record(order_id=f"o-{n}") for n in range(5)]

    assert len(fan_out.fan_out(ids[0])) == 5  # one task: its own event and the four waiting
    assert not RecordedEvent.objects.filter(fanned_out_at__isnull=True).exists()
    assert len({r.headers["webhook-id"] for r in receiver.received(path)}) == 5
    # Their own messages come later and find them done.
    assert [fan_out.fan_out(event_id) for event_id in ids[1:]] == [[], [], [], []]
    assert len(receiver.received(path)) == 5


@pytest.mark.django_db
@pytest.mark.parametrize("burst", [3, 30])
def test_a_fan_out_reads_the_events_in_the_same_few_statements_however_many_there_are(receiver, path, burst):
    """No statement per event (a column left unloaded and read later would be one each), and every
    delivery is written with its channel, its first attempt's claim and its timestamps."""
    channel = postback_channel(receiver.url(path))
    attach(EventType.ORDER_COMPLETED, channel)
    ids = [record(order_id=f"o-{n}") for n in range(burst)]
    table = RecordedEvent._meta.db_table

    with CaptureQueriesContext(connections["default"]) as queries:
        created = fan_out.fan_out_many(ids)

    on_events = [q["sql"] for q in queries.captured_queries if table in q["sql"]]
    assert len(on_events) == 4, on_events  # anything left? / lock them / take along / mark them fanned out
    assert len(created) == burst and len(receiver.received(path)) == burst
    for delivery in Delivery.objects.filter(pk__in=created):
        assert (delivery.channel_id, delivery.channel_name) == (channel.pk, channel.name)
        assert delivery.channel_kind == "POSTBACK"
        assert delivery.status == "SUCCESS" and delivery.attempt_count == 1 and delivery.next_trigger == "AUTOMATIC"
        assert delivery.created_at <= delivery.updated_at and delivery.lease_expires_at is None


@pytest.mark.django_db
def test_a_wave_of_sends_costs_one_statement_on_the_deliveries(receiver, path):
    """Beyond the first senders' worth, each wave is claimed in the statement that writes the results
    before it: the statements on the deliveries are the insert and one per batch of results."""
    channel = postback_channel(receiver.url(path))
    attach(EventType.ORDER_COMPLETED, channel)
    ids = [record(order_id=f"o-{n}") for n in range(40)]
    table = Delivery._meta.db_table

    with CaptureQueriesContext(connections["default"]) as queries:
        created = fan_out.fan_out_many(ids)

    on_deliveries = [q["sql"] for q in queries.captured_queries if table in q["sql"]]
    writes_results = [sql for sql in on_deliveries if DeliveryAttempt._meta.db_table in sql]
    assert len(created) == 40 and len(receiver.received(path)) == 40
    # Anything left? (it reads the deliveries), the insert, then one per batch of results (and claim).
    assert len(on_deliveries) == 2 + len(writes_results), on_deliveries
    assert DeliveryAttempt.objects.filter(delivery__in=created).count() == 40
    assert set(Delivery.objects.filter(pk__in=created).values_list("status", "attempt_count")) == {("SUCCESS", 1)}


@pytest.mark.django_db
def test_results_are_written_by_key_in_a_log_of_thousands(receiver, path):
    """Before: the planner took a batch's JSON document for 100 rows and, in a table of a few thousand
    deliveries (a young shop's, not yet analysed), scanned all of them for every batch of results:
    the cost grew with the log. Now each delivery is looked up by its key."""
    channel = postback_channel(receiver.url(path))
    attach(EventType.ORDER_COMPLETED, channel)
    with connections["default"].cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO saleor_notify_notificationevent (id, event, source, subject_type, subject_id, order_id,
                idempotency_key, payload, occurred_at, created_at, fanned_out_at, dispatch_requested_at)
            SELECT md5('old' || g)::uuid, 'ORDER_COMPLETED', 'SHOP', 'order', g::text, g::text, 'old-' || g,
                   '{}'::jsonb, now(), now(), now(), now()
            FROM generate_series(1, 3000) g
            """
        )
        cursor.execute(
            """
            INSERT INTO saleor_notify_delivery (event_id, channel_id, channel_name, channel_kind, status,
                failure_kind, attempt_count, next_trigger, created_at, updated_at)
            SELECT e.id, %s, 'old', 'POSTBACK', 'SUCCESS', '', 1, 'AUTOMATIC', now(), now()
            FROM saleor_notify_notificationevent e WHERE e.idempotency_key LIKE 'old-%%'
            """,
            [channel.pk],
        )
    ids = [record(order_id=f"o-{n}") for n in range(8)]

    with CaptureQueriesContext(connections["default"]) as queries:
        fan_out.fan_out_many(ids)

    writes = [q["sql"] for q in queries.captured_queries if DeliveryAttempt._meta.db_table in q["sql"]]
    assert writes and Delivery.objects.filter(status="SUCCESS").count() == 3008
    with connections["default"].cursor() as cursor:
        cursor.execute("EXPLAIN " + writes[0])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert f"Seq Scan on {Delivery._meta.db_table}" not in plan, plan


@pytest.mark.django_db(transaction=True)
def test_fan_outs_running_at_once_deliver_each_event_once(receiver, path):
    channel = postback_channel(receiver.url(path))
    attach(EventType.ORDER_COMPLETED, channel)
    ids = [record(order_id=f"o-{n}") for n in range(40)]
    start = threading.Barrier(4)

    def worker(event_id) -> None:  # noqa: ANN001 - an event id
        try:
            start.wait()
            fan_out.fan_out(event_id)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(ids[n],)) for n in (0, 10, 20, 30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    # The session's worker may take part too (the events were committed): still once each.
    wait_for(lambda: Delivery.objects.filter(channel=channel, status="SUCCESS").count() == 40, 20)
    assert Delivery.objects.filter(channel=channel).count() == 40
    webhook_ids = [r.headers["webhook-id"] for r in receiver.received(path)]
    assert len(webhook_ids) == 40 and len(set(webhook_ids)) == 40


@pytest.mark.django_db
def test_a_list_from_the_sweep_sends_the_unheld_settles_the_lost_and_holds_the_paused(receiver, path):
    crm = postback_channel(receiver.url(path), name="CRM")
    paused = postback_channel(receiver.url(path + "-paused"), name="Warehouse")
    paused.paused_at = timezone.now()
    paused.save(update_fields=["paused_at"])
    for channel in (crm, paused):
        attach(EventType.ORDER_COMPLETED, channel)
    record(order_id="o-1")
    record(order_id="o-2")
    # As the workers left them before an outage: never started, or claimed by a worker that died.
    past = timezone.now() - timedelta(minutes=30)
    events = list(RecordedEvent.objects.order_by("created_at"))
    RecordedEvent.objects.update(fanned_out_at=past)
    unheld = Delivery.objects.create(event=events[0], channel=crm, channel_name="CRM", channel_kind="POSTBACK",
                                     next_attempt_at=past)
    lost = Delivery.objects.create(event=events[1], channel=crm, channel_name="CRM", channel_kind="POSTBACK",
                                   next_attempt_at=past, attempt_count=1, lease_expires_at=past)
    held = Delivery.objects.create(event=events[0], channel=paused, channel_name="Warehouse",
                                   channel_kind="POSTBACK", next_attempt_at=past)

    attempts.attempt_deliveries([unheld.pk, lost.pk, held.pk])

    unheld.refresh_from_db(), lost.refresh_from_db(), held.refresh_from_db()
    assert (unheld.status, unheld.attempt_count) == ("SUCCESS", 1)
    # The lost claim is logged as an attempt of unknown outcome, then the delivery is sent again.
    logged = DeliveryAttempt.objects.filter(delivery=lost).order_by("number").values_list("error_kind", "verdict")
    assert list(logged) == [("result_unknown", "retry"), ("", "success")]
    assert (lost.status, lost.attempt_count) == ("SUCCESS", 2)
    assert (held.status, held.attempt_count) == ("PENDING", 0)
    assert len(receiver.received(path)) == 2 and receiver.received(path + "-paused") == []


@pytest.mark.django_db
def test_a_fan_out_of_events_fanned_out_before_sends_what_was_never_started_reading_each_event_once(
    receiver, path
):
    """A fan-out whose events another one (or a worker that died) fanned out already sends their
    deliveries nobody started, each event's payload read once: the events it locked are the ones
    the deliveries carry, not loaded again with them."""
    crm = postback_channel(receiver.url(path), name="CRM")
    attach(EventType.ORDER_COMPLETED, crm)
    ids = [record(order_id=f"o-{n}", payload={"number": f"10{n}"}) for n in (1, 2)]
    past = timezone.now() - timedelta(minutes=5)
    RecordedEvent.objects.update(fanned_out_at=past)
    for event in RecordedEvent.objects.all():
        Delivery.objects.create(event=event, channel=crm, channel_name="CRM", channel_kind="POSTBACK",
                                next_attempt_at=past)

    with CaptureQueriesContext(connections["default"]) as queries:
        assert len(fan_out.fan_out_many(ids)) == 2

    assert sorted(json.loads(r.body)["data"]["number"] for r in receiver.received(path)) == ["101", "102"]
    assert Delivery.objects.filter(status="SUCCESS").count() == 2
    payload = f'{RecordedEvent._meta.db_table}"."{recordsets.field(RecordedEvent, "payload").column}"'
    assert len([q for q in queries.captured_queries if payload in q["sql"]]) == 1


@pytest.mark.django_db
def test_a_late_result_of_an_expired_claim_is_logged_but_never_overwrites_the_newer_attempt(receiver, path):
    """Worker A's claim of attempt 1 expired and worker B now holds attempt 2: A's late failure is
    kept in the log as attempt 1, the delivery stays B's; B's success, in the same batch as an
    ordinary retry, settles each delivery by its own result."""
    channel = postback_channel(receiver.script(path, Reply(200), Reply(200)))
    attach(EventType.ORDER_COMPLETED, channel)
    ids = fan_out.fan_out_many([record(order_id=f"o-{n}") for n in (1, 2)])
    first, second = (Delivery.objects.get(pk=pk) for pk in ids)
    lease = timezone.now() + timedelta(seconds=60)
    Delivery.objects.filter(pk=first.pk).update(status="PENDING", attempt_count=2, lease_expires_at=lease)
    late = Delivery.objects.select_related("channel", "event").get(pk=first.pk)
    late.attempt_count = 1  # what worker A still holds
    started = timezone.now()
    results.record_results([(late, started, Outcome(duration_ms=5, status_code=500))], get_settings())

    first.refresh_from_db()
    assert (first.status, first.attempt_count, first.lease_expires_at) == ("PENDING", 2, lease)
    assert list(first.attempts.values_list("number", "verdict", "status_code")) == [(1, "success", 200)]

    # The attempt row of a number already logged is kept as it was; a new number is added.
    Delivery.objects.filter(pk=second.pk).update(status="PENDING", attempt_count=2)
    current = [Delivery.objects.select_related("channel", "event").get(pk=pk) for pk in (first.pk, second.pk)]
    outcomes = [Outcome(duration_ms=7, status_code=200), Outcome(duration_ms=9, status_code=503)]
    results.record_results([(d, started, o) for d, o in zip(current, outcomes, strict=True)], get_settings())
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.lease_expires_at, first.next_attempt_at) == ("SUCCESS", None, None)
    assert (second.status, second.failure_kind) == ("PENDING", "http_503")
    assert second.next_attempt_at > started
    assert list(second.attempts.values_list("number", "verdict")) == [(1, "success"), (2, "retry")]
    assert second.attempts.get(number=2).duration_ms == 9
