"""2. Throughput: N recorded events to their deliveries, against one keep-alive Session posting N bodies."""

from __future__ import annotations

import time
from typing import Any

from benchmarks.common import Fixture, cpu_ms_per, cpu_snapshot, summary
from tests.support.load_receiver import LoadReceiver
from tests.support.worker_process import WorkerProcess


def session_loop(receiver: LoadReceiver, body: bytes, headers: dict[str, str], n: int) -> float:
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


def worker_throughput(fx: Fixture, receiver: LoadReceiver, n: int) -> float:
    receiver.reset()
    t0 = time.time()
    record_bulk(fx, n)
    receiver.wait_for(n)
    last = max(r[0] for r in receiver.dump())
    return n / (last - t0)


def bench_throughput(fx: Fixture, receiver: LoadReceiver, runs: int, n: int,
                     worker: WorkerProcess | None = None) -> dict[str, Any]:
    """Per run: the Session loop, then the worker; deliveries/s of each, and the CPU each used per
    delivery, by process (so that what bounds the rate on this machine is visible)."""
    body, headers = fx.sample_request()
    worker_throughput(fx, receiver, 50)  # warm-up
    loop, rates, ratio = [], [], []
    loop_cpu: list[dict[str, float]] = []
    worker_cpu: list[dict[str, float]] = []
    for _ in range(runs):
        before = cpu_snapshot(worker, receiver)
        base = session_loop(receiver, body, headers, n)
        between = cpu_snapshot(worker, receiver)
        rate = worker_throughput(fx, receiver, n)
        after = cpu_snapshot(worker, receiver)
        loop_cpu.append(cpu_ms_per(before, between, n))
        worker_cpu.append(cpu_ms_per(between, after, n))
        loop.append(base)
        rates.append(rate)
        ratio.append(rate / base)
    return {"deliveries_per_run": n, "loop_per_s": summary(loop), "worker_per_s": summary(rates),
            "ratio": summary(ratio),
            "cpu_ms_per_delivery": {who: summary([c[who] for c in worker_cpu]) for who in worker_cpu[0]},
            "loop_cpu_ms_per_post": {who: summary([c[who] for c in loop_cpu]) for who in loop_cpu[0]}}
