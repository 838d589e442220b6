"""5. Fan-out: one event to 50 postback channels, against one Session posting 50 bodies in a row."""

from __future__ import annotations

import time
from typing import Any

from benchmarks.common import Fixture, summary
from tests.support.load_receiver import LoadReceiver


def bench_fanout(fx: Fixture, receiver: LoadReceiver, runs: int) -> dict[str, Any]:
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
