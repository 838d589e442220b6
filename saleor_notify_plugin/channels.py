"""Configuration writes: channels (with their signing secrets) and their attachments to events.

The event switches are in ``switches``; what a channel receives is read by ``pipeline.fan_out``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from . import shop
from .conf import get_settings
from .delivery.signing import generate_secret
from .errors import NotifyError, NotifyErrorCode
from .events import ChannelKind, EventType
from .models import EventChannel, NotificationChannel
from .switches import parse_event
from .validation import (
    check_text,
    validate_emails,
    validate_saleor_channel_slugs,
    validate_sources,
    validate_target_url,
)

#: After a rotation, receivers get signatures with the old secret too for this long.
PREVIOUS_SECRET_GRACE = timedelta(hours=24)
MAX_NAME_LENGTH = 128


def _clean_target(kind: ChannelKind, url: str | None, emails: Iterable[str] | None) -> dict:
    settings = get_settings()
    allow_private = settings.allow_private_targets
    if kind is ChannelKind.EMAIL:
        return {"target_url": "", "email_recipients": validate_emails(emails or [])}
    slack = kind is ChannelKind.SLACK
    target = validate_target_url(
        url or "",
        allow_private=allow_private,
        https_only=slack and not allow_private,
        allowed_hosts=settings.slack_hosts if slack else None,
    )
    return {"target_url": target, "email_recipients": []}


def _clean_name(name: str | None) -> str:
    name = (name or "").strip()
    if not name:
        raise NotifyError(NotifyErrorCode.REQUIRED, "A name is required.", "name")
    if len(name) > MAX_NAME_LENGTH:
        raise NotifyError(NotifyErrorCode.INVALID, f"The name is longer than {MAX_NAME_LENGTH} characters.", "name")
    return check_text(name, "name")


def _kind(kind: str) -> ChannelKind:
    try:
        return ChannelKind(str(kind).upper())
    except ValueError:
        raise NotifyError(NotifyErrorCode.INVALID, "The kind must be POSTBACK, EMAIL or SLACK.", "kind") from None


def create_channel(
    *,
    name: str,
    kind: str,
    url: str | None = None,
    emails: Iterable[str] | None = None,
    is_active: bool = True,
    pause_on_alert: bool = False,
) -> NotificationChannel:
    channel_kind = _kind(kind)
    return NotificationChannel.objects.create(
        name=_clean_name(name), kind=channel_kind.value, is_active=is_active, pause_on_alert=pause_on_alert,
        **_clean_target(channel_kind, url, emails),
    )


def update_channel(
    channel_id: int,
    *,
    name: str | None = None,
    url: str | None = None,
    emails: Iterable[str] | None = None,
    is_active: bool | None = None,
    pause_on_alert: bool | None = None,
) -> NotificationChannel:
    with transaction.atomic():
        channel = _get_channel(channel_id, lock=True)
        kind = ChannelKind(channel.kind)
        if name is not None:
            channel.name = _clean_name(name)
        if url is not None or emails is not None:
            if kind is ChannelKind.EMAIL and emails is None:
                raise NotifyError(NotifyErrorCode.INVALID, "An e-mail channel has addresses, not a URL.", "url")
            if kind is not ChannelKind.EMAIL and url is None:
                raise NotifyError(NotifyErrorCode.INVALID, "This channel has a URL, not addresses.", "emails")
            for key, value in _clean_target(kind, url, emails).items():
                setattr(channel, key, value)
        if is_active is not None:
            channel.is_active = is_active
        if pause_on_alert is not None:
            channel.pause_on_alert = pause_on_alert
        channel.save()
    return channel


def delete_channel(channel_id: int) -> None:
    """Delete a channel and its attachments; its deliveries stay in the log."""
    _get_channel(channel_id).delete()


def rotate_secret(channel_id: int) -> NotificationChannel:
    """A new signing secret; the old one keeps signing (second signature) for 24 hours."""
    with transaction.atomic():
        channel = _get_channel(channel_id, lock=True)
        channel.previous_secret = channel.secret
        channel.previous_secret_expires_at = timezone.now() + PREVIOUS_SECRET_GRACE
        channel.secret = generate_secret()
        channel.save()
    return channel


def expire_previous_secrets(now: datetime | None = None, channel_id: int | None = None) -> int:
    """Erase previous secrets whose signing window has ended (at read, and by the hourly purge)."""
    ended = NotificationChannel.objects.filter(previous_secret_expires_at__lte=now or timezone.now())
    if channel_id is not None:
        ended = ended.filter(pk=channel_id)
    return ended.update(previous_secret="", previous_secret_expires_at=None)


def _get_channel(channel_id: int, lock: bool = False) -> NotificationChannel:
    qs = NotificationChannel.objects.select_for_update() if lock else NotificationChannel.objects
    channel = qs.filter(pk=channel_id).first()
    if channel is None:
        raise NotifyError(NotifyErrorCode.NOT_FOUND, "No such channel.", "id")
    return channel


#: How many of the shop's stores an error about an unknown one lists.
_STORES_NAMED = 10


def _clean_saleor_channels(slugs: Iterable[str], field: str = "saleorChannels") -> list[str]:
    """The stores an attachment is limited to: slugs of the shop's Saleor channels.

    Outside Saleor (no shop to ask) a well-formed slug is taken as given.
    """
    cleaned = validate_saleor_channel_slugs(slugs, field)
    if not cleaned:
        return cleaned
    try:
        known = [c.slug for c in shop.installed().saleor_channels()]
    except shop.ShopUnavailable:
        return cleaned
    unknown = [slug for slug in cleaned if slug not in known]
    if unknown:
        listed = ", ".join(sorted(known)[:_STORES_NAMED]) + (", ..." if len(known) > _STORES_NAMED else "")
        raise NotifyError(
            NotifyErrorCode.INVALID,
            f"The shop has no store (Saleor channel) with the slug {unknown[0][:60]!r}; "
            + (f"its stores are {listed}." if known else "it has no store."),
            field,
        )
    return cleaned


def attach_channel(
    event: EventType | str, channel_id: int, sources: Iterable[str], saleor_channels: Iterable[str] = ()
) -> EventChannel:
    """Attach a channel to an event for ``sources``, limited to the stores ``saleor_channels`` (none: every store)."""
    event_type = parse_event(event)
    source_set = validate_sources(sources)
    stores = _clean_saleor_channels(saleor_channels)
    with transaction.atomic():
        channel = _get_channel(channel_id)
        if event_type.postback_only and channel.kind != ChannelKind.POSTBACK:
            raise NotifyError(
                NotifyErrorCode.POSTBACK_ONLY,
                f"{event_type.label} can only be sent to postback channels.",
                "channelId",
            )
        if EventChannel.objects.filter(event=event_type.value, channel=channel).exists():
            raise NotifyError(NotifyErrorCode.UNIQUE, "This channel is already attached to this event.", "channelId")
        try:
            with transaction.atomic():
                return EventChannel.objects.create(
                    event=event_type.value,
                    channel=channel,
                    saleor_channels=stores,
                    **EventChannel.source_fields(source_set),
                )
        except IntegrityError:  # a concurrent attach won the race
            raise NotifyError(
                NotifyErrorCode.UNIQUE, "This channel is already attached to this event.", "channelId"
            ) from None


def update_attachment(
    attachment_id: int, sources: Iterable[str], saleor_channels: Iterable[str] | None = None
) -> EventChannel:
    """New sources, and (unless ``saleor_channels`` is None) new stores: empty for every store."""
    source_set = validate_sources(sources)
    stores = None if saleor_channels is None else _clean_saleor_channels(saleor_channels)
    with transaction.atomic():
        attachment = EventChannel.objects.select_for_update().filter(pk=attachment_id).first()
        if attachment is None:
            raise NotifyError(NotifyErrorCode.NOT_FOUND, "No such attachment.", "id")
        for key, value in EventChannel.source_fields(source_set).items():
            setattr(attachment, key, value)
        if stores is not None:
            attachment.saleor_channels = stores
        attachment.save()
    return attachment


def detach(attachment_id: int) -> None:
    deleted, _ = EventChannel.objects.filter(pk=attachment_id).delete()
    if not deleted:
        raise NotifyError(NotifyErrorCode.NOT_FOUND, "No such attachment.", "id")
