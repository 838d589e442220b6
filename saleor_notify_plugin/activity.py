"""When the plugin and each event's switch were on: the periods late recorders consult.

The switches and Saleor's active flag say what holds now. A recorder that runs after the
business event (the payment poller, the reconciliation) needs what held *then*: the periods
kept here answer that, so switching an event on never notifies what happened while it was
off, and an inactive plugin stays silent about what happened meanwhile.

Outside Saleor there is no plugin flag: the plugin counts as active. Inside Saleor the
plugin module declares it (``track_plugin_activation``), and then only its periods count.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import SwitchPeriod

__all__ = ["SwitchPeriod", "plugin_active", "plugin_tracked", "set_on", "track_plugin_activation", "was_on"]

_plugin_tracked = False
_moment: ContextVar[datetime | None] = ContextVar("saleor_notify_moment", default=None)


def track_plugin_activation() -> None:
    """Inside Saleor: the plugin is active only while a 'plugin' period is open."""
    global _plugin_tracked
    _plugin_tracked = True


def plugin_tracked() -> bool:
    return _plugin_tracked


def set_on(subject: str, on: bool, at: datetime | None = None) -> None:
    """Open or close ``subject``'s period (idempotent: on while on, off while off change nothing)."""
    at = at or timezone.now()
    with transaction.atomic():
        open_period = SwitchPeriod.objects.select_for_update().filter(subject=subject, ended_at__isnull=True).first()
        if on and open_period is None:
            SwitchPeriod.objects.create(subject=subject, started_at=at)
        elif not on and open_period is not None:
            SwitchPeriod.objects.filter(pk=open_period.pk).update(ended_at=at)


def _covers(at: datetime) -> Q:
    return Q(started_at__lte=at) & (Q(ended_at__isnull=True) | Q(ended_at__gt=at))


def plugin_active(at: datetime | None = None) -> bool:
    """Whether the plugin was active at ``at`` (now by default)."""
    if not _plugin_tracked:
        return True
    periods = SwitchPeriod.objects.filter(subject=SwitchPeriod.PLUGIN)
    if at is None:
        return periods.filter(ended_at__isnull=True).exists()
    return periods.filter(_covers(at)).exists()


def was_on(event: str, at: datetime) -> bool:
    """Whether ``event`` would have been recorded at ``at``: its switch on and the plugin active."""
    return plugin_active(at) and SwitchPeriod.objects.filter(_covers(at), subject=event).exists()


def events_on_at(at: datetime) -> set[str]:
    """The events whose switch was on at ``at`` (none if the plugin was not active then).

    One query for both (every hook's capture in the worker asks it): the periods covering ``at``,
    the plugin's among them.
    """
    subjects = set(SwitchPeriod.objects.filter(_covers(at)).values_list("subject", flat=True))
    if _plugin_tracked and SwitchPeriod.PLUGIN not in subjects:
        return set()
    return subjects - {SwitchPeriod.PLUGIN}


def events_on_between(start: datetime, end: datetime) -> set[str]:
    """The events whose switch was on at some time in [start, end] (a cheap pre-filter)."""
    return set(
        SwitchPeriod.objects.filter(started_at__lte=end)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=start))
        .exclude(subject=SwitchPeriod.PLUGIN)
        .values_list("subject", flat=True)
    )


@contextmanager
def recording_as_of(at: datetime) -> Iterator[None]:
    """Within the block, record as at ``at``: the switches and the plugin as they were then.

    For code that learns of a business event after the fact and reuses the hooks' capture
    functions: ``record_event`` and ``enabled_events`` read this moment.
    """
    token = _moment.set(at)
    try:
        yield
    finally:
        _moment.reset(token)


def moment() -> datetime | None:
    """The moment set by ``recording_as_of``, or None (record as now)."""
    return _moment.get()
