"""A long-lived "shop" process that records events on command, as Saleor's web process would.

Run as ``python -m tests.support.shop_process`` with the tests' settings; it reads one command
per line on stdin and answers one JSON line on stdout:

    record <count> <key prefix>   each in its own transaction; reports failures and slow calls
    sweep                         runs the sweep once (it enqueues through this process's broker)
"""

from __future__ import annotations

import json
import sys
import time


def main() -> None:
    import django

    django.setup()
    from django.db import transaction

    from saleor_notify_plugin.pipeline import recording, upkeep

    for line in sys.stdin:
        command, *args = line.split()
        if command == "record":
            count, prefix = int(args[0]), args[1]
            recorded, failures, durations_ms = 0, [], []
            for i in range(count):
                started = time.monotonic()
                try:
                    with transaction.atomic():
                        event_id = recording.record_event(
                            "ORDER_COMPLETED", "SHOP", subject_type="order", subject_id=f"{prefix}-{i}",
                            payload={"number": f"{prefix}-{i}"}, idempotency_key=f"{prefix}:{i}",
                        )
                    recorded += event_id is not None
                except Exception as exc:  # noqa: BLE001 - reported to the test, which fails on it
                    failures.append(repr(exc))
                durations_ms.append((time.monotonic() - started) * 1000)
            answer = {
                "recorded": recorded,
                "failures": failures,
                "slowest_ms": round(max(durations_ms, default=0.0), 1),
                "calls_over_500_ms": sum(d > 500 for d in durations_ms),
            }
        elif command == "sweep":
            answer = upkeep.sweep()
        else:
            answer = {"error": f"unknown command {command!r}"}
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
