"""Telling staff about a channel that keeps failing, pausing it if its owner chose so, resuming it.

Owns :func:`evaluate`, run by the sweep: an active channel whose failing spell (see
``channel_health``) has lasted ``ALERT_AFTER_MINUTES`` is reported once per spell (the claim
is a conditional UPDATE of ``alerted_spell_at``, so two sweeps never send it twice) in one
e-mail to ``ALERT_EMAILS`` through Django's e-mail backend (the shop's ``EMAIL_*`` settings);
a channel with ``pause_on_alert`` is paused at the same time: its deliveries stay pending and
are not attempted (fan-out, the deliver task and the sweep pass them by). :func:`resume`
lifts the pause and hands the channel to :func:`release`, which sends what was held one at a
time, oldest first.

Hands to the next stage: a ``saleor_notify.release`` message after a resume; ``attempts``
makes each released attempt (a failed one is retried by the usual rules).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from .. import activity, channel_health
from ..conf import NotifySettings, get_settings
from ..errors import NotifyError, NotifyErrorCode
from ..models import Delivery, DeliveryAttempt, DeliveryStatus, NotificationChannel
from . import attempts, broker
from .send import email_subject

logger = logging.getLogger(__name__)

#: A release keeps the sweep off the deliveries it has not reached yet, this many at a time.
RELEASE_CHUNK = 100


@dataclass(frozen=True, slots=True)
class Alert:
    channel: NotificationChannel
    failing_since: datetime
    paused: bool


def evaluate(now: datetime | None = None) -> list[Alert]:
    """Alert (and pause) the channels whose failing spell reached the alert period; once per spell."""
    if not activity.plugin_active():
        return []
    settings = get_settings(fresh=True)
    now = now or timezone.now()
    spells = channel_health.with_spells(NotificationChannel.objects.filter(is_active=True))
    alerts = []
    for channel in spells.filter(failing_since__isnull=False):
        failing_since: datetime = channel.failing_since
        if channel.alerted_spell_at == failing_since or not channel_health.alerting(failing_since, now, settings):
            continue
        changes: dict[str, Any] = {"alerted_spell_at": failing_since, "alerted_at": now}
        if channel.pause_on_alert:
            changes["paused_at"] = Coalesce(F("paused_at"), Value(now))
        claimed = (
            NotificationChannel.objects.filter(pk=channel.pk).exclude(alerted_spell_at=failing_since).update(**changes)
        )
        if claimed:
            alerts.append(Alert(channel, failing_since, channel.pause_on_alert))
    if alerts:
        logger.warning("saleor-notify: channels failing: %s", ", ".join(str(a.channel.pk) for a in alerts))
        if not _tell_staff(alerts, now, settings):
            # Not told: the next sweep tries again (the pause stays).
            for alert in alerts:
                NotificationChannel.objects.filter(pk=alert.channel.pk, alerted_spell_at=alert.failing_since).update(
                    alerted_spell_at=None
                )
    return alerts


def after_sweep() -> None:
    """Run by the sweep task: :func:`evaluate`, whose failure never stops the sweep."""
    try:
        evaluate()
    except Exception:  # noqa: BLE001 - the sweep's heartbeat and gauges come next
        logger.exception("saleor-notify: evaluating the channel alerts failed")


def alert_recipients(settings: NotifySettings) -> list[str]:
    """The valid addresses of ``ALERT_EMAILS`` (a bad one is logged and skipped)."""
    valid = []
    for address in settings.alert_emails:
        try:
            validate_email(address)
        except ValidationError:
            logger.warning("saleor-notify: ALERT_EMAILS holds an invalid address; it is skipped")
            continue
        valid.append(address)
    return valid


def _last_error(channel: NotificationChannel) -> str:
    attempt = DeliveryAttempt.objects.filter(channel=channel.pk).order_by("-started_at").first()
    if attempt is None:
        return "unknown"
    if attempt.status_code is not None:
        return f"HTTP {attempt.status_code}"
    return attempt.error_kind or attempt.verdict


def alert_message(alerts: list[Alert], now: datetime, settings: NotifySettings) -> tuple[str, str]:
    """The e-mail's subject and body."""
    names = ", ".join(a.channel.name for a in alerts)
    subject = email_subject(f"Notifications: {names} {'is' if len(alerts) == 1 else 'are'} failing")
    lines = [f"These notification channels have failed without a success for {settings.alert_after_minutes:g} "
             "minutes or longer:", ""]
    for alert in alerts:
        health = channel_health.channel_health(alert.channel, now, settings)
        minutes = (now - alert.failing_since).total_seconds() / 60
        last = f"{health.last_success_at:%Y-%m-%d %H:%M} UTC" if health.last_success_at else "never"
        lines += [
            f"- {alert.channel.name} ({alert.channel.kind.lower()}): failing since "
            f"{alert.failing_since:%Y-%m-%d %H:%M:%S} UTC ({minutes:.0f} min), "
            f"{health.consecutive_failures} failed attempts in a row, last error {_last_error(alert.channel)}, "
            f"last success {last}.",
        ]
        if alert.paused:
            lines.append("  Paused: its deliveries are held (kept, not sent) until it is resumed on its channel page.")
    lines += ["", "Open Apps > Notifications > Channels in the dashboard for the delivery log.",
              "You get this once per failing spell; a success ends the spell."]
    return subject, "\n".join(lines) + "\n"


