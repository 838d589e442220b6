"""Object types: events and their switches, channels, attachments, deliveries and attempts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import graphene

from .. import models
from ..delivery import exchange
from ..events import ChannelKind, EventType
from ..pipeline import manual_retry
from ..pipeline.send import event_envelope, sent_body, url_digest
from . import enums
from .channel_health import NotificationChannelHealth, resolve_health
from .ids import saleor_order_id, to_global_id
from .info import Info, require
from .requestor import Permission

#: Events whose payload and subject are a customer's personal data (an e-mail address, a survey's
#: answers): Saleor shows customer data to MANAGE_USERS holders, so this API does too. Order events
#: carry what Saleor shows with MANAGE_ORDERS.
PERSONAL_DATA_EVENTS = frozenset({EventType.CONTACT_CREATED, EventType.CUSTOMER_CREATED, EventType.SURVEY_COMPLETED})


def _masked_slack_url(url: str) -> str:
    """A Slack incoming-webhook URL is itself a credential: show its host and last characters."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}/…{url[-4:]}"


class NotificationChannel(graphene.ObjectType):
    id = graphene.ID(required=True)
    name = graphene.String(required=True)
    kind = enums.NotificationChannelKind(required=True)
    is_active = graphene.Boolean(required=True, description="An inactive channel receives nothing.")
    url = graphene.String(
        description="POSTBACK: the receiver's URL. SLACK: the webhook URL, masked (it is a credential). "
        "EMAIL: null. Requires MANAGE_PLUGINS (wherever the channel appears)."
    )
    emails = graphene.List(
        graphene.NonNull(graphene.String),
        description="EMAIL: the addresses (empty for other kinds). Requires MANAGE_PLUGINS.",
    )
    secret_last_chars = graphene.String(
        description="The last four characters of the signing secret. The full secret is returned once, by "
        "notificationChannelCreate and notificationChannelRotateSecret. Requires MANAGE_PLUGINS.",
    )
    events = graphene.List(
        graphene.NonNull(lambda: NotificationEventChannel),
        required=True,
        description="The events this channel is attached to, with the sources of each attachment.",
    )
    pause_on_alert = graphene.Boolean(
        required=True, description="When it alerts, the channel pauses: its deliveries are held until resumed."
    )
    is_paused = graphene.Boolean(
        required=True,
        description="Paused by an alert: its deliveries stay pending, not attempted (notificationChannelResume).",
    )
    paused_at = graphene.DateTime()
    health = graphene.Field(
        NotificationChannelHealth, required=True, resolver=resolve_health,
        description="Success rate, failing spell, last success and median latency, from the channel's attempts.",
    )
    created_at = graphene.DateTime(required=True)
    updated_at = graphene.DateTime(required=True)

    @staticmethod
    def resolve_id(root: models.NotificationChannel, info: Info) -> str:
        return to_global_id("NotificationChannel", root.pk)

    @staticmethod
    def resolve_url(root: models.NotificationChannel, info: Info) -> str | None:
        require(info, Permission.MANAGE_PLUGINS)
        if root.kind == ChannelKind.EMAIL or not root.target_url:
            return None
        return _masked_slack_url(root.target_url) if root.kind == ChannelKind.SLACK else root.target_url

    @staticmethod
    def resolve_emails(root: models.NotificationChannel, info: Info) -> list[str]:
        require(info, Permission.MANAGE_PLUGINS)
        return list(root.email_recipients or [])

    @staticmethod
    def resolve_secret_last_chars(root: models.NotificationChannel, info: Info) -> str:
        require(info, Permission.MANAGE_PLUGINS)
        return root.secret_last_chars

    @staticmethod
    def resolve_events(root: models.NotificationChannel, info: Info) -> list[models.EventChannel]:
        return list(root.attachments.all())


