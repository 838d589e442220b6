"""Thin Celery tasks: they take ids, reload rows, and carry no secrets through the broker.

Each task body is one call into a stage of ``pipeline``.

Defined with ``shared_task``: inside Saleor they run on Saleor's Celery app (which
autodiscovers this module); elsewhere on ``saleor_notify_plugin.celery_app``.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from celery import shared_task
from celery.signals import before_task_publish

from . import health, task_thread, telemetry
from .pipeline import alerts, attempts, broker, upkeep
from .pipeline.fan_out import fan_out_many

#: What every task body runs inside. Saleor's tasks must declare that they write to the
#: primary database (``allow_writer``); the Saleor-facing plugin module installs that here,
#: so this module needs no Saleor import.
_task_context: Callable[[], AbstractContextManager[object]] = nullcontext


def use_task_context(factory: Callable[[], AbstractContextManager[object]]) -> None:
    global _task_context
    _task_context = factory


def run_in_task_context[T](func: Callable[..., T], *args: object) -> T:
    """Run a task's body: in a worker, in the plugin's task threads (``task_thread``: their
    database connections last between tasks); elsewhere here."""
    if task_thread.in_worker_task():
        return task_thread.run(_in_context, func, *args)
    return _in_context(func, *args)


def _in_context[T](func: Callable[..., T], *args: object) -> T:
    with _task_context():
        return func(*args)

SWEEP_TASK = "saleor_notify.sweep"
#: The periodic tasks beat sends; sending one stamps beat's heartbeat.
PERIODIC_TASKS = {SWEEP_TASK, "saleor_notify.purge", "saleor_notify.capture"}

# Late ack: a message is acknowledged after the task ran, so work of a killed worker is redone.
RELIABLE = {"acks_late": True, "reject_on_worker_lost": True, "ignore_result": True}


@shared_task(name=broker.FAN_OUT_TASK, **RELIABLE)
def fan_out(event_ids: list[str] | str) -> None:
    """Fan out and deliver a batch of events (a single id is accepted too)."""
    ids = [event_ids] if isinstance(event_ids, str) else event_ids
    attributes = {telemetry.MESSAGING_OPERATION: "process", telemetry.MESSAGING_BATCH_COUNT: len(ids)}
    links = telemetry.task_links(ids)
    with telemetry.span(telemetry.SPAN_FAN_OUT, kind="consumer", attributes=attributes, links=links):
        run_in_task_context(fan_out_many, ids)


@shared_task(name=broker.DELIVER_TASK, **RELIABLE)
def deliver(delivery_ids: int | list[int]) -> None:
    """One attempt of a delivery (a retry, a manual retry), or of each of a list the sweep handed on."""
    body: Callable[..., None]
    if isinstance(delivery_ids, list):
        body, which, links = attempts.attempt_deliveries, {telemetry.MESSAGING_BATCH_COUNT: len(delivery_ids)}, []
    else:
        body, which, links = attempts.attempt_delivery, {telemetry.DELIVERY_ID: delivery_ids}, telemetry.task_links()
    attributes = {telemetry.MESSAGING_OPERATION: "process", **which}
    with telemetry.span(telemetry.SPAN_DELIVER, kind="consumer", attributes=attributes, links=links):
        run_in_task_context(body, delivery_ids)


@shared_task(name=broker.RELEASE_TASK, **RELIABLE)
def release(channel_id: int) -> None:
    """Send a resumed channel's held deliveries, oldest first."""
    run_in_task_context(alerts.release, channel_id)


@shared_task(name=SWEEP_TASK, ignore_result=True)
def sweep() -> None:
    """Re-enqueue lost work, alert about failing channels, then stamp the sweep's heartbeat and
    record the backlog gauges."""
    with telemetry.span(telemetry.SPAN_SWEEP):
        run_in_task_context(upkeep.sweep)
        run_in_task_context(alerts.after_sweep)
        run_in_task_context(health.after_sweep)


@shared_task(name="saleor_notify.purge", ignore_result=True)
def purge() -> None:
    run_in_task_context(upkeep.purge_old)


def beat_schedule(sweep_interval_s: float = 60.0) -> dict[str, dict]:
    """Entries for a Celery beat schedule (the README shows how to add them in Saleor)."""
    return {
        "saleor-notify-sweep": {"task": SWEEP_TASK, "schedule": sweep_interval_s},
        "saleor-notify-purge": {"task": "saleor_notify.purge", "schedule": 3600.0},
    }


@before_task_publish.connect(weak=False)
def _stamp_beat(sender: str | None = None, **kwargs: Any) -> None:
    """Beat sends a periodic task of the plugin: beat is alive (the health query's ``beat``)."""
    if sender in PERIODIC_TASKS:
        run_in_task_context(health.stamp, health.BEAT)