def _tell_staff(alerts: list[Alert], now: datetime, settings: NotifySettings) -> bool:
    """One e-mail about ``alerts``; False when it could not be handed to the mail server."""
    recipients = alert_recipients(settings)
    if not recipients:
        logger.info("saleor-notify: no ALERT_EMAILS: the failing channels are shown on the dashboard only")
        return True
    subject, body = alert_message(alerts, now, settings)
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=getattr(django_settings, "DEFAULT_FROM_EMAIL", None),
        to=recipients,
        connection=get_connection(timeout=settings.timeout_s),
    )
    try:
        message.send()
    except Exception:  # noqa: BLE001 - SMTP down, refused, misconfigured: retried at the next sweep
        logger.warning("saleor-notify: the alert e-mail could not be sent; the next sweep tries again", exc_info=True)
        return False
    return True


def held(channel_id: int, now: datetime) -> Q:
    """The pending deliveries of a channel that nobody holds a claim on and are due."""
    return (
        Q(channel_id=channel_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        & (Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lte=now))
    )


def resume(channel_id: int) -> tuple[NotificationChannel, int]:
    """Lift a channel's pause; its held deliveries are released after commit, oldest first.

    Returns the channel and how many deliveries it holds. A spell counts from the resume at
    the earliest, so a channel that keeps failing alerts (and pauses) again one period later.
    Resuming a channel that is not paused changes nothing.
    """
    with transaction.atomic():
        channel = NotificationChannel.objects.select_for_update().filter(pk=channel_id).first()
        if channel is None:
            raise NotifyError(NotifyErrorCode.NOT_FOUND, "No such channel.", "id")
        if channel.paused_at is None:
            return channel, 0
        now = timezone.now()
        channel.paused_at, channel.resumed_at = None, now
        channel.save(update_fields=["paused_at", "resumed_at", "updated_at"])
        pending = Delivery.objects.filter(held(channel_id, now))
        count = pending.count()
        pending.update(next_attempt_at=now)  # the sweep leaves them to the release for a while
        transaction.on_commit(lambda: broker.send_task(broker.RELEASE_TASK, [channel_id]), robust=True)
    return channel, count


def release(channel_id: int) -> int:
    """Attempt a resumed channel's held deliveries one at a time, oldest first (in the order their
    events were recorded). Stops if the channel is paused again. Returns how many were attempted."""
    now = timezone.now()
    order = list(
        Delivery.objects.filter(held(channel_id, now))
        .order_by("event__created_at", "created_at", "pk")
        .values_list("pk", flat=True)
    )
    for start in range(0, len(order), RELEASE_CHUNK):
        if not activity.plugin_active() or not NotificationChannel.objects.filter(
            pk=channel_id, paused_at__isnull=True, is_active=True
        ).exists():
            return start
        # What is not reached yet stays due "now" for the sweep, which would send it out of order.
        Delivery.objects.filter(pk__in=order[start + RELEASE_CHUNK :], status=DeliveryStatus.PENDING).update(
            next_attempt_at=timezone.now()
        )
        for pk in order[start : start + RELEASE_CHUNK]:
            attempts.attempt_delivery(pk)
    return len(order)
