"""3. Latency: commit -> arrival at a paced rate, against direct POSTs at the same rate."""

from __future__ import annotations

import time
from typing import Any

from benchmarks.common import Fixture, pct, summary
from tests.support.load_receiver import LoadReceiver


def paced(rate: float, seconds: float, action) -> None:
    period = 1.0 / rate
    start = time.perf_counter()
    for i in range(int(rate * seconds)):
        target = start + i * period
        delay = target - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        action(i)


def wait_for_ids(receiver: LoadReceiver, ids: set[str], stall_s: float = 60.0) -> None:
    """Until every request of ``ids`` (by webhook-id) arrived; RuntimeError once none came for ``stall_s``."""
    receiver.wait_for(len(ids), stall_s)
    last, last_change = -1, time.monotonic()
    while (arrived := len(ids & {h for _, h, _ in receiver.dump()})) < len(ids):
        if arrived != last:
            last, last_change = arrived, time.monotonic()
        elif time.monotonic() - last_change > stall_s:
            raise RuntimeError(f"receiver stalled at {arrived}/{len(ids)}")
        time.sleep(0.05)


def bench_latency(fx: Fixture, receiver: LoadReceiver, runs: int, seconds: float, rate: float) -> dict[str, Any]:
    import requests
    from django.db import transaction

    body, headers = fx.sample_request()
    out: dict[str, list[float]] = {"p50_ms": [], "p99_ms": [], "max_ms": [], "base_p50_ms": [], "base_p99_ms": [],
                                   "p99_ratio": [], "stray_arrivals": []}
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
        wait_for_ids(receiver, set(sent))
        # Anything else arriving now (a retry of an earlier part's delivery) is counted, not timed.
        arrivals = receiver.dump()
        base = [(t - sent[h]) * 1000 for t, h, _ in arrivals if h in sent]
        strays = sum(1 for _, h, _ in arrivals if h not in sent)
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
        wait_for_ids(receiver, set(committed))
        arrivals = receiver.dump()
        lat = [(t - committed[h]) * 1000 for t, h, _ in arrivals if h in committed]
        strays += sum(1 for _, h, _ in arrivals if h not in committed)
        out["stray_arrivals"].append(strays)
        out["p50_ms"].append(pct(lat, 0.5))
        out["p99_ms"].append(pct(lat, 0.99))
        out["max_ms"].append(max(lat))
        out["base_p50_ms"].append(pct(base, 0.5))
        out["base_p99_ms"].append(pct(base, 0.99))
        out["p99_ratio"].append(pct(lat, 0.99) / pct(base, 0.99))
    return {"rate_per_s": rate, "seconds_per_run": seconds, **{k: summary(v) for k, v in out.items()}}
