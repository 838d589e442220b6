"""1. The request path: ``record_event`` in a transaction, and as Saleor calls a hook, against one
bare INSERT of the same row."""

from __future__ import annotations

import json
import statistics
import time
import uuid
from contextlib import nullcontext
from typing import Any

from benchmarks.common import SINK_QUEUE, SOURCE, Fixture, bench_settings, redis_client, summary, use_queue


def create_bare_table() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_bare_insert")
        cursor.execute(
            "CREATE TABLE bench_bare_insert (LIKE saleor_notify_notificationevent INCLUDING DEFAULTS)"
        )
        cursor.execute("ALTER TABLE bench_bare_insert ADD PRIMARY KEY (id)")


def bare_insert_once(fx: Fixture, *, in_transaction: bool = False) -> float:
    """One INSERT of the same 11 values, timed; ``in_transaction``: inside ``atomic()`` (BEGIN and
    COMMIT counted), what a caller's own transaction costs around a row of its own."""
    from django.db import connection, transaction
    from django.utils import timezone

    now = timezone.now()
    params = [uuid.uuid4(), fx.events[1], SOURCE, "order", "1", "1", uuid.uuid4().hex,
              json.dumps(fx.payload), now, now, now]
    t0 = time.perf_counter()
    with transaction.atomic() if in_transaction else nullcontext(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bench_bare_insert (id, event, source, subject_type, subject_id, order_id, "
            "idempotency_key, payload, occurred_at, created_at, dispatch_requested_at) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            params,
        )
    return time.perf_counter() - t0


def record_once(fx: Fixture, event: str, *, in_transaction: bool = True) -> float:
    """One recording, timed. ``in_transaction``: inside ``atomic()`` (BEGIN and COMMIT counted);
    else as Saleor 3.24 calls a hook: after its own commit, with no transaction open (``call_event``
    defers a hook to on_commit), so the INSERT commits by itself and the hand-over runs at once."""
    from django.db import transaction

    t0 = time.perf_counter()
    with transaction.atomic() if in_transaction else nullcontext():
        event_id = fx.record(event)
    elapsed = time.perf_counter() - t0
    assert event_id is not None
    return elapsed


def record_no_enqueue_once(fx: Fixture) -> float:
    """The same, with the after-commit ``send_task`` replaced by a no-op (diagnosis only)."""
    from tests.support import internals

    with internals.enqueueing_switched_off():
        return record_once(fx, fx.events[1])


def bench_request_path(fx: Fixture, runs: int, iters: int) -> dict[str, Any]:
    """Per run: median of ``iters`` hook-style recordings / median of ``iters`` bare INSERTs."""
    use_queue(SINK_QUEUE)  # the worker does not consume it: no fan-out competes for the CPUs
    try:
        for _ in range(20):  # warm-up: connections to PostgreSQL and Redis, statement caches
            bare_insert_once(fx)
            record_once(fx, fx.events[1])
        bare_ms: list[float] = []
        in_tx: dict[str, list[float]] = {"bare_ms": [], "ratio": []}
        no_enqueue: dict[str, list[float]] = {"ms": [], "ratio": []}
        autocommit: dict[str, list[float]] = {"ms": [], "ratio": []}
        per_n: dict[int, dict[str, list[float]]] = {n: {"ms": [], "ratio": []} for n in fx.events}
        for _ in range(runs):
            # Interleaved so that the machine's drift hits the baseline and the figures alike.
            samples: dict[Any, list[float]] = {"bare": [], "bare_in_transaction": [], "no_enqueue": [],
                                               "autocommit": [], **{n: [] for n in fx.events}}
            for _ in range(iters):
                samples["bare"].append(bare_insert_once(fx))
                samples["bare_in_transaction"].append(bare_insert_once(fx, in_transaction=True))
                samples["no_enqueue"].append(record_no_enqueue_once(fx))
                samples["autocommit"].append(record_once(fx, fx.events[1], in_transaction=False))
                for n, event in fx.events.items():
                    samples[n].append(record_once(fx, event))
            base = statistics.median(samples["bare"])
            bare_ms.append(base * 1000)
            ne = statistics.median(samples["no_enqueue"])
            no_enqueue["ms"].append(ne * 1000)
            no_enqueue["ratio"].append(ne / base)
            ac = statistics.median(samples["autocommit"])
            autocommit["ms"].append(ac * 1000)
            autocommit["ratio"].append(ac / base)
            for n in fx.events:
                m = statistics.median(samples[n])
                per_n[n]["ms"].append(m * 1000)
                per_n[n]["ratio"].append(m / base)
            bare_tx = statistics.median(samples["bare_in_transaction"])
            in_tx["bare_ms"].append(bare_tx * 1000)
            in_tx["ratio"].append(statistics.median(samples[1]) / bare_tx)
    finally:
        # The events recorded here are never to be delivered: what the publisher still holds goes
        # to the sink queue, and the rows are removed, or the next fan-out would take them along.
        from saleor_notify_plugin.models import RecordedEvent
        from tests.support import internals

        internals.flush_publisher()
        use_queue(bench_settings.QUEUE)
        redis_client().delete(SINK_QUEUE)
        RecordedEvent.objects.filter(fanned_out_at__isnull=True).delete()
    return {
        "iterations_per_run": iters,
        "bare_insert_ms": summary(bare_ms),
        "one_channel_without_enqueue": {k: summary(v) for k, v in no_enqueue.items()},
        "one_channel_as_saleor_calls": {k: summary(v) for k, v in autocommit.items()},
        # The 1-channel recording inside a transaction against a bare INSERT inside one too.
        "one_channel_in_transaction_vs_bare_in_transaction": {k: summary(v) for k, v in in_tx.items()},
        "channels": {str(n): {"ms": summary(v["ms"]), "ratio": summary(v["ratio"])} for n, v in per_n.items()},
    }
