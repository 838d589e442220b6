"""The product's private names the tests and benchmarks reach for, in this one place.

Everything else goes through the product's public functions. When a private name moves or is
renamed, the change is here, once.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from saleor_notify_plugin.delivery import deadline
from saleor_notify_plugin.pipeline import broker

#: The Celery task that attempts one delivery.
DELIVER_TASK = broker.DELIVER_TASK


def send_task(name: str, args: list[Any], countdown: float | None = None) -> bool:
    """Hand a task to the broker as the product does (never raises)."""
    return broker.send_task(name, args, countdown)


@contextmanager
def enqueueing_switched_off() -> Iterator[None]:
    """Within the block, the product hands nothing to the broker (every enqueue "succeeds")."""
    original = broker.send_task
    broker.send_task = lambda *a, **k: True  # type: ignore[assignment]
    try:
        yield
    finally:
        broker.send_task = original  # type: ignore[assignment]


def close_broker_breaker() -> None:
    """Forget an earlier failed enqueue: the next message goes to the broker at once."""
    broker._broker_paused_until = 0.0


def flush_publisher() -> None:
    """Publish now what this process's background publisher still holds."""
    broker.publisher.flush()


def running_exchanges_watched() -> int:
    """How many exchanges the deadline watchdog holds (finished ones must not pile up)."""
    return len(deadline._watchdog._heap)
