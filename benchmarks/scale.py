"""4. Scale: the log tables filled with history, and a backlog drained by a fresh worker."""

from __future__ import annotations

import json
import time
from typing import Any

from benchmarks.common import Fixture, log, order_payload, summary
from tests.support.load_receiver import LoadReceiver
from tests.support.worker_process import WorkerProcess

HIST_PAYLOAD = json.dumps({"number": "1", "email": "customer@example.com", "total": {"gross": "129.90"},
                           "lines": [{"sku": "SKU-00001", "quantity": 1}]})


def fill_history(rows: int, channel_id: int) -> float:
    """``rows`` events, deliveries and attempts (SUCCESS, in the past) with generate_series."""
    from django.db import connection

    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO saleor_notify_notificationevent (id, event, source, subject_type, subject_id, order_id,
                idempotency_key, payload, occurred_at, created_at, fanned_out_at, dispatch_requested_at)
            SELECT md5('hist' || g)::uuid, 'ORDER_COMPLETED', 'SHOP', 'order', g::text, g::text, 'hist-' || g,
                   %s::jsonb, ts, ts, ts, ts
            FROM generate_series(1, %s) g, LATERAL (SELECT now() - make_interval(secs => g * 2.5) AS ts) t
            """,
            [HIST_PAYLOAD, rows],
        )
        cursor.execute(
            """
            INSERT INTO saleor_notify_delivery (event_id, channel_id, channel_name, channel_kind, status,
                failure_kind, attempt_count, next_trigger, next_attempt_at, lease_expires_at, created_at, updated_at)
            SELECT e.id, %s, 'history', 'POSTBACK', 'SUCCESS', '', 1, 'AUTOMATIC', NULL, NULL,
                   e.created_at, e.created_at
            FROM saleor_notify_notificationevent e WHERE e.idempotency_key LIKE 'hist-%%'
            """,
            [channel_id],
        )
        cursor.execute(
            """
            INSERT INTO saleor_notify_deliveryattempt (delivery_id, channel_id, number, trigger, started_at,
                duration_ms, status_code, error_kind, error_message, response_excerpt, verdict, retry_in_s,
                response_headers)
            SELECT d.id, d.channel_id, 1, 'AUTOMATIC', d.created_at, 12, 200, '', '', 'ok', 'success', NULL,
                   '[]'::jsonb
            FROM saleor_notify_delivery d WHERE d.channel_name = 'history'
            """
        )
    with connection.cursor() as cursor:
        for table in ("notificationevent", "delivery", "deliveryattempt"):
            cursor.execute(f"VACUUM ANALYZE saleor_notify_{table}")
    return time.perf_counter() - t0


def fill_backlog(rows: int, channel_id: int, tag: str) -> list[int]:
    """``rows`` fanned-out events with one PENDING, never attempted delivery each, due an hour ago (the
    workers were down); returns the ids."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO saleor_notify_notificationevent (id, event, source, subject_type, subject_id, order_id,
                idempotency_key, payload, occurred_at, created_at, fanned_out_at, dispatch_requested_at)
            SELECT md5(%s::text || g)::uuid, 'CUSTOMER_CREATED', 'SHOP', 'order', g::text, g::text,
                   %s::text || g, %s::jsonb, now(), now(), now(), now()
            FROM generate_series(1, %s) g
            """,
            [f"backlog-{tag}-", f"backlog-{tag}-", json.dumps(order_payload()), rows],
        )
        cursor.execute(
            """
            INSERT INTO saleor_notify_delivery (event_id, channel_id, channel_name, channel_kind, status,
                failure_kind, attempt_count, next_trigger, next_attempt_at, lease_expires_at, created_at, updated_at)
            SELECT e.id, %s, 'backlog', 'POSTBACK', 'PENDING', '', 0, 'AUTOMATIC', now() - interval '1 hour', NULL,
                   now(), now()
            FROM saleor_notify_notificationevent e WHERE e.idempotency_key LIKE %s
            RETURNING id
            """,
            [channel_id, f"backlog-{tag}-%"],
        )
        ids = [r[0] for r in cursor.fetchall()]
        cursor.execute("ANALYZE saleor_notify_delivery")
    return ids


def enqueue_deliveries(ids: list[int]) -> float:
    """Hand the backlog on as the product does: the sweep's runs, each up to ``SWEEP_BATCH_SIZE``
    due deliveries, in ``deliver`` messages of up to 100 ids."""
    from saleor_notify_plugin.pipeline import upkeep

    t0 = time.perf_counter()
    handed = 0
    while handed < len(ids):
        found = upkeep.sweep()["deliveries"]
        if not found:
            raise RuntimeError(f"the sweep handed on {handed} of {len(ids)} deliveries")
        handed += found
    return time.perf_counter() - t0


def bench_backlog(fx: Fixture, receiver: LoadReceiver, worker: WorkerProcess, rows: int, windows: int,
                  tag: str) -> dict[str, Any]:
    worker.stop()
    ids = fill_backlog(rows, fx.single_channel.pk, tag)
    enqueue_s = enqueue_deliveries(ids)
    log(f"  backlog: {len(ids)} deliveries enqueued in {enqueue_s:.1f} s; starting the worker")
    receiver.reset()
    samples: list[tuple[float, int, int, dict[int, int]]] = []
    worker.start()
    t_ready = time.time()
    while True:
        c = receiver.count()
        rss = worker.rss_kib()
        samples.append((time.time(), c, sum(rss.values()), rss))
        if c >= rows:
            break
        if len(samples) > 40 and samples[-40][1] == c:  # ~10 s without progress
            raise RuntimeError(f"backlog drain stalled at {c}/{rows}")
        time.sleep(0.25)
    times = sorted(r[0] for r in receiver.dump())
    # Rates over consecutive windows of equal numbers of deliveries.
    size = len(times) // windows
    rates = [size / (times[(w + 1) * size - 1] - times[w * size]) for w in range(windows)]
    overall = len(times) / (times[-1] - t_ready)

    def peak(lo: float, hi: float) -> dict[str, int]:
        sel = [s for s in samples if lo * rows <= s[1] <= hi * rows] or samples[:1]
        return {"total_kib": max(s[2] for s in sel),
                "largest_process_kib": max(max(s[3].values(), default=0) for s in sel)}

    start, end = peak(0.0, 0.1), peak(0.9, 1.0)
    return {
        "deliveries": rows, "enqueue_s": enqueue_s, "overall_per_s": overall, "window_per_s": summary(rates),
        "rss_start": start, "rss_end": end, "rss_end_over_start": end["total_kib"] / start["total_kib"],
        "rss_samples": [(round(t - t_ready, 2), c, tot) for t, c, tot, _ in samples[:: max(1, len(samples) // 200)]],
    }