class NotificationEventChannel(graphene.ObjectType):
    id = graphene.ID(required=True)
    event = enums.NotificationEventType(required=True)
    channel = graphene.Field(NotificationChannel, required=True)
    sources = graphene.List(
        graphene.NonNull(enums.NotificationSource),
        required=True,
        description="The event fires on this channel only when its source is among these.",
    )
    saleor_channels = graphene.List(
        graphene.NonNull(graphene.String),
        required=True,
        description="Slugs of the stores (Saleor channels) whose events it receives; empty: every store, and "
        "events of no store (an account registered, a survey without a purchase).",
    )
    created_at = graphene.DateTime(required=True)

    class Meta:
        description = "A channel attached to an event (the dashboard's attachment)."

    @staticmethod
    def resolve_id(root: models.EventChannel, info: Info) -> str:
        return to_global_id("NotificationEventChannel", root.pk)

    @staticmethod
    def resolve_sources(root: models.EventChannel, info: Info) -> list[str]:
        return root.sources

    @staticmethod
    def resolve_saleor_channels(root: models.EventChannel, info: Info) -> list[str]:
        return list(root.saleor_channels or [])


class NotificationSaleorChannel(graphene.ObjectType):
    slug = graphene.String(required=True, description="What attachments name it by (saleorChannels).")
    name = graphene.String(required=True)

    class Meta:
        description = "A store of the shop: one of Saleor's channels (a country store, a wholesale store)."


@dataclass(frozen=True)
class EventInfo:
    """What the ``NotificationEvent`` type shows: an event, its switch and its attachments."""

    type: EventType
    is_enabled: bool
    attachments: list[models.EventChannel] = field(default_factory=list)

    @classmethod
    def load(cls, only: EventType | None = None) -> list[EventInfo]:
        enabled = set(models.EventSwitch.objects.filter(is_enabled=True).values_list("event", flat=True))
        attachments = models.EventChannel.objects.select_related("channel").order_by("pk")
        if only is not None:
            attachments = attachments.filter(event=only.value)
        by_event: dict[str, list[models.EventChannel]] = {}
        for attachment in attachments:
            by_event.setdefault(attachment.event, []).append(attachment)
        return [
            cls(event, event.value in enabled, by_event.get(event.value, []))
            for event in EventType
            if only is None or event is only
        ]


class NotificationEvent(graphene.ObjectType):
    type = enums.NotificationEventType(required=True)
    name = graphene.String(required=True, description="The event's name in the dashboard.")
    is_enabled = graphene.Boolean(required=True, description="The event's switch (the dashboard's toggle).")
    postback_only = graphene.Boolean(required=True, description="Only postback channels can be attached.")
    manual_retry = graphene.Boolean(required=True, description="Failed deliveries can be retried by hand.")
    channels = graphene.List(graphene.NonNull(NotificationEventChannel), required=True)

    @staticmethod
    def resolve_type(root: EventInfo, info: Info) -> str:
        return root.type.value

    @staticmethod
    def resolve_name(root: EventInfo, info: Info) -> str:
        return str(root.type.label)

    @staticmethod
    def resolve_postback_only(root: EventInfo, info: Info) -> bool:
        return root.type.postback_only

    @staticmethod
    def resolve_manual_retry(root: EventInfo, info: Info) -> bool:
        return root.type.manual_retry

    @staticmethod
    def resolve_channels(root: EventInfo, info: Info) -> list[models.EventChannel]:
        return root.attachments


class NotificationSubject(graphene.ObjectType):
    type = graphene.String(required=True, description="order, user, fulfillment, transaction, survey, ...")
    id = graphene.String(
        description="The Saleor object's id (or the survey's id). A contact's is its e-mail address: for Contact "
        "created, Customer created and Survey completed it requires MANAGE_USERS."
    )

    @staticmethod
    def resolve_id(root: _Subject, info: Info) -> str:
        if root.event in PERSONAL_DATA_EVENTS:
            require(info, Permission.MANAGE_USERS)
        return root.id


