"""Profile the worker's two task bodies in-process (pyinstrument), against the real services.

    .venv/bin/python -m benchmarks.profile_tasks [N]

Records N events (enqueued to a queue nobody consumes), then runs ``fan_out.fan_out`` and
``attempts.attempt_delivery`` for them here, timing each and printing pyinstrument's tree.
"""

from __future__ import annotations

import statistics
import sys
import time

from benchmarks.common import SINK_QUEUE, Fixture, bench_settings, redis_client, use_queue
from tests.support import database
from tests.support.load_receiver import LoadReceiver


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    database.recreate_database(bench_settings.DB_NAME)
    import django
    from django.core.management import call_command
    from django.db import connections, transaction
    from pyinstrument import Profiler

    django.setup()
    call_command("migrate", verbosity=0)
    receiver = LoadReceiver()
    try:
        fx = Fixture(receiver)
        use_queue(SINK_QUEUE)
        ids = []
        for i in range(n):
            with transaction.atomic():
                ids.append(fx.record(fx.single_event, i))
        from saleor_notify_plugin.pipeline import attempts, fan_out

        fan, deliver, delivery_ids = [], [], []
        profiler = Profiler(interval=0.0005)
        profiler.start()
        for event_id in ids:
            t0 = time.perf_counter()
            delivery_ids += fan_out.fan_out(event_id)
            fan.append(time.perf_counter() - t0)
        for pk in delivery_ids:
            t0 = time.perf_counter()
            attempts.attempt_delivery(pk)
            deliver.append(time.perf_counter() - t0)
        profiler.stop()
        print(f"fan_out median {statistics.median(fan) * 1000:.2f} ms, "
              f"attempt_delivery median {statistics.median(deliver) * 1000:.2f} ms")
        print(profiler.output_text(unicode=False, color=False, show_all=False))
    finally:
        receiver.close()
        redis_client().flushdb()
        connections.close_all()
        database.drop_database(bench_settings.DB_NAME)


if __name__ == "__main__":
    main()
