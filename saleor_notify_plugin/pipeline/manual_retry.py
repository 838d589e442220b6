"""Retrying failed deliveries by hand: the rules, and re-opening the delivery.

Owns which deliveries may be retried by hand (:func:`manual_retry_refusal`: a manually
retryable event, a failed delivery, a channel still there and active) and re-opening them as
pending with a manual trigger: one more attempt, same event id, outside the automatic budget.

Hands to the next stage: after commit, each re-opened delivery to ``broker`` as a
``saleor_notify.deliver`` message (``attempts`` makes the attempt).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from ..errors import NotifyError, NotifyErrorCode
from ..events import EventType
from ..models import AttemptTrigger, Delivery, DeliveryStatus
from . import broker


def manual_retry_refusal(delivery: Delivery) -> NotifyError | None:
    """Why ``delivery`` cannot be retried by hand now, or None when it can."""
    event = EventType(delivery.event.event)
    if not event.manual_retry:
        return NotifyError(
            NotifyErrorCode.MANUAL_RETRY_NOT_ALLOWED,
            f"{event.label} notifications cannot be retried by hand; only Order completed, Approved "
            "transaction, Transaction declined and Refund applied can.",
            "id",
        )
    if delivery.status != DeliveryStatus.FAILED:
        return NotifyError(
            NotifyErrorCode.NOT_FAILED,
            f"Only failed deliveries can be retried; this one is {delivery.status.lower()}.",
            "id",
        )
    if delivery.channel is None or not delivery.channel.is_active:
        return NotifyError(NotifyErrorCode.CHANNEL_UNAVAILABLE, "The channel was deleted or deactivated.", "id")
    return None


def retry_delivery(delivery_id: int) -> Delivery:
    """Queue one manual attempt of a failed delivery (same event id, same 30 s limit)."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("event", "channel")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None:
            raise NotifyError(NotifyErrorCode.NOT_FOUND, "No such delivery.", "id")
        if refusal := manual_retry_refusal(delivery):
            raise refusal
        _queue_manual(delivery)
    return delivery


def retry_order(order_id: str, events: Iterable[EventType | str] | None = None) -> list[Delivery]:
    """Queue a manual attempt of every failed, retryable delivery of one order."""
    wanted = {EventType(e) for e in events} if events else {e for e in EventType if e.manual_retry}
    refused = sorted(e.label for e in wanted if not e.manual_retry)
    if refused:
        raise NotifyError(
            NotifyErrorCode.MANUAL_RETRY_NOT_ALLOWED,
            f"These events cannot be retried by hand: {', '.join(refused)}.",
            "events",
        )
    with transaction.atomic():
        deliveries = list(
            Delivery.objects.select_for_update(of=("self",))
            .select_related("event", "channel")
            .filter(
                event__order_id=str(order_id),
                event__event__in=[e.value for e in wanted],
                status=DeliveryStatus.FAILED,
                channel__is_active=True,
            )
        )
        for delivery in deliveries:
            _queue_manual(delivery)
    return deliveries


def _queue_manual(delivery: Delivery) -> None:
    now = timezone.now()
    delivery.status = DeliveryStatus.PENDING
    delivery.next_trigger = AttemptTrigger.MANUAL
    delivery.next_attempt_at = now
    delivery.lease_expires_at = None
    delivery.save(update_fields=["status", "next_trigger", "next_attempt_at", "lease_expires_at", "updated_at"])
    pk = delivery.pk
    transaction.on_commit(lambda: broker.send_task(broker.DELIVER_TASK, [pk]), robust=True)
