"""The capture tasks: the hooks' events (``capture_hooks``), and the periodic one (the
transaction poller, the funnel fallback timer, the reconciliation).

Registered when ``plugin.py`` is imported (Saleor imports every plugin at startup, in web,
worker and beat processes alike); scheduled by ``register_beat_schedule`` on ``beat_init``.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from celery.signals import beat_init

from ..tasks import RELIABLE, run_in_task_context
from . import deferred

logger = logging.getLogger(__name__)

CAPTURE_TASK = "saleor_notify.capture"
#: How often the poller runs: "within seconds" of a decline that fires no hook.
CAPTURE_INTERVAL_S = 5.0


@shared_task(name=deferred.CAPTURE_HOOKS_TASK, **RELIABLE)
def capture_hooks(items: list[deferred.Item]) -> None:
    """Record the events of hook calls (``capture.deferred``), each as at its hook's moment."""
    from .. import telemetry

    attributes = {telemetry.MESSAGING_OPERATION: "process", telemetry.MESSAGING_BATCH_COUNT: len(items)}
    links = telemetry.links_from(item["trace"] for item in items if item.get("trace"))
    with telemetry.span(telemetry.SPAN_CAPTURE_HOOKS, kind="consumer", attributes=attributes, links=links):
        run_in_task_context(deferred.run_items, items)


def run_capture() -> dict[str, Any]:
    """The payment poller, the funnel timers and the reconciliation, one after the other.

    They run while the plugin is inactive too: their cursors move on, and what they find is
    recorded only if the plugin and the event's switch were on when it happened.
    """
    from . import config, funnel, reconcile, transactions

    shop = config.load()
    counts: dict[str, Any] = transactions.poll(shop)
    counts["funnel_timers"] = funnel.fire_due_timers(shop)
    counts["reconciled"] = reconcile.reconcile(shop)
    return counts


@shared_task(name=CAPTURE_TASK, ignore_result=True, expires=CAPTURE_INTERVAL_S * 4)
def capture() -> None:
    from .. import health, telemetry

    with telemetry.span(telemetry.SPAN_POLL):
        run_in_task_context(run_capture)
        run_in_task_context(health.stamp, health.POLLER)


def beat_schedule() -> dict[str, dict[str, Any]]:
    """Every periodic task of the plugin: the core's sweep and purge, and the capture."""
    from ..conf import get_settings
    from ..tasks import beat_schedule as core_schedule

    settings = get_settings()
    entries = core_schedule(settings.sweep_interval_s)
    entries["saleor-notify-capture"] = {
        "task": CAPTURE_TASK,
        "schedule": CAPTURE_INTERVAL_S,
        "options": {"expires": CAPTURE_INTERVAL_S * 4},
    }
    if settings.queue:
        for entry in entries.values():
            entry.setdefault("options", {})["queue"] = settings.queue
    return entries


@beat_init.connect(weak=False)
def register_beat_schedule(sender: Any = None, **kwargs: Any) -> None:
    """Add the plugin's entries to the running beat's scheduler (either Celery's default
    or Saleor's django-celery-beat ``DatabaseScheduler``), unless the deployment's
    ``CELERY_BEAT_SCHEDULE`` already names them."""
    scheduler = getattr(sender, "scheduler", None)
    if scheduler is None:
        return
    existing = set((sender.app.conf.beat_schedule or {}).keys())
    entries = {k: v for k, v in beat_schedule().items() if k not in existing}
    try:
        scheduler.update_from_dict(entries)
    except Exception:  # noqa: BLE001 - beat keeps running Saleor's own schedule
        logger.exception("saleor-notify: could not add the periodic tasks; add them to CELERY_BEAT_SCHEDULE")
