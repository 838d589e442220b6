"""Benchmark (not a test): what the plugin adds to an order-completing mutation in Saleor.

    cd <this checkout> && <saleor-venv>/bin/pytest -c tests/saleor/tier.ini tests/saleor/bench_order_mutation.py \
        --reuse-db -p no:xdist -s -q

It reports `transactionEventReport` CHARGE_SUCCESS for an order's full amount (Saleor then
calls order_paid and order_fully_paid: the plugin records Order completed and Customer
created) with the plugin active and with no plugin, interleaved, in one run. Celery publishes
to the real Redis broker (as in production), not eagerly.
"""

from __future__ import annotations

import statistics
import time
import uuid
from decimal import Decimal

import pytest

from .fixtures import PLUGIN_PATH, configure
from .test_events import report

ROUNDS = 40
pytestmark = pytest.mark.django_db


@pytest.fixture
def real_broker(settings):
    """Tasks go to a fresh queue of the real Redis broker, not run in the call; yields the queue's name.

    Set through Django's settings: Saleor's Celery app reads them under its ``CELERY_`` namespace
    at every lookup, so an attribute set on ``app.conf`` would not hold.
    """
    from celery import current_app

    queue = f"saleor-notify-bench-{uuid.uuid4().hex[:8]}"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/11"
    _forget_connections(current_app)
    assert not current_app.conf.task_always_eager
    yield queue
    with current_app.connection_for_write() as connection:
        connection.default_channel.queue_delete(queue)
    _forget_connections(current_app)


def _forget_connections(app) -> None:
    """Drop the app's connection and producer pools: made earlier, they still point at the earlier broker
    (``close`` keeps the producer pool when the connection pool was made after it)."""
    app.close()
    app.amqp._producer_pool = None


def _paid_order_mutation_ms(client, permission, order_generator, transaction_item_generator) -> float:
    order = order_generator()
    order.total_gross_amount = order.total_net_amount = Decimal("42.00")
    order.undiscounted_total_gross_amount = order.undiscounted_total_net_amount = Decimal("42.00")
    order.user_email = f"{uuid.uuid4().hex[:10]}@example.com"
    order.save()
    item = transaction_item_generator(order_id=order.pk)
    started = time.perf_counter()
    report(client, permission, item, "CHARGE_SUCCESS", Decimal("42.00"))
    return (time.perf_counter() - started) * 1000


def test_order_completing_mutation_with_and_without_the_plugin(
    settings, real_broker, staff_api_client, permission_manage_payments, order_generator, transaction_item_generator
):
    settings.SALEOR_NOTIFY = {"QUEUE": real_broker}
    settings.PLUGINS = [PLUGIN_PATH]
    configure()  # active, every event switched on
    timings: dict[str, list[float]] = {"with plugin": [], "without plugin": []}
    args = (staff_api_client, permission_manage_payments, order_generator, transaction_item_generator)
    modes = [([PLUGIN_PATH], "with plugin"), ([], "without plugin")]
    for round_number in range(ROUNDS + 1):  # round 0 warms both modes up and is not counted
        for plugins, label in modes:
            settings.PLUGINS = plugins
            elapsed_ms = _paid_order_mutation_ms(*args)
            if round_number:
                timings[label].append(elapsed_ms)

    base = statistics.median(timings["without plugin"])
    print(f"\ntransactionEventReport CHARGE_SUCCESS (completes the order), {ROUNDS} rounds, interleaved:")
    for label, values in timings.items():
        values.sort()
        median = statistics.median(values)
        print(
            f"  {label:<15} median {median:6.1f} ms  p90 {values[int(len(values) * 0.9) - 1]:6.1f} ms  "
            f"range [{values[0]:.1f}-{values[-1]:.1f}]  ratio {median / base:.2f}"
        )
    from saleor_notify_plugin.models import RecordedEvent

    assert RecordedEvent.objects.filter(event="ORDER_COMPLETED").count() == ROUNDS + 1
