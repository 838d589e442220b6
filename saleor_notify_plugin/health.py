"""Is the plugin's machinery running? Heartbeats of beat, the sweep and the poller, and the backlog.

The periodic tasks stamp a :class:`~saleor_notify_plugin.models.Heartbeat` row; :func:`snapshot`
reads them with the outbox's backlog and says what is wrong, for the ``notificationHealth`` query,
the system check and the gauges the sweep records.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Min
from django.utils import timezone

from .conf import get_settings
from .models import Delivery, DeliveryStatus, Heartbeat, NotificationChannel, RecordedEvent

logger = logging.getLogger(__name__)

BEAT, SWEEP, POLLER = "beat", "sweep", "poller"
#: Heartbeats are stale after this many of their intervals (a loaded worker may run one late).
STALE_AFTER_INTERVALS = 3
#: The transaction poller runs every 5 s (``capture.tasks.CAPTURE_INTERVAL_S``); stale after a minute.
POLLER_STALE_AFTER_S = 60.0
#: Work waiting longer than this while the backlog grows means the workers are not keeping up.
BACKLOG_WARN_AGE_S = 300.0


@dataclass(frozen=True, slots=True)
class Problem:
    code: str  # BEAT_STOPPED, WORKER_STOPPED, POLLER_STOPPED, BACKLOG_GROWING
    message: str


@dataclass(frozen=True, slots=True)
class Health:
    checked_at: datetime
    pending_events: int
    due_deliveries: int
    oldest_pending_age_s: float
    backlog_growing: bool
    last_run_at: dict[str, datetime | None]
    heartbeat_ages_s: dict[str, float | None]
    problems: list[Problem] = field(default_factory=list)

    @property
    def backlog(self) -> int:
        return self.pending_events + self.due_deliveries

    @property
    def poller_lag_s(self) -> float | None:
        return self.heartbeat_ages_s.get(POLLER)

    @property
    def healthy(self) -> bool:
        return not self.problems


def stamp(name: str, value: int | None = None, now: datetime | None = None) -> None:
    """Record that ``name`` ran now (never raises: a heartbeat must not break the task)."""
    try:
        Heartbeat.objects.update_or_create(name=name, defaults={"beat_at": now or timezone.now(), "value": value})
    except Exception:  # noqa: BLE001 - the database may be away; the task itself goes on
        logger.warning("saleor-notify: could not stamp the %s heartbeat", name, exc_info=True)


def _age_s(now: datetime, then: datetime | None) -> float | None:
    return None if then is None else max(0.0, (now - then).total_seconds())


def snapshot(now: datetime | None = None, *, expect_poller: bool | None = None) -> Health:
    """The backlog and the heartbeats now, and what is wrong with them.

    ``expect_poller``: whether a transaction poller should run (inside Saleor); by default, when
    it has ever run.
    """
    now = now or timezone.now()
    settings = get_settings()
    unfanned = RecordedEvent.objects.filter(fanned_out_at__isnull=True)
    due = Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
    if paused := list(NotificationChannel.objects.filter(paused_at__isnull=False).values_list("pk", flat=True)):
        due = due.exclude(channel_id__in=paused)  # held by a pause, not a backlog of the workers
    pending_events, due_deliveries = unfanned.count(), due.count()
    oldest = [t for t in (unfanned.aggregate(t=Min("created_at"))["t"], due.aggregate(t=Min("next_attempt_at"))["t"])
              if t is not None]
    oldest_age_s = max((_age_s(now, t) or 0.0 for t in oldest), default=0.0)
    beats: dict[str, Heartbeat] = {h.name: h for h in Heartbeat.objects.filter(name__in=[BEAT, SWEEP, POLLER])}
    last_run = {name: (beats[name].beat_at if name in beats else None) for name in (BEAT, SWEEP, POLLER)}
    ages = {name: _age_s(now, at) for name, at in last_run.items()}
    beat_age, sweep_age, poller_age = ages[BEAT], ages[SWEEP], ages[POLLER]
    previous_backlog = beats[SWEEP].value if SWEEP in beats else None
    growing = previous_backlog is not None and pending_events + due_deliveries > previous_backlog > 0

    problems: list[Problem] = []
    stale_s = STALE_AFTER_INTERVALS * settings.sweep_interval_s
    recorded_anything = pending_events or RecordedEvent.objects.exists()
    if beat_age is not None and beat_age > stale_s:
        problems.append(Problem("BEAT_STOPPED", f"Celery beat last sent the plugin's periodic tasks "
                                f"{beat_age:.0f} s ago: is beat running?"))
    elif beat_age is None and recorded_anything:
        problems.append(Problem("BEAT_STOPPED", "Celery beat has never sent the plugin's periodic tasks: "
                                "start beat (see the README)."))
    elif sweep_age is None or sweep_age > stale_s:
        if beat_age is not None:
            when = "never" if sweep_age is None else f"{sweep_age:.0f} s ago"
            problems.append(Problem("WORKER_STOPPED", f"Beat sends the sweep but no worker ran it ({when}): is a "
                                    f"worker consuming the plugin's queue ({settings.queue or 'the default queue'})?"))
    if expect_poller is None:
        expect_poller = last_run[POLLER] is not None or _poller_installed()
    if expect_poller and (poller_age is None or poller_age > POLLER_STALE_AFTER_S):
        when = "has never run" if poller_age is None else f"last ran {poller_age:.0f} s ago"
        problems.append(Problem("POLLER_STOPPED", f"The transaction poller {when}: approvals, declines and "
                                "refunds are not being noticed."))
    if oldest_age_s > BACKLOG_WARN_AGE_S and (growing or previous_backlog is None):
        problems.append(Problem("BACKLOG_GROWING", f"{pending_events + due_deliveries} notifications wait "
                                f"(the oldest for {oldest_age_s:.0f} s) and the backlog is growing."))
    return Health(now, pending_events, due_deliveries, oldest_age_s, growing, last_run, ages, problems)


def _poller_installed() -> bool:
    """Whether this process has the transaction poller (``capture/``, loaded inside Saleor only)."""
    from celery import current_app

    return "saleor_notify.capture" in current_app.tasks


def after_sweep() -> Health:
    """Run by the sweep task: stamp the sweep with the backlog it saw, record the gauges."""
    from . import telemetry

    health = snapshot()
    stamp(SWEEP, health.backlog, health.checked_at)
    telemetry.record_health(health)
    return health
