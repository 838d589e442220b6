"""Run every benchmark and write performance.md and performance.json under build/benchmarks/.

    .venv/bin/python -m benchmarks [--quick] [--runs N] [--scale-rows N] [--backlog N] ... [--publish]

``--publish`` writes the published docs/performance.md and docs/performance.json instead (not
with ``--quick``: a smoke run's figures are not published).

Services: PostgreSQL 127.0.0.1:5432 (user postgres; database ``bench_saleor_notify`` is dropped
and re-created), Redis 127.0.0.1:6379 DB 13 (flushed), a ``celery worker`` process (prefork,
concurrency 2, Celery's defaults otherwise) and the receiver of ``benchmarks.receiver`` in its
own process. Every figure is the median of ``--runs`` runs with the range, and a ratio to a
baseline measured in the same run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
#: Results of a run, and the worker's log: build/ is not tracked, so a run leaves the checkout clean.
BUILD = ROOT / "build" / "benchmarks"
DEFAULT_OUT = BUILD / "performance.md"
#: The published figures, written only with --publish.
PUBLISHED = ROOT / "docs" / "performance.md"
os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.settings"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import settings as bench_settings  # noqa: E402

SINK_QUEUE = bench_settings.QUEUE + "-sink"  # nobody consumes it: request-path runs enqueue here
SOURCE = "SHOP"


def log(*parts: object) -> None:
    print(time.strftime("%H:%M:%S"), *parts, flush=True)


def summary(values: list[float]) -> dict[str, Any]:
    return {
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "runs": values,
    }


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- services --------------------------------------------------------------------------------


def recreate_database() -> None:
    import psycopg

    name = bench_settings.DB_NAME
    assert not name.startswith("test_saleor_notify"), "never touch the test databases"
    with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database() -> None:
    import psycopg

    with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{bench_settings.DB_NAME}" WITH (FORCE)')


def redis_client():
    import redis

    return redis.Redis.from_url(bench_settings.BROKER_URL)


class Receiver:
    def __init__(self) -> None:
        import requests

        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.receiver", str(self.port)],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if b"ready" not in line:
            raise RuntimeError(f"receiver did not start: {line!r}")
        self.control = requests.Session()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def count(self) -> int:
        return int(self.control.get(self.url("/_count")).text)

    def dump(self) -> list[tuple[float, str, str]]:
        return [tuple(r) for r in self.control.get(self.url("/_dump")).json()]

    def reset(self) -> None:
        self.control.post(self.url("/_reset"))

    def wait_for(self, n: int, stall_s: float = 60.0, poll_s: float = 0.02) -> None:
        last, last_change = -1, time.monotonic()
        while True:
            c = self.count()
            if c >= n:
                return
            if c != last:
                last, last_change = c, time.monotonic()
            elif time.monotonic() - last_change > stall_s:
                raise RuntimeError(f"receiver stalled at {c}/{n}")
            time.sleep(poll_s)

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


class Worker:
    """``celery -A saleor_notify_plugin.celery_app worker``: prefork, concurrency 2, defaults otherwise."""

    def __init__(self, log_path: Path) -> None:
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "benchmarks.settings", "PYTHONPATH": str(ROOT)}
        log_file = open(self.log_path, "ab")  # noqa: SIM115 - kept by the child
        offset = self.log_path.stat().st_size
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "saleor_notify_plugin.celery_app", "worker",
             "-Q", bench_settings.QUEUE, "-c", "2", "-P", "prefork", "-l", "INFO"],
            cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("worker exited at start; see " + str(self.log_path))
            if b"ready." in self.log_path.read_bytes()[offset:]:
                return
            time.sleep(0.1)
        raise RuntimeError("worker not ready; see " + str(self.log_path))

    def pids(self) -> list[int]:
        assert self.process is not None
        pid = self.process.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            children = []
        return [pid, *map(int, children)]

    def rss_kib(self) -> dict[int, int]:
        out = {}
        for pid in self.pids():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        out[pid] = int(line.split()[1])
            except OSError:
                pass
        return out

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


# --- fixtures --------------------------------------------------------------------------------


def order_payload(n: int = 0) -> dict[str, Any]:
    """An order-completed payload of about 1.5 kB (the anchors' Saleor order payload is 1.65 kB)."""
    return {
        "id": f"T3JkZXI6{uuid.UUID(int=n).hex}",
        "number": str(100000 + n),
        "email": "customer@example.com",
        "status": "FULFILLED",
        "channel": "default-channel",
        "currency": "USD",
        "total": {"gross": "129.90", "net": "105.61", "tax": "24.29"},
        "shipping": {"method": "DHL Express", "price": "9.90"},
        "billing_address": {
            "first_name": "Ada", "last_name": "Lovelace", "street_address_1": "12 Analytical Engine Street",
            "city": "London", "postal_code": "EC1A 1BB", "country": "GB", "phone": "+442071234567",
        },
        "shipping_address": {
            "first_name": "Ada", "last_name": "Lovelace", "street_address_1": "12 Analytical Engine Street",
            "city": "London", "postal_code": "EC1A 1BB", "country": "GB", "phone": "+442071234567",
        },
        "lines": [
            {
                "sku": f"SKU-{i:05d}", "product_name": f"Product number {i} with a long name",
                "variant_name": "Size M / Colour blue", "quantity": i + 1, "unit_price": "24.00",
                "total_price": f"{24 * (i + 1)}.00", "metadata": {"digital": "false"},
            }
            for i in range(5)
        ],
        "metadata": {"funnel": "summer-campaign", "utm_source": "newsletter"},
    }


class Fixture:
    """Channels and switches: one event type per configuration, postback channels to the receiver."""

    def __init__(self, receiver: Receiver) -> None:
        from saleor_notify_plugin import channels, switches

        self.receiver = receiver
        self.events = {1: "ORDER_COMPLETED", 10: "REFUND_APPLIED", 50: "TRANSACTION_APPROVED"}
        made: list[int] = []
        for i in range(50):
            made.append(channels.create_channel(name=f"bench {i}", kind="POSTBACK", url=receiver.url(f"/c/{i}")).pk)
        for n, event in self.events.items():
            switches.set_event_enabled(event, True)
            for pk in made[:n]:
                channels.attach_channel(event, pk, ["SHOP"])
        # Throughput / latency / backlog: one event type with one channel of its own.
        self.single_event = "CUSTOMER_CREATED"
        self.single_channel = channels.create_channel(name="bench single", kind="POSTBACK", url=receiver.url("/one"))
        switches.set_event_enabled(self.single_event, True)
        channels.attach_channel(self.single_event, self.single_channel.pk, ["SHOP"])
        self.payload = order_payload()

    def record(self, event: str, n: int = 0):
        from saleor_notify_plugin.pipeline import recording

        return recording.record_event(
            event, SOURCE, subject_type="order", subject_id=str(n), order_id=str(n),
            payload=self.payload, idempotency_key=uuid.uuid4().hex,
        )

    def sample_request(self) -> tuple[bytes, dict[str, str]]:
        """Body and headers as the worker sends them for this payload (for the baseline loops)."""
        from saleor_notify_plugin.delivery import envelope, signing

        body = envelope.encode(envelope.build_envelope(
            event_id=f"evt_{uuid.uuid4().hex}", event="customer_created", source="shop",
            occurred_at=dt.datetime.now(dt.UTC), data=self.payload,
        ))
        headers = signing.webhook_headers([self.single_channel.secret], "evt_x", int(time.time()), body)
        headers.update({"Content-Type": "application/json", "User-Agent": "saleor-notify/bench",
                        "Accept-Encoding": "identity"})
        return body, headers


def use_queue(name: str) -> None:
    from django.conf import settings

    settings.SALEOR_NOTIFY["QUEUE"] = name


# --- 1. request path -------------------------------------------------------------------------


def create_bare_table() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_bare_insert")
        cursor.execute(
            "CREATE TABLE bench_bare_insert (LIKE saleor_notify_notificationevent INCLUDING DEFAULTS)"
        )
        cursor.execute("ALTER TABLE bench_bare_insert ADD PRIMARY KEY (id)")


def bare_insert_once(fx: Fixture) -> float:
    from django.db import connection
    from django.utils import timezone

    now = timezone.now()
    params = [uuid.uuid4(), fx.events[1], SOURCE, "order", "1", "1", uuid.uuid4().hex,
              json.dumps(fx.payload), now, now, now]
    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bench_bare_insert (id, event, source, subject_type, subject_id, order_id, "
            "idempotency_key, payload, occurred_at, created_at, dispatch_requested_at) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            params,
        )
    return time.perf_counter() - t0


def record_once(fx: Fixture, event: str) -> float:
    from django.db import transaction

    t0 = time.perf_counter()
    with transaction.atomic():
        event_id = fx.record(event)
    elapsed = time.perf_counter() - t0
    assert event_id is not None
    return elapsed


def record_no_enqueue_once(fx: Fixture) -> float:
    """The same, with the after-commit ``send_task`` replaced by a no-op (diagnosis only)."""
    from saleor_notify_plugin.pipeline import broker

    original = broker.send_task
    broker.send_task = lambda *a, **k: True  # type: ignore[assignment]
    try:
        return record_once(fx, fx.events[1])
    finally:
        broker.send_task = original  # type: ignore[assignment]


def bench_request_path(fx: Fixture, runs: int, iters: int) -> dict[str, Any]:
    """Per run: median of ``iters`` hook-style recordings / median of ``iters`` bare INSERTs."""
    use_queue(SINK_QUEUE)  # the worker does not consume it: no fan-out competes for the CPUs
    try:
        for _ in range(20):  # warm-up: connections to PostgreSQL and Redis, statement caches
            bare_insert_once(fx)
            record_once(fx, fx.events[1])
        bare_ms: list[float] = []
        no_enqueue: dict[str, list[float]] = {"ms": [], "ratio": []}
        per_n: dict[int, dict[str, list[float]]] = {n: {"ms": [], "ratio": []} for n in fx.events}
        for _ in range(runs):
            # Interleaved so that the machine's drift hits the baseline and the figures alike.
            samples: dict[Any, list[float]] = {"bare": [], "no_enqueue": [], **{n: [] for n in fx.events}}
            for _ in range(iters):
                samples["bare"].append(bare_insert_once(fx))
                samples["no_enqueue"].append(record_no_enqueue_once(fx))
                for n, event in fx.events.items():
                    samples[n].append(record_once(fx, event))
            base = statistics.median(samples["bare"])
            bare_ms.append(base * 1000)
            ne = statistics.median(samples["no_enqueue"])
            no_enqueue["ms"].append(ne * 1000)
            no_enqueue["ratio"].append(ne / base)
            for n in fx.events:
                m = statistics.median(samples[n])
                per_n[n]["ms"].append(m * 1000)
                per_n[n]["ratio"].append(m / base)
    finally:
        use_queue(bench_settings.QUEUE)
        redis_client().delete(SINK_QUEUE)
    return {
        "iterations_per_run": iters,
        "bare_insert_ms": summary(bare_ms),
        "one_channel_without_enqueue": {k: summary(v) for k, v in no_enqueue.items()},
        "channels": {str(n): {"ms": summary(v["ms"]), "ratio": summary(v["ratio"])} for n, v in per_n.items()},
    }


# --- 2. throughput ---------------------------------------------------------------------------


def session_loop(receiver: Receiver, body: bytes, headers: dict[str, str], n: int) -> float:
    """Deliveries/s of one keep-alive requests.Session posting ``n`` bodies."""
    import requests

    session = requests.Session()
    url = receiver.url("/baseline")
    session.post(url, data=body, headers=headers).close()
    receiver.reset()
    t0 = time.perf_counter()
    for _ in range(n):
        r = session.post(url, data=body, headers=headers)
        r.content  # noqa: B018 - read the reply as the worker does
    elapsed = time.perf_counter() - t0
    session.close()
    return n / elapsed


def record_bulk(fx: Fixture, n: int, batch: int = 100) -> None:
    from django.db import transaction

    for start in range(0, n, batch):
        with transaction.atomic():
            for i in range(start, min(n, start + batch)):
                fx.record(fx.single_event, i)


def worker_throughput(fx: Fixture, receiver: Receiver, n: int) -> float:
    receiver.reset()
    t0 = time.time()
    record_bulk(fx, n)
    receiver.wait_for(n)
    last = max(r[0] for r in receiver.dump())
    return n / (last - t0)


def bench_throughput(fx: Fixture, receiver: Receiver, runs: int, n: int) -> dict[str, Any]:
    body, headers = fx.sample_request()
    worker_throughput(fx, receiver, 50)  # warm-up
    loop, worker, ratio = [], [], []
    for _ in range(runs):
        base = session_loop(receiver, body, headers, n)
        rate = worker_throughput(fx, receiver, n)
        loop.append(base)
        worker.append(rate)
        ratio.append(rate / base)
    return {"deliveries_per_run": n, "loop_per_s": summary(loop), "worker_per_s": summary(worker),
            "ratio": summary(ratio)}


# --- 3. latency ------------------------------------------------------------------------------


def paced(rate: float, seconds: float, action) -> None:
    period = 1.0 / rate
    start = time.perf_counter()
    for i in range(int(rate * seconds)):
        target = start + i * period
        delay = target - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        action(i)


def bench_latency(fx: Fixture, receiver: Receiver, runs: int, seconds: float, rate: float) -> dict[str, Any]:
    import requests
    from django.db import transaction

    body, headers = fx.sample_request()
    out: dict[str, list[float]] = {"p50_ms": [], "p99_ms": [], "max_ms": [], "base_p50_ms": [], "base_p99_ms": [],
                                   "p99_ratio": []}
    for _ in range(runs):
        # Baseline: the same rate of direct keep-alive POSTs, send -> arrival.
        session = requests.Session()
        sent: dict[str, float] = {}
        receiver.reset()

        def post(i: int) -> None:
            hid = f"base-{i}"
            sent[hid] = time.time()  # noqa: B023 - used within this iteration
            reply = session.post(receiver.url("/baseline"), data=body, headers={**headers, "webhook-id": hid})  # noqa: B023
            reply.close()

        paced(rate, seconds, post)
        receiver.wait_for(len(sent))
        base = [(t - sent[h]) * 1000 for t, h, _ in receiver.dump()]
        session.close()

        # The worker: commit -> arrival, correlated by webhook-id.
        committed: dict[str, float] = {}
        receiver.reset()

        def record(i: int) -> None:
            box: dict[str, float] = {}
            with transaction.atomic():
                transaction.on_commit(lambda: box.__setitem__("t", time.time()))  # runs first after COMMIT
                event_id = fx.record(fx.single_event, i)
            committed[f"evt_{event_id.hex}"] = box["t"]  # noqa: B023 - used within this iteration

        paced(rate, seconds, record)
        receiver.wait_for(len(committed))
        lat = [(t - committed[h]) * 1000 for t, h, _ in receiver.dump()]
        out["p50_ms"].append(pct(lat, 0.5))
        out["p99_ms"].append(pct(lat, 0.99))
        out["max_ms"].append(max(lat))
        out["base_p50_ms"].append(pct(base, 0.5))
        out["base_p99_ms"].append(pct(base, 0.99))
        out["p99_ratio"].append(pct(lat, 0.99) / pct(base, 0.99))
    return {"rate_per_s": rate, "seconds_per_run": seconds, **{k: summary(v) for k, v in out.items()}}


# --- 5. fan-out ------------------------------------------------------------------------------


def bench_fanout(fx: Fixture, receiver: Receiver, runs: int) -> dict[str, Any]:
    import requests
    from django.db import transaction

    body, headers = fx.sample_request()
    n = 50
    event = fx.events[n]
    fan, base, ratio = [], [], []
    for run in range(runs + 1):  # the first is a warm-up
        session = requests.Session()
        session.post(receiver.url("/baseline"), data=body, headers=headers).close()
        receiver.reset()
        t0 = time.time()
        for i in range(n):
            session.post(receiver.url(f"/baseline/{i}"), data=body, headers=headers).close()
        receiver.wait_for(n)
        b = (max(r[0] for r in receiver.dump()) - t0) * 1000
        session.close()

        receiver.reset()
        box: dict[str, float] = {}
        with transaction.atomic():
            transaction.on_commit(lambda: box.__setitem__("t", time.time()))  # noqa: B023
            fx.record(event, run)
        receiver.wait_for(n)
        f = (max(r[0] for r in receiver.dump()) - box["t"]) * 1000
        if run:
            fan.append(f)
            base.append(b)
            ratio.append(f / b)
    return {"channels": n, "last_arrival_ms": summary(fan), "loop_50_posts_ms": summary(base),
            "ratio": summary(ratio)}


# --- 4. scale --------------------------------------------------------------------------------


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
            INSERT INTO saleor_notify_deliveryattempt (delivery_id, number, trigger, started_at, duration_ms,
                status_code, error_kind, error_message, response_excerpt, verdict, retry_in_s)
            SELECT d.id, 1, 'AUTOMATIC', d.created_at, 12, 200, '', '', 'ok', 'success', NULL
            FROM saleor_notify_delivery d WHERE d.channel_name = 'history'
            """
        )
    with connection.cursor() as cursor:
        for table in ("notificationevent", "delivery", "deliveryattempt"):
            cursor.execute(f"VACUUM ANALYZE saleor_notify_{table}")
    return time.perf_counter() - t0


def fill_backlog(rows: int, channel_id: int, tag: str) -> list[int]:
    """``rows`` fanned-out events with one PENDING, never attempted delivery each; returns the ids."""
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
            SELECT e.id, %s, 'backlog', 'POSTBACK', 'PENDING', '', 0, 'AUTOMATIC', now(), NULL, now(), now()
            FROM saleor_notify_notificationevent e WHERE e.idempotency_key LIKE %s
            RETURNING id
            """,
            [channel_id, f"backlog-{tag}-%"],
        )
        ids = [r[0] for r in cursor.fetchall()]
        cursor.execute("ANALYZE saleor_notify_delivery")
    return ids