@dataclass(frozen=True)
class _Subject:
    event: EventType
    type: str
    id: str


class NotificationDeliveryEvent(graphene.ObjectType):
    id = graphene.String(required=True, description="The event id receivers see (webhook-id), stable across retries.")
    type = enums.NotificationEventType(required=True)
    source = enums.NotificationSource(required=True)
    subject = graphene.Field(NotificationSubject, required=True)
    order_id = graphene.ID(description="Saleor's global ID of the order, when the event concerns one.")
    saleor_channel = graphene.String(description="The slug of the store (Saleor channel) it happened in; null: none.")
    occurred_at = graphene.DateTime(required=True)

    @staticmethod
    def resolve_id(root: models.RecordedEvent, info: Info) -> str:
        return root.envelope_id

    @staticmethod
    def resolve_type(root: models.RecordedEvent, info: Info) -> str:
        return root.event

    @staticmethod
    def resolve_subject(root: models.RecordedEvent, info: Info) -> _Subject:
        return _Subject(EventType(root.event), root.subject_type, root.subject_id)

    @staticmethod
    def resolve_order_id(root: models.RecordedEvent, info: Info) -> str | None:
        return saleor_order_id(root.order_id) if root.order_id else None

    @staticmethod
    def resolve_saleor_channel(root: models.RecordedEvent, info: Info) -> str | None:
        return root.saleor_channel or None


def require_payload_access(info: Info, delivery: models.Delivery) -> None:
    """Whoever reads an event's payload today may read what was sent: the delivery log's MANAGE_ORDERS,
    and MANAGE_USERS for the events that carry a customer's personal data."""
    require(info, Permission.MANAGE_ORDERS)
    if EventType(delivery.event.event) in PERSONAL_DATA_EVENTS:
        require(info, Permission.MANAGE_USERS)


class NotificationHeader(graphene.ObjectType):
    name = graphene.String(required=True)
    value = graphene.String(required=True)

    @staticmethod
    def resolve_name(root: tuple[str, str], info: Info) -> str:
        return root[0]

    @staticmethod
    def resolve_value(root: tuple[str, str], info: Info) -> str:
        return root[1]


@dataclass(frozen=True)
class _Request:
    delivery: models.Delivery
    sent: exchange.SentRequest


def _sent_bytes(root: _Request) -> bytes | None:
    """The body as sent: derived again from the event, and given only if it matches the logged digest."""
    cache: dict[str, bytes] = root.delivery.__dict__.setdefault("_notify_bodies", {})
    if root.sent.body_sha256 not in cache:
        body = sent_body(ChannelKind(root.delivery.channel_kind), root.delivery.event)
        cache[exchange.body_digest(body)] = body
    return cache.get(root.sent.body_sha256)


CURL_NOTE = (
    "The signature is never shown: set WEBHOOK_SIGNATURE to the value of webhook-signature for this "
    "webhook-id, webhook-timestamp and body, signed with the channel's secret (whsec_...): "
    "v1,<base64 of HMAC-SHA256(key, \"<webhook-id>.<webhook-timestamp>.<body>\")>, the key being the secret's "
    "base64 part decoded; any Standard Webhooks library does it, e.g. in Python "
    "Webhook(secret).sign(webhook_id, datetime.fromtimestamp(timestamp, UTC), body). Receivers refuse a "
    "timestamp older than 5 minutes: to send it again later, set webhook-timestamp to now and sign that."
)
URL_NOTE = "The URL is not shown (it may hold a credential; a postback's needs MANAGE_PLUGINS): set URL to it."


