"""Channels, switches, attachments, the event outbox, deliveries and their attempts.

No foreign keys to Saleor's tables: the app migrates without Saleor, and Saleor objects
are referenced by id (``subject_id``, ``order_id``).
"""

from __future__ import annotations

import uuid

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q

from .delivery.outcome import ErrorKind
from .delivery.signing import generate_secret
from .events import ChannelKind, EventType, Source
from .secrets_at_rest import EncryptedTextField


class NotificationChannel(models.Model):
    """Where notifications go: a signed postback URL, a list of e-mail addresses, or Slack."""

    name = models.CharField(max_length=128, help_text="Shown to the shop owner when attaching the channel.")
    kind = models.CharField(max_length=16, choices=ChannelKind.choices)
    # Encrypted at rest (secrets_at_rest): a Slack URL is a credential, a postback URL may embed a key.
    target_url = EncryptedTextField(
        blank=True, help_text="POSTBACK: the receiver's URL. SLACK: the incoming-webhook URL. Stored encrypted."
    )
    email_recipients = models.JSONField(default=list, blank=True, help_text="EMAIL: the addresses to write to.")
    secret = EncryptedTextField(
        default=generate_secret, help_text="Standard Webhooks signing secret (whsec_...). Stored encrypted."
    )
    previous_secret = EncryptedTextField(
        blank=True,
        help_text="The secret before the last rotation, signed with until expiry, then erased. Stored encrypted.",
    )
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True, help_text="An inactive channel receives nothing.")
    # Alerts (pipeline/alerts.py): a channel failing without a success for ALERT_AFTER_MINUTES.
    pause_on_alert = models.BooleanField(
        default=False, help_text="When it alerts, hold its deliveries (pending, not attempted) until resumed."
    )
    paused_at = models.DateTimeField(null=True, blank=True, help_text="Set while paused: deliveries are held.")
    resumed_at = models.DateTimeField(
        null=True, blank=True, help_text="The last resume: a failing spell counts from here at the earliest."
    )
    alerted_spell_at = models.DateTimeField(
        null=True, blank=True, help_text="The first failure of the spell the last alert was about (one per spell)."
    )
    alerted_at = models.DateTimeField(null=True, blank=True, help_text="When that alert was sent.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("pk",)

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None

    @property
    def secret_last_chars(self) -> str:
        return self.secret[-4:]


class EventSwitch(models.Model):
    """The on/off switch of one event (the dashboard's toggle and the API's are this row)."""

    event = models.CharField(max_length=32, choices=EventType.choices, primary_key=True)
    is_enabled = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.event}: {'on' if self.is_enabled else 'off'}"