def enqueue_deliveries(ids: list[int]) -> float:
    from saleor_notify_plugin.pipeline import broker

    t0 = time.perf_counter()
    for pk in ids:
        broker.send_task(broker.DELIVER_TASK, [pk])
    return time.perf_counter() - t0


def bench_backlog(fx: Fixture, receiver: Receiver, worker: Worker, rows: int, windows: int,
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


# --- report ----------------------------------------------------------------------------------


def machine_notes() -> dict[str, Any]:
    import celery
    import django
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    cpu_model = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu_model = line.split(":", 1)[1].strip()
            break
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu_count": os.cpu_count(),
        "cpu_model": cpu_model,
        "python": platform.python_version(),
        "postgresql": pg,
        "redis": redis_client().info("server")["redis_version"],
        "django": django.get_version(),
        "celery": celery.__version__,
        "kernel": platform.release(),
        "load_average_at_start": os.getloadavg(),
    }


def fmt(s: dict[str, Any], digits: int = 2, unit: str = "") -> str:
    f = f"{{:.{digits}f}}"
    return f"{f.format(s['median'])}{unit} [{f.format(s['min'])}-{f.format(s['max'])}]"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="small sizes for a smoke run")
    p.add_argument("--runs", type=int, help="runs per figure (default 5; at least 5 for the report)")
    p.add_argument("--rp-iters", type=int, help="recordings per request-path run (default 200; quick 40)")
    p.add_argument("--deliveries", type=int, help="deliveries per throughput run (default 600; quick 200)")
    p.add_argument("--latency-seconds", type=float, help="seconds per latency run (default 3; quick 2)")
    p.add_argument("--rate", type=float, default=100.0, help="events/s of the latency runs (default 100)")
    p.add_argument("--low-rate", type=float, default=10.0,
                   help="events/s of a second latency measurement below the worker's capacity (0: skip)")
    p.add_argument("--scale-rows", type=int, help="rows in each log table for the scale part (default 1000000; "
                   "quick 20000; 0 skips the scale part)")
    p.add_argument("--backlog", type=int, help="pending deliveries to drain (default 10000, see docs; quick 2000)")
    p.add_argument("--only", default="", help="comma list among request,throughput,latency,fanout,scale")
    p.add_argument("--no-variant", action="store_true",
                   help="skip the re-run of throughput, latency and fan-out with a stock Celery worker "
                   "(no DB connection reuse)")
    p.add_argument("--out", help=f"where to write the report (default {DEFAULT_OUT.relative_to(ROOT)})")
    p.add_argument("--publish", action="store_true",
                   help=f"write the published {PUBLISHED.relative_to(ROOT)} (and .json); not with --quick")
    p.add_argument("--keep-db", action="store_true", help="leave the benchmark database in place")
    raw_argv = list(sys.argv[1:] if argv is None else argv)
    a = p.parse_args(argv)
    if a.publish and (a.quick or a.out):
        p.error("--publish writes docs/performance.md from a full run: not with --quick or --out")
    out = PUBLISHED if a.publish else Path(a.out) if a.out else DEFAULT_OUT
    q = a.quick
    runs = a.runs or 5
    rp_iters = a.rp_iters or (40 if q else 200)
    deliveries = a.deliveries or (200 if q else 600)
    lat_s = a.latency_seconds or (2.0 if q else 3.0)
    scale_rows = a.scale_rows if a.scale_rows is not None else (20_000 if q else 1_000_000)
    backlog = a.backlog or (2_000 if q else 10_000)
    only = set(filter(None, a.only.split(","))) or {"request", "throughput", "latency", "fanout", "scale"}
    config = {"quick": q, "runs": runs, "rp_iters": rp_iters, "deliveries": deliveries, "latency_seconds": lat_s,
              "rate": a.rate, "scale_rows": scale_rows, "backlog": backlog, "only": sorted(only),
              "command": " ".join(["python -m benchmarks", *raw_argv])}
    log("config", config)

    started = time.monotonic()
    recreate_database()
    redis_client().flushdb()  # DB 13: the benchmark's own
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    create_bare_table()
    notes = machine_notes()
    log("machine", notes)

    BUILD.mkdir(parents=True, exist_ok=True)
    log_path = BUILD / "worker.log"
    log_path.write_bytes(b"")
    receiver = Receiver()
    worker = Worker(log_path)
    results: dict[str, Any] = {"config": config, "machine": notes}
    try:
        fx = Fixture(receiver)
        worker.start()
        if "request" in only:
            log("1. request path")
            results["request_path"] = bench_request_path(fx, runs, rp_iters)
            log("  ", json.dumps({k: v["ratio"]["median"] for k, v in results["request_path"]["channels"].items()}))
        if "throughput" in only:
            log("2. throughput")
            results["throughput"] = bench_throughput(fx, receiver, runs, deliveries)
            log("  ratio", fmt(results["throughput"]["ratio"]), "worker/s",
                fmt(results["throughput"]["worker_per_s"], 0))
        if "latency" in only:
            log("3. latency")
            results["latency"] = bench_latency(fx, receiver, runs, lat_s, a.rate)
            log("  p50", fmt(results["latency"]["p50_ms"]), "p99", fmt(results["latency"]["p99_ms"]))
            if a.low_rate:
                results["latency_low_rate"] = bench_latency(fx, receiver, runs, max(lat_s, 50 / a.low_rate), a.low_rate)
                log("  low rate p50", fmt(results["latency_low_rate"]["p50_ms"]), "p99",
                    fmt(results["latency_low_rate"]["p99_ms"]))
        if "fanout" in only:
            log("5. fan-out")
            results["fanout"] = bench_fanout(fx, receiver, runs)
            log("  last arrival ms", fmt(results["fanout"]["last_arrival_ms"]))
        if not a.no_variant and only & {"throughput", "latency", "fanout"}:
            log("variant: stock Celery worker (CELERY_DB_REUSE_MAX unset: a new DB connection per task)")
            worker.stop()
            os.environ["NOTIFY_BENCH_DB_REUSE_MAX"] = "0"
            worker.start()
            variant: dict[str, Any] = {"setting": "CELERY_DB_REUSE_MAX unset (stock Celery)"}
            if "throughput" in only:
                variant["throughput"] = bench_throughput(fx, receiver, runs, deliveries)
                log("  ratio", fmt(variant["throughput"]["ratio"]), "worker/s",
                    fmt(variant["throughput"]["worker_per_s"], 0))
            if "latency" in only:
                variant["latency"] = bench_latency(fx, receiver, runs, lat_s, a.rate)
                log("  p50", fmt(variant["latency"]["p50_ms"]), "p99", fmt(variant["latency"]["p99_ms"]))
            if "latency" in only and a.low_rate:
                variant["latency_low_rate"] = bench_latency(fx, receiver, runs, max(lat_s, 50 / a.low_rate), a.low_rate)
            if "fanout" in only:
                variant["fanout"] = bench_fanout(fx, receiver, runs)
                log("  last arrival ms", fmt(variant["fanout"]["last_arrival_ms"]))
            results["variant_db_reuse"] = variant
            worker.stop()
            os.environ.pop("NOTIFY_BENCH_DB_REUSE_MAX")
            worker.start()
        if "scale" in only and scale_rows:
            log(f"4. scale: backlog of {backlog} with an empty log")
            empty_backlog = bench_backlog(fx, receiver, worker, backlog, max(5, runs), tag="empty")
            log("  drain/s", fmt(empty_backlog["window_per_s"], 0), "rss end/start",
                f"{empty_backlog['rss_end_over_start']:.3f}")
            log(f"4. scale: filling {scale_rows} rows per log table")
            fill_s = fill_history(scale_rows, fx.single_channel.pk)
            scale: dict[str, Any] = {"rows_per_table": scale_rows, "fill_s": fill_s, "backlog_empty_log": empty_backlog}
            log(f"  filled in {fill_s:.1f} s")
            if "request" in only:
                scale["request_path"] = bench_request_path(fx, runs, rp_iters)
            if "throughput" in only:
                scale["throughput"] = bench_throughput(fx, receiver, runs, deliveries)
            log(f"4. scale: backlog of {backlog}")
            scale["backlog"] = bench_backlog(fx, receiver, worker, backlog, max(5, runs), tag="full")
            log("  drain/s", fmt(scale["backlog"]["window_per_s"], 0), "rss end/start",
                f"{scale['backlog']['rss_end_over_start']:.3f}")
            results["scale"] = scale
    finally:
        worker.stop()
        receiver.close()
        from django.db import connections

        connections.close_all()
        if not a.keep_db:
            drop_database()
        redis_client().flushdb()
    results["machine"]["load_average_at_end"] = os.getloadavg()
    results["elapsed_s"] = time.monotonic() - started
    from benchmarks.report import write

    write(results, out)
    log(f"done in {results['elapsed_s']:.0f} s: {out}" + ("" if a.publish else " (not published: --publish)"))
    return 0