class NotificationAttemptRequest(graphene.ObjectType):
    method = graphene.String(required=True, description="POST, or SMTP for an e-mail.")
    url = graphene.String(
        description="The URL, its path and query masked (they may hold a credential). Null for e-mail."
    )
    headers = graphene.List(
        graphene.NonNull(NotificationHeader),
        description="The headers as sent (webhook-signature masked). "
        "Requires the permission of the delivery's payload.",
    )
    body = graphene.String(
        description="The body as sent (UTF-8). Null when it can no longer be derived exactly from the event. "
        "Requires the permission of the delivery's payload."
    )
    body_size = graphene.Int(required=True, description="The body's size in bytes.")
    body_sha256 = graphene.String(required=True, description="The SHA-256 of the body as sent (hex).")
    curl = graphene.String(
        description="A shell command that sends the same bytes and headers to the receiver again, the signature read "
        "from $WEBHOOK_SIGNATURE (see curlNote). Null for e-mail. Requires the permission of the delivery's payload."
    )
    curl_note = graphene.String(description="How to fill in what the curl command does not show.")

    @staticmethod
    def resolve_method(root: _Request, info: Info) -> str:
        return root.sent.method

    @staticmethod
    def resolve_url(root: _Request, info: Info) -> str | None:
        return root.sent.url

    @staticmethod
    def resolve_headers(root: _Request, info: Info) -> list[tuple[str, str]]:
        require_payload_access(info, root.delivery)
        may_see_targets = info.context.requestor.has_perm(Permission.MANAGE_PLUGINS)
        return [
            (name, value if name != "To" or may_see_targets else _address_count(value))
            for name, value in root.sent.headers
        ]

    @staticmethod
    def resolve_body(root: _Request, info: Info) -> str | None:
        require_payload_access(info, root.delivery)
        body = _sent_bytes(root)
        return body.decode("utf-8", errors="replace") if body is not None else None

    @staticmethod
    def resolve_body_size(root: _Request, info: Info) -> int:
        return root.sent.body_size

    @staticmethod
    def resolve_body_sha256(root: _Request, info: Info) -> str:
        return root.sent.body_sha256

    @staticmethod
    def resolve_curl(root: _Request, info: Info) -> str | None:
        require_payload_access(info, root.delivery)
        body = _sent_bytes(root)
        if root.sent.method != "POST" or body is None:
            return None
        return exchange.curl_command(root.sent, body, _full_url(root, info))

    @staticmethod
    def resolve_curl_note(root: _Request, info: Info) -> str | None:
        if root.sent.method != "POST":
            return None
        notes = []
        if root.delivery.channel_kind == ChannelKind.POSTBACK:
            notes.append(CURL_NOTE)
        if _full_url(root, info) is None:
            notes.append(URL_NOTE)
        return " ".join(notes) or None


def _address_count(to: str) -> str:
    count = len([a for a in to.split(",") if a.strip()])
    return f"[{count} address{'' if count == 1 else 'es'}]"


def _full_url(root: _Request, info: Info) -> str | None:
    """A postback's URL, to whoever may read it (MANAGE_PLUGINS), if the channel still has the one used."""
    channel = root.delivery.channel
    if channel is None or root.delivery.channel_kind != ChannelKind.POSTBACK or not root.sent.url_digest:
        return None
    if not info.context.requestor.has_perm(Permission.MANAGE_PLUGINS):
        return None
    return channel.target_url if url_digest(channel.target_url) == root.sent.url_digest else None


