"""Builders for test data, through the service API (the only writer)."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction

from saleor_notify_plugin import channels, switches
from saleor_notify_plugin.events import EventType, Source
from saleor_notify_plugin.models import Delivery, NotificationChannel
from saleor_notify_plugin.pipeline import recording


def postback_channel(url: str, name: str = "CRM", **kwargs: Any) -> NotificationChannel:
    return channels.create_channel(name=name, kind="POSTBACK", url=url, **kwargs)


def attach(event: EventType, channel: NotificationChannel, sources: tuple[str, ...] = ("ADMIN", "SHOP", "FUNNEL")):
    switches.set_event_enabled(event, True)
    return channels.attach_channel(event, channel.pk, sources)


def record(
    event: EventType = EventType.ORDER_COMPLETED,
    source: Source = Source.SHOP,
    *,
    order_id: str = "",
    key: str | None = None,
    payload: dict[str, Any] | None = None,
) -> uuid.UUID | None:
    """Record one event in its own transaction, as a hook inside Saleor's request would."""
    with transaction.atomic():
        return recording.record_event(
            event,
            source,
            subject_type="order",
            subject_id=order_id or "o-1",
            order_id=order_id,
            payload=payload or {"number": "1001", "total": {"gross": "42.00", "currency": "USD"}},
            idempotency_key=key or f"test:{uuid.uuid4()}",
        )


def final_delivery(channel: NotificationChannel) -> Delivery | None:
    delivery = Delivery.objects.filter(channel=channel).first()
    if delivery is not None and delivery.status != "PENDING":
        return delivery
    return None
