"""The event switches: which of the ten events are recorded (all off on install).

A switch's history (its periods, in ``activity``) is written with it, so a late recorder can
ask whether the switch was on at the moment of the business event.
"""

from __future__ import annotations

from django.db import transaction

from . import activity
from .errors import NotifyError, NotifyErrorCode
from .events import EventType
from .models import EventSwitch


def parse_event(event: EventType | str) -> EventType:
    """The event named ``event`` (any case), or an INVALID error on the ``event`` field."""
    try:
        return EventType(str(getattr(event, "value", event)).upper())
    except ValueError:
        raise NotifyError(NotifyErrorCode.INVALID, f"Unknown event {str(event)[:40]!r}.", "event") from None


def set_event_enabled(event: EventType | str, is_enabled: bool) -> EventSwitch:
    """Switch ``event`` on or off now (and open or close its period)."""
    event_type = parse_event(event)
    with transaction.atomic():
        switch, _ = EventSwitch.objects.update_or_create(
            event=event_type.value, defaults={"is_enabled": bool(is_enabled)}
        )
        activity.set_on(event_type.value, bool(is_enabled))
    return switch


def enabled_events() -> set[EventType]:
    """The events switched on now (or at the moment being recorded, see ``activity.recording_as_of``)."""
    if (at := activity.moment()) is not None:
        return {EventType(e) for e in activity.events_on_at(at)}
    return {EventType(e) for e in EventSwitch.objects.filter(is_enabled=True).values_list("event", flat=True)}
