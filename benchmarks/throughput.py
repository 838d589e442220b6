"""2. Throughput: N recorded events to their deliveries, against one keep-alive Session posting N bodies."""

from __future__ import annotations

import time
from typing import Any

from benchmarks.common import Fixture, summary
from tests.support.load_receiver import LoadReceiver


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


def bench_throughput(fx: Fixture, receiver: LoadReceiver, runs: int, n: int) -> dict[str, Any]:
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