class NotificationDeliveryAttempt(graphene.ObjectType):
    number = graphene.Int(required=True)
    trigger = enums.NotificationAttemptTrigger(required=True, description="Automatic, or a manual retry.")
    started_at = graphene.DateTime(required=True)
    duration_ms = graphene.Int(required=True)
    status_code = graphene.Int(description="The HTTP status (250 for an e-mail accepted); null on error.")
    error_kind = enums.NotificationAttemptErrorKind(description="Why there was no usable response.")
    error_message = graphene.String()
    response_excerpt = graphene.String(description="The start of the response body (bounded).")
    verdict = graphene.String(required=True, description="success, retry or failed.")
    retry_in_s = graphene.Float(description="When retried automatically: after this many seconds.")
    request = graphene.Field(
        NotificationAttemptRequest,
        description="What was sent (null when nothing was, and for attempts logged before requests were kept).",
    )
    response_headers = graphene.List(
        graphene.NonNull(NotificationHeader),
        description="The response's headers (at most 32, values cut at 256 characters, cookies not kept). Requires "
        "the permission of the delivery's payload.",
    )

    @staticmethod
    def resolve_error_kind(root: models.DeliveryAttempt, info: Info) -> str | None:
        return root.error_kind or None

    @staticmethod
    def resolve_error_message(root: models.DeliveryAttempt, info: Info) -> str | None:
        return root.error_message or None

    @staticmethod
    def resolve_request(root: models.DeliveryAttempt, info: Info) -> _Request | None:
        data = root.request
        if not isinstance(data, dict):
            return None
        sent = exchange.SentRequest(
            method=str(data.get("method", "")),
            url=data.get("url"),
            headers=tuple((str(h[0]), str(h[1])) for h in data.get("headers", [])),
            body_sha256=str(data.get("body_sha256", "")),
            body_size=int(data.get("body_size", 0)),
            url_digest=str(data.get("url_digest", "")),
        )
        return _Request(root.delivery, sent)

    @staticmethod
    def resolve_response_headers(root: models.DeliveryAttempt, info: Info) -> list[tuple[str, str]]:
        require_payload_access(info, root.delivery)
        return [(str(h[0]), str(h[1])) for h in root.response_headers or []]


class NotificationDelivery(graphene.ObjectType):
    id = graphene.ID(required=True)
    event = graphene.Field(NotificationDeliveryEvent, required=True)
    channel = graphene.Field(NotificationChannel, description="Null when the channel was deleted since.")
    channel_name = graphene.String(required=True, description="The channel's name when the delivery was made.")
    channel_kind = enums.NotificationChannelKind(required=True)
    status = enums.NotificationDeliveryStatus(required=True)
    failure_kind = graphene.String(description="Why the last attempt failed: http_503, timeout, connect_error, ...")
    can_retry = graphene.Boolean(
        required=True, description="A manual retry is possible: a failed delivery of a retryable event, channel active."
    )
    attempts = graphene.List(graphene.NonNull(NotificationDeliveryAttempt), required=True)
    payload = enums.JSONString(
        description="The envelope sent (id, event, version, time, data). For Contact created, Customer created and "
        "Survey completed (a customer's personal data) it requires MANAGE_USERS."
    )
    created_at = graphene.DateTime(required=True)
    updated_at = graphene.DateTime(required=True)

    @staticmethod
    def resolve_id(root: models.Delivery, info: Info) -> str:
        return to_global_id("NotificationDelivery", root.pk)

    @staticmethod
    def resolve_failure_kind(root: models.Delivery, info: Info) -> str | None:
        return root.failure_kind or None

    @staticmethod
    def resolve_can_retry(root: models.Delivery, info: Info) -> bool:
        return manual_retry.manual_retry_refusal(root) is None

    @staticmethod
    def resolve_attempts(root: models.Delivery, info: Info) -> list[models.DeliveryAttempt]:
        return list(root.attempts.all())

    @staticmethod
    def resolve_payload(root: models.Delivery, info: Info) -> dict[str, Any]:
        if EventType(root.event.event) in PERSONAL_DATA_EVENTS:
            require(info, Permission.MANAGE_USERS)
        return event_envelope(root.event)


class NotificationChannelConnection(graphene.relay.Connection):
    class Meta:
        node = NotificationChannel


class NotificationDeliveryConnection(graphene.relay.Connection):
    class Meta:
        node = NotificationDelivery


class NotificationChannelTestResult(graphene.ObjectType):
    success = graphene.Boolean(required=True, description="The receiver answered 2xx.")
    status_code = graphene.Int()
    error_kind = enums.NotificationAttemptErrorKind()
    error_message = graphene.String()
    duration_ms = graphene.Int(required=True)
    response_excerpt = graphene.String()