class SwitchPeriod(models.Model):
    """A span of time during which an event's switch, or the plugin itself, was on.

    Hooks record in the moment and ask the switch row. Whatever records later (the payment
    poller, the reconciliation) asks whether the switch and the plugin were on *when the
    business event happened*, so switching on never replays the past and an inactive plugin
    stays silent about what happened meanwhile.
    """

    PLUGIN = "plugin"

    subject = models.CharField(max_length=32, help_text="An event type, or 'plugin' for the plugin's active flag.")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True, help_text="Empty while it is on.")

    class Meta:
        ordering = ("subject", "started_at")
        indexes = [models.Index(fields=("subject", "started_at"), name="notify_period_subject_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=("subject",), condition=Q(ended_at__isnull=True), name="notify_period_one_open"
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} on {self.started_at:%Y-%m-%d %H:%M:%S} - {self.ended_at or 'now'}"


class EventChannel(models.Model):
    """A channel attached to an event, limited to some of the three sources, and maybe to some stores."""

    event = models.CharField(max_length=32, choices=EventType.choices)
    channel = models.ForeignKey(NotificationChannel, on_delete=models.CASCADE, related_name="attachments")
    source_admin = models.BooleanField(default=True)
    source_shop = models.BooleanField(default=True)
    source_funnel = models.BooleanField(default=True)
    saleor_channels = models.JSONField(
        default=list,
        db_default=models.Value([], output_field=models.JSONField()),  # rows written by code that predates it
        blank=True,
        help_text="Slugs of the Saleor channels (stores) whose events it receives; empty: every store.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("pk",)
        constraints = [models.UniqueConstraint(fields=("event", "channel"), name="notify_event_channel_unique")]

    @property
    def sources(self) -> list[str]:
        return [s.value for s in Source if getattr(self, f"source_{s.value.lower()}")]

    def receives_saleor_channel(self, slug: str) -> bool:
        """Limited to stores: events of those stores only. Unlimited: every event, a store-less one too."""
        return not self.saleor_channels or (bool(slug) and slug in self.saleor_channels)

    @staticmethod
    def source_fields(sources: list[str] | set[str]) -> dict[str, bool]:
        return {f"source_{s.value.lower()}": s.value in sources for s in Source}


class RecordedEvent(models.Model):
    """One recorded occurrence of a business event (the outbox), written in the shop's own transaction.

    It is the source of truth: a lost broker message or a killed worker is recovered by the
    sweep, which finds rows that were never fanned out. (The kind of event, with its switch and
    attachments, is ``events.EventType``; GraphQL calls that kind ``NotificationEvent``.)
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    event = models.CharField(max_length=32, choices=EventType.choices)
    source = models.CharField(max_length=8, choices=Source.choices)
    subject_type = models.CharField(max_length=32, help_text="order, user, fulfillment, transaction, ...")
    subject_id = models.CharField(max_length=255, help_text="The Saleor object's id (or an e-mail address).")
    order_id = models.CharField(max_length=64, blank=True, help_text="Saleor order id, when any.")
    saleor_channel = models.CharField(
        max_length=255,
        blank=True,
        default="",
        db_default="",  # rows written by code that predates it (a process of the last release, mid-deploy)
        help_text="The slug of the Saleor channel (store) it happened in.",
    )
    idempotency_key = models.CharField(max_length=255, help_text="One business event, one row (unique).")
    payload = models.JSONField(encoder=DjangoJSONEncoder, help_text="The envelope's data (Decimals as strings).")
    occurred_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    fanned_out_at = models.DateTimeField(null=True, blank=True)
    dispatch_requested_at = models.DateTimeField(
        help_text="When fan-out was last handed to the broker (the sweep re-hands stale ones)."
    )

    class Meta:
        db_table = "saleor_notify_notificationevent"  # the table's name from before the model's rename
        ordering = ("-created_at",)
        # Each index is paid for in the shop's request (the row is written there): no more than the
        # plugin's own lookups use. Declared here, not as unique=True/db_index=True, which on
        # PostgreSQL also build a varchar_pattern_ops copy for LIKE queries nothing runs.
        constraints = [models.UniqueConstraint(fields=("idempotency_key",), name="notify_event_idempotency_unique")]
        indexes = [
            models.Index(fields=("order_id",), name="notify_event_order_idx"),
            models.Index(
                fields=("dispatch_requested_at",),
                name="notify_event_unfanned_idx",
                condition=Q(fanned_out_at__isnull=True),
            ),
            models.Index(fields=("created_at",), name="notify_event_created_idx"),
            models.Index(fields=("saleor_channel",), name="notify_event_store_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.source} {self.subject_type}:{self.subject_id}"

    @property
    def envelope_id(self) -> str:
        """The id receivers see (``webhook-id`` and the envelope's ``id``): stable across retries."""
        return f"evt_{self.id.hex}"


class DeliveryStatus(models.TextChoices):
    PENDING = "PENDING", "Pending"
    SUCCESS = "SUCCESS", "Success"
    FAILED = "FAILED", "Failed"


class AttemptTrigger(models.TextChoices):
    AUTOMATIC = "AUTOMATIC", "Automatic"
    MANUAL = "MANUAL", "Manual"


class Delivery(models.Model):
    """One event to one channel. Its attempts are the delivery log."""

    # No index of its own: the unique (event, channel) index starts with it.
    event = models.ForeignKey(RecordedEvent, on_delete=models.CASCADE, related_name="deliveries", db_index=False)
    channel = models.ForeignKey(
        NotificationChannel, on_delete=models.SET_NULL, null=True, related_name="deliveries"
    )
    channel_name = models.CharField(max_length=128, help_text="Kept for the log if the channel is deleted.")
    channel_kind = models.CharField(max_length=16, choices=ChannelKind.choices)
    status = models.CharField(max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    failure_kind = models.CharField(max_length=32, blank=True, help_text="Why the last attempt failed.")
    attempt_count = models.PositiveIntegerField(default=0)
    next_trigger = models.CharField(max_length=16, choices=AttemptTrigger.choices, default=AttemptTrigger.AUTOMATIC)
    next_attempt_at = models.DateTimeField(null=True, blank=True, help_text="When a PENDING delivery is due.")
    lease_expires_at = models.DateTimeField(
        null=True, blank=True, help_text="A worker holds the delivery until then (set when an attempt starts)."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-created_at", "-pk")
        constraints = [models.UniqueConstraint(fields=("event", "channel"), name="notify_delivery_unique")]
        indexes = [
            models.Index(
                fields=("next_attempt_at",), name="notify_delivery_due_idx", condition=Q(status="PENDING")
            ),
            models.Index(fields=("status", "-created_at"), name="notify_delivery_status_idx"),
        ]
        verbose_name_plural = "deliveries"

    def __str__(self) -> str:
        return f"delivery {self.pk} {self.status}"


class DeliveryAttempt(models.Model):
    """One try: when, how long, what was sent and what came back. Never holds a secret."""

    # No index of its own: the unique (delivery, number) index starts with it.
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempts", db_index=False)
    # The delivery's channel, copied so a channel's health reads its own attempts by index.
    channel = models.ForeignKey(
        NotificationChannel, on_delete=models.SET_NULL, null=True, blank=True, db_index=False, related_name="+"
    )
    number = models.PositiveIntegerField()
    trigger = models.CharField(max_length=16, choices=AttemptTrigger.choices)
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error_kind = models.CharField(max_length=32, blank=True, choices=[(k.value, k.value) for k in ErrorKind])
    error_message = models.CharField(max_length=255, blank=True)
    response_excerpt = models.TextField(blank=True)
    verdict = models.CharField(max_length=16, help_text="success, retry or failed")
    retry_in_s = models.FloatField(null=True, blank=True)
    request = models.JSONField(
        null=True,
        blank=True,
        help_text="What was sent, masked: method, URL (path and query masked), headers (signature masked), the "
        "body's SHA-256 and size (the body is the event's, derived again when shown). Empty when nothing was sent.",
    )
    response_headers = models.JSONField(
        default=list, blank=True, help_text="The response's headers as [name, value] pairs, bounded, cookies not kept."
    )

    class Meta:
        ordering = ("number",)
        constraints = [models.UniqueConstraint(fields=("delivery", "number"), name="notify_attempt_unique")]
        indexes = [
            models.Index(fields=("started_at",), name="notify_attempt_started_idx"),
            models.Index(fields=("channel", "-started_at"), name="notify_attempt_channel_idx"),
            models.Index(
                fields=("channel", "-started_at"), name="notify_attempt_channel_ok_idx", condition=Q(verdict="success")
            ),
        ]

    def __str__(self) -> str:
        return f"attempt {self.number} of delivery {self.delivery_id}: {self.verdict}"


# --- Saleor integration: state the capture layer keeps (no foreign keys to Saleor) ------------


class ShopSettings(models.Model):
    """The shop settings of the dashboard page, mirrored for workers (one row, pk=1).

    The plugin's own configuration lives in Saleor's ``PluginConfiguration``; workers (the
    transaction poller, the funnel timer) read this mirror instead, without Saleor's manager.
    ``values`` holds each setting the page saves, by its name in ``conf.NotifySettings``; a
    missing row or name means the default. Written when the plugin's page is saved.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    values = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return "shop settings"


class Contact(models.Model):
    """The contact registry, by e-mail: who the shop has seen, guests included.

    Contact created fires when an address is first seen; a reactivation when it arrives again
    in a new context (a new checkout, a registration). ``context`` remembers the last context,
    so a hook called many times for one checkout reports one reactivation at most.
    """

    email = models.CharField(max_length=254, primary_key=True, help_text="Lower-cased.")
    source = models.CharField(max_length=8, choices=Source.choices, help_text="Where the contact was first seen.")
    user_id = models.CharField(max_length=64, blank=True, help_text="Saleor user id, once known.")
    context = models.CharField(max_length=128, blank=True, help_text="The last context the e-mail came in.")
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.email


class TransactionCursor(models.Model):
    """How far a reader has read one of Saleor's tables (payment records, order and customer events).

    Rows are read by primary key. A row can become visible after rows with higher ids (its
    transaction commits later), so the cursor keeps a floor, ``position``, below which nothing
    new can appear, and the ids above it already handed over, ``decided``: every row is handed
    over once. ``position`` rises to a checkpoint's ``checkpoint_high`` once every transaction
    that was running at the checkpoint has ended (``checkpoint_xmax``), or after an hour at
    most. Timestamps the rows carry (a payment app may back-date them) play no part.
    """

    name = models.CharField(max_length=32, primary_key=True, help_text="transaction_event, payment_transaction, ...")
    position = models.BigIntegerField(default=0, help_text="Every row with an id up to this one was read.")
    seen_high = models.BigIntegerField(default=0, help_text="The highest id read so far.")
    decided = models.JSONField(default=list, blank=True, help_text="Ids above position already handed over.")
    checkpoint_high = models.BigIntegerField(null=True, blank=True)
    checkpoint_xmax = models.BigIntegerField(null=True, blank=True, help_text="Transactions below this must end first.")
    checkpoint_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.name} @ {self.position}"


class FunnelTimer(models.Model):
    """The fallback completion of a funnel order: due a set time after its first payment."""

    order_id = models.CharField(max_length=64, primary_key=True)
    first_paid_at = models.DateTimeField()
    due_at = models.DateTimeField()
    fired_at = models.DateTimeField(null=True, blank=True, help_text="Set when the timer or the thank-you page won.")

    class Meta:
        indexes = [models.Index(fields=("due_at",), name="notify_funnel_due_idx", condition=Q(fired_at__isnull=True))]

    def __str__(self) -> str:
        return f"funnel timer {self.order_id}"


class DashboardApp(models.Model):
    """The Saleor App that puts this plugin's pages in the dashboard, as its installation registered it.

    Saleor POSTs the app's token to the manifest's ``tokenTargetUrl`` once, at installation;
    the plugin checks it is a token of that app and keeps who registered, not the token:
    the pages authenticate with the token the dashboard hands them, and nothing here calls
    Saleor as the app.
    """

    saleor_app_id = models.PositiveIntegerField(unique=True, help_text="Saleor's App primary key.")
    app_identifier = models.CharField(max_length=256, help_text="The manifest id the app was installed with.")
    token_last_4 = models.CharField(max_length=4, help_text="The registered token's last characters, for support.")
    saleor_api_url = models.CharField(max_length=512, blank=True, help_text="Saleor-Api-Url of the registration.")
    domain = models.CharField(max_length=256, blank=True, help_text="Saleor-Domain of the registration.")
    registered_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"dashboard app {self.app_identifier} (Saleor app {self.saleor_app_id})"


class Heartbeat(models.Model):
    """When each periodic part of the plugin last ran: the health query's and system check's source.

    ``beat`` is stamped when beat sends the plugin's periodic tasks, ``sweep`` when a worker ran
    the sweep (with the backlog it saw), ``poller`` when the transaction poller finished a run.
    A stopped beat, worker or poller shows as a stamp that stops moving.
    """

    name = models.CharField(max_length=16, primary_key=True, help_text="beat, sweep or poller")
    beat_at = models.DateTimeField(help_text="The last time it ran.")
    value = models.BigIntegerField(null=True, blank=True, help_text="What it measured (the sweep: the backlog).")

    def __str__(self) -> str:
        return f"{self.name} at {self.beat_at:%Y-%m-%d %H:%M:%S}"


class KnownOrder(models.Model):
    """Saleor's orders as the plugin knows them: who placed each, whether it was paid, its products.

    Why it exists: the hooks ask, inside the shop's request, "did Saleor know this address?",
    "has this customer paid before?" and "does an earlier paid order of theirs hold this
    product?". Saleor's order table has no index that answers those by address (its lookups
    are case-insensitive), so every answer would scan the shop's whole history. This table is
    indexed by address and by account: each answer reads the customer's own rows only.
    Written by the hooks (whatever the switches) and, for what happened before, by the history
    import (``capture/history.py``).
    """

    order_id = models.CharField(max_length=64, primary_key=True, help_text="Saleor order id.")
    email = models.CharField(max_length=254, blank=True, help_text="The order's address, lower-cased.")
    user_id = models.CharField(max_length=64, blank=True, help_text="The order's Saleor account id, if any.")
    paid = models.BooleanField(
        default=False,
        help_text="Fully paid when the plugin learnt of it (an answer checks Saleor's current charge status).",
    )
    product_ids = models.JSONField(default=list, blank=True, help_text="Saleor product ids of its lines, once paid.")
    learnt_at = models.DateTimeField(help_text="When the hook or the import wrote this row.")

    class Meta:
        indexes = [
            models.Index(fields=("email",), name="notify_known_order_email_idx"),
            models.Index(fields=("user_id",), name="notify_known_order_user_idx", condition=~Q(user_id="")),
        ]

    def __str__(self) -> str:
        return f"known order {self.order_id}"


class HistoryImport(models.Model):
    """The one-time import of Saleor's orders into ``KnownOrder`` (one row, pk=1).

    Started each time the plugin is activated (hooks do not run while it is inactive, so what
    happened meanwhile is read again); read in chunks by a Celery task, never in the shop's
    request. Until ``finished_at`` is set the hooks ask Saleor's tables as before.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    generation = models.PositiveIntegerField(default=0, help_text="Raised by each start; a stale task stops.")
    position = models.BigIntegerField(default=0, help_text="Saleor order number read up to.")
    orders_read = models.BigIntegerField(default=0)
    started_at = models.DateTimeField()
    progressed_at = models.DateTimeField(help_text="The last chunk read (a stalled import is handed on again).")
    finished_at = models.DateTimeField(null=True, blank=True, help_text="Empty while the import runs.")

    def __str__(self) -> str:
        return f"history import {self.generation}: {'done' if self.finished_at else f'at {self.position}'}"
